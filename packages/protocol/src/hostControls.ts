// Parley-only extension: host controls. A room created with `options.parley.host_controls: true` on
// Parley's hub gets a host key in the create response (`data.host_key`, a field other clients ignore);
// ending that room, muting and removing a client then require the key in the `X-Parley-Host-Key`
// header. The hosted hub knows none of this: it drops the option, returns no key, and has no
// moderation routes, so a Parley client falls back to "the creator is the host" without enforcement.
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
