// Server-Sent Events of `GET /v1/rooms/{roomId}/events/{clientId}` (hub-api-v1.md §3).
// On the wire each event is one `event:` line and one single-line JSON `data:` line.
import * as v from 'valibot'
import { RECONNECT_LEFT_REASONS } from './resume.js'
import { ActedBySchema, HostGrantedEventSchema, MuteEventSchema, PARLEY_HOST_GRANTED_EVENT, PARLEY_MUTE_EVENT, PARLEY_ROOM_LOCKED_EVENT, RoomLockedEventSchema } from './hostControls.js'
import { KnocksEventSchema, PARLEY_KNOCKS_EVENT } from './lobby.js'
import { IceCandidateSchema, OfferSchema, TracksEventSchema } from './schemas.js'
import { describeIssues, parseEventData } from './fields.js'

export { describeIssues }

/**
 * Parley's hub: another client's media and RTCP stopped reaching the hub for a moment (`problem: true`,
 * show its tile as having a connection problem) or came back (`false`). Other hubs never send it.
 */
export const PARLEY_CONNECTION_EVENT = 'parley_connection'
export const ConnectionEventSchema = v.object({ client_id: v.string(), problem: v.boolean() })
export type ConnectionEvent = v.InferOutput<typeof ConnectionEventSchema>

/**
 * Parley's hub, to one subscriber: it stopped forwarding a video track to this client because this client's
 * link could not carry it without holding the publisher down for everyone (`paused: true`; audio keeps
 * flowing), or it forwards it again (`false`, from a keyframe). `client_id` and `track_id` name the publisher's
 * track as in `tracks_added`. Other hubs never send it.
 */
export const PARLEY_VIDEO_PAUSED_EVENT = 'parley_video_paused'
export const VideoPausedEventSchema = v.object({
  client_id: v.string(),
  track_id: v.string(),
  paused: v.boolean(),
  reason: v.picklist(['bandwidth']),
})
export type VideoPausedEvent = v.InferOutput<typeof VideoPausedEventSchema>

/** Spelled as the hosted hub spells it (no "i"): clients listen for exactly this name. */
export const ALLOWED_RENEGOTIATION_EVENT = 'allowed_renegotation'

/** meta_changed carries one key per event; a deleted key arrives with `null`. */
export const MetaChangedSchema = v.pipe(
  v.record(v.string(), v.unknown()),
  v.check((record) => Object.keys(record).length === 1, 'must carry exactly one key'),
)

export const LeftEventSchema = v.object({
  reason: v.optional(v.picklist(['left', 'ended', 'removed', 'timeout', ...RECONNECT_LEFT_REASONS])),
  /** Parley's hub: who ended the room or removed this client (host controls). */
  by: v.optional(ActedBySchema),
})
export type LeftReason = NonNullable<v.InferOutput<typeof LeftEventSchema>['reason']>

export const SseEventSchemas = {
  offer: OfferSchema,
  candidate: IceCandidateSchema,
  tracks_added: TracksEventSchema,
  tracks_available: TracksEventSchema,
  [ALLOWED_RENEGOTIATION_EVENT]: v.unknown(),
  meta_changed: MetaChangedSchema,
  ping: v.unknown(),
  left: LeftEventSchema,
  [PARLEY_MUTE_EVENT]: MuteEventSchema,
  [PARLEY_CONNECTION_EVENT]: ConnectionEventSchema,
  [PARLEY_VIDEO_PAUSED_EVENT]: VideoPausedEventSchema,
  [PARLEY_ROOM_LOCKED_EVENT]: RoomLockedEventSchema,
  [PARLEY_KNOCKS_EVENT]: KnocksEventSchema,
  [PARLEY_HOST_GRANTED_EVENT]: HostGrantedEventSchema,
} as const satisfies Record<string, v.GenericSchema>

export type SseEventName = keyof typeof SseEventSchemas
/** Every event name a client listens for: the schemas' keys. */
export const SSE_EVENTS = Object.keys(SseEventSchemas) as SseEventName[]

export type SseEventData<N extends SseEventName> = v.InferOutput<(typeof SseEventSchemas)[N]>

/** One parsed SSE event: `name` discriminates, so a switch on it narrows `data` without casts. */
export type SseEvent<N extends SseEventName = SseEventName> = { [K in N]: { name: K; data: SseEventData<K> } }[N]

/** Parses one event's `data` text; returns the typed event or the reason it was rejected. */
export function parseSseEvent<N extends SseEventName>(
  name: N,
  data: string,
): ({ ok: true } & SseEvent<N>) | { ok: false; error: string } {
  const parsed = parseEventData(SseEventSchemas[name], name, data)
  return (parsed.ok ? { ok: true, name, data: parsed.data } : parsed) as ({ ok: true } & SseEvent<N>) | { ok: false; error: string }
}
