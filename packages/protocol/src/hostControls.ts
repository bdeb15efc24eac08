// Parley-only extension: host controls. A room created with `options.parley.host_controls: true` on
// Parley's hub gets a host key in the create response (`data.host_key`, a field other clients ignore);
// ending that room, muting and removing a client then require the key in the `X-Parley-Host-Key`
// header. The hosted hub knows none of this: it drops the option, returns no key, and has no
// moderation routes, so a Parley client falls back to "the creator is the host" without enforcement.
// The host may also lock the room (`parley/lock`): nobody new may register while it is locked, unless
// the register request carries the room's host key (the host can always come back).
import * as v from 'valibot'
import type { RoomOptionsInput } from './requests.js'

/** The header carrying a room's host key on `end` and the moderation routes. */
export const HOST_KEY_HEADER = 'X-Parley-Host-Key'

/** `options.parley` of `POST /rooms/create` (in requests.ts: `{host_controls?: boolean}`). */
export type ParleyRoomOptions = NonNullable<RoomOptionsInput['parley']>

/** The extra field of the create response when the room has host controls. */
export const HostKeySchema = v.object({
  host_key: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(256))),
})

// The host action's request body is in requests.ts (HostActionRequestSchema).

/** Who did it, as the hub knows them (the name that client registered or set). */
export const ActedBySchema = v.object({ client_id: v.string(), name: v.string() })
export type ActedBy = v.InferOutput<typeof ActedBySchema>

/** SSE event to a client the host muted: the hub cannot mute media, the client turns its microphone off. */
export const PARLEY_MUTE_EVENT = 'parley_mute'
export const MuteEventSchema = v.object({
  kind: v.literal('audio'),
  by: v.optional(ActedBySchema),
})
export type MuteEvent = v.InferOutput<typeof MuteEventSchema>

// The lock route's body is in requests.ts (LockRoomRequestSchema).

/** `data` of the lock route's answer: the room's lock as it is now. */
export const RoomLockSchema = v.object({ locked: v.boolean() })
export type RoomLock = v.InferOutput<typeof RoomLockSchema>

/**
 * SSE event to every client of the room when the host locks or unlocks it, and to a client that
 * registers (with the host key) while it is locked, so a returning host knows without asking.
 */
export const PARLEY_ROOM_LOCKED_EVENT = 'parley_room_locked'
export const RoomLockedEventSchema = v.object({ locked: v.boolean(), by: v.optional(ActedBySchema) })
export type RoomLockedEvent = v.InferOutput<typeof RoomLockedEventSchema>

/**
 * A host makes another client a host too (a co-host: `PUT parley/host/:clientId`, host key): the hub tells that
 * client alone `parley_host_granted`, and the client then claims the room's host key with its own room pass
 * (`POST parley/host-key`, `X-Parley-Room-Pass`: lobby.ts). The key never travels on an event stream: a client
 * id is no secret (every participant knows the others'), and a stream opened with another's id replays what
 * it was sent. From then on the client is a host as the creator is (mute, remove, lock, answer the lobby, end
 * the room: the hub tells hosts apart by nothing but the key, as Meet's co-hosts may end a meeting), and keeps
 * the key for its reconnects and reloads. The host removing the client revokes its pass, and with it the claim.
 * When the last host present goes away while others stay, the hub makes the one there longest a host the same way
 * (`reason: 'host_left'`), so a locked room's lobby is never left without anyone to answer it.
 */
export const PARLEY_HOST_GRANTED_EVENT = 'parley_host_granted'
export const HostGrantedEventSchema = v.object({
  by: v.optional(ActedBySchema),
  /**
   * Why the hub made this client a host without anyone asking: `host_left` (HOST_LEFT_REASON) when the last host
   * present left, dropped or was removed and this client was there longest (`by` is then that host). Absent for a
   * host's grant. A string, not a list of values, so a client ignores a reason a newer hub adds.
   */
  reason: v.optional(v.string()),
})
export type HostGrantedEvent = v.InferOutput<typeof HostGrantedEventSchema>

/** `parley_host_granted`'s `reason` when the hub hands the host's part on because the last host present went away. */
export const HOST_LEFT_REASON = 'host_left'

/** `data` of `POST parley/host-key`: the room's host key, for a client a host made one (its pass proves who it is). */
export const ClaimedHostKeySchema = v.object({ host_key: v.pipe(v.string(), v.minLength(1), v.maxLength(256)) })

/**
 * `data.reason` of register's 403 when the room is locked, so a client can tell it from a bad API key
 * (both 403) without reading the message.
 */
export const ROOM_LOCKED_REASON = 'room_locked'
