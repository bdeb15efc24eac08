import { describe, expect, it } from 'vitest'
import type { AnyMachineSnapshot } from 'xstate'
import { createHubClient } from '../hubClient.js'
import { MediaRegistry } from '../registry.js'
import { FAKE_HUB_URL, createFakeWorld, flush, type FakePeerConnection } from '../test-support/index.js'
import { runAsChild } from '../test-support/harness.js'
import { LOCK_RETRY_MS, negotiationActors, negotiationMachine } from './negotiationMachine.js'

const CANDIDATE = { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' }
const HUB_OFFER = 'v=0\r\no=hub 1 1 IN IP4 127.0.0.1\r\n'

function start(options: { maxIceRestarts?: number; beforeStart?: (world: ReturnType<typeof createFakeWorld>, pc: FakePeerConnection) => void } = {}) {
  const world = createFakeWorld()
  const hub = createHubClient({ baseUrl: FAKE_HUB_URL, fetch: world.hub.fetch })
  const media = new MediaRegistry()
  const pc = world.peers.factory({}) as FakePeerConnection
  media.setPeer(pc)
  options.beforeStart?.(world, pc)
  const machine = negotiationMachine.provide({ actors: negotiationActors({ hub, media }) })
  const run = runAsChild(machine, { roomId: 'room1', clientId: 'client1', maxIceRestarts: options.maxIceRestarts ?? 2 }, { clock: world.clock })
  const snapshot = () => run.child.getSnapshot() as AnyMachineSnapshot
  const routes = () => world.hub.log.map((r) => (r.route === 'negotiate' ? `negotiate:${(r.body as { type: string }).type}` : r.route))
  return { world, pc, ...run, snapshot, routes }
}

describe('negotiationMachine', () => {
  it('first negotiation: lock, offer, answer applied, stable', async () => {
    const run = start()
    await flush()
    expect(run.routes()).toEqual(['isAllowNegotiate', 'negotiate:offer'])
    expect(run.pc.localDescription?.type).toBe('offer')
    expect(run.pc.remoteDescription?.type).toBe('answer')
    expect(run.snapshot().matches({ signaling: 'stable' })).toBe(true)
    expect(run.received.map((e) => e.type)).toContain('negotiation.stable')
  })

  it('waits for allowed_renegotation when the hub says "not now"', async () => {
    const run = start({ beforeStart: (world) => void world.hub.next('isAllowNegotiate', { status: 403 }) })
    await flush()
    expect(run.snapshot().matches({ signaling: 'waitingForLock' })).toBe(true)
    expect(run.snapshot().hasTag('busy')).toBe(true)
    run.child.send({ type: 'hub.allowedRenegotiation' })
    await flush()
    expect(run.routes()).toEqual(['isAllowNegotiate', 'isAllowNegotiate', 'negotiate:offer'])
    expect(run.world.clock.pendingTimers).toBe(0)
  })

  it('retries the lock on a timer when allowed_renegotation never comes', async () => {
    const run = start({ beforeStart: (world) => void world.hub.next('isAllowNegotiate', { status: 409 }) })
    await flush()
    expect(run.world.clock.scheduledDelays()).toEqual([LOCK_RETRY_MS])
    run.world.clock.advance(LOCK_RETRY_MS)
    await flush()
    expect(run.routes()).toEqual(['isAllowNegotiate', 'isAllowNegotiate', 'negotiate:offer'])
  })

  it('answers a hub offer that arrives while the lock is requested, then retries its own offer', async () => {
    const run = start({ beforeStart: (world) => void world.hub.calls.gate('hub.isAllowNegotiate') })
    await flush()
    run.child.send({ type: 'hub.offer', sdp: HUB_OFFER })
    await flush()
    expect(run.world.hub.aborted).toBe(1) // the first lock request was abandoned
    run.world.hub.calls.ungate('hub.isAllowNegotiate')
    run.world.hub.calls.find('hub.isAllowNegotiate')!.resolve()
    await flush()
    expect(run.routes()).toEqual(['isAllowNegotiate', 'negotiate:answer', 'isAllowNegotiate', 'negotiate:offer'])
    expect(run.snapshot().matches({ signaling: 'stable', pending: 'idle' })).toBe(true)
  })

  it('holds a hub offer that arrives while it holds the lock and answers it right after', async () => {
    const run = start({ beforeStart: (world) => void world.hub.calls.gate('hub.negotiate') })
    await flush()
    expect(run.snapshot().matches({ signaling: { offering: 'sendingOffer' } })).toBe(true)
    run.child.send({ type: 'hub.offer', sdp: HUB_OFFER })
    expect(run.snapshot().matches({ hubOffer: 'held' })).toBe(true)
    run.world.hub.calls.ungate('hub.negotiate')
    run.world.hub.calls.find('hub.negotiate')!.resolve()
    await flush()
    expect(run.routes()).toEqual(['isAllowNegotiate', 'negotiate:offer', 'negotiate:answer'])
    expect(run.pc.remoteDescription).toEqual({ type: 'offer', sdp: HUB_OFFER })
    expect(run.snapshot().matches({ signaling: 'stable', hubOffer: 'none' })).toBe(true)
  })

  it('queues a change requested mid-negotiation as a state and serves it next', async () => {
    const run = start({ beforeStart: (world) => void world.hub.calls.gate('hub.negotiate') })
    await flush()
    run.child.send({ type: 'negotiation.change' })
    expect(run.snapshot().matches({ pending: 'changeQueued' })).toBe(true)
    run.world.hub.calls.ungate('hub.negotiate')
    run.world.hub.calls.find('hub.negotiate')!.resolve()
    await flush()
    expect(run.routes()).toEqual(['isAllowNegotiate', 'negotiate:offer', 'isAllowNegotiate', 'negotiate:offer'])
  })

  it('queues remote candidates until a remote description exists, then applies them', async () => {
    const run = start({ beforeStart: (world) => void world.hub.calls.gate('hub.isAllowNegotiate') })
    run.child.send({ type: 'hub.candidate', candidate: CANDIDATE })
    expect(run.snapshot().context.remoteCandidates).toEqual([CANDIDATE])
    expect(run.pc.addedCandidates).toEqual([])
    run.world.hub.calls.ungate('hub.isAllowNegotiate')
    run.world.hub.calls.find('hub.isAllowNegotiate')!.resolve()
    await flush()
    expect(run.pc.addedCandidates).toEqual([CANDIDATE])
    expect(run.snapshot().context.remoteCandidates).toEqual([])
    // Later candidates go straight in.
    run.child.send({ type: 'hub.candidate', candidate: { ...CANDIDATE, candidate: 'candidate:2' } })
    await flush()
    expect(run.pc.addedCandidates).toHaveLength(2)
  })

  it('POSTs local candidates to the candidate endpoint, skipping the end-of-candidates marker', async () => {
    const run = start()
    await flush()
    run.pc.emitIceCandidate(CANDIDATE)
    run.pc.emitIceCandidate({ candidate: '' })
    await flush()
    expect(run.world.hub.requests('candidate').map((r) => r.body)).toEqual([CANDIDATE])
  })

  it('restarts ICE through the lock when ICE fails, and gives up after the bounded retries', async () => {
    const run = start({ maxIceRestarts: 1 })
    await flush()
    run.pc.setIceConnectionState('failed')
    await flush()
    expect(run.pc.offers).toEqual([{ iceRestart: false }, { iceRestart: true }])
    expect(run.routes()).toEqual(['isAllowNegotiate', 'negotiate:offer', 'isAllowNegotiate', 'negotiate:offer'])
    expect(run.received.map((e) => e.type)).toContain('negotiation.reconnecting')
    run.pc.setIceConnectionState('failed')
    await flush()
    expect(run.snapshot().matches({ signaling: 'failed' })).toBe(true)
    expect(run.received.at(-1)).toMatchObject({ type: 'negotiation.failed', message: expect.stringMatching(/ICE failed/) })
  })

  it('counts restarts from zero again once ICE connects', async () => {
    const run = start({ maxIceRestarts: 1 })
    await flush()
    run.pc.setIceConnectionState('failed')
    await flush()
    run.pc.setIceConnectionState('connected')
    expect(run.received.map((e) => e.type)).toContain('negotiation.connected')
    run.pc.setIceConnectionState('failed')
    await flush()
    expect(run.pc.offers.filter((o) => o.iceRestart)).toHaveLength(2)
    expect(run.snapshot().matches({ signaling: 'stable' })).toBe(true)
  })

  it('says so when an offer cannot be created after the lock was granted (no PUT negotiate possible)', async () => {
    const run = start({ beforeStart: (_, pc) => pc.failNext('createOffer') })
    await flush()
    expect(run.routes()).toEqual(['isAllowNegotiate'])
    expect(run.snapshot().matches({ signaling: 'failed' })).toBe(true)
    expect(run.snapshot().context.error).toMatch(/createOffer with the lock held: createOffer failed/)
  })

  it('removes its listeners from the peer connection when stopped', async () => {
    const run = start()
    await flush()
    expect(run.pc.listenerCount).toBeGreaterThan(0)
    run.parent.stop()
    expect(run.pc.listenerCount).toBe(0)
  })
})
