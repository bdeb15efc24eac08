// "I was in this call": what a tab remembers (in sessionStorage) so that a refresh rejoins the same
// room under the same name without another click. Only a reload of the same room's address resumes
// it; a tab opened on another link, a duplicated tab or a restored one starts at the pre-join.
import type { StorageSerializer } from '../composables/browser'
import type { RoomCredentials } from '../conference/types'
import { invitedRoomFromUrl } from './invite'

export const CALL_MEMORY_KEY = 'parley.call'

export interface RememberedCall {
  roomId: string
  roomName?: string
  displayName: string
  /** The devices asked for on joining (the pre-join choice). */
  media: { audio: boolean; video: boolean }
  /** Whether the microphone and camera were on in the call: a muted person stays muted. */
  enabled: { audio: boolean; video: boolean }
  /** What the core gave us for the room (its host key, its pass): in again while it is locked, host again. */
  credentials?: RoomCredentials
}

const isSecret = (value: unknown): value is string => typeof value === 'string' && value !== '' && value.length <= 256

const isFlags = (value: unknown): value is { audio: boolean; video: boolean } =>
  typeof value === 'object' && value !== null && typeof (value as { audio?: unknown }).audio === 'boolean' && typeof (value as { video?: unknown }).video === 'boolean'

/** A stored record, or null for anything else (absent, malformed, from an older version). */
export function parseRememberedCall(raw: string | null): RememberedCall | null {
  if (raw === null) return null
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const record = value as Record<string, unknown>
  if (typeof record.roomId !== 'string' || record.roomId === '' || typeof record.displayName !== 'string' || record.displayName.trim() === '') return null
  if (!isFlags(record.media) || !isFlags(record.enabled)) return null
  if (record.roomName !== undefined && typeof record.roomName !== 'string') return null
  const { hostKey, pass } = ((typeof record.credentials === 'object' && record.credentials) || {}) as { hostKey?: unknown; pass?: unknown }
  const credentials = { ...(isSecret(hostKey) ? { hostKey } : {}), ...(isSecret(pass) ? { pass } : {}) }
  return {
    roomId: record.roomId,
    ...(record.roomName ? { roomName: record.roomName } : {}),
    displayName: record.displayName,
    media: { audio: record.media.audio, video: record.media.video },
    enabled: { audio: record.enabled.audio, video: record.enabled.video },
    ...(credentials.hostKey || credentials.pass ? { credentials } : {}),
  }
}

export const rememberedCallSerializer: StorageSerializer<RememberedCall | null> = {
  read: parseRememberedCall,
  write: (value) => JSON.stringify(value),
}

/** The call to rejoin now, if this page load is a refresh of the remembered call's address. */
export function callToResume(remembered: RememberedCall | null, page: { href: string; navigationType: string }): RememberedCall | undefined {
  if (!remembered || page.navigationType !== 'reload') return undefined
  return invitedRoomFromUrl(page.href)?.roomId === remembered.roomId ? remembered : undefined
}
