import { afterEach, describe, expect, it, vi } from 'vitest'
import { createTestApp } from '../testing/testApp'
import { COPIED_CONFIRMATION_MS, useInviteStore } from './invite'
import { useSessionStore } from './session'

afterEach(() => {
  vi.useRealTimers()
})

describe('invite store', () => {
  it('scrubs the token from the address bar, puts the joined room there and builds the invite link from it', () => {
    const app = createTestApp({
      href: 'http://localhost:5173/?token=secret&hub=https://hub.inlive.app',
      config: { hub: { baseUrl: 'https://hub.inlive.app', accessToken: 'secret' }, source: 'query', statelyInspector: false },
    })
    app.start()
    const invite = useInviteStore()
    expect(app.page.href()).not.toContain('secret')
    app.fake.setView({ status: 'connected', room: { id: 'r9', name: 'Design review' } })
    expect(invite.inviteUrl).toBe('http://localhost:5173/?roomId=r9&roomName=Design+review&hub=https%3A%2F%2Fhub.inlive.app')
    expect(app.page.href()).toBe(invite.inviteUrl)
  })

  it('names the invited room before joining, and the joined room after', () => {
    const app = createTestApp({ href: 'http://localhost/?roomId=abc&roomName=Standup' })
    app.start()
    const invite = useInviteStore()
    expect(invite.invitedRoom).toEqual({ roomId: 'abc', roomName: 'Standup' })
    expect(invite.room).toEqual({ id: 'abc', name: 'Standup' })
    app.fake.setView({ status: 'connected', room: { id: 'abc', name: 'Standup (renamed)' } })
    expect(invite.room).toEqual({ id: 'abc', name: 'Standup (renamed)' })
    expect(app.page.history).toEqual([]) // the address already named this room
  })

  it('copies the invite link and confirms it for a moment', async () => {
    vi.useFakeTimers()
    const copied: string[] = []
    const app = createTestApp({ clipboard: { writeText: async (text) => void copied.push(text) } })
    app.start()
    const invite = useInviteStore()
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: '' } })
    await invite.copyInvite()
    expect(copied).toEqual(['http://localhost/?roomId=r1'])
    expect(invite.status).toBe('copied')
    vi.advanceTimersByTime(COPIED_CONFIRMATION_MS)
    expect(invite.status).toBe('idle')
  })

  it('shows the link to copy by hand when the clipboard is refused or missing, until dismissed', async () => {
    const app = createTestApp({ clipboard: { writeText: () => Promise.reject(new Error('NotAllowedError')) } })
    app.start()
    const invite = useInviteStore()
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: '' } })
    await invite.copyInvite()
    expect(invite.status).toBe('manual')
    invite.dismissInvite()
    expect(invite.status).toBe('idle')

    const withoutClipboard = createTestApp() // an insecure origin has no navigator.clipboard
    withoutClipboard.start()
    const other = useInviteStore()
    await other.copyInvite() // no room yet: nothing to copy
    expect(other.status).toBe('idle')
    withoutClipboard.fake.setView({ status: 'connected', room: { id: 'r1', name: '' } })
    await other.copyInvite()
    expect(other.status).toBe('manual')
  })

  it('a new session starts with nothing copied', async () => {
    const app = createTestApp({ clipboard: { writeText: () => Promise.reject(new Error('denied')) } })
    app.start()
    const invite = useInviteStore()
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: '' } })
    await invite.copyInvite()
    useSessionStore().start()
    expect(invite.status).toBe('idle')
  })

  it('takes a room nobody can join any more out of the address bar, and keeps one you merely left', () => {
    const cases = [
      [{ status: 'ended', endedReason: 'host-ended' }, 'http://localhost/'],
      [{ status: 'left', endedReason: 'ended-by-me' }, 'http://localhost/'],
      [{ status: 'failed', error: { kind: 'room-not-found', message: '' } }, 'http://localhost/'],
      [{ status: 'left' }, 'http://localhost/?roomId=r1&roomName=Team'],
      [{ status: 'ended', endedReason: 'timeout' }, 'http://localhost/?roomId=r1&roomName=Team'],
    ] as const
    for (const [ending, address] of cases) {
      const app = createTestApp({ href: 'http://localhost/?roomId=r1&roomName=Team' })
      app.start()
      app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' } })
      app.fake.setView({ ...ending, room: { id: 'r1', name: 'Team' } })
      expect([ending, app.page.href()]).toEqual([ending, address])
      expect(useInviteStore().room).toEqual({ id: 'r1', name: 'Team' }) // the ended screen still names it
    }
  })
})
