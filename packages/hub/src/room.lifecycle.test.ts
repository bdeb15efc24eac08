// One room over the fake plane: its life and its clients' (the empty-room timer, connect and event-stream
// deadlines, a failed peer's grace, lifecycle events, timers released). Shared setup: test-support/roomTests.ts.
import { pathFor } from '@parley/protocol'
import { describe, expect, it, vi } from 'vitest'
import { connectClient, createTestHub, settle, type TestHub } from './test-support/harness.js'
import { roomTests } from './test-support/roomTests.js'

let hub: TestHub
const { clientStatus, roomStatus, roomWith } = roomTests(() => hub, (made) => (hub = made))

describe('lifecycle', () => {
  it('removes an empty room after empty_room_timeout_ns counted from creation', async () => {
    hub = createTestHub()
    await hub.request('POST', pathFor('createRoom', {}), { id: 'r1', options: { empty_room_timeout_ns: 2_000_000_000 } })
    await vi.advanceTimersByTimeAsync(1_999)
    expect(await roomStatus('r1')).toBe(200)
    await vi.advanceTimersByTimeAsync(1)
    expect(await roomStatus('r1')).toBe(404)
  })

  it('cancels the empty-room timer on the first connected client and restarts it when the last leaves', async () => {
    hub = createTestHub()
    await hub.request('POST', pathFor('createRoom', {}), { id: 'r1', options: { empty_room_timeout_ns: 2_000_000_000 } })
    await hub.request('POST', pathFor('register', { roomId: 'r1' }), { uid: 'a' })
    await connectClient(hub, 'r1', 'a')
    await vi.advanceTimersByTimeAsync(10_000)
    expect(await roomStatus('r1')).toBe(200)
    await hub.request('DELETE', pathFor('leave', { roomId: 'r1', clientId: 'a' }))
    await vi.advanceTimersByTimeAsync(1_999)
    expect(await roomStatus('r1')).toBe(200)
    await vi.advanceTimersByTimeAsync(1)
    expect(await roomStatus('r1')).toBe(404)
  })

  it('caps a huge empty_room_timeout_ns instead of letting the timer fire at once', async () => {
    hub = createTestHub()
    await hub.request('POST', pathFor('createRoom', {}), { id: 'r1', options: { empty_room_timeout_ns: 9_000_000_000_000_000 } })
    await vi.advanceTimersByTimeAsync(24 * 24 * 3600 * 1000)
    expect(await roomStatus('r1')).toBe(200)
  })

  it('defaults the empty-room timeout to 5 minutes', async () => {
    hub = createTestHub({ timings: { connectTimeoutMs: 10 * 60_000 } })
    await hub.setupRoom('r1')
    await vi.advanceTimersByTimeAsync(5 * 60_000 - 1)
    expect(await roomStatus('r1')).toBe(200)
    await vi.advanceTimersByTimeAsync(1)
    expect(await roomStatus('r1')).toBe(404)
  })

  it('drops a registered client whose peer never connects', async () => {
    hub = createTestHub({ timings: { connectTimeoutMs: 60_000 } })
    await hub.setupRoom('r1', 'a', 'b')
    await connectClient(hub, 'r1', 'b')
    const a = await hub.events('r1', 'a')
    await vi.advanceTimersByTimeAsync(59_999)
    expect(await clientStatus('r1', 'a')).toBe(200)
    await vi.advanceTimersByTimeAsync(1)
    await a.waitForEnd()
    expect(a.events.at(-1)).toMatchObject({ event: 'left', data: '{"reason":"timeout"}' })
    expect(await clientStatus('r1', 'a')).toBe(404)
    expect(await clientStatus('r1', 'b')).toBe(200)
    expect(hub.plane.peer('a').closed).toBe(true)
  })

  it('removes a client whose event stream does not come back within the grace, keeps one that does', async () => {
    await roomWith(['a', 'b', 'c'], [], { timings: { reconnectGraceMs: 10_000 } })
    const a = await hub.events('r1', 'a')
    const b = await hub.events('r1', 'b')
    const cam = await hub.plane.peer('a').publish('cam')
    await Promise.all([a.cancel(), b.cancel()])
    await settle()
    await vi.advanceTimersByTimeAsync(9_000)
    const back = await hub.events('r1', 'b')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(await clientStatus('r1', 'a')).toBe(404)
    expect(hub.plane.peer('c').unsubscribeCalls).toEqual([cam.trackId])
    // Well past the grace (and short of the 30 s answer timeout of the offer b got for `cam`).
    await vi.advanceTimersByTimeAsync(15_000)
    expect(await clientStatus('r1', 'b')).toBe(200)
    await back.cancel()
  })

  describe('a failed peer connection', () => {
    /** a publishes `cam` to b; both connected, a's event stream open. */
    async function publishingPair(failedGraceMs = 5_000) {
      await roomWith(['a', 'b'], [], { timings: { failedGraceMs } })
      const a = await hub.events('r1', 'a')
      await hub.plane.peer('a').publish('cam')
      return a
    }

    it('keeps the client and its tracks during the grace, then removes it and stops its tracks for everyone', async () => {
      const a = await publishingPair()
      await hub.plane.peer('a').setConnectionState('failed')
      await vi.advanceTimersByTimeAsync(4_999)
      expect(await clientStatus('r1', 'a')).toBe(200)
      expect([...hub.plane.peer('b').subscribed.keys()]).toEqual(['cam'])
      expect(hub.plane.peer('a').closed).toBe(false)
      await vi.advanceTimersByTimeAsync(1)
      await a.waitForEnd()
      expect(a.events.at(-1)).toMatchObject({ event: 'left', data: '{"reason":"removed"}' })
      expect(hub.plane.peer('b').subscribed.size).toBe(0)
      expect(hub.plane.peer('a').closed).toBe(true)
      expect(await clientStatus('r1', 'a')).toBe(404)
    })

    it('accepts the client\'s ICE-restart offer during the grace and keeps it once the peer connects again', async () => {
      const a = await publishingPair()
      await hub.plane.peer('a').setConnectionState('failed')
      await vi.advanceTimersByTimeAsync(2_000)
      const allowed = await hub.request('POST', pathFor('isAllowNegotiate', { roomId: 'r1', clientId: 'a' }))
      expect(allowed.status).toBe(200)
      const restart = await hub.request('PUT', pathFor('negotiate', { roomId: 'r1', clientId: 'a' }), { type: 'offer', sdp: 'v=0\r\n' })
      expect(restart.status).toBe(200)
      await hub.plane.peer('a').setConnectionState('connecting')
      await hub.plane.peer('a').setConnectionState('connected')
      // Well past the grace, short of the answer timeout of the offer b got for `cam`.
      await vi.advanceTimersByTimeAsync(20_000)
      expect(await clientStatus('r1', 'a')).toBe(200)
      expect(await clientStatus('r1', 'b')).toBe(200)
      expect([...hub.plane.peer('b').subscribed.keys()]).toEqual(['cam'])
      expect(a.named('left')).toHaveLength(0)
      // A later failure gets a fresh grace of its own.
      await hub.plane.peer('a').setConnectionState('failed')
      await vi.advanceTimersByTimeAsync(4_999)
      expect(await clientStatus('r1', 'a')).toBe(200)
      await vi.advanceTimersByTimeAsync(1)
      expect(await clientStatus('r1', 'a')).toBe(404)
    })

    it('removes the client when a restart only gets as far as connecting', async () => {
      await publishingPair(1_000)
      await hub.plane.peer('a').setConnectionState('failed')
      await vi.advanceTimersByTimeAsync(500)
      await hub.plane.peer('a').setConnectionState('connecting')
      await vi.advanceTimersByTimeAsync(500)
      expect(await clientStatus('r1', 'a')).toBe(404)
      expect(hub.plane.peer('b').subscribed.size).toBe(0)
    })

    it('gives a peer that fails before it ever connected the grace too, and routes it once it connects', async () => {
      await roomWith(['a'], ['b', 'c'], { timings: { failedGraceMs: 5_000 } })
      await hub.plane.peer('a').publish('cam')
      await hub.request('PUT', pathFor('negotiate', { roomId: 'r1', clientId: 'b' }), { type: 'offer', sdp: 'v=0\r\n' })
      await hub.plane.peer('b').setConnectionState('failed')
      await hub.plane.peer('c').setConnectionState('failed')
      await vi.advanceTimersByTimeAsync(4_000)
      expect(hub.plane.peer('b').subscribed.size).toBe(0) // not present yet
      await hub.plane.peer('b').setConnectionState('connected')
      expect([...hub.plane.peer('b').subscribed.keys()]).toEqual(['cam'])
      await vi.advanceTimersByTimeAsync(1_000)
      expect(await clientStatus('r1', 'b')).toBe(200)
      expect(await clientStatus('r1', 'c')).toBe(404)
    })

    it('removes nobody for disconnected alone, and at once for closed', async () => {
      const a = await publishingPair()
      await hub.plane.peer('a').setConnectionState('disconnected')
      await vi.advanceTimersByTimeAsync(20_000)
      expect(await clientStatus('r1', 'a')).toBe(200)
      expect(await clientStatus('r1', 'b')).toBe(200)
      await hub.plane.peer('a').setConnectionState('closed')
      await a.waitForEnd()
      expect(a.events.at(-1)).toMatchObject({ event: 'left', data: '{"reason":"removed"}' })
      expect(hub.plane.peer('b').subscribed.size).toBe(0)
    })
  })

  it('records lifecycle events on get client', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a')
    const a = await hub.events('r1', 'a')
    await connectClient(hub, 'r1', 'a')
    const client = (await hub.request('GET', pathFor('getClient', { roomId: 'r1', clientId: 'a' }))).body.data as {
      peer_connection_state: string
      ice_peer_connection_state: string
      events: Record<string, { name: string; timestamp: number; data: Record<string, string | null> }>
    }
    expect(client.peer_connection_state).toBe('connected')
    expect(client.ice_peer_connection_state).toBe('connected')
    expect(Object.keys(client.events).sort()).toEqual(['events_connected', 'peer_connection_state', 'registered'])
    expect(client.events.peer_connection_state!.data).toEqual({ state: 'connected' })
    await a.cancel()
  })

  it('releases every timer when the hub closes', async () => {
    await roomWith(['a'], ['b'])
    const a = await hub.events('r1', 'a')
    await hub.plane.peer('a').publish('cam')
    expect(vi.getTimerCount()).toBeGreaterThan(0)
    await hub.close()
    await a.waitForEnd()
    expect(vi.getTimerCount()).toBe(0)
    expect(hub.plane.closed).toBe(true)
  })
})
