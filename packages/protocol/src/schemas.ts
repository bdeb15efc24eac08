// Runtime schemas of the inLive Hub API v1 (see ../../../../shared/reference/hub-api-v1.md, §2 and §3).
// Field names are the wire's snake_case; both the hub (validating requests) and the core (validating
// responses and events) parse with these, so the protocol is written once.
import * as v from 'valibot'

/** Largest SDP either side accepts. Chrome's offers for a 10-person call stay well under 64 KiB. */
export const MAX_SDP_LENGTH = 128 * 1024
/** Largest ICE candidate line accepted. */
export const MAX_CANDIDATE_LENGTH = 1024
/** Longest display name, room name or id accepted. */
export const MAX_NAME_LENGTH = 256
export const MAX_ID_LENGTH = 128

const name = v.pipe(v.string(), v.maxLength(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`))
const id = v.pipe(
  v.string(),
  v.maxLength(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`),
  v.regex(/^[A-Za-z0-9._~-]*$/, 'may only contain letters, digits and . _ ~ -'),
)
const nonNegativeInt = v.pipe(v.number(), v.integer(), v.minValue(0))

/** valibot's object and record schemas accept arrays; a JSON body that is an array is never what we mean. */
function jsonObject<const TEntries extends v.ObjectEntries>(entries: TEntries) {
  return v.pipe(v.custom<Record<string, unknown>>(isPlainObject, 'must be a JSON object'), v.object(entries))
}
function isPlainObject(input: unknown): boolean {
  return typeof input === 'object' && input !== null && !Array.isArray(input)
}

// ---------------------------------------------------------------------------------------------
// Rooms

export const BitratesSchema = v.object({
  audio: nonNegativeInt,
  audio_red: nonNegativeInt,
  video: nonNegativeInt,
  video_high: nonNegativeInt,
  video_high_pixels: nonNegativeInt,
  video_mid: nonNegativeInt,
  video_mid_pixels: nonNegativeInt,
  video_low: nonNegativeInt,
  video_low_pixels: nonNegativeInt,
  initial_bandwidth: nonNegativeInt,
})
export type Bitrates = v.InferOutput<typeof BitratesSchema>

export const QualityPresetSchema = v.object({ sid: nonNegativeInt, tid: nonNegativeInt })
export const QualityPresetsSchema = v.object({
  high: QualityPresetSchema,
  mid: QualityPresetSchema,
  low: QualityPresetSchema,
})
export type QualityPresets = v.InferOutput<typeof QualityPresetsSchema>

export const RoomOptionsSchema = v.object({
  bitrates: BitratesSchema,
  quality_presets: QualityPresetsSchema,
  codecs: v.array(v.string()),
  pli_interval_ns: nonNegativeInt,
  empty_room_timeout_ns: nonNegativeInt,
})
export type RoomOptions = v.InferOutput<typeof RoomOptionsSchema>

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

export const RoomSchema = v.object({ id: v.string(), name: v.string(), options: RoomOptionsSchema })
export type Room = v.InferOutput<typeof RoomSchema>

// ---------------------------------------------------------------------------------------------
// Clients

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

export const RegisteredClientSchema = v.object({
  client_id: v.string(),
  name: v.string(),
  bitrates: BitratesSchema,
})
export type RegisteredClient = v.InferOutput<typeof RegisteredClientSchema>

export const ClientEventSchema = v.object({
  name: v.string(),
  timestamp: v.number(),
  data: v.record(v.string(), v.nullable(v.string())),
})

export const ClientSchema = v.object({
  id: v.string(),
  name: v.string(),
  peer_connection_state: v.string(),
  ice_peer_connection_state: v.string(),
  events: v.record(v.string(), ClientEventSchema),
})
export type Client = v.InferOutput<typeof ClientSchema>

export const SetNameRequestSchema = jsonObject({ name })
export type SetNameRequest = v.InferOutput<typeof SetNameRequestSchema>

// ---------------------------------------------------------------------------------------------
// Metadata

export const MetaKeySchema = v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(MAX_NAME_LENGTH))
/** setmeta body: an object of keys to JSON values (not an array). */
export const SetMetaRequestSchema = v.pipe(
  v.custom<Record<string, unknown>>(isPlainObject, 'must be a JSON object (not an array)'),
  v.record(MetaKeySchema, v.unknown()),
  v.check((record) => Object.keys(record).length > 0, 'must hold at least one key'),
)
export type MetaRecord = Record<string, unknown>

// ---------------------------------------------------------------------------------------------
// Negotiation

export const IceCandidateSchema = jsonObject({
  // "" is the end-of-candidates marker some clients send; accepted and ignored.
  candidate: v.pipe(v.string(), v.maxLength(MAX_CANDIDATE_LENGTH)),
  sdpMid: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(64)))),
  sdpMLineIndex: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0)))),
  usernameFragment: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(256)))),
})
export type IceCandidate = v.InferOutput<typeof IceCandidateSchema>

const sdp = v.pipe(
  v.string(),
  v.minLength(1, 'must not be empty'),
  v.maxLength(MAX_SDP_LENGTH, `must be at most ${MAX_SDP_LENGTH} characters`),
  v.startsWith('v=0', 'is not an SDP (it must start with "v=0")'),
)

export const SessionDescriptionSchema = jsonObject({
  type: v.picklist(['offer', 'answer'], 'must be "offer" or "answer"'),
  sdp,
})
export type SessionDescription = v.InferOutput<typeof SessionDescriptionSchema>

export const OfferSchema = v.object({ type: v.literal('offer'), sdp })
export type Offer = v.InferOutput<typeof OfferSchema>
export const AnswerSchema = v.object({ type: v.literal('answer'), sdp })
export type Answer = v.InferOutput<typeof AnswerSchema>

/** negotiate's `data`: the hub's answer to a client offer, or null after a client's answer. */
export const NegotiateResultSchema = v.object({ answer: v.nullable(AnswerSchema) })
export type NegotiateResult = v.InferOutput<typeof NegotiateResultSchema>

// ---------------------------------------------------------------------------------------------
// Tracks

export const TRACK_SOURCES = ['media', 'screen'] as const
export const TrackSourceSchema = v.picklist(TRACK_SOURCES, 'must be "media" or "screen"')
export type TrackSource = v.InferOutput<typeof TrackSourceSchema>

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

/** One track as the hub announces it: the recommended superset of §3. The map key equals `track_id`. */
export const TrackInfoSchema = v.object({
  id: v.string(),
  track_id: v.string(),
  client_id: v.string(),
  client_name: v.string(),
  stream_id: v.string(),
  kind: v.picklist(['audio', 'video']),
  source: v.picklist(['media', 'screen', 'unknown']),
})
export type TrackInfo = v.InferOutput<typeof TrackInfoSchema>

export const TracksEventSchema = v.object({ tracks: v.record(v.string(), TrackInfoSchema) })
export type TracksEvent = v.InferOutput<typeof TracksEventSchema>

// ---------------------------------------------------------------------------------------------
// Data channels

export const CreateChannelRequestSchema = jsonObject({
  name: v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(MAX_NAME_LENGTH)),
  mode: v.optional(v.boolean()),
  ordered_mode: v.optional(v.boolean()),
})
export type CreateChannelRequest = v.InferOutput<typeof CreateChannelRequestSchema>
