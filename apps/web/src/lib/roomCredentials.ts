// What lets this tab back into a room its host locked (the core's `room.credentials`: the room's host key
// if we created it, the room pass the hub gave us): kept in sessionStorage, so a reload of the call gets
// straight back in (and a host is host again), while a new tab or another browser asks like anyone.
import type { StorageSerializer } from '../composables/browser'
import type { RoomCredentials } from '../conference/types'

export const ROOM_CREDENTIALS_KEY = 'parley.roomCredentials'
/** The rooms a tab remembers at most (the newest first): a tab rarely hops between more. */
export const REMEMBERED_ROOMS = 8

export type KeptCredentials = Record<string, RoomCredentials>

const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 256

/** A stored record, each room's fields checked; anything else (absent, malformed) is nothing kept. */
export function parseKeptCredentials(raw: string | null): KeptCredentials {
  let value: unknown
  try {
    value = raw === null ? null : JSON.parse(raw)
  } catch {
    return {}
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {}
  const kept: KeptCredentials = {}
  for (const [roomId, entry] of Object.entries(value as Record<string, unknown>)) {
    if (typeof entry !== 'object' || entry === null) continue
    const { hostKey, pass } = entry as { hostKey?: unknown; pass?: unknown }
    const credentials = { ...(isText(hostKey) ? { hostKey } : {}), ...(isText(pass) ? { pass } : {}) }
    if (credentials.hostKey || credentials.pass) kept[roomId] = credentials
  }
  return kept
}

export const keptCredentialsSerializer: StorageSerializer<KeptCredentials> = {
  read: parseKeptCredentials,
  write: (value) => JSON.stringify(value),
}

/** The room's new credentials kept, newest first, at most REMEMBERED_ROOMS rooms. */
export function keepCredentials(kept: KeptCredentials, roomId: string, credentials: RoomCredentials): KeptCredentials {
  const others = Object.entries(kept).filter(([id]) => id !== roomId)
  return Object.fromEntries([[roomId, { ...credentials }], ...others].slice(0, REMEMBERED_ROOMS))
}
