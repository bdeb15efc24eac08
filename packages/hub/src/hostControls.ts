// Parley's host-controls extension (protocol: hostControls.ts): a room created with
// `options.parley.host_controls` holds a host key; ending it, muting and removing a client then need
// that key in `X-Parley-Host-Key`. Rooms without the option are untouched: `end` works as in the
// hosted hub and the moderation routes answer 403. The hub cannot mute anyone's media (it forwards
// what the client sends): it tells the client with a `parley_mute` event and marks the microphone off
// in the client's published media state, so the others show it off at once.
import { createHash, timingSafeEqual } from 'node:crypto'
import { type ActedBy, HOST_KEY_HEADER, mediaStateMetaKey, MediaStateSchema, PARLEY_MUTE_EVENT, Status, type MuteEvent } from '@parley/protocol'
import * as v from 'valibot'
import type { Client } from './client.js'
import { HubError } from './errors.js'
import type { Room } from './room.js'

/** The Parley-only part of a room's record (kept apart, so a room registry can store it as one field). */
export interface ParleyRoomRecord {
  /** Set when the room was created with host controls; never logged. */
  hostKey?: string
}

/** 401 without the header, 403 with a wrong key (another room's included); nothing when the room has no host controls. */
export function checkHostKey(room: Room, given: string | undefined): void {
  const expected = room.parley.hostKey
  if (expected === undefined) return
  if (!given) throw new HubError(Status.unauthorized, `room "${room.id}" has host controls: this needs its host key in the ${HOST_KEY_HEADER} header`)
  if (!timingSafeEqual(digest(given), digest(expected))) throw new HubError(Status.forbidden, `the host key is not the one of room "${room.id}"`)
}

/** The moderation routes exist only for rooms with host controls. */
export function requireHostControls(room: Room): void {
  if (room.parley.hostKey === undefined) {
    throw new HubError(Status.forbidden, `room "${room.id}" was created without host controls (options.parley.host_controls): nobody may mute or remove others in it`)
  }
}

/** Who acted, by the client id the host named; unknown ids name nobody (the action still happens). */
export function actedBy(room: Room, clientId: string | undefined): ActedBy | undefined {
  if (!clientId || !room.clientIds.includes(clientId)) return undefined
  return { client_id: clientId, name: room.client(clientId).name }
}

/**
 * Mutes a client: `parley_mute` to it, and its published media state says the microphone is off. The
 * host may mute itself (the same two steps; its own client turns its microphone off).
 */
export function muteClient(room: Room, target: Client, by: ActedBy | undefined): void {
  const event: MuteEvent = by ? { kind: 'audio', by } : { kind: 'audio' }
  target.sse.send(PARLEY_MUTE_EVENT, event)
  const key = mediaStateMetaKey(target.id)
  let published: unknown
  try {
    published = room.getMeta(key)[key]
  } catch {
    published = undefined
  }
  const parsed = v.safeParse(MediaStateSchema, published)
  const state = parsed.success ? parsed.output : { audio: false, video: false, name: target.name }
  if (parsed.success && !state.audio) return
  room.setMeta({ [key]: { ...state, audio: false } })
}

/** A removed (or never known) client: 404 saying so, rather than the bare "not found". */
export function moderationTarget(room: Room, clientId: string): Client {
  if (!room.clientIds.includes(clientId)) {
    throw new HubError(Status.notFound, `client "${clientId}" is not in room "${room.id}" (it already left or was removed)`)
  }
  return room.client(clientId)
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}
