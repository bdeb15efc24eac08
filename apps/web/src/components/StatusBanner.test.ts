// The reconnecting banner binds what the core says: a full reconnect names the server restarting and
// the attempt, the call's tiles stay, the call resumes with no click; a reconnect that gave up shows
// Retry, which only tells the core.
import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { makeParticipant } from '../testing/fakeConference'
import { createTestApp } from '../testing/testApp'
import CallView from './CallView.vue'

const room = { id: 'r1', name: 'Team' }

function mountCall() {
  const app = createTestApp()
  app.start()
  app.fake.setView({ status: 'connected', room, participants: [makeParticipant(1)] })
  return { app, call: app.mount(CallView, { attachTo: document.body }) }
}

describe('StatusBanner while the server restarts', () => {
  it('says the server is restarting with the attempt, keeps the tiles, and goes away when the call resumes', async () => {
    const { app, call } = mountCall()
    await nextTick()
    const tiles = () => call.findAll('[data-testid="tile"]').length
    const before = tiles()
    expect(before).toBeGreaterThan(1)

    app.fake.setView({ status: 'reconnecting', room, participants: [makeParticipant(1)], reconnect: { attempt: 2 }, busy: true })
    await nextTick()
    const banner = call.get('[data-testid="status-banner"]')
    expect(banner.attributes('data-kind')).toBe('reconnecting')
    expect(banner.text()).toBe('The server is restarting — reconnecting… (attempt 2)')
    expect(tiles()).toBe(before)

    // Back by itself: nothing was clicked, nothing was asked of the core.
    app.fake.setView({ status: 'connected', room, participants: [makeParticipant(1)] })
    await nextTick()
    expect(banner.attributes('hidden')).toBeDefined()
    expect(app.fake.calls.map((c) => c.method)).not.toContain('retry')
    call.unmount()
  })

  it('says only that the connection is restored in place when the hub session is intact', async () => {
    const { app, call } = mountCall()
    app.fake.setView({ status: 'reconnecting', room, participants: [makeParticipant(1)], busy: true })
    await nextTick()
    expect(call.get('[data-testid="status-banner"]').text()).toBe('Connection lost. Reconnecting…')
    call.unmount()
  })

  it('offers Retry once the reconnect gave up, and Retry only tells the core', async () => {
    const { app, call } = mountCall()
    app.fake.setView({ status: 'failed', room, error: { kind: 'hub-unreachable', message: 'no reconnect within 60000 ms' } })
    await nextTick()
    const banner = call.get('[data-testid="status-banner"]')
    expect(banner.attributes('data-kind')).toBe('failed')
    await banner.get('[data-testid="retry-button"]').trigger('click')
    expect(app.fake.calls.map((c) => c.method)).toContain('retry')
    call.unmount()
  })
})
