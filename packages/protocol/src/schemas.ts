// Runtime schemas of the inLive Hub API v1 (see ../../../../shared/reference/hub-api-v1.md, §2 and §3).
// Field names are the wire's snake_case; both the hub (validating requests) and the core (validating
// responses and events) parse with these, so the protocol is written once. What only the hub parses
// (request bodies) is in requests.ts, so that a client's bundle leaves it out by module.
import * as v from 'valibot'
import { jsonObject, MAX_CANDIDATE_LENGTH, nonNegativeInt, sdp } from './fields.js'

export { MAX_CANDIDATE_LENGTH, MAX_ID_LENGTH, MAX_NAME_LENGTH, MAX_SDP_LENGTH } from './fields.js'

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


export const RoomSchema = v.object({ id: v.string(), name: v.string(), options: RoomOptionsSchema })
export type Room = v.InferOutput<typeof RoomSchema>

// ---------------------------------------------------------------------------------------------
// Clients


export const RegisteredClientSchema = v.object({
  client_id: v.string(),
  name: v.string(),
  bitrates: BitratesSchema,
  /** Parley's hub, rooms with host controls: the room pass (lobby.ts) that lets this person back into the room once it is locked. */
  parley_pass: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(256))),
  /** Parley's hub: the key that binds this client's own requests to whoever registered it (clientKey.ts). */
  parley_client_key: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(256))),
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


// ---------------------------------------------------------------------------------------------
// Metadata

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
/** What setTrackSources says a track is (its schema, TrackSourceSchema, is the hub's: requests.ts). */
export type TrackSource = (typeof TRACK_SOURCES)[number]



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

