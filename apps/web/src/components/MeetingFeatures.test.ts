// The participants panel, the tiles' speaking / quality / paused / hand / reaction marks, the hand and
// reaction controls, the muted hint and the keyboard shortcuts, on the fake conference.
import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import type { ConferenceView, QualityFigures } from '../conference/types'
import type { TimersLike } from '../environment'
import { useAnnouncerStore } from '../stores/announcer'
import { useShortcutsStore } from '../stores/shortcuts'
import { makeParticipant } from '../testing/fakeConference'
import { createTestApp } from '../testing/testApp'
import CallView from './CallView.vue'

const POOR: QualityFigures = { quality: 'poor', lossPercent: 12.5, jitterMs: 18, roundTripMs: 104, framesPerSecond: 14 }

/** Timers the test fires by hand. */
function manualTimers() {
  const due = new Map<number, () => void>()
  let next = 1
  const timers: TimersLike & { fireAll(): void; pending(): number } = {
    setTimeout: (callback) => {
      due.set(next, callback)
      return next++
    },
    clearTimeout: (id) => void due.delete(id as number),
    fireAll: () => {
      const callbacks = [...due.values()]
      due.clear()
      callbacks.forEach((callback) => callback())
    },
    pending: () => due.size,
  }
  return timers
}

async function mountCall(view: Partial<ConferenceView>, timers = manualTimers()) {
  const app = createTestApp({ timers })
  app.start()
  app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' }, displayName: 'Ada', ...view })
  app.fake.calls.length = 0
  const wrapper = app.mount(CallView, { attachTo: document.body })
  await nextTick()
  return { app, wrapper, timers }
}

const bo = makeParticipant(1, { name: '<img src=x onerror=alert(1)>Bo', speaking: true, handRaised: true, quality: POOR, audioEnabled: false })
const cy = makeParticipant(2, { name: 'Cy', videoPaused: true, quality: { quality: 'lost' } })

describe('participants panel', () => {
  it('lists you and everyone with name as text, mic/camera, speaking, hand and quality with its figures', async () => {
    const { wrapper } = await mountCall({ participants: [bo, cy], localStats: { quality: 'excellent', audioLevel: 0.3, speaking: true, roundTripMs: 4 } })
    expect(wrapper.find('[data-testid="participants-panel"]').exists()).toBe(false)
    await wrapper.get('[data-testid="toggle-participants"]').trigger('click')
    const rows = wrapper.findAll('[data-testid="participant-row"]')
    expect(rows.map((row) => row.get('[data-testid="participant-name"]').text())).toEqual(['Ada', '<img src=x onerror=alert(1)>Bo', 'Cy'])
    // Text, never markup.
    expect(wrapper.get('[data-testid="participants-panel"]').find('img').exists()).toBe(false)
    const [you, boRow] = rows
    expect(you!.attributes('data-speaking')).toBe('true')
    expect(boRow!.attributes('data-hand')).toBe('true')
    expect(boRow!.get('[data-testid="participant-mic"]').attributes('data-on')).toBe('false')
    const quality = boRow!.get('[data-testid="quality-icon"]')
    expect(quality.attributes('data-quality')).toBe('poor')
    expect(quality.attributes('title')).toBe('Poor connection: 12.5 % loss, 18 ms jitter, 104 ms round trip, 14 fps')
    // The count of raised hands beside People, with the hand drawn (no emoji: an empty box without an emoji font) and named.
    const people = wrapper.get('[data-testid="toggle-participants"]')
    expect(people.text()).toContain('People · 1')
    expect(people.get('.hand-icon').attributes()).toMatchObject({ role: 'img', 'aria-label': 'raised hands:' })
    expect(people.text()).not.toContain('✋')
    wrapper.unmount()
  })
})

describe('room lock', () => {
  const host = { isHost: true, canModerate: true, mutedCount: 0, roomLocked: false, lockPending: false, waiting: [], answeredCount: 0, madeHostCount: 0, hostClientId: 'me', hostName: 'Ada' }

  it('gives the host a Lock room button beside Mute all that names what it will do (no pressed state beside a changing label), disabled while its request is out', async () => {
    const { app, wrapper } = await mountCall({ clientId: 'me', participants: [makeParticipant(1, { name: 'Bo' })], host })
    await wrapper.get('[data-testid="toggle-participants"]').trigger('click')
    const lock = () => wrapper.get('[data-testid="participants-lock"]')
    expect(lock().text()).toBe('Lock room')
    expect(lock().attributes('aria-pressed')).toBeUndefined()
    await lock().trigger('click')
    expect(app.fake.calls).toEqual([{ method: 'setRoomLocked', args: [true] }])
    app.fake.setView({ status: 'connected', clientId: 'me', host: { ...host, lockPending: true } })
    await nextTick()
    expect(lock().attributes('disabled')).toBeDefined()
    app.fake.setView({ status: 'connected', clientId: 'me', host: { ...host, roomLocked: true, roomLockedBy: { clientId: 'me', name: 'Ada' } } })
    await nextTick()
    expect(lock().text()).toBe('Unlock room')
    expect(lock().attributes('aria-pressed')).toBeUndefined()
    expect(lock().attributes('disabled')).toBeUndefined()
    await lock().trigger('click')
    expect(app.fake.calls.at(-1)).toEqual({ method: 'setRoomLocked', args: [false] })
    wrapper.unmount()
  })

  it('shows everyone a Locked mark in the header and says who locked and unlocked the room', async () => {
    const guest = { ...host, isHost: false, canModerate: false, hostClientId: 'c2' }
    const { app, wrapper } = await mountCall({ clientId: 'me', participants: [makeParticipant(1, { name: 'Bo' })], host: guest })
    const announcer = useAnnouncerStore()
    expect(wrapper.find('[data-testid="room-locked-mark"]').exists()).toBe(false)
    await wrapper.get('[data-testid="toggle-participants"]').trigger('click')
    expect(wrapper.find('[data-testid="participants-lock"]').exists()).toBe(false)
    app.fake.setView({ status: 'connected', clientId: 'me', host: { ...guest, roomLocked: true, roomLockedBy: { clientId: 'c2', name: 'Cy' } } })
    await nextTick()
    expect(wrapper.get('[data-testid="room-locked-mark"]').text()).toBe('Locked')
    expect(announcer.announcement).toBe('Cy locked the room. Nobody new can join.')
    app.fake.setView({ status: 'connected', clientId: 'me', host: { ...guest, roomLocked: false, roomLockedBy: { clientId: 'c2', name: 'Cy' } } })
    await nextTick()
    expect(wrapper.find('[data-testid="room-locked-mark"]').exists()).toBe(false)
    expect(announcer.announcement).toBe('Cy unlocked the room.')
    wrapper.unmount()
  })
})

describe('participants panel host controls', () => {
  it('shows the host badge; a host with a host key gets Mute and Remove for the others, nobody else does', async () => {
    const host = { isHost: true, canModerate: true, mutedCount: 0, roomLocked: false, lockPending: false, waiting: [], answeredCount: 0, madeHostCount: 0, hostClientId: 'me', hostName: 'Ada' }
    const { app, wrapper } = await mountCall({ clientId: 'me', participants: [makeParticipant(1, { name: 'Bo' })], host })
    await wrapper.get('[data-testid="toggle-participants"]').trigger('click')
    const [you, boRow] = wrapper.findAll('[data-testid="participant-row"]')
    expect(you!.find('[data-testid="participant-host"]').exists()).toBe(true)
    expect(you!.find('[data-testid="participant-mute"]').exists()).toBe(false)
    await boRow!.get('[data-testid="participant-mute"]').trigger('click')
    await boRow!.get('[data-testid="participant-remove"]').trigger('click')
    expect(app.fake.calls).toEqual([
      { method: 'muteParticipant', args: ['client-1'] },
      { method: 'removeParticipant', args: ['client-1'] },
    ])
    app.fake.setView({ status: 'connected', participants: [makeParticipant(1, { name: 'Ada', isHost: true })] })
    await nextTick()
    expect(wrapper.findAll('[data-testid="participant-row"]')[1]!.find('[data-testid="participant-host"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="participant-mute"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="participants-mute-all"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('gives a host "Mute all" while someone else may be heard; the core decides whom', async () => {
    const host = { isHost: true, canModerate: true, mutedCount: 0, roomLocked: false, lockPending: false, waiting: [], answeredCount: 0, madeHostCount: 0, hostClientId: 'me', hostName: 'Ada' }
    const others = [makeParticipant(1, { name: 'Bo' }), makeParticipant(2, { name: 'Cy', audioEnabled: false })]
    const { app, wrapper } = await mountCall({ clientId: 'me', participants: others, host })
    await wrapper.get('[data-testid="toggle-participants"]').trigger('click')
    const muteAll = () => wrapper.get('[data-testid="participants-mute-all"]')
    expect(muteAll().attributes('aria-label')).toBe('Mute everyone else')
    await muteAll().trigger('click')
    expect(app.fake.calls).toEqual([{ method: 'muteEveryone', args: [] }])
    // Everyone else muted: nothing left to do (your own microphone does not count).
    app.fake.setView({ status: 'connected', clientId: 'me', host, participants: others.map((p) => ({ ...p, audioEnabled: false })) })
    await nextTick()
    expect(muteAll().attributes('disabled')).toBeDefined()
    wrapper.unmount()
  })
})

describe('tiles', () => {
  it('outline the speaker, show quality, a paused tile says "Connection problem", a raised hand shows', async () => {
    const { wrapper } = await mountCall({ participants: [bo, cy] })
    const tile = (key: string) => wrapper.get(`[data-testid="tile"][data-participant="${key}"]`)
    expect(tile('client-1').classes()).toContain('tile--speaking')
    expect(tile('client-2').classes()).not.toContain('tile--speaking')
    expect(tile('client-1').get('[data-testid="quality-icon"]').attributes('aria-label')).toContain('Poor connection')
    expect(tile('client-2').get('[data-testid="tile-paused"]').text()).toBe('Connection problem')
    expect(tile('client-1').find('[data-testid="tile-paused"]').exists()).toBe(false)
    expect(tile('client-1').find('[data-testid="tile-hand"]').exists()).toBe(true)
    expect(tile('client-1').get('[data-testid="tile-name"]').text()).toBe('<img src=x onerror=alert(1)>Bo')
    wrapper.unmount()
  })

  it('a participant the hub hears nothing from says "Connection problem", camera on or off', async () => {
    const dan = makeParticipant(3, { name: 'Dan', connectionProblem: true, videoEnabled: false })
    const { wrapper } = await mountCall({ participants: [bo, dan] })
    const tile = (key: string) => wrapper.get(`[data-testid="tile"][data-participant="${key}"]`)
    expect(tile('client-3').get('[data-testid="tile-paused"]').text()).toBe('Connection problem')
    expect(tile('client-3').attributes('data-connection-problem')).toBe('true')
    expect(tile('client-1').attributes('data-connection-problem')).toBe('false')
    wrapper.unmount()
  })

  it('a camera or screen the hub paused for our connection says so on its tile, apart from "Connection problem"', async () => {
    const eve = makeParticipant(4, { name: 'Eve', streamIds: ['stream-4', 'screen-4'] })
    eve.tracks = [
      ...eve.tracks.map((t) => (t.kind === 'video' ? { ...t, pausedByHub: 'bandwidth' as const } : t)),
      { trackId: 'sv', streamId: 'screen-4', kind: 'video', source: 'screen', live: true },
    ]
    const { app, wrapper } = await mountCall({ participants: [bo, eve] })
    const tile = (key: string) => wrapper.get(`[data-testid="tile"][data-participant="${key}"]`)
    const notice = tile('client-4').get('[data-testid="tile-paused-for-you"]')
    expect(notice.text()).toBe('Video paused — your connection is too slow')
    expect(notice.attributes('role')).toBe('status')
    expect(notice.attributes('title')).toContain('audio continues')
    expect(tile('client-4').attributes('data-paused-for-you')).toBe('true')
    // Not their problem, and the video element stays (the last frame is kept).
    expect(tile('client-4').find('[data-testid="tile-paused"]').exists()).toBe(false)
    expect(tile('client-4').find('[data-testid="tile-video"]').exists()).toBe(true)
    expect(tile('client-1').find('[data-testid="tile-paused-for-you"]').exists()).toBe(false)
    expect(tile('screen:client-4').attributes('data-paused-for-you')).toBe('false')
    // The hub forwards the camera again and pauses the screen instead.
    eve.tracks = eve.tracks.map((t) => ({ ...t, pausedByHub: t.source === 'screen' ? ('bandwidth' as const) : undefined }))
    app.fake.setView({ status: 'connected', participants: [bo, { ...eve }] })
    await nextTick()
    expect(tile('client-4').find('[data-testid="tile-paused-for-you"]').exists()).toBe(false)
    expect(tile('screen:client-4').get('[data-testid="tile-paused-for-you"]').text()).toBe('Video paused — your connection is too slow')
    wrapper.unmount()
  })

  it("shows each new reaction over its tile for a few seconds, ours included, each id once", async () => {
    const { app, wrapper, timers } = await mountCall({ participants: [makeParticipant(1, { reaction: { emoji: '🎉', id: 'c1-1' } })] })
    const overlay = (key: string) => wrapper.find(`[data-testid="tile"][data-participant="${key}"] [data-testid="tile-reaction"]`)
    expect(overlay('client-1').text()).toBe('🎉')
    timers.fireAll()
    await nextTick()
    expect(overlay('client-1').exists()).toBe(false)
    app.fake.setView({ status: 'connected', participants: [makeParticipant(1, { reaction: { emoji: '🎉', id: 'c1-1' } })], reaction: { emoji: '👍', id: 'me-1' } })
    await nextTick()
    expect(overlay('client-1').exists()).toBe(false)
    expect(overlay('local').text()).toBe('👍')
    wrapper.unmount()
  })
})

describe('hand, reactions and the muted hint', () => {
  it('raises and lowers the hand and sends a reaction through the session', async () => {
    const { app, wrapper } = await mountCall({})
    await wrapper.get('[data-testid="toggle-hand"]').trigger('click')
    app.fake.setView({ status: 'connected', handRaised: true })
    await nextTick()
    expect(wrapper.get('[data-testid="toggle-hand"]').text()).toContain('Lower hand')
    await wrapper.get('[data-testid="toggle-hand"]').trigger('click')
    await wrapper.get('[data-testid="react-button"]').trigger('click')
    await wrapper.get('[data-testid="react-👏"]').trigger('click')
    expect(app.fake.calls).toEqual([
      { method: 'setHand', args: [true] },
      { method: 'setHand', args: [false] },
      { method: 'react', args: ['👏'] },
    ])
    expect(wrapper.find('[data-testid="reaction-picker"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('says "You are muted" when the core hears you speak with the microphone off', async () => {
    const { app, wrapper } = await mountCall({})
    expect(wrapper.find('[data-testid="muted-hint"]').exists()).toBe(false)
    app.fake.setView({ status: 'connected', speakingWhileMuted: true })
    await nextTick()
    expect(wrapper.get('[data-testid="muted-hint"]').text()).toContain('You are muted')
    wrapper.unmount()
  })
})

describe('keyboard shortcuts', () => {
  it('M, V, H, P and C act in the call; ? opens the help and Escape closes it; none fire while typing', async () => {
    const { app, wrapper } = await mountCall({})
    const shortcuts = useShortcutsStore(app.pinia)
    const press = (k: string, target: EventTarget = document.body, shiftKey = false) =>
      shortcuts.handleKey({ key: k, shiftKey, ctrlKey: false, metaKey: false, altKey: false, target })
    expect(press('m')).toBe(true)
    expect(press('v')).toBe(true)
    expect(press('h')).toBe(true)
    expect(press('p')).toBe(true)
    expect(app.fake.calls).toEqual([
      { method: 'setMicrophone', args: [false] },
      { method: 'setCamera', args: [false] },
      { method: 'setHand', args: [true] },
    ])
    await nextTick()
    expect(wrapper.find('[data-testid="participants-panel"]').exists()).toBe(true)
    for (const tag of ['input', 'textarea']) {
      const field = document.createElement(tag)
      document.body.append(field)
      expect(press('m', field)).toBe(false)
      field.remove()
    }
    const editable = document.createElement('div')
    editable.contentEditable = 'true'
    document.body.append(editable)
    expect(press('h', editable)).toBe(false)
    editable.remove()
    expect(app.fake.calls).toHaveLength(3)
    // C opens the chat panel and closes it again.
    expect(press('c')).toBe(true)
    await nextTick()
    expect(wrapper.find('[data-testid="chat-panel"]').exists()).toBe(true)
    expect(press('c')).toBe(true)
    await nextTick()
    expect(wrapper.find('[data-testid="chat-panel"]').exists()).toBe(false)
    expect(press('?', document.body, true)).toBe(true)
    await nextTick()
    expect(wrapper.find('[data-testid="shortcuts-dialog"]').text()).toContain('Raise or lower your hand')
    expect(press('Escape')).toBe(true)
    await nextTick()
    expect(wrapper.find('[data-testid="shortcuts-dialog"]').exists()).toBe(false)
    await flushPromises()
    wrapper.unmount()
  })
})
