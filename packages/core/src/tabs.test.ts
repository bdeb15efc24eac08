// One person, two tabs: two conferences of one browser profile (one in-memory broadcast channel
// between them, tabsMachine.ts) on one fake hub. A second tab in the same room is told the room is
// open elsewhere; its join takes the call over: the first tab leaves (its own ended reason, camera and
// peer connection released) before the second registers. Races: two joins at once, a tab that never
// answers, the first tab reconnecting, the second tab leaving before it joined; other rooms never match.
import { describe, expect, it } from 'vitest'
import { waitFor } from 'xstate'
import { createConference, type Conference, type ConferenceSnapshot } from './conference.js'
import { TAB_CHANNEL_NAME, type TabMessage } from './machines/tabsActors.js'
import { TAB_QUERY_WINDOW_MS, TAKE_OVER_TIMEOUT_MS } from './machines/tabsMachine.js'
import { FAKE_HUB_URL, FakeTabChannels, createFakeWorld, flush, type FakePeerConnection } from './test-support/index.js'
import { createTraceRecorder, replayTrace } from './trace/index.js'

const MEDIA = { audio: true, video: true }

function browser() {
  const world = createFakeWorld()
  const channels = new FakeTabChannels()
  const tabs: Conference[] = []
  // Each hub answer comes in a task of its own, as from a network: a replay delivers each recorded input a
  // task after the last (replay.ts), so answers that all landed in one task here could be told apart in
  // the recording only by how many promise steps each took.
  const fetch: typeof world.ports.fetch = async (...args) => {
    const response = await world.ports.fetch(...args)
    await new Promise<void>((resolve) => setImmediate(resolve))
    return response
  }
  /** A tab of this browser: its own conference, the shared hub, clock and devices, its own channel. */
  const openTab = (options: { trace?: boolean } = {}) => {
    const conference = createConference({
      hub: { baseUrl: FAKE_HUB_URL },
      ports: { ...world.ports, fetch, tabs: channels.tab() },
      ...(options.trace ? { trace: createTraceRecorder({ now: world.clock.now, wallClock: () => new Date(0) }) } : {}),
    })
    conference.actor.start()
    tabs.push(conference)
    return conference
  }
  return { world, channels, openTab, tabs }
}

const view = (tab: Conference) => tab.selectView(tab.actor.getSnapshot())
const until = (tab: Conference, predicate: (snapshot: ConferenceSnapshot) => boolean) => waitFor(tab.actor, predicate, { timeout: 1000 })

/** The first tab creates a room and is in it; returns the room id. */
async function inRoom(tab: Conference, world: ReturnType<typeof createFakeWorld>): Promise<string> {
  tab.join({ displayName: 'Ada', roomName: 'Standup', media: MEDIA })
  await until(tab, (s) => s.matches('inRoom'))
  await flush()
  world.eventSources.latest().open()
  ;(world.peers.latest() as FakePeerConnection).setIceConnectionState('connected')
  await flush()
  return tab.actor.getSnapshot().context.room!.id
}

/** A pre-join showing the room: the tab asks, and knows once the query window passed. */
async function prejoin(tab: Conference, world: ReturnType<typeof createFakeWorld>, roomId: string) {
  tab.preview(MEDIA)
  await flush()
  world.devices.calls.pending.forEach((call) => call.resolve())
  tab.watchRoom(roomId)
  await flush()
  world.clock.advance(TAB_QUERY_WINDOW_MS)
  await flush()
}

describe('one person, two tabs', () => {
  it('a second tab in the same room is told the call is open elsewhere; joining there moves the call', async () => {
    const { world, channels, openTab } = browser()
    const first = openTab()
    const roomId = await inRoom(first, world)
    const firstPeer = world.peers.latest() as FakePeerConnection

    const second = openTab()
    await prejoin(second, world, roomId)
    expect(view(second).elsewhere).toEqual({ roomId })
    expect(view(second).status).toBe('previewing')

    const registersBefore = world.hub.requests('register').length
    second.join({ roomId, displayName: 'Ada', media: MEDIA })
    await until(second, (s) => s.matches('inRoom'))
    await until(first, (s) => s.status === 'done')

    expect(view(first)).toMatchObject({ status: 'ended', endedReason: 'moved-to-another-tab' })
    expect(firstPeer.closed).toBe(true)
    // The first tab left the hub before the second registered: never two of us in the room.
    const leaveAt = world.hub.log.findIndex((r) => r.route === 'leave')
    const registerAt = world.hub.log.findIndex((r, i) => r.route === 'register' && world.hub.log.slice(0, i).filter((q) => q.route === 'register').length === registersBefore)
    expect(leaveAt).toBeGreaterThanOrEqual(0)
    expect(leaveAt).toBeLessThan(registerAt)
    expect(view(second).elsewhere).toBeUndefined()
    // The first tab's channel closed with its conference; the second now answers for the room.
    const third = channels.open(TAB_CHANNEL_NAME)
    const heard: TabMessage[] = []
    third.addEventListener('message', (event) => heard.push(event.data as TabMessage))
    third.postMessage({ type: 'query', roomId, from: 'zz-third' } satisfies TabMessage)
    await flush()
    expect(heard).toEqual([{ type: 'present', roomId, from: second.actor.getSnapshot().context.tabId }])
  })

  it('tabs in different rooms never interfere, and a tab that leaves stops claiming its room', async () => {
    const { world, openTab } = browser()
    const first = openTab()
    const roomId = await inRoom(first, world)
    const second = openTab()
    await prejoin(second, world, 'another-room')
    expect(view(second).elsewhere).toBeUndefined()

    const third = openTab()
    await prejoin(third, world, roomId)
    expect(view(third).elsewhere).toEqual({ roomId })
    first.leave()
    await until(first, (s) => s.status === 'done')
    await flush()
    expect(view(third).elsewhere).toBeUndefined()
    expect(view(first).endedReason).toBeUndefined()
  })

  it('a tab that never answers the take-over is waited for only until the take-over timeout', async () => {
    const { world, channels, openTab } = browser()
    // A hung tab: it said it is in the room, then stopped answering.
    const hung = channels.open(TAB_CHANNEL_NAME)
    const tab = openTab()
    await prejoin(tab, world, 'room-9')
    hung.postMessage({ type: 'claim', roomId: 'room-9', from: 'hung-tab' } satisfies TabMessage)
    await flush()
    expect(view(tab).elsewhere).toEqual({ roomId: 'room-9' })
    world.hub.rooms.set('room-9', { id: 'room-9', name: 'Nine' })

    tab.join({ roomId: 'room-9', displayName: 'Ada', media: MEDIA })
    await flush()
    expect(tab.actor.getSnapshot().matches({ joining: 'claimingTab' })).toBe(true)
    world.clock.advance(TAKE_OVER_TIMEOUT_MS - 1)
    await flush()
    expect(world.hub.requests('getRoom')).toHaveLength(0)
    world.clock.advance(1)
    await until(tab, (s) => s.matches('inRoom'))
  })

  it('drops what is not a tab message (other code of this origin may use the channel)', async () => {
    const { world, channels, openTab } = browser()
    const stranger = channels.open(TAB_CHANNEL_NAME)
    const tab = openTab()
    await prejoin(tab, world, 'room-9')
    for (const data of ['claim', null, { type: 'claim', from: 'x' }, { type: 'claim', roomId: 'room-9', from: '' }, { type: 'join', roomId: 'room-9', from: 'x' }]) {
      stranger.postMessage(data)
    }
    await flush()
    expect(view(tab).elsewhere).toBeUndefined()
    stranger.postMessage({ type: 'claim', roomId: 'room-9', from: 'x' } satisfies TabMessage)
    await flush()
    expect(view(tab).elsewhere).toEqual({ roomId: 'room-9' })
  })

  it('two tabs that join the same room at once end with exactly one of them in it', async () => {
    const { world, openTab } = browser()
    const first = openTab()
    const roomId = await inRoom(first, world)
    first.leave()
    await until(first, (s) => s.status === 'done')
    const [a, b] = [openTab(), openTab()]
    a.join({ roomId, displayName: 'Ada', media: MEDIA })
    b.join({ roomId, displayName: 'Ada', media: MEDIA })
    await flush()
    // Neither has answered the other's question yet: both find the room free and claim it.
    world.clock.advance(TAB_QUERY_WINDOW_MS)
    for (let i = 0; i < 10 && !(a.actor.getSnapshot().status === 'done' || b.actor.getSnapshot().status === 'done'); i++) await flush()
    const [stayed, moved] = a.actor.getSnapshot().status === 'done' ? [b, a] : [a, b]
    await until(stayed, (s) => s.matches('inRoom'))
    expect(view(moved)).toMatchObject({ status: 'ended', endedReason: 'moved-to-another-tab' })
    // The tab with the higher id keeps the room.
    expect(stayed.actor.getSnapshot().context.tabId > moved.actor.getSnapshot().context.tabId).toBe(true)
  })

  it('a tab that is reconnecting is taken over too', async () => {
    const { world, openTab } = browser()
    const first = openTab()
    const roomId = await inRoom(first, world)
    world.hub.clients.clear()
    world.eventSources.latest().emit('left', { reason: 'shutdown' })
    await until(first, (s) => s.matches('reconnecting'))

    const second = openTab()
    await prejoin(second, world, roomId)
    expect(view(second).elsewhere).toEqual({ roomId })
    second.join({ roomId, displayName: 'Ada', media: MEDIA })
    await until(first, (s) => s.status === 'done')
    expect(view(first).endedReason).toBe('moved-to-another-tab')
    await until(second, (s) => s.matches('inRoom'))
  })

  it('a second tab that leaves while it still asks leaves the first one in the call', async () => {
    const { world, openTab } = browser()
    const first = openTab()
    const roomId = await inRoom(first, world)
    const second = openTab()
    second.join({ roomId, displayName: 'Ada', media: MEDIA })
    expect(second.actor.getSnapshot().matches({ joining: 'claimingTab' })).toBe(true)
    // Before the first tab's answer arrived: the take-over was never asked for.
    second.leave()
    await until(second, (s) => s.status === 'done')
    world.clock.advance(TAKE_OVER_TIMEOUT_MS)
    await flush()
    expect(first.actor.getSnapshot().matches('inRoom')).toBe(true)
  })
})

describe('a join while the pre-join still asks', () => {
  /** A pre-join whose question is still out: preview, watch, and `elapsed` ms of its window gone. */
  async function askingFor(elapsed: number) {
    const { world, channels, openTab } = browser()
    world.hub.rooms.set('room-9', { id: 'room-9', name: 'Nine' })
    const other = channels.open(TAB_CHANNEL_NAME)
    const heard: TabMessage[] = []
    other.addEventListener('message', (event) => heard.push(event.data as TabMessage))
    const tab = openTab()
    tab.preview(MEDIA)
    await flush()
    world.devices.calls.pending.forEach((call) => call.resolve())
    tab.watchRoom('room-9')
    await flush()
    world.clock.advance(elapsed)
    await flush()
    tab.join({ roomId: 'room-9', displayName: 'Ada', media: MEDIA })
    await flush()
    return { world, other, heard, tab }
  }

  it('waits for the rest of that window, not a new one, and asks nothing again', async () => {
    const { world, heard, tab } = await askingFor(100)
    expect(tab.actor.getSnapshot().matches({ joining: 'claimingTab' })).toBe(true)
    world.clock.advance(TAB_QUERY_WINDOW_MS - 100 - 1)
    await flush()
    expect(world.hub.requests('register')).toHaveLength(0)
    world.clock.advance(1)
    await until(tab, (s) => s.matches('inRoom'))
    expect(world.hub.requests('register')).toHaveLength(1)
    // One question (the pre-join's), then our claim of the room.
    expect(heard.map((message) => message.type)).toEqual(['query', 'claim'])
  })

  it('a tab that answers in that rest is asked to leave first, as on any join', async () => {
    const { world, other, heard, tab } = await askingFor(100)
    other.postMessage({ type: 'present', roomId: 'room-9', from: 'other-tab' } satisfies TabMessage)
    await flush()
    expect(heard.map((message) => message.type)).toEqual(['query', 'takeOver'])
    world.clock.advance(TAB_QUERY_WINDOW_MS)
    await flush()
    expect(world.hub.requests('register')).toHaveLength(0)
    other.postMessage({ type: 'gone', roomId: 'room-9', from: 'other-tab' } satisfies TabMessage)
    await until(tab, (s) => s.matches('inRoom'))
  })

  it('a leave in that rest claims nothing: later questions go unanswered', async () => {
    const { world, other, heard, tab } = await askingFor(100)
    tab.leave()
    await until(tab, (s) => s.status === 'done')
    world.clock.advance(TAB_QUERY_WINDOW_MS)
    await flush()
    other.postMessage({ type: 'query', roomId: 'room-9', from: 'other-tab' } satisfies TabMessage)
    await flush()
    expect(heard.map((message) => message.type)).toEqual(['query'])
    expect(world.hub.requests('register')).toHaveLength(0)
  })
})

describe('call traces of two tabs', () => {
  it('record what the tabs said to each other, and both tabs replay as the same path', async () => {
    const { world, openTab } = browser()
    const first = openTab({ trace: true })
    const roomId = await inRoom(first, world)
    const second = openTab({ trace: true })
    await prejoin(second, world, roomId)
    second.join({ roomId, displayName: 'Ada', media: MEDIA })
    await until(second, (s) => s.matches('inRoom'))
    await until(first, (s) => s.status === 'done')
    second.leave()
    await until(second, (s) => s.status === 'done')
    await flush()
    for (const tab of [first, second]) {
      const trace = tab.exportTrace()
      expect(trace.entries.filter((e) => e.kind === 'tab.message').length).toBeGreaterThan(0)
      expect(trace.entries.some((e) => e.kind === 'tab.post')).toBe(true)
      expect((await replayTrace(trace)).message).toMatch(/^Same path/)
    }
  })
})

describe('without tabs (Node)', () => {
  it('a join by room id goes ahead at once', async () => {
    const world = createFakeWorld()
    world.hub.rooms.set('room-1', { id: 'room-1', name: 'One' })
    const conference = createConference({ hub: { baseUrl: FAKE_HUB_URL }, ports: world.ports })
    conference.actor.start()
    conference.join({ roomId: 'room-1', displayName: 'Ada', media: MEDIA })
    await flush()
    expect(world.hub.requests('getRoom')).toHaveLength(1)
    conference.actor.stop()
  })
})
