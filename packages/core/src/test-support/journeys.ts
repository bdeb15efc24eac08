// Journeys of one conference through the fakes, recorded as call traces: the glare, ICE restart, SSE
// reconnect and leave-from-every-screen fixtures (src/trace/fixtures/) come from here. Each drives
// the real machines through createConference, one async boundary at a time, and returns the trace.
import { CHAT_CHANNEL_LABEL, handMetaKey } from '@parley/protocol'
import { waitFor } from 'xstate'
import { createConference } from '../conference.js'
import { STATS_INTERVAL_MS } from '../machines/statsMachine.js'
import { combinedReport, recordedSamples } from '../stats/fixtures.js'
import type { Trace } from '../trace/format.js'
import { createTraceRecorder } from '../trace/recorder.js'
import { FakeDataChannel } from './fakeDataChannel.js'
import { FAKE_HUB_URL } from './fakeHub.js'
import type { FakeMediaStreamTrack } from './fakeMedia.js'
import type { FakePeerConnection } from './fakePeerConnection.js'
import { createFakeWorld, type FakeWorld } from './index.js'
import { flush } from './pendingCalls.js'
import { joinAndConnect, type StartedRun } from './conferenceRun.js'

export const HUB_OFFER_SDP = 'v=0\r\no=hub 7 7 IN IP4 127.0.0.1\r\ns=hub offer\r\n'

type Run = StartedRun

function start(configure?: (world: FakeWorld) => void): Run {
  const world = createFakeWorld()
  // The replay's media port lists no devices: a recorded journey lists none either (no device choice in these paths).
  world.devices.devices = []
  configure?.(world)
  const conference = createConference({ hub: { baseUrl: FAKE_HUB_URL }, ports: world.ports, trace: createTraceRecorder({ now: world.clock.now, wallClock: () => new Date(0) }) })
  conference.actor.start()
  return {
    world,
    conference,
    until: (predicate) => waitFor(conference.actor, predicate, { timeout: 1000 }),
    pc: () => world.peers.latest() as FakePeerConnection,
  }
}

async function leave(run: Run): Promise<Trace> {
  run.conference.leave()
  await run.until((s) => s.status === 'done')
  await flush()
  return run.conference.exportTrace()
}

/**
 * What the room's own machines read besides the hub's answers, in an order a replay must keep: a stats
 * reading whose getStats answer comes after a hub event (a raised hand), the chat channel the hub opens
 * (a message each way), and a screen share the browser stops ("Stop sharing").
 */
export async function roomExtrasJourney(): Promise<Trace> {
  const run = start((world) => {
    world.peers.statsReport = () => combinedReport(recordedSamples('good')[0]!)
    world.peers.calls.gate('pc.getStats')
  })
  await joinAndConnect(run)
  run.world.clock.advance(STATS_INTERVAL_MS)
  await flush()
  run.world.eventSources.latest().emit('meta_changed', { [handMetaKey('c2')]: { raised: true } })
  await flush()
  run.world.peers.calls.find('pc.getStats')!.resolve()
  await flush()
  const channel = new FakeDataChannel(CHAT_CHANNEL_LABEL)
  run.pc().dispatch('datachannel', { channel })
  await flush()
  channel.open()
  await flush()
  channel.deliver(JSON.stringify({ type: 'chat', id: 'c2-1', from: 'c2', name: 'Bo', time: 5, text: 'hi Ada' }))
  run.conference.sendChat('hello Bo')
  await flush()
  run.conference.startScreenShare()
  await run.until((s) => s.context.screenStreamId !== null)
  await flush()
  ;(run.world.devices.screens[0]!.getTracks()[0] as FakeMediaStreamTrack).end()
  await flush()
  return leave(run)
}

/** Each journey, by fixture name. */
export const journeys: Record<string, () => Promise<Trace>> = {
  /** The hub offers while our first offer is in flight: the offer is held and answered right after. */
  'glare-hub-mid-offer': async () => {
    const run = start((world) => void world.hub.calls.gate('hub.negotiate'))
    run.conference.join({ displayName: 'Ada', roomName: 'Standup', media: { audio: true, video: true } })
    await run.until((s) => s.matches('inRoom'))
    await flush()
    run.world.eventSources.latest().open()
    run.world.eventSources.latest().emit('offer', { type: 'offer', sdp: HUB_OFFER_SDP })
    await flush()
    run.world.hub.calls.ungate('hub.negotiate')
    run.world.hub.calls.find('hub.negotiate')!.resolve()
    await flush()
    run.pc().setIceConnectionState('connected')
    await flush()
    return leave(run)
  },
  /** ICE fails in the room: an ICE-restart offer through the lock, then connected again. */
  'ice-restart': async () => {
    const run = start()
    await joinAndConnect(run)
    run.pc().setIceConnectionState('failed')
    await flush()
    run.pc().setIceConnectionState('connected')
    await flush()
    return leave(run)
  },
  /** The events stream breaks: the client check, the back-off on the clock, open again. */
  'sse-reconnect': async () => {
    const run = start()
    await joinAndConnect(run)
    run.world.eventSources.latest().fail()
    await flush()
    run.world.clock.advance(500)
    await flush()
    run.world.eventSources.latest().open()
    await flush()
    return leave(run)
  },
  'room-extras': roomExtrasJourney,
  'leave-from-idle': async () => leave(start()),
  'leave-from-previewing': async () => {
    const run = start()
    run.conference.preview({ audio: true, video: true })
    await run.until((s) => s.matches({ previewing: 'ready' }))
    return leave(run)
  },
  'leave-from-joining': async () => {
    const run = start((world) => void world.hub.calls.gate('hub.register'))
    run.conference.join({ displayName: 'Ada', roomName: 'Standup', media: { audio: true, video: true } })
    await run.until((s) => s.matches({ joining: 'registering' }))
    return leave(run)
  },
  'leave-from-room': async () => {
    const run = start()
    await joinAndConnect(run)
    return leave(run)
  },
  'leave-from-failed': async () => {
    const run = start()
    run.conference.join({ roomId: 'nope', displayName: 'Bo', media: { audio: false, video: false } })
    await run.until((s) => s.matches('failed'))
    await flush()
    return leave(run)
  },
}
