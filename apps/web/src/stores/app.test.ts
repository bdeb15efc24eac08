import { describe, expect, it } from 'vitest'
import { createTestApp } from '../testing/testApp'
import { useAppStore } from './app'
import { useInviteStore } from './invite'
import { usePreJoinStore } from './preJoin'
import { useSessionStore } from './session'

describe('app store (moves between sessions)', () => {
  it('starts a fresh conference for "Join again" (same room) and "New room" (no room)', () => {
    const app = createTestApp()
    app.start()
    const flows = useAppStore()
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' } })
    app.fake.setView({ status: 'left', room: { id: 'r1', name: 'Team' } })
    flows.joinAgain()
    expect(app.fake.created).toBe(2)
    expect(useSessionStore().view.status).toBe('idle')
    expect(useInviteStore().invitedRoom).toEqual({ roomId: 'r1', roomName: 'Team' })
    expect(app.fake.calls.at(-1)?.method).toBe('preview')

    usePreJoinStore().roomName = 'Old name'
    flows.newRoom()
    expect(app.fake.created).toBe(3)
    expect(useInviteStore().invitedRoom).toBeUndefined()
    expect(usePreJoinStore().roomName).toBe('')
    expect(app.page.href()).toBe('http://localhost/')
  })

  it('can start without the preview', () => {
    const app = createTestApp()
    app.start({ preview: false })
    expect(app.fake.created).toBe(1)
    expect(app.fake.calls).toEqual([])
  })
})
