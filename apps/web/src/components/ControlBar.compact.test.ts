// The control bar on a narrow window (a phone), or wherever its full row does not fit: microphone,
// camera, chat, More and Leave stay in the bar; share screen, invite, people, raise hand, reactions and
// End room are items of the More menu, which still work from there, by keyboard too, with focus going
// back to More. Layout is a double (happy-dom lays nothing out): the bar as wide as the window, and the
// row's width from what is drawn, so a longer label or another control set needs more.
import { flushPromises } from '@vue/test-utils'
import { nextTick } from 'vue'
import { afterEach, describe, expect, it } from 'vitest'
import { ROW_FIT_PORTS } from '../composables/callControls'
import type { RowFitPorts } from '../composables/rowFit'
import type { ClipboardLike } from '../environment'
import { useParticipantsPanelStore } from '../stores/participantsPanel'
import type { FakeConference } from '../testing/fakeConference'
import { createTestApp } from '../testing/testApp'
import ControlBar from './ControlBar.vue'

/** happy-dom's window size (matchMedia follows it), as a browser window is resized. */
const resizeWindow = (width: number, height: number) => (window as unknown as { happyDOM: { setViewport(size: { width: number; height: number }): void } }).happyDOM.setViewport({ width, height })

afterEach(() => resizeWindow(1024, 768))

/** Each drawn control 37 px and 8 px a label character, 40 px of padding: a host who can share needs 1055 px, a guest 954. */
const rowWidth = (bar: HTMLElement) =>
  40 + Array.from(bar.querySelectorAll('.control__label')).reduce((sum, label) => sum + 37 + 8 * (label.textContent ?? '').length, 0)

const layout: RowFitPorts = {
  measure: (bar) => ({ available: window.innerWidth, needed: rowWidth(bar) }),
  observe(_bar, onChange) {
    window.addEventListener('resize', onChange)
    void Promise.resolve().then(onChange) // as a ResizeObserver reports at the start
    return () => window.removeEventListener('resize', onChange)
  },
}

let fake: FakeConference

function mountBar(width = 390, clipboard?: ClipboardLike, isHost = true) {
  resizeWindow(width, 844)
  const fakeApp = createTestApp(clipboard ? { clipboard } : {})
  fake = fakeApp.fake
  ;(fake.handle as { capabilities: { screenShare: boolean } }).capabilities.screenShare = true
  fakeApp.start()
  fake.setView({
    status: 'connected', room: { id: 'r1', name: 'Team' },
    local: { audioEnabled: true, videoEnabled: true, audioAvailable: true, videoAvailable: true, streamId: 'l' },
    host: { isHost, canModerate: isHost, mutedCount: 0, roomLocked: false, lockPending: false, waiting: [], answeredCount: 0, madeHostCount: 0 },
  })
  fake.calls.length = 0
  return fakeApp.mount(ControlBar, { attachTo: document.body, global: { provide: { [ROW_FIT_PORTS as symbol]: layout } } })
}

const barControls = (bar: ReturnType<typeof mountBar>) => bar.findAll('button.control').map((button) => button.attributes('data-testid'))

async function openMore(bar: ReturnType<typeof mountBar>) {
  await bar.get('[data-testid="more-button"]').trigger('click')
  await nextTick()
}

describe('ControlBar on a narrow window', () => {
  it('keeps the essentials in the bar and the rest in More; a wide window has them all in the bar', async () => {
    const bar = mountBar(390)
    expect(barControls(bar)).toEqual(['toggle-mic', 'toggle-camera', 'chat-button', 'more-button', 'leave-button'])
    await openMore(bar)
    const items = bar.findAll('[data-testid="call-menu"] [role^="menuitem"]').map((item) => item.attributes('data-testid'))
    expect(items).toEqual([
      'menu-screen-share', 'menu-invite', 'menu-participants', 'menu-hand',
      'menu-react-👍', 'menu-react-👏', 'menu-react-😂', 'menu-react-🎉', 'menu-react-❤️', 'menu-react-😮',
      'menu-end-room', 'menu-state-panel', 'menu-devices', 'menu-incoming-auto', 'menu-incoming-low', 'menu-incoming-off',
    ])
    expect(document.activeElement).toBe(bar.get('[data-testid="menu-screen-share"]').element)
    bar.unmount()

    const wide = mountBar(1280)
    expect(barControls(wide)).toEqual([
      'toggle-mic', 'toggle-camera', 'toggle-screen-share', 'copy-invite', 'toggle-participants', 'toggle-hand', 'react-button',
      'chat-button', 'more-button', 'end-room-button', 'leave-button',
    ])
    await openMore(wide)
    expect(wide.find('[data-testid="menu-hand"]').exists()).toBe(false)
    wide.unmount()
  })

  it('follows the window: narrowed below what the full row needs, the moved controls leave the bar; widened, they come back', async () => {
    const bar = mountBar(1280)
    await flushPromises()
    expect(barControls(bar)).toHaveLength(11)
    expect(rowWidth(bar.element.querySelector('[data-testid="control-bar"]')!)).toBe(1055)
    for (const [width, controls] of [[700, 5], [1054, 5], [1055, 11], [1054, 5], [481, 5], [480, 5], [1280, 11]] as const) {
      resizeWindow(width, 800)
      await flushPromises()
      expect(barControls(bar), `${width} px`).toHaveLength(controls)
      expect(bar.get('[data-testid="control-bar"]').attributes('data-layout')).toBe(controls === 5 ? 'compact' : 'full')
    }
    bar.unmount()
  })

  it('goes by the row drawn: a guest\'s (no End room) fits where a host\'s does not, until made host or a label grows', async () => {
    const bar = mountBar(1000, undefined, false)
    await flushPromises()
    expect(barControls(bar)).toHaveLength(10)
    const host = { isHost: true, canModerate: true, mutedCount: 0, roomLocked: false, lockPending: false, waiting: [], answeredCount: 0, madeHostCount: 0 }
    fake.setView({ status: 'connected', host })
    await flushPromises()
    expect(barControls(bar)).toHaveLength(5)
    bar.unmount()

    const wide = mountBar(1060)
    await flushPromises()
    expect(barControls(wide)).toHaveLength(11)
    fake.setView({ status: 'connected', host, handRaised: true }) // "People · 1" with the hand mark: wider
    await flushPromises()
    expect(barControls(wide)).toHaveLength(5)
    expect(wide.get('[data-testid="more-button"]').attributes('aria-label')).toBe('More options: your hand is raised')
    fake.setView({ status: 'connected', host, handRaised: false })
    await flushPromises()
    expect(barControls(wide)).toHaveLength(11)
    wide.unmount()
  })

  it('raises the hand, reacts, shares and opens People from the menu, which closes and gives focus back to More', async () => {
    const bar = mountBar()
    const more = bar.get('[data-testid="more-button"]')
    const steps: [string, string, unknown[]][] = [
      ['menu-hand', 'setHand', [true]],
      ['menu-react-🎉', 'react', ['🎉']],
      ['menu-screen-share', 'startScreenShare', []],
    ]
    for (const [item, method, args] of steps) {
      await openMore(bar)
      await bar.get(`[data-testid="${item}"]`).trigger('click')
      expect(fake.calls.at(-1)).toEqual({ method, args })
      expect(bar.find('[data-testid="call-menu"]').exists()).toBe(false)
      expect(document.activeElement).toBe(more.element)
    }
    await openMore(bar)
    expect(bar.get('[data-testid="menu-participants"]').attributes('aria-checked')).toBe('false')
    await bar.get('[data-testid="menu-participants"]').trigger('click')
    expect(useParticipantsPanelStore().open).toBe(true)
    await openMore(bar)
    expect(bar.get('[data-testid="menu-participants"]').attributes('aria-checked')).toBe('true')
    bar.unmount()
  })

  it('shows a raised hand and a share as checked items, and says a refused picker above the bar', async () => {
    const bar = mountBar()
    fake.setView({ status: 'connected', screenShare: { state: 'sharing', streamId: 's' } })
    await openMore(bar)
    const share = bar.get('[data-testid="menu-screen-share"]')
    expect(share.attributes('aria-checked')).toBe('true')
    expect(share.text()).toContain('Stop sharing')
    await share.trigger('click')
    expect(fake.calls.at(-1)).toEqual({ method: 'stopScreenShare', args: [] })
    fake.setView({ status: 'connected', screenShare: { state: 'idle', error: { kind: 'denied', message: 'NotAllowedError' } } })
    await nextTick()
    expect(bar.get('[data-testid="screen-share-notice"]').text()).toBe('Screen sharing was cancelled or not allowed.')
    bar.unmount()
  })

  it('marks More when something it now holds is on: your share, your raised hand, others\' raised hands', async () => {
    const bar = mountBar()
    const more = () => bar.get('[data-testid="more-button"]')
    expect(bar.find('[data-testid="more-mark"]').exists()).toBe(false)
    expect(more().attributes('aria-label')).toBeUndefined()
    fake.setView({ status: 'connected', handRaised: true, screenShare: { state: 'sharing', streamId: 's' } })
    await nextTick()
    expect(bar.find('[data-testid="more-mark"]').exists()).toBe(true)
    expect(more().attributes('aria-label')).toBe('More options: you are sharing your screen, your hand is raised')
    bar.unmount()

    // The wide bar shows these on its own buttons: More says nothing.
    const wide = mountBar(1280)
    fake.setView({ status: 'connected', handRaised: true, screenShare: { state: 'sharing', streamId: 's' } })
    await nextTick()
    expect(wide.find('[data-testid="more-mark"]').exists()).toBe(false)
    expect(wide.get('[data-testid="more-button"]').attributes('aria-label')).toBeUndefined()
    wide.unmount()
  })

  it('copies the invite link from the menu and says so above the bar', async () => {
    const copied: string[] = []
    const bar = mountBar(390, { writeText: async (text) => void copied.push(text) })
    await openMore(bar)
    await bar.get('[data-testid="menu-invite"]').trigger('click')
    await flushPromises()
    expect(copied).toEqual(['http://localhost/?roomId=r1&roomName=Team'])
    expect(bar.get('[data-testid="invite-copied"]').text()).toBe('Invite link copied')
    bar.unmount()
  })

  it('ends the room from the menu after confirmation; Cancel gives focus back to More', async () => {
    const bar = mountBar()
    await openMore(bar)
    await bar.get('[data-testid="menu-end-room"]').trigger('click')
    await nextTick()
    expect(bar.find('[data-testid="call-menu"]').exists()).toBe(false)
    expect(document.activeElement).toBe(bar.get('[data-testid="end-room-cancel"]').element)
    await bar.get('[data-testid="end-room-cancel"]').trigger('click')
    await flushPromises()
    expect(document.activeElement).toBe(bar.get('[data-testid="more-button"]').element)
    expect(fake.calls).toEqual([])
    await openMore(bar)
    await bar.get('[data-testid="menu-end-room"]').trigger('click')
    await nextTick()
    await bar.get('[data-testid="end-room-confirm"]').trigger('click')
    expect(fake.calls).toEqual([{ method: 'endRoom', args: [] }])
    bar.unmount()
  })

  it('moves along the bar with the arrow keys, and through the menu, reactions included, with ↑/↓', async () => {
    const bar = mountBar()
    const mic = bar.get('[data-testid="toggle-mic"]')
    await mic.trigger('keydown', { key: 'ArrowRight' })
    expect(document.activeElement).toBe(bar.get('[data-testid="toggle-camera"]').element)
    await bar.get('[data-testid="toggle-camera"]').trigger('keydown', { key: 'ArrowRight' })
    expect(document.activeElement).toBe(bar.get('[data-testid="chat-button"]').element)
    await mic.trigger('keydown', { key: 'End' })
    expect(document.activeElement).toBe(bar.get('[data-testid="leave-button"]').element)

    await openMore(bar)
    const menu = bar.get('[data-testid="call-menu"]')
    for (let step = 0; step < 4; step++) await menu.trigger('keydown', { key: 'ArrowDown' })
    expect(document.activeElement).toBe(bar.get('[data-testid="menu-react-👍"]').element)
    await bar.get('[data-testid="menu-react-👍"]').trigger('click')
    expect(fake.calls).toEqual([{ method: 'react', args: ['👍'] }])
    expect(document.activeElement).toBe(bar.get('[data-testid="more-button"]').element)
    bar.unmount()
  })
})
