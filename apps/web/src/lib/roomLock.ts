// What the call says when the host locks or unlocks the room (the call's chunk only: not the first download).
import type { ConferenceView } from '../conference/types'

/** "Ada locked the room. Nobody new can join.", "You unlocked the room.", or nothing when the lock did not change. */
export function lockAnnouncement(before: boolean | undefined, view: Pick<ConferenceView, 'host' | 'clientId'>): string | undefined {
  const { roomLocked, roomLockedBy } = view.host
  if (before === undefined || before === roomLocked) return undefined
  const who = !roomLockedBy ? undefined : roomLockedBy.clientId === view.clientId ? 'You' : roomLockedBy.name || 'The host'
  if (roomLocked) return `${who ? `${who} locked the room` : 'The room is locked'}. Nobody new can join.`
  return who ? `${who} unlocked the room.` : 'The room is unlocked.'
}
