import { describe, expect, it } from 'vitest'
import { createHubClient } from '../hubClient.js'
import { FAKE_HUB_URL, createFakeWorld, flush } from '../test-support/index.js'
import { runAsChild } from '../test-support/harness.js'
import { CLIENT_CHECK_TIMEOUT_MS, MAX_STREAM_RECONNECTS, STREAM_SILENCE_MS, eventsActors, eventsMachine, reconnectDelayMs } from './eventsMachine.js'

function start(machine: typeof eventsMachine = eventsMachine) {
  const world = createFakeWorld()
  world.hub.clients.add('client1')
  const hub = createHubClient({ baseUrl: FAKE_HUB_URL, fetch: world.hub.fetch })
  const provided = machine.provide({ actors: eventsActors({ hub, eventSource: world.eventSources.factory }) })
  const run = runAsChild(provided, { roomId: 'room1', clientId: 'client1' }, { clock: world.clock, systemIds: ['negotiation', 'peerSession'] })
  return { world, ...run, value: () => run.child.getSnapshot().value as unknown }
}

const TRACK = { id: 't1', track_id: 't1', client_id: 'c2', client_name: 'Bo', stream_id: 's1', kind: 'video', source: 'media' }

describe('eventsMachine', () => {
  it('opens the client events URL and delivers every SSE event, parsed and typed, to the actor it is for', async () => {
    const run = start()
    const source = run.world.eventSources.latest()
    expect(source.url).toBe(`${FAKE_HUB_URL}/v1/rooms/room1/events/client1`)
    expect(run.value()).toEqual({ streaming: 'connecting' })
    source.open()
    expect(run.value()).toEqual({ streaming: { open: 'listening' } })
    source.emit('offer', { type: 'offer', sdp: 'v=0\r\n' })
    source.emit('candidate', { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0 })
    source.emit('tracks_added', { tracks: { t1: TRACK } })
    source.emit('tracks_available', { tracks: { t1: TRACK } })
    source.emit('allowed_renegotation', 'ok')
    source.emit('meta_changed', { 'parley.media.c2': { audio: false, video: true } })
    source.emit('ping', {})
    expect(run.received.map((e) => e.type)).toEqual([
      'events.open',
      'hub.offer',
      'hub.candidate',
      'hub.tracksAdded',
      'hub.tracksAvailable',
      'hub.allowedRenegotiation',
      'hub.metaChanged',
    ])
    expect(run.received[1]).toEqual({ type: 'hub.offer', sdp: 'v=0\r\n' })
    expect(run.received[6]).toEqual({ type: 'hub.metaChanged', key: 'parley.media.c2', value: { audio: false, video: true } })
    // Signaling goes straight to the negotiation and its peer session (by systemId), the rest to the conference.
    expect(run.receivedBy.negotiation?.map((e) => e.type)).toEqual(['hub.offer', 'hub.allowedRenegotiation'])
    expect(run.receivedBy.peerSession?.map((e) => e.type)).toEqual(['hub.candidate'])
    expect(run.receivedBy.parent?.map((e) => e.type)).toEqual(['events.open', 'hub.tracksAdded', 'hub.tracksAvailable', 'hub.metaChanged'])
    run.parent.stop()
  })

  it("delivers Parley's hub's own notices to the conference: a client's connection problem, a video paused for our link", () => {
    const run = start()
    const source = run.world.eventSources.latest()
    source.open()
    source.emit('parley_connection', { client_id: 'c2', problem: true })
    source.emit('parley_video_paused', { client_id: 'c2', track_id: 't1', paused: true, reason: 'bandwidth' })
    source.emit('parley_video_paused', { client_id: 'c2', track_id: 't1', paused: false, reason: 'bandwidth' })
    expect(run.receivedBy.parent).toEqual([
      { type: 'events.open' },
      { type: 'hub.connectionProblem', clientId: 'c2', problem: true },
      { type: 'hub.videoPaused', clientId: 'c2', trackId: 't1', paused: true, reason: 'bandwidth' },
      { type: 'hub.videoPaused', clientId: 'c2', trackId: 't1', paused: false, reason: 'bandwidth' },
    ])
    run.parent.stop()
  })

  it('reports and counts events that break the contract, never delivering them as hub events', () => {
    const run = start()
    const source = run.world.eventSources.latest()
    source.open()
    source.emit('offer', { type: 'answer', sdp: 'v=0' }, 7)
    source.emit('tracks_available', 'not json{')
    expect(run.received.map((e) => e.type)).toEqual(['events.open', 'events.invalid', 'events.invalid'])
    expect(run.received[1]).toMatchObject({ type: 'events.invalid', event: 'offer' })
    expect(run.received[2]).toEqual({ type: 'events.invalid', event: 'tracks_available', error: 'tracks_available: data is not JSON' })
    // Reported is processed: a replay resumes after it.
    expect(run.child.getSnapshot().context).toMatchObject({ invalidEvents: 2, lastEventId: '7' })
    run.parent.stop()
  })

  it('resumes after the last event processed and skips replays of what it already processed', async () => {
    const run = start()
    run.world.eventSources.latest().open()
    run.world.eventSources.latest().emit('meta_changed', { a: 1 }, 1)
    run.world.eventSources.latest().emit('meta_changed', { b: 2 }, 2)
    run.world.eventSources.latest().fail()
    await flush()
    run.world.clock.advance(reconnectDelayMs(0))
    const resumed = run.world.eventSources.latest()
    expect(resumed.url).toBe(`${FAKE_HUB_URL}/v1/rooms/room1/events/client1?lastEventId=2`)
    resumed.open()
    // The hub replays from an older point than asked: the overlap is skipped, the rest delivered once.
    resumed.emit('meta_changed', { b: 2 }, 2)
    resumed.emit('meta_changed', { c: 3 }, 3)
    expect(run.received.filter((e) => e.type === 'hub.metaChanged').map((e) => e.key)).toEqual(['a', 'b', 'c'])
    expect(run.child.getSnapshot().context).toMatchObject({ lastEventId: '3', duplicates: 1 })
    run.parent.stop()
  })

  it('learns the ping interval the hub announces, and takes twice that silence for dead', async () => {
    const run = start()
    const source = run.world.eventSources.latest()
    source.open()
    source.emit('ping', { interval_ms: 500 })
    expect(run.child.getSnapshot().context.pingIntervalMs).toBe(500)
    run.world.clock.advance(999)
    expect(run.value()).toEqual({ streaming: { open: 'listening' } })
    run.world.clock.advance(1)
    await flush()
    expect(run.value()).toBe('reconnecting')
    run.parent.stop()
  })

  it('takes a stream silent for twice the ping interval for dead, and a ping for alive', async () => {
    const run = start()
    const source = run.world.eventSources.latest()
    source.open()
    run.world.clock.advance(STREAM_SILENCE_MS - 1)
    source.emit('ping', {})
    run.world.clock.advance(STREAM_SILENCE_MS - 1)
    expect(run.value()).toEqual({ streaming: { open: 'listening' } })
    run.world.clock.advance(1)
    await flush()
    expect(source.closed).toBe(true)
    expect(run.value()).toBe('reconnecting')
    run.parent.stop()
  })

  it('reconnects with back-off on the clock while the hub still knows the client', async () => {
    const run = start()
    expect([0, 1, 2, 3, 4].map(reconnectDelayMs)).toEqual([500, 1000, 2000, 4000, 4000])
    for (const delay of [500, 1000, 2000, 4000]) {
      run.world.eventSources.latest().fail()
      expect(run.world.eventSources.latest().closed).toBe(true)
      await flush()
      expect(run.value()).toBe('reconnecting')
      expect(run.world.clock.scheduledDelays()).toEqual([delay])
      run.world.clock.advance(delay)
      expect(run.value()).toEqual({ streaming: 'connecting' })
    }
    expect(run.world.eventSources.all).toHaveLength(5)
    expect(run.world.eventSources.openCount).toBe(1)
    // Once open again the back-off starts over.
    run.world.eventSources.latest().open()
    run.world.eventSources.latest().fail()
    await flush()
    expect(run.world.clock.scheduledDelays()).toEqual([500])
    expect(run.received.filter((e) => e.type === 'events.reconnecting').map((e) => e.delayMs)).toEqual([500, 1000, 2000, 4000, 500])
    run.parent.stop()
    expect(run.world.clock.pendingTimers).toBe(0)
  })

  it('gives the stream up as lost after MAX_STREAM_RECONNECTS failed reconnects in a row', async () => {
    const run = start()
    for (let attempt = 0; attempt < MAX_STREAM_RECONNECTS; attempt++) {
      run.world.eventSources.latest().fail()
      await flush()
      run.world.clock.advance(reconnectDelayMs(attempt))
    }
    run.world.eventSources.latest().fail()
    await flush()
    expect(run.child.getSnapshot().status).toBe('done')
    expect(run.received.at(-1)).toEqual({ type: 'events.closed', reason: 'lost' })
    expect(run.world.clock.pendingTimers).toBe(0)
  })

  it('counts a client check the hub never answers as failed', async () => {
    const run = start()
    run.world.hub.calls.gate('hub.getClient')
    run.world.eventSources.latest().fail()
    run.world.clock.advance(CLIENT_CHECK_TIMEOUT_MS)
    await flush()
    expect(run.value()).toBe('reconnecting')
    run.parent.stop()
  })

  it('waits the back-off its `reconnectDelay` says, and reports that one (changeable with provide)', async () => {
    const run = start(eventsMachine.provide({ delays: { reconnectDelay: ({ context }) => 10 * (context.attempt + 1) } }))
    run.world.eventSources.latest().fail()
    await flush()
    expect(run.world.clock.scheduledDelays()).toEqual([10])
    expect(run.received.at(-1)).toEqual({ type: 'events.reconnecting', attempt: 1, delayMs: 10 })
    run.world.clock.advance(10)
    run.world.eventSources.latest().fail()
    await flush()
    expect(run.world.clock.scheduledDelays()).toEqual([20])
    expect(run.received.at(-1)).toEqual({ type: 'events.reconnecting', attempt: 2, delayMs: 20 })
    run.parent.stop()
  })

  it('closes for good when the hub no longer knows the client (404)', async () => {
    const run = start()
    run.world.hub.clients.delete('client1')
    run.world.eventSources.latest().open()
    run.world.eventSources.latest().fail()
    await flush()
    expect(run.child.getSnapshot().status).toBe('done')
    expect(run.received.at(-1)).toEqual({ type: 'events.closed', reason: 'client-gone' })
    expect(run.world.eventSources.openCount).toBe(0)
    expect(run.world.clock.pendingTimers).toBe(0)
  })

  it('retries when the client check itself fails (hub down)', async () => {
    const run = start()
    run.world.hub.next('getClient', { status: 503 })
    run.world.eventSources.latest().fail()
    await flush()
    expect(run.value()).toBe('reconnecting')
    run.parent.stop()
  })

  it('ends the session on `left` and closes the stream', () => {
    const run = start()
    run.world.eventSources.latest().open()
    run.world.eventSources.latest().emit('left', { reason: 'ended' })
    expect(run.received.slice(-2)).toEqual([{ type: 'hub.left', reason: 'ended' }, { type: 'events.closed', reason: 'left' }])
    expect(run.world.eventSources.openCount).toBe(0)
  })

  it('closes the EventSource when stopped in any state', async () => {
    const run = start()
    run.world.hub.calls.gate('hub.getClient')
    run.world.eventSources.latest().fail()
    expect(run.value()).toBe('checking')
    run.parent.stop()
    await flush()
    expect(run.world.eventSources.openCount).toBe(0)
    expect(run.world.hub.calls.pending).toEqual([])
  })
})
