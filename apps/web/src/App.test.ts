import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import App from './App.vue'
import { fakeMediaStream, makeParticipant } from './testing/fakeConference'
import type { FakeConference } from './testing/fakeConference'
import type { ConferenceErrorKind } from './conference/types'
import { describeError } from './lib/messages'
import { useAutoplayStore } from './stores/autoplay'
import { useInviteStore } from './stores/invite'
import { useScreenStore } from './stores/screen'
import { createTestApp } from './testing/testApp'
import { prefetchScreens } from './screens/lazyScreens'

let fake: FakeConference

/** happy-dom's window size (matchMedia follows it), as a browser window is resized. */
const resizeWindow = (width: number, height: number) => (window as unknown as { happyDOM: { setViewport(size: { width: number; height: number }): void } }).happyDOM.setViewport({ width, height })

afterEach(() => {
  resizeWindow(1024, 768)
})

async function mountApp() {
  // What main.ts prefetches after the first paint: the screens then switch within a tick, as in the app.
  await prefetchScreens()
  const test = createTestApp({ href: 'http://127.0.0.1:8080/' })
  fake = test.fake
  test.start()
  const app = test.mount(App, { attachTo: document.body })
  return { app, autoplay: useAutoplayStore() }
}

const room = { id: 'r1', name: 'Team' }

describe('App', () => {
  it('switches screens on view.status and exposes it as data-state', async () => {
    const { app } = await mountApp()
    const root = () => app.get('[data-testid="app"]')
    expect(root().attributes('data-state')).toBe('idle')
    expect(app.find('[data-testid="prejoin"]').exists()).toBe(true)

    fake.setView({ status: 'connected', room, participants: [makeParticipant(1)] })
    await nextTick()
    expect(root().attributes('data-state')).toBe('connected')
    expect(app.find('[data-testid="call"]').exists()).toBe(true)
    expect(app.findAll('[data-testid="tile"]')).toHaveLength(2)
    expect(document.title).toBe('Team · Parley')

    fake.setView({ status: 'left', room })
    await nextTick()
    expect(root().attributes('data-state')).toBe('left')
    expect(app.get('[data-testid="ended-title"]').text()).toBe('You left the room')
    app.unmount()
  })

  it('announces connecting and reconnecting in a live region', async () => {
    const { app } = await mountApp()
    fake.setView({ status: 'joining' })
    await nextTick()
    const banner = app.get('[data-testid="status-banner"]')
    expect(banner.attributes('role')).toBe('status')
    expect(banner.attributes('aria-live')).toBe('polite')
    expect(banner.text()).toContain('Joining the room')
    fake.setView({ status: 'reconnecting', room })
    await nextTick()
    expect(app.get('[data-testid="status-banner"]').attributes('data-kind')).toBe('reconnecting')
    expect(app.get('[data-testid="status-banner"]').text()).toContain('Reconnecting')
    app.unmount()
  })

  it.each(['hub-unreachable', 'negotiation-failed', 'client-gone', 'unauthorized', 'invalid-response', 'room-locked'] as ConferenceErrorKind[])(
    'shows what %s means in the call, with a Retry button',
    async (kind) => {
      const { app } = await mountApp()
      fake.setView({ status: 'failed', room, error: { kind, message: 'raw' } })
      await nextTick()
      expect(app.get('[data-testid="error-title"]').text()).toBe(describeError({ kind, message: '' }, { host: '127.0.0.1:8080', local: true }).title)
      await app.get('[data-testid="retry-button"]').trigger('click')
      expect(fake.calls.at(-1)).toEqual({ method: 'retry', args: [] })
      app.unmount()
    },
  )

  it('tells someone a locked room refused that it is locked, with Try again (no room yet: the ended screen)', async () => {
    const { app } = await mountApp()
    fake.setView({ status: 'failed', error: { kind: 'room-locked', message: 'POST /rooms/:roomId/register: room "r1" is locked by its host', status: 403 } })
    await nextTick()
    expect(app.get('[data-testid="ended-title"]').text()).toBe('This room is locked')
    expect(app.get('[data-testid="ended-detail"]').text()).toBe('Ask the host to let you in, then try again.')
    expect(app.find('[data-testid="join-again"]').exists()).toBe(false)
    await app.get('[data-testid="retry-button"]').trigger('click')
    expect(fake.calls.at(-1)).toEqual({ method: 'retry', args: [] })
    app.unmount()
  })

  it('sends someone whose room is gone to a screen that offers a new room', async () => {
    const { app } = await mountApp()
    fake.setView({ status: 'failed', room, error: { kind: 'room-not-found', message: '' } })
    await nextTick()
    expect(app.get('[data-testid="ended-title"]').text()).toBe('This room no longer exists')
    expect(app.find('[data-testid="join-again"]').exists()).toBe(false)
    await app.get('[data-testid="new-room"]').trigger('click')
    expect(fake.created).toBe(2)
    expect(app.find('[data-testid="prejoin"]').exists()).toBe(true)
    app.unmount()
  })

  it('says who ended the meeting (as text), and offers only a new room', async () => {
    const { app } = await mountApp()
    fake.setView({ status: 'ended', room, endedReason: 'host-ended', endedBy: { clientId: 'c1', name: '<img src=x onerror=alert(1)>Ada' } })
    await nextTick()
    expect(app.get('[data-testid="ended-title"]').text()).toBe('<img src=x onerror=alert(1)>Ada ended the meeting')
    expect(app.find('[data-testid="ended-title"] img').exists()).toBe(false)
    expect(app.find('[data-testid="join-again"]').exists()).toBe(false)
    expect(app.find('[data-testid="new-room"]').exists()).toBe(true)
    app.unmount()
  })

  it('tells the tab whose call moved to another tab why it left, and lets it join again', async () => {
    const { app } = await mountApp()
    fake.setView({ status: 'connected', room })
    fake.setView({ status: 'ended', room, endedReason: 'moved-to-another-tab' })
    await nextTick()
    expect(app.get('[data-testid="ended"]').attributes('data-reason')).toBe('moved-to-another-tab')
    expect(app.get('[data-testid="ended-title"]').text()).toBe('You joined this call from another tab')
    expect(app.get('[data-testid="ended-detail"]').text()).toMatch(/moved to your other tab/)
    expect(app.find('[data-testid="join-again"]').exists()).toBe(true)
    app.unmount()
  })

  it('tells someone dropped after a long outage that they were disconnected, and lets them rejoin', async () => {
    const { app } = await mountApp()
    fake.setView({ status: 'connected', room })
    fake.setView({ status: 'ended', room, endedReason: 'timeout' })
    await nextTick()
    expect(app.get('[data-testid="ended-title"]').text()).toBe('You were disconnected')
    expect(app.find('[data-testid="join-again"]').exists()).toBe(true)
    app.unmount()
  })

  it('lets you join again after leaving', async () => {
    const { app } = await mountApp()
    fake.setView({ status: 'left', room })
    await nextTick()
    await app.get('[data-testid="join-again"]').trigger('click')
    expect(fake.created).toBe(2)
    expect(useInviteStore().invitedRoom).toEqual({ roomId: 'r1', roomName: 'Team' })
    expect(app.get('[data-testid="prejoin-heading"]').text()).toBe('Joining room Team')
    app.unmount()
  })

  it('offers "Enable audio" when autoplay is blocked and resumes media on click', async () => {
    const { app, autoplay } = await mountApp()
    fake.setView({ status: 'connected', room })
    let allowed = false
    let plays = 0
    const element = {
      play: () => {
        plays++
        return allowed ? Promise.resolve() : Promise.reject(Object.assign(new Error('blocked'), { name: 'NotAllowedError' }))
      },
    }
    autoplay.register(element)
    await autoplay.play(element)
    await nextTick()
    allowed = true
    await app.get('[data-testid="enable-audio"]').trigger('click')
    await autoplay.resumeAudio() // the click's promise is not awaited by trigger
    await nextTick()
    expect(plays).toBeGreaterThanOrEqual(2)
    expect(app.find('[data-testid="enable-audio"]').exists()).toBe(false)
    app.unmount()
  })

  it('opens the state panel with Shift+D, showing states and events, and closes it with Shift+D', async () => {
    const { app } = await mountApp()
    fake.setView({ status: 'connected', room, stateValue: ['inRoom.negotiation.stable', 'inRoom.events.open'] })
    await nextTick()
    expect(app.find('[data-testid="state-panel"]').exists()).toBe(false)
    expect(app.find('[data-testid="state-panel-toggle"]').exists()).toBe(false) // no button on every screen
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'D', shiftKey: true }))
    // The panel's code is loaded on first open (transformed on demand here: over a second when the
    // core and web projects run side by side).
    const panel = await vi.waitFor(() => app.get('[data-testid="state-panel"]'), { timeout: 5000 })
    expect(panel.get('[data-testid="state-panel-value"]').text()).toContain('inRoom.negotiation.stable')
    expect(panel.get('[data-testid="state-panel-events"]').text()).toContain('fake.view')
    expect(panel.get('[data-testid="state-panel-actors"]').text()).toContain('fakeConference')
    expect(panel.text()).toContain('127.0.0.1:8080')
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'D', shiftKey: true }))
    await nextTick()
    expect(app.find('[data-testid="state-panel"]').exists()).toBe(false)
    app.unmount()
  })

  it('announces joining the room and people coming and going in a polite live region', async () => {
    const { app } = await mountApp()
    const announcer = () => app.get('[data-testid="announcer"]')
    expect(announcer().attributes('aria-live')).toBe('polite')
    expect(announcer().text()).toBe('')
    fake.setView({ status: 'joining', room })
    fake.setView({ status: 'connected', room, participants: [makeParticipant(1, { name: 'Grace' })] })
    await nextTick()
    expect(announcer().text()).toBe('You joined Team. Grace is here.')
    fake.emitParticipant({ type: 'participant.joined', clientId: 'client-2', name: 'Linus' })
    fake.setView({ status: 'connected', room, participants: [makeParticipant(1, { name: 'Grace' }), makeParticipant(2, { name: 'Linus' })] })
    await flushPromises()
    expect(announcer().text()).toBe('Linus joined.')
    fake.emitParticipant({ type: 'participant.left', clientId: 'client-1', name: 'Grace' })
    fake.setView({ status: 'connected', room, participants: [makeParticipant(2, { name: 'Linus' })] })
    await flushPromises()
    expect(announcer().text()).toBe('Grace left.')
    app.unmount()
  })

  it('moves focus to the new screen when the screen changes', async () => {
    const { app } = await mountApp()
    // Focus moves once the new screen is drawn (a frame later), not in the task that switched screens.
    fake.setView({ status: 'connected', room })
    await nextTick()
    await nextTick()
    expect(app.find('[data-testid="call"]').exists()).toBe(true)
    expect(document.activeElement?.textContent).not.toBe('In call: Team')
    await vi.waitFor(() => expect(document.activeElement?.textContent).toBe('In call: Team'))
    fake.setView({ status: 'left', room })
    await vi.waitFor(() => expect(document.activeElement).toBe(app.get('[data-testid="ended-title"]').element))
    await app.get('[data-testid="join-again"]').trigger('click')
    await vi.waitFor(() => expect(document.activeElement).toBe(app.get('[data-testid="display-name"]').element))
    app.unmount()
  })

  it('draws the call ahead under the pre-join, hidden and inert, and the join only reveals it', async () => {
    const { app } = await mountApp()
    const local = { audioEnabled: true, videoEnabled: true, audioAvailable: true, videoAvailable: true, streamId: 'cam' }
    fake.streams.set(fakeMediaStream('cam'))
    fake.setView({ status: 'previewing', local })
    await nextTick()
    useScreenStore().drawCallAhead()
    await nextTick()
    const call = app.get('[data-testid="call"]')
    expect(call.attributes()).toMatchObject({ inert: '', 'aria-hidden': 'true' })
    expect(call.classes()).toContain('app__ahead')
    const preview = app.get('[data-testid="prejoin"] [data-testid="tile-video"]').element
    expect(call.find('[data-testid="tile-video"]').exists()).toBe(false)
    // The call's shortcuts do not act on the pre-join.
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'm', bubbles: true }))
    expect(fake.calls.filter((recorded) => recorded.method === 'setMicrophone')).toEqual([])

    fake.setView({ status: 'joining', room, local })
    await nextTick()
    expect(app.find('[data-testid="prejoin"]').exists()).toBe(false)
    expect(app.get('[data-testid="call"]').element).toBe(call.element)
    expect(call.attributes('inert')).toBeUndefined()
    expect(call.attributes('aria-hidden')).toBeUndefined()
    expect(call.classes()).not.toContain('app__ahead')
    expect(call.get('[data-testid="tile"][data-local="true"] [data-testid="tile-video"]').element).toBe(preview)
    await vi.waitFor(() => expect(document.activeElement?.textContent).toBe('In call: Team'))

    // Back on the pre-join, the call drawn ahead again does not take the focus.
    fake.setView({ status: 'left', room })
    await nextTick()
    await app.get('[data-testid="join-again"]').trigger('click')
    await vi.waitFor(() => expect(document.activeElement).toBe(app.get('[data-testid="display-name"]').element))
    expect(app.get('[data-testid="call"]').attributes('inert')).toBe('')
    app.unmount()
  })

  it('closes the state panel on Escape and gives focus back to the More button that opened it', async () => {
    const { app } = await mountApp()
    fake.setView({ status: 'connected', room })
    await flushPromises()
    const more = app.get('[data-testid="more-button"]')
    await more.trigger('click')
    await nextTick()
    await app.get('[data-testid="menu-state-panel"]').trigger('click')
    await vi.waitFor(() => app.get('[data-testid="state-panel"]'))
    ;(app.get('[data-testid="state-panel-close"]').element as HTMLElement).focus()
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    await nextTick()
    expect(app.find('[data-testid="state-panel"]').exists()).toBe(false)
    expect(document.activeElement).toBe(more.element)
    app.unmount()
  })

  describe('State panel placement', () => {
    async function openPanel(width: number, height: number) {
      resizeWindow(width, height)
      const { app } = await mountApp()
      fake.setView({ status: 'connected', room, participants: [makeParticipant(1)] })
      await nextTick()
      document.dispatchEvent(new KeyboardEvent('keydown', { key: 'D', shiftKey: true }))
      const panel = await vi.waitFor(() => app.get('[data-testid="state-panel"]'))
      return { app, panel, root: app.get('[data-testid="app"]') }
    }

    it('docks beside the screen on a wide window: a column of the layout, so the grid gets narrower instead of covered', async () => {
      const { app, panel, root } = await openPanel(1280, 720)
      expect(panel.attributes('data-placement')).toBe('dock')
      expect(panel.classes()).toContain('state--dock')
      expect(root.classes()).not.toContain('app--phone')
      // A sibling after the screen in the app's row, not inside (or over) the call.
      expect(panel.element.parentElement).toBe(root.element)
      expect(panel.element.previousElementSibling).toBe(app.get('.app__screen').element)
      expect(app.get('.app__screen').find('[data-testid="state-panel"]').exists()).toBe(false)
      expect(app.get('.app__screen').find('[data-testid="video-grid"]').exists()).toBe(true)
      app.unmount()
    })

    it('is a bottom sheet on a phone (≤ 480 px): a row under the screen, so the controls stay above it', async () => {
      const { app, panel, root } = await openPanel(390, 844)
      expect(panel.attributes('data-placement')).toBe('sheet')
      expect(panel.classes()).toContain('state--sheet')
      expect(root.classes()).toContain('app--phone')
      expect(panel.element.previousElementSibling).toBe(app.get('.app__screen').element)
      expect(app.get('.app__screen').find('[data-testid="control-bar"]').exists()).toBe(true)
      app.unmount()
    })

    it('moves from dock to sheet when the window narrows', async () => {
      const { app, panel } = await openPanel(1280, 720)
      expect(panel.attributes('data-placement')).toBe('dock')
      resizeWindow(400, 800)
      await vi.waitFor(() => expect(app.get('[data-testid="state-panel"]').attributes('data-placement')).toBe('sheet'))
      app.unmount()
    })

    it('is reachable on the call from the More menu only, and on every screen by its shortcut', async () => {
      const { app } = await mountApp()
      expect(app.find('[data-testid="more-button"]').exists()).toBe(false) // pre-join: no button
      document.dispatchEvent(new KeyboardEvent('keydown', { key: 'D', shiftKey: true }))
      await vi.waitFor(() => app.get('[data-testid="state-panel"]'))
      app.unmount()
    })
  })
})
