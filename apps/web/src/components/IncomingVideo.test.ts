// Others' video (More → Others' video): the choice goes to the core, is shown as the core says it, is
// remembered for the next call and visit, and while it is not "Best for each tile" the header says so,
// with a button back.
import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { makeParticipant } from '../testing/fakeConference'
import { createTestApp } from '../testing/testApp'
import { INCOMING_VIDEO_KEY, useIncomingVideoStore } from '../stores/incomingVideo'
import CallMenu from './CallMenu.vue'
import CallView from './CallView.vue'

const room = { id: 'r1', name: 'Team' }
const incomingCalls = (calls: { method: string; args: unknown[] }[]) => calls.filter((c) => c.method === 'setIncomingVideo').map((c) => c.args[0])

describe("others' video", () => {
  it('is chosen in More, checked as the core says, and remembered', async () => {
    const app = createTestApp()
    app.start()
    app.fake.setView({ status: 'connected', room })
    const menu = app.mount(CallMenu, { attachTo: document.body })
    const checked = () => menu.findAll('[role="menuitemradio"]').filter((item) => item.attributes('aria-checked') === 'true').map((item) => item.attributes('data-testid'))
    await menu.get('[data-testid="more-button"]').trigger('click')
    await flushPromises()
    expect(menu.get('[data-testid="menu-incoming-video"]').attributes('aria-labelledby')).toBe('call-menu-incoming')
    expect(checked()).toEqual(['menu-incoming-auto'])
    await menu.get('[data-testid="menu-incoming-off"]').trigger('click')
    await flushPromises()
    expect(incomingCalls(app.fake.calls)).toEqual(['off'])
    expect(app.localStorage.data.get(INCOMING_VIDEO_KEY)).toBe('off')
    // The menu closed, focus back on More; opened again, the core's word is checked.
    expect(menu.find('[data-testid="call-menu"]').exists()).toBe(false)
    expect(document.activeElement).toBe(menu.get('[data-testid="more-button"]').element)
    await menu.get('[data-testid="more-button"]').trigger('click')
    await flushPromises()
    expect(checked()).toEqual(['menu-incoming-off'])
    menu.unmount()
  })

  it('hands the remembered choice to the conference already started, and to each new one', () => {
    const app = createTestApp({ localStorage: { [INCOMING_VIDEO_KEY]: 'low' } })
    app.start()
    expect(incomingCalls(app.fake.calls)).toEqual([])
    useIncomingVideoStore()
    expect(incomingCalls(app.fake.calls)).toEqual(['low'])
    app.start()
    expect(incomingCalls(app.fake.calls)).toEqual(['low', 'low'])
  })

  it('hands nothing over for the default, or for a stored value that is no choice', () => {
    const app = createTestApp({ localStorage: { [INCOMING_VIDEO_KEY]: 'high' } })
    app.start()
    expect(useIncomingVideoStore().mode).toBe('auto')
    app.start()
    expect(incomingCalls(app.fake.calls)).toEqual([])
  })

  it('is said in the header while not "Best for each tile", with a button back to it', async () => {
    const app = createTestApp()
    app.start()
    app.fake.setView({ status: 'connected', room })
    const call = app.mount(CallView, { attachTo: document.body })
    expect(call.find('[data-testid="incoming-video-note"]').exists()).toBe(false)
    useIncomingVideoStore().choose('off')
    await flushPromises()
    const note = call.get('[data-testid="incoming-video-note"]')
    expect(note.text()).toContain('Audio only')
    const back = note.get('[data-testid="incoming-video-auto"]')
    expect(back.attributes('aria-label')).toBe("Turn off audio only: show others' video as usual")
    await back.trigger('click')
    await flushPromises()
    expect(incomingCalls(app.fake.calls)).toEqual(['off', 'auto'])
    expect(call.find('[data-testid="incoming-video-note"]').exists()).toBe(false)
    expect(app.localStorage.data.get(INCOMING_VIDEO_KEY)).toBe('auto')
    call.unmount()
  })

  it('offers Audio only while the hub pauses a video for your link; once a call, until dismissed', async () => {
    const app = createTestApp()
    app.start()
    const bo = makeParticipant(1, { name: 'Bo' })
    const paused = { ...bo, tracks: bo.tracks.map((t) => (t.kind === 'video' ? { ...t, pausedByHub: 'bandwidth' as const } : t)) }
    app.fake.setView({ status: 'connected', room, participants: [bo] })
    const call = app.mount(CallView, { attachTo: document.body })
    expect(call.find('[data-testid="audio-only-offer"]').exists()).toBe(false)
    app.fake.setView({ status: 'connected', room, participants: [paused] })
    await flushPromises()
    expect(call.get('[data-testid="audio-only-offer"]').text()).toContain("Your connection cannot carry everyone's video.")
    await call.get('[data-testid="audio-only-offer-accept"]').trigger('click')
    await flushPromises()
    expect(incomingCalls(app.fake.calls)).toEqual(['off'])
    // Audio only now: nothing more to offer. Back to the default, it is offered again while the pause lasts.
    expect(call.find('[data-testid="audio-only-offer"]').exists()).toBe(false)
    await call.get('[data-testid="incoming-video-auto"]').trigger('click')
    await flushPromises()
    expect(call.find('[data-testid="audio-only-offer"]').exists()).toBe(true)
    await call.get('[data-testid="audio-only-offer-dismiss"]').trigger('click')
    await flushPromises()
    expect(call.find('[data-testid="audio-only-offer"]').exists()).toBe(false)
    // Not again in this call; a new conference may offer it again.
    app.fake.setView({ status: 'connected', room, participants: [bo] })
    app.fake.setView({ status: 'connected', room, participants: [paused] })
    await flushPromises()
    expect(call.find('[data-testid="audio-only-offer"]').exists()).toBe(false)
    call.unmount()
  })
})

