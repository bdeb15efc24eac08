// Invite links, compatible with the seed tutorial: `<origin><path>?roomId=<id>&roomName=<name>`.
// A non-default hub travels in the link (`&hub=`) so the invitee reaches the same hub; the access
// token never does. An end-to-end encryption key in the page's fragment goes with it (lib/e2eeKey.ts).

import type { ConferenceView } from '../conference/types'
import { e2eeKeyFromUrl, withE2eeKey } from './e2eeKey'

export interface InvitedRoom {
  roomId: string
  roomName?: string
}

/** The room an opened link points at, if any. */
export function invitedRoomFromUrl(href: string): InvitedRoom | undefined {
  const url = new URL(href)
  const roomId = url.searchParams.get('roomId')?.trim()
  if (!roomId) return undefined
  const roomName = url.searchParams.get('roomName')?.trim()
  return roomName ? { roomId, roomName } : { roomId }
}

export function buildInviteUrl(pageHref: string, room: { id: string; name?: string }, hubBaseUrl = ''): string {
  const page = new URL(pageHref)
  const invite = new URL(page.origin + page.pathname)
  invite.searchParams.set('roomId', room.id)
  if (room.name) invite.searchParams.set('roomName', room.name)
  if (hubBaseUrl !== '') invite.searchParams.set('hub', hubBaseUrl)
  const key = e2eeKeyFromUrl(pageHref)
  return key === undefined ? invite.toString() : withE2eeKey(invite.toString(), key)
}

/** The page's own URL without secrets or room: what "New room" and the token scrub navigate to. */
export function urlWithout(pageHref: string, names: readonly string[]): string {
  const url = new URL(pageHref)
  for (const name of names) url.searchParams.delete(name)
  return url.toString()
}

/** Nobody can join the room any more: it was ended for everyone, or the hub does not know it. */
export function roomIsGone(view: Pick<ConferenceView, 'status' | 'endedReason' | 'error'>): boolean {
  return (
    (view.status === 'ended' && view.endedReason === 'host-ended') ||
    (view.status === 'left' && view.endedReason === 'ended-by-me') ||
    view.error?.kind === 'room-not-found'
  )
}
