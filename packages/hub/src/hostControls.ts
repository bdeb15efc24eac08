// Parley's host-controls extension (protocol: hostControls.ts): a room created with
// `options.parley.host_controls` holds a host key; ending it, muting and removing a client then need
// that key in `X-Parley-Host-Key`. Rooms without the option are untouched: `end` works as in the
// hosted hub and the moderation routes answer 403. The hub cannot mute anyone's media (it forwards
// what the client sends): it tells the client with a `parley_mute` event and marks the microphone off
// in the client's published media state, so the others show it off at once. A locked room (`locked`,
// stored with the room, so it outlives a hub restart) refuses every new registration without the key;
// clients already in keep their client id, so their streams, offers and ICE restarts are untouched.
// Who registers gets a room pass (roomPass.ts) that lets them back in while it is locked; who is refused
// may knock (lobby.ts), and unlocking lets everyone waiting in.
import { createHash, timingSafeEqual } from 'node:crypto'
import {
  type ActedBy,
  HOST_KEY_HEADER,
  type HostGrantedEvent,
  KNOCK_NAME_PARAM,
  mediaStateMetaKey,
  MediaStateSchema,
  PARLEY_HOST_GRANTED_EVENT,
  PARLEY_KNOCKS_EVENT,
  PARLEY_MUTE_EVENT,
  PARLEY_ROOM_LOCKED_EVENT,
  pathFor,
  type RegisteredClient,
  type RegisterRequest,
  ROOM_LOCKED_REASON,
  ROOM_PASS_HEADER,
  Status,
  type MuteEvent,
  type RoomLockedEvent,
} from '@parley/protocol'
import * as v from 'valibot'
import type { Client } from './client.js'
import { HubError } from './errors.js'
import type { Room } from './room.js'
import { isHostPass, isRoomPass, issueRoomPasses, markHostPass, rememberPass } from './roomPass.js'

/** The Parley-only part of a room's record (kept apart, so a room registry can store it as one field). */
export interface ParleyRoomRecord {
  /** Set when the room was created with host controls; never logged. */
  hostKey?: string
  /** The host locked the room to newcomers (absent when unlocked). */
  locked?: boolean
  /** The first 128 bits of the SHA-256 (base64url) of each room pass still valid, oldest first, at most MAX_PASSES_PER_ROOM (roomPass.ts). */
  passes?: string[]
  /** The same hashes of the passes of clients a host made hosts too (co-hosts): each claims the host key with it. */
  hostPasses?: string[]
}

/** 401 without the header, 403 with a wrong key (another room's included); nothing when the room has no host controls. */
export function checkHostKey(room: Room, given: string | undefined): void {
  const expected = room.parley.hostKey
  if (expected === undefined) return
  if (!given) throw new HubError(Status.unauthorized, `room "${room.id}" has host controls: this needs its host key in the ${HOST_KEY_HEADER} header`)
  if (!isHostKey(room, given)) throw new HubError(Status.forbidden, `the host key is not the one of room "${room.id}"`)
}

/** The moderation routes and the lobby exist only for rooms with host controls. */
export function requireHostControls(room: Room, what = 'mute or remove others in it'): void {
  if (room.parley.hostKey === undefined) {
    throw new HubError(Status.forbidden, `room "${room.id}" was created without host controls (options.parley.host_controls): nobody may ${what}`)
  }
}

/**
 * Locks or unlocks the room (stored), and tells every client in it; the same state twice tells again.
 * Unlocking lets everyone waiting in the lobby in, after the lock event (their passes are stored before
 * anything changes: a failing store leaves the room as it was).
 */
export function setRoomLocked(room: Room, locked: boolean, by: ActedBy | undefined): void {
  const admitWaiting = locked ? undefined : room.lobby.prepareAdmitAll()
  room.setExtension('locked', locked ? true : undefined)
  const event: RoomLockedEvent = by ? { locked, by } : { locked }
  for (const clientId of room.clientIds) room.client(clientId).sse.send(PARLEY_ROOM_LOCKED_EVENT, event)
  admitWaiting?.()
}

/** What a register request may carry to get into a locked room. */
export interface Credentials {
  hostKey: string | undefined
  pass: string | undefined
}

/**
 * Register, with host controls: a locked room lets in only a request with its host key or one of its
 * passes (403 otherwise, `data.reason` = `room_locked` so a client can word it). The answer carries the
 * pass the newcomer holds from now on (the valid one it came with, or a new one, stored first); one let
 * into a locked room learns so on its first events, and everyone learns who waits in the lobby.
 */
export function registerNewcomer(room: Room, request: RegisterRequest, credentials: Credentials): RegisteredClient {
  if (room.parley.hostKey === undefined) return room.register(request)
  const withPass = isRoomPass(room, credentials.pass)
  const locked = room.parley.locked === true
  if (locked && !withPass && !isHostKey(room, credentials.hostKey)) throw roomLocked(room, credentials)
  const registered = room.register(request)
  const client = room.client(registered.client_id)
  let pass = withPass ? credentials.pass! : undefined
  try {
    pass ??= issueRoomPasses(room, 1)[0]!
  } catch (error) {
    // Nobody may be in without the pass that brings them back.
    room.removeClient(client, 'left', 'its room pass could not be stored')
    throw error
  }
  rememberPass(client, pass)
  if (isHostKey(room, credentials.hostKey) || isHostPass(room, pass)) client.becomeHost()
  if (locked) tellLocked(client)
  const { waiting } = room.lobby
  if (waiting.length > 0) client.sse.send(PARLEY_KNOCKS_EVENT, { waiting })
  return { ...registered, parley_pass: pass }
}

function isHostKey(room: Room, given: string | undefined): boolean {
  const expected = room.parley.hostKey
  return expected !== undefined && given !== undefined && given !== '' && timingSafeEqual(digest(given), digest(expected))
}

function roomLocked(room: Room, { hostKey, pass }: Credentials): HubError {
  const why = pass
    ? ' (the room pass given does not open it: the host removed its holder, it was dropped for newer ones, or it is another room\'s)'
    : hostKey
      ? ' (the host key given is not this room\'s)'
      : ''
  return new HubError(
    Status.forbidden,
    `room "${room.id}" is locked by its host: nobody new may join until the host unlocks it or lets them in${why}; ask with GET ${pathFor('knock', { roomId: room.id })}?${KNOCK_NAME_PARAM}=<name>`,
    {},
    { reason: ROOM_LOCKED_REASON },
  )
}

/** A newcomer let into a locked room (the host coming back) learns it is locked on its first events. */
function tellLocked(client: Client): void {
  client.sse.send(PARLEY_ROOM_LOCKED_EVENT, { locked: true } satisfies RoomLockedEvent)
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

/**
 * Makes a client a host, as a host's grant and the hand-over (hostHandover.ts) both do: its room pass is
 * marked a host's (stored first: a failing store throws 503 and nobody is told anything), and it alone is
 * told `parley_host_granted`, without the key: it claims the key with its pass (`claimHostKey`), since a
 * client id is no secret and an event stream opened with it replays what it carried. False, with nothing
 * marked nor told, when the hub knows no pass of the client. Making a host again marks nothing new and
 * tells again.
 */
export function makeHost(room: Room, target: Client, event: HostGrantedEvent): boolean {
  if (!markHostPass(room, target)) return false
  target.becomeHost()
  target.sse.send(PARLEY_HOST_GRANTED_EVENT, event)
  return true
}

/** A host makes a client a host too (a co-host), itself included (`makeHost`); 409 when it cannot be. */
export function grantHost(room: Room, target: Client, by: ActedBy | undefined): void {
  if (!makeHost(room, target, by ? { by } : {})) {
    throw new HubError(
      Status.conflict,
      `client "${target.id}" holds no room pass this hub knows of, and a co-host claims the host key with its pass: nobody was made a host (the client may leave and register again to get one)`,
    )
  }
}

/** The room's host key, for a room pass a host marked a host's (401 without a pass, 403 for any other). */
export function claimHostKey(room: Room, pass: string | undefined): string {
  const hostKey = room.parley.hostKey
  // The route required host controls first: a room without a key never gets here.
  if (hostKey === undefined) throw new Error(`room "${room.id}" has no host key to claim`)
  if (!pass) throw new HubError(Status.unauthorized, `claiming the host key of room "${room.id}" needs the room pass of a client a host made a host, in the ${ROOM_PASS_HEADER} header`)
  if (!isRoomPass(room, pass)) {
    throw new HubError(Status.forbidden, `the room pass given is not one of room "${room.id}" (the host removed its holder, it was dropped for newer ones, or it is another room's)`)
  }
  if (!isHostPass(room, pass)) throw new HubError(Status.forbidden, `no host of room "${room.id}" made the holder of this room pass a host: it cannot claim the host key`)
  return hostKey
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
