import { describe, expect, it } from 'vitest'
import { lockAnnouncement } from './roomLock'

const view = (roomLocked: boolean, by?: { clientId: string; name: string }) => ({
  clientId: 'me',
  host: { isHost: false, canModerate: false, mutedCount: 0, roomLocked, lockPending: false, waiting: [], answeredCount: 0, madeHostCount: 0, ...(by ? { roomLockedBy: by } : {}) },
})

describe('lockAnnouncement', () => {
  it('says who locked or unlocked the room, "You" for us, and what it means', () => {
    expect(lockAnnouncement(false, view(true, { clientId: 'c2', name: 'Ada' }))).toBe('Ada locked the room. Nobody new can join.')
    expect(lockAnnouncement(false, view(true, { clientId: 'me', name: 'Bo' }))).toBe('You locked the room. Nobody new can join.')
    expect(lockAnnouncement(true, view(false, { clientId: 'c2', name: 'Ada' }))).toBe('Ada unlocked the room.')
    expect(lockAnnouncement(true, view(false, { clientId: 'c2', name: '' }))).toBe('The host unlocked the room.')
  })

  it('without a name (a lock found on joining) says the state; nothing when nothing changed or nothing was known', () => {
    expect(lockAnnouncement(false, view(true))).toBe('The room is locked. Nobody new can join.')
    expect(lockAnnouncement(true, view(false))).toBe('The room is unlocked.')
    expect(lockAnnouncement(true, view(true))).toBeUndefined()
    expect(lockAnnouncement(undefined, view(true))).toBeUndefined()
  })
})
