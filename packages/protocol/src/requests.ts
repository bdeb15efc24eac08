// Request bodies only the hub parses (hub-api-v1.md, §2): apart from schemas.ts, so that a client,
// which sends these and parses only answers and events, bundles none of them (its bundler drops the
// module, where the schemas' calls inside a module it keeps would stay: esbuild does not honour
// valibot's cross-module @__NO_SIDE_EFFECTS__ annotations).
import * as v from 'valibot'
import { isPlainObject, jsonObject, MAX_ID_LENGTH, MAX_NAME_LENGTH, nonNegativeInt, sdp } from './fields.js'
import { BitratesSchema, QualityPresetSchema, TRACK_SOURCES } from './schemas.js'

const name = v.pipe(v.string(), v.maxLength(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`))
const id = v.pipe(
  v.string(),
  v.maxLength(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`),
  v.regex(/^[A-Za-z0-9._~-]*$/, 'may only contain letters, digits and . _ ~ -'),
)
/** What a client may send: every field optional; 0, {} and [] mean "use the default". */
export const RoomOptionsInputSchema = v.object({
  bitrates: v.optional(v.partial(BitratesSchema)),
  quality_presets: v.optional(v.partial(v.object({
    high: v.partial(QualityPresetSchema),
    mid: v.partial(QualityPresetSchema),
    low: v.partial(QualityPresetSchema),
  }))),
  codecs: v.optional(v.array(v.pipe(v.string(), v.maxLength(64)))),
  pli_interval_ns: v.optional(nonNegativeInt),
  empty_room_timeout_ns: v.optional(nonNegativeInt),
  /** Parley's hub only (host controls, hostControls.ts); the hosted hub ignores it. */
  parley: v.optional(v.object({ host_controls: v.optional(v.boolean()) })),
})
export type RoomOptionsInput = v.InferOutput<typeof RoomOptionsInputSchema>

export const CreateRoomRequestSchema = jsonObject({
  id: v.optional(id),
  name: v.optional(name),
  options: v.optional(RoomOptionsInputSchema),
})
export type CreateRoomRequest = v.InferOutput<typeof CreateRoomRequestSchema>

export const RegisterRequestSchema = jsonObject({
  // The 2023 tutorial sends a number, current clients a string.
  uid: v.optional(v.union([
    id,
    v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER)),
  ])),
  name: v.optional(name),
  enable_vad: v.optional(v.boolean()),
  // The python SDK's spelling; accepted and ignored (our hub always trickles).
  disable_ice_tricket: v.optional(v.boolean()),
})
export type RegisterRequest = v.InferOutput<typeof RegisterRequestSchema>

export const SetNameRequestSchema = jsonObject({ name })
export type SetNameRequest = v.InferOutput<typeof SetNameRequestSchema>

export const MetaKeySchema = v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(MAX_NAME_LENGTH))
/** setmeta body: an object of keys to JSON values (not an array). */
export const SetMetaRequestSchema = v.pipe(
  v.custom<Record<string, unknown>>(isPlainObject, 'must be a JSON object (not an array)'),
  v.record(MetaKeySchema, v.unknown()),
  v.check((record) => Object.keys(record).length > 0, 'must hold at least one key'),
)

export const SessionDescriptionSchema = jsonObject({
  type: v.picklist(['offer', 'answer'], 'must be "offer" or "answer"'),
  sdp,
})
export type SessionDescription = v.InferOutput<typeof SessionDescriptionSchema>

export const TrackSourceSchema = v.picklist(TRACK_SOURCES, 'must be "media" or "screen"')

export const TrackSourcesRequestSchema = v.pipe(
  v.array(v.object({ track_id: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_NAME_LENGTH)), source: TrackSourceSchema })),
  v.maxLength(64, 'lists at most 64 tracks'),
)
export type TrackSourcesRequest = v.InferOutput<typeof TrackSourcesRequestSchema>

export const SubscribeTracksRequestSchema = v.pipe(
  v.array(v.object({
    client_id: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_ID_LENGTH)),
    stream_id: v.optional(v.pipe(v.string(), v.maxLength(MAX_NAME_LENGTH))),
    track_id: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_NAME_LENGTH)),
  })),
  v.maxLength(256, 'lists at most 256 tracks'),
)
export type SubscribeTracksRequest = v.InferOutput<typeof SubscribeTracksRequestSchema>

// ---------------------------------------------------------------------------------------------
// Data channels

export const CreateChannelRequestSchema = jsonObject({
  name: v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(MAX_NAME_LENGTH)),
  mode: v.optional(v.boolean()),
  ordered_mode: v.optional(v.boolean()),
})
export type CreateChannelRequest = v.InferOutput<typeof CreateChannelRequestSchema>

/**
 * Body of `end`, `parley/mute` and `parley/remove`, part of `parley/lock`'s (host controls, hostControls.ts; optional, an empty
 * body is `{}`): the client id of the host doing it, so the hub can tell the others who it was by the
 * name that client registered.
 */
export const HostActionRequestSchema = v.object({
  by_client_id: v.optional(v.pipe(v.string(), v.maxLength(MAX_ID_LENGTH))),
})
export type HostActionRequest = v.InferOutput<typeof HostActionRequestSchema>

/** Body of `PUT parley/lock` (host controls): lock or unlock, and (as every host action) who did it. */
export const LockRoomRequestSchema = v.object({
  by_client_id: v.optional(v.pipe(v.string(), v.maxLength(MAX_ID_LENGTH))),
  locked: v.boolean(),
})
export type LockRoomRequest = v.InferOutput<typeof LockRoomRequestSchema>

/** Body of `PUT parley/knock/:knockId` (host controls, lobby.ts): let the person in or not, and who answered. */
export const AnswerKnockRequestSchema = v.object({
  by_client_id: v.optional(v.pipe(v.string(), v.maxLength(MAX_ID_LENGTH))),
  admit: v.boolean(),
})
export type AnswerKnockRequest = v.InferOutput<typeof AnswerKnockRequestSchema>
