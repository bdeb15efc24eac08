import { describe, expect, it } from 'vitest'
import { createHubClient } from '../hubClient.js'
import { FAKE_HUB_URL, createFakeWorld, flush } from '../test-support/index.js'
import { runAsChild } from '../test-support/harness.js'
import { eventsActors, eventsMachine, reconnectDelayMs } from './eventsMachine.js'

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
    expect(run.value()).toEqual({ streaming: 'open' })
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

  it('ignores and counts events that break the contract', () => {
    const run = start()
    const source = run.world.eventSources.latest()
    source.open()
    source.emit('offer', { type: 'answer', sdp: 'v=0' })
    source.emit('tracks_available', 'not json{')
    expect(run.received.map((e) => e.type)).toEqual(['events.open'])
    expect(run.child.getSnapshot().context.invalidEvents).toBe(2)
    run.parent.stop()
  })

  it('reconnects with back-off on the clock while the hub still knows the client', async () => {
    const run = start()
    expect([0, 1, 2, 3, 4].map(reconnectDelayMs)).toEqual([500, 1000, 2000, 4000, 4000])
    for (const delay of [500, 1000, 2000, 4000, 4000]) {
      run.world.eventSources.latest().fail()
      expect(run.world.eventSources.latest().closed).toBe(true)
      await flush()
      expect(run.value()).toBe('reconnecting')
      expect(run.world.clock.scheduledDelays()).toEqual([delay])
      run.world.clock.advance(delay)
      expect(run.value()).toEqual({ streaming: 'connecting' })
    }
    expect(run.world.eventSources.all).toHaveLength(6)
    expect(run.world.eventSources.openCount).toBe(1)
    // Once open again the back-off starts over.
    run.world.eventSources.latest().open()
    run.world.eventSources.latest().fail()
    await flush()
    expect(run.world.clock.scheduledDelays()).toEqual([500])
    expect(run.received.filter((e) => e.type === 'events.reconnecting').map((e) => e.delayMs)).toEqual([500, 1000, 2000, 4000, 4000, 500])
    run.parent.stop()
    expect(run.world.clock.pendingTimers).toBe(0)
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
