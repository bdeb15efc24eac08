// The device's network changes (the `network` port: back online, Wi-Fi to mobile). Candidates gathered
// before may name an address that is gone: the pre-join's warm-up gathers again, and a call restarts
// ICE at once instead of waiting seconds for the browser to call ICE failed. Traces record the change and replay it.
import { describe, expect, it } from 'vitest'
import { waitFor } from 'xstate'
import { createConference, type ConferenceSnapshot } from './conference.js'
import { createTraceRecorder, replayTrace } from './trace/index.js'
import { FAKE_HUB_URL, createFakeWorld, flush, type FakePeerConnection } from './test-support/index.js'

const MEDIA = { audio: true, video: true }
const JOIN = { displayName: 'Ada', roomName: 'Standup', media: MEDIA }

function started(options: { trace?: boolean } = {}) {
  const world = createFakeWorld()
  world.peers.gatherCandidates = true
  const conference = createConference({ hub: { baseUrl: FAKE_HUB_URL }, ports: world.ports, ...(options.trace ? { trace: createTraceRecorder({ now: world.clock.now, wallClock: () => new Date(0) }) } : {}) })
  conference.actor.start()
  const until = (predicate: (snapshot: ConferenceSnapshot) => boolean) => waitFor(conference.actor, predicate, { timeout: 1000 })
  const warmUp = () => (conference.actor.getSnapshot().value as { previewing?: { ready?: { peer?: { warming?: string } } } }).previewing?.ready?.peer?.warming
  const pc = () => world.peers.latest() as FakePeerConnection
  return { world, conference, until, warmUp, pc }
}

type Run = ReturnType<typeof started>

async function prepared(run: Run) {
  await run.until(() => run.warmUp() === 'gathering')
  await flush(1)
  run.pc().dispatch('icecandidate', { candidate: null })
  await run.until(() => run.warmUp() === 'prepared')
}

async function connected(run: Run) {
  run.conference.join(JOIN)
  await run.until((s) => s.matches('inRoom'))
  await flush()
  run.world.eventSources.latest().open()
  run.pc().setIceConnectionState('connected')
  await flush()
}

describe('a network change', () => {
  it('on the pre-join closes the prepared connection and prepares a new one, which the join takes', async () => {
    const run = started()
    run.conference.preview(MEDIA)
    await prepared(run)
    const stale = run.pc()
    run.world.network.change()
    await run.until(() => run.warmUp() === 'gathering')
    expect(stale.closed).toBe(true)
    expect(run.world.peers.all).toHaveLength(2)
    const fresh = run.pc()
    expect(fresh.localDescription?.type).toBe('offer')
    await prepared(run)
    // Still nothing told to the hub, and the preview's camera untouched.
    expect(run.world.hub.log).toEqual([])
    expect(run.world.openResources()).toMatchObject({ peerConnections: 1, liveTracks: 2 })
    await connected(run)
    expect(run.world.peers.all).toEqual([stale, fresh])
    expect(fresh.offers).toHaveLength(1)
    run.conference.leave()
    await run.until((s) => s.status === 'done')
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('during the warm-up starts it again, without waiting for the offer in flight', async () => {
    const run = started()
    run.world.peers.calls.gate('pc.createOffer')
    run.conference.preview(MEDIA)
    await run.until(() => run.warmUp() === 'preparing')
    const first = run.pc()
    run.world.network.change()
    await flush()
    expect(first.closed).toBe(true)
    expect(run.world.peers.all).toHaveLength(2)
    expect(run.warmUp()).toBe('preparing')
    run.world.peers.calls.ungate('pc.createOffer')
    for (const call of [...run.world.peers.calls.pending]) call.resolve()
    await run.until(() => run.warmUp() === 'gathering')
    run.conference.leave()
    await run.until((s) => s.status === 'done')
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('in a call restarts ICE at once through the lock, on the same connection, without showing reconnecting', async () => {
    const run = started()
    await connected(run)
    const pc = run.pc()
    const negotiations = run.world.hub.requests('negotiate').length
    run.world.network.change()
    await flush()
    expect(pc.offers.at(-1)).toEqual({ iceRestart: true })
    expect(run.world.hub.requests('negotiate')).toHaveLength(negotiations + 1)
    expect(run.world.peers.all).toEqual([pc])
    expect(run.conference.selectView(run.conference.actor.getSnapshot()).status).toBe('connected')
    // Back once ICE says connected; a later failure may still restart (the count starts again).
    pc.setIceConnectionState('connected')
    await flush()
    expect(run.conference.actor.getSnapshot().matches({ inRoom: { connection: 'connected' } })).toBe(true)
    run.conference.leave()
    await run.until((s) => s.status === 'done')
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('changes nothing before a preview or after leaving, and nobody listens once the conference stopped', async () => {
    const run = started()
    expect(run.world.network.watcherCount).toBe(1)
    run.world.network.change()
    await flush()
    expect(run.conference.actor.getSnapshot().value).toBe('idle')
    expect(run.world.peers.all).toEqual([])
    run.conference.leave()
    await run.until((s) => s.status === 'done')
    expect(run.world.network.watcherCount).toBe(0)
  })

  it('is in the call trace, and the trace replays as the same path', async () => {
    const run = started({ trace: true })
    run.conference.preview(MEDIA)
    await prepared(run)
    run.world.network.change()
    await prepared(run)
    await connected(run)
    run.world.network.change()
    await flush()
    run.conference.leave()
    await run.until((s) => s.status === 'done')
    await flush()
    const trace = run.conference.exportTrace()
    expect(trace.entries.filter((e) => e.kind === 'network.change')).toHaveLength(2)
    expect((await replayTrace(trace)).message).toMatch(/^Same path/)
  })
})
