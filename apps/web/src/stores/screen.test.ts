import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { createTestApp } from '../testing/testApp'
import { makeParticipant } from '../testing/fakeConference'
import type { FakeConference } from '../testing/fakeConference'
import { useScreenStore } from './screen'

function started() {
  const app = createTestApp()
  app.start()
  return { app, screen: useScreenStore() }
}

describe('screen store', () => {
  it('routes every status to a screen', () => {
    const { app, screen } = started()
    const room = { id: 'r', name: 'n' }
    const cases: [Parameters<FakeConference['setView']>[0], string][] = [
      [{ status: 'previewing' }, 'prejoin'],
      [{ status: 'failed', error: { kind: 'media-denied', message: '' } }, 'prejoin'],
      [{ status: 'joining' }, 'call'],
      [{ status: 'reconnecting', room }, 'call'],
      [{ status: 'failed', room, error: { kind: 'negotiation-failed', message: '' } }, 'call'],
      [{ status: 'failed', room, error: { kind: 'room-not-found', message: '' } }, 'ended'],
      [{ status: 'failed', error: { kind: 'hub-unreachable', message: '' } }, 'ended'],
      [{ status: 'left', room }, 'ended'],
      [{ status: 'ended', room }, 'ended'],
    ]
    for (const [view, expected] of cases) {
      app.fake.setView(view)
      expect([view.status, view.error?.kind, screen.screen]).toEqual([view.status, view.error?.kind, expected])
    }
  })

  it('draws the call ahead only under the pre-join once asked, hidden until the call is shown', () => {
    const { app, screen } = started()
    app.fake.setView({ status: 'previewing' })
    expect([screen.callDrawn, screen.callHidden]).toEqual([false, false])
    screen.drawCallAhead()
    expect([screen.callDrawn, screen.callHidden]).toEqual([true, true])
    app.fake.setView({ status: 'joining' })
    expect([screen.callDrawn, screen.callHidden]).toEqual([true, false])
    app.fake.setView({ status: 'left', room: { id: 'r', name: 'n' } })
    expect([screen.callDrawn, screen.callHidden]).toEqual([false, false])
    // Back on the pre-join ("Join again", a new room): drawn ahead again.
    app.fake.setView({ status: 'previewing' })
    expect([screen.callDrawn, screen.callHidden]).toEqual([true, true])
  })

  it('tells apart leaving, ending the room yourself, and the host ending it', () => {
    const { app, screen } = started()
    const cases: [Parameters<FakeConference['setView']>[0], string][] = [
      [{ status: 'left' }, 'you-left'],
      [{ status: 'ended', endedReason: 'host-ended' }, 'host-ended'],
      [{ status: 'ended', endedReason: 'timeout' }, 'disconnected'],
      [{ status: 'ended', endedReason: 'client-gone' }, 'disconnected'],
      [{ status: 'ended', endedReason: 'removed' }, 'removed'],
      [{ status: 'ended', endedReason: 'removed', endedBy: { clientId: 'c1', name: 'Ada' } }, 'removed-by-host'],
      [{ status: 'ended', endedReason: 'server-stopped' }, 'server-stopped'],
      [{ status: 'ended', endedReason: 'moved-to-another-tab' }, 'moved-to-another-tab'],
      [{ status: 'left', endedReason: 'ended-by-me' }, 'you-ended'],
      [{ status: 'ended' }, 'host-ended'],
      [{ status: 'ended', error: { kind: 'client-gone', message: '' } }, 'removed'],
    ]
    for (const [view, reason] of cases) {
      app.fake.setView(view)
      expect([view, screen.endReason]).toEqual([view, reason])
    }
  })

  it('picks the status banner from the status', () => {
    const { app, screen } = started()
    const cases: [Parameters<FakeConference['setView']>[0], string][] = [
      [{ status: 'joining' }, 'joining'],
      [{ status: 'connected' }, 'none'],
      [{ status: 'reconnecting' }, 'reconnecting'],
      [{ status: 'leaving' }, 'leaving'],
      [{ status: 'failed', room: { id: 'r', name: '' }, error: { kind: 'negotiation-failed', message: '' } }, 'failed'],
      [{ status: 'left' }, 'none'],
    ]
    for (const [view, banner] of cases) {
      app.fake.setView(view)
      expect([view.status, screen.banner]).toEqual([view.status, banner])
    }
  })

  it('shows the invite card only when connected, alone, with a link to share', () => {
    const { app, screen } = started()
    const room = { id: 'r1', name: 'Team' }
    app.fake.setView({ status: 'joining', room })
    expect(screen.alone).toBe(false)
    app.fake.setView({ status: 'connected', room })
    expect(screen.alone).toBe(true)
    app.fake.setView({ status: 'connected', room, participants: [makeParticipant(1)] })
    expect(screen.alone).toBe(false)
    expect(screen.tiles.map((tile) => tile.key)).toEqual(['local', 'client-1'])
  })

  it('offers "Join again" on the ended screen only while the room exists', () => {
    const { app, screen } = started()
    const room = { id: 'r1', name: 'Team' }
    app.fake.setView({ status: 'left', room })
    expect(screen.ended).toMatchObject({ reason: 'you-left', canJoinAgain: true })
    app.fake.setView({ status: 'ended', room, endedReason: 'host-ended' })
    expect(screen.ended).toMatchObject({ reason: 'host-ended', title: 'The meeting was ended', canJoinAgain: false })
    app.fake.setView({ status: 'ended', room, endedReason: 'host-ended', endedBy: { clientId: 'c1', name: '<b>Ada</b>' } })
    expect(screen.ended.title).toBe('<b>Ada</b> ended the meeting')
    app.fake.setView({ status: 'failed', error: { kind: 'hub-unreachable', message: '' } })
    expect(screen.ended).toMatchObject({ reason: 'error', canRetry: true, title: "Parley can't reach the server at localhost" })
  })

  it('names the hub the app talks to in its errors, and never blames the internet for one on this computer', () => {
    const local = createTestApp({ href: 'http://127.0.0.1:8080/' })
    local.start()
    local.fake.setView({ status: 'failed', error: { kind: 'hub-unreachable', message: '' } })
    const screen = useScreenStore()
    expect(screen.hub).toEqual({ host: '127.0.0.1:8080', local: true })
    expect(screen.errorCopy?.title).toBe("Parley can't reach the server at 127.0.0.1:8080")
    expect(screen.errorCopy?.detail).not.toMatch(/internet|online/)

    const remote = createTestApp({ href: 'http://127.0.0.1:8080/', config: { hub: { baseUrl: 'https://hub.inlive.app' }, source: 'query', statelyInspector: false } })
    remote.start()
    remote.fake.setView({ status: 'failed', error: { kind: 'hub-unreachable', message: '' } })
    expect(useScreenStore().errorCopy?.title).toBe("Parley can't reach the server at hub.inlive.app")
  })

  it('titles the tab with the room during a call', async () => {
    const { app, screen } = started()
    expect(screen.pageTitle).toBe('Parley')
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' } })
    expect(screen.pageTitle).toBe('Team · Parley')
    await nextTick()
    expect(document.title).toBe('Team · Parley')
  })
})
