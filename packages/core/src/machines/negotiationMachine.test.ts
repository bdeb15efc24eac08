import { describe, expect, it } from 'vitest'
import type { AnyActorRef, AnyMachineSnapshot } from 'xstate'
import { createHubClient } from '../hubClient.js'
import { LocalMedia } from '../localMedia.js'
import { PeerStats } from '../stats/peerStats.js'
import { ScreenMedia } from '../screenMedia.js'
import { RemoteStreams } from '../remoteStreams.js'
import { FAKE_HUB_URL, createFakeWorld, flush, type FakePeerConnection } from '../test-support/index.js'
import { runAsChild } from '../test-support/harness.js'
import { negotiationActors } from './negotiationActors.js'
import { ICE_RECHECK_MS, LOCK_RETRY_MS, negotiationMachine } from './negotiationMachine.js'
import { PreparedPeer } from '../preparedPeer.js'

const CANDIDATE = { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' }
const HUB_OFFER = 'v=0\r\no=hub 1 1 IN IP4 127.0.0.1\r\n'

function start(options: { maxIceRestarts?: number; configure?: (world: ReturnType<typeof createFakeWorld>) => void } = {}) {
  const world = createFakeWorld()
  options.configure?.(world)
  const hub = createHubClient({ baseUrl: FAKE_HUB_URL, fetch: world.hub.fetch })
  const remote = new RemoteStreams()
  const machine = negotiationMachine.provide({
    actors: negotiationActors({ hub, peerConnection: world.peers.factory, peerConfig: {}, local: new LocalMedia(), remote, stats: new PeerStats(), screen: new ScreenMedia(), prepared: new PreparedPeer() }),
  })
  const run = runAsChild(machine, { roomId: 'room1', clientId: 'client1', maxIceRestarts: options.maxIceRestarts ?? 2 }, { clock: world.clock })
  const snapshot = () => run.child.getSnapshot() as AnyMachineSnapshot
  const routes = () => world.hub.log.map((r) => (r.route === 'negotiate' ? `negotiate:${(r.body as { type: string }).type}` : r.route))
  /** The hub's candidates go straight to the peer session (events.ts: HUB_EVENT_RECIPIENTS). */
  const session = () => run.parent.system.get('peerSession') as AnyActorRef
  // Undefined only when the test made its creation fail.
  const pc = world.peers.all[0] as FakePeerConnection
  return { world, pc, remote, ...run, snapshot, routes, session }
}

/** The first negotiation done, then a local change: the machine is seeking the lock (as configured). */
async function startWithChange(options: Parameters<typeof start>[0] = {}) {
  const run = start()
  await flush()
  options.configure?.(run.world)
  run.child.send({ type: 'negotiation.change' })
  await flush()
  return run
}

describe('negotiationMachine', () => {
  it('first negotiation: offer with no lock (the hub cannot be offering yet), answer applied, stable', async () => {
    const run = start()
    await flush()
    expect(run.routes()).toEqual(['negotiate:offer'])
    expect(run.pc.localDescription?.type).toBe('offer')
    expect(run.pc.remoteDescription?.type).toBe('answer')
    expect(run.snapshot().matches({ signaling: { free: 'stable' } })).toBe(true)
    expect(run.received.map((e) => e.type)).toEqual([])
  })

  it('a later change seeks the lock first', async () => {
    const run = start()
    await flush()
    run.child.send({ type: 'negotiation.change' })
    await flush()
    expect(run.routes()).toEqual(['negotiate:offer', 'isAllowNegotiate', 'negotiate:offer'])
    expect(run.snapshot().matches({ signaling: { free: 'stable' } })).toBe(true)
  })

  it('waits for allowed_renegotation when the hub says "not now"', async () => {
    const run = await startWithChange({ configure: (world) => void world.hub.next('isAllowNegotiate', { status: 403 }) })
    expect(run.snapshot().matches({ signaling: { free: { seekingLock: 'waitingForLock' } } })).toBe(true)
    expect(run.snapshot().hasTag('busy')).toBe(true)
    run.child.send({ type: 'hub.allowedRenegotiation' })
    await flush()
    expect(run.routes()).toEqual(['negotiate:offer', 'isAllowNegotiate', 'isAllowNegotiate', 'negotiate:offer'])
    expect(run.world.clock.pendingTimers).toBe(0)
  })

  it('retries the lock on a timer when allowed_renegotation never comes', async () => {
    const run = await startWithChange({ configure: (world) => void world.hub.next('isAllowNegotiate', { status: 409 }) })
    expect(run.world.clock.scheduledDelays()).toEqual([LOCK_RETRY_MS])
    run.world.clock.advance(LOCK_RETRY_MS)
    await flush()
    expect(run.routes()).toEqual(['negotiate:offer', 'isAllowNegotiate', 'isAllowNegotiate', 'negotiate:offer'])
  })

  it("tells its parent `negotiation.answering` at a hub offer and `negotiation.answered` once the answer's PUT is on its way", async () => {
    const run = start()
    await flush()
    const told = () => run.received.map((e) => e.type).filter((type) => type.startsWith('negotiation.answer'))
    run.child.send({ type: 'hub.offer', sdp: HUB_OFFER })
    expect(told()).toEqual(['negotiation.answering'])
    expect(run.routes()).not.toContain('negotiate:answer')
    await flush()
    expect(told()).toEqual(['negotiation.answering', 'negotiation.answered'])
    expect(run.routes()).toContain('negotiate:answer')
    expect(run.snapshot().matches({ signaling: { free: 'stable' } })).toBe(true)
  })

  it('tells `negotiation.answered` one task after the PUT left, while the hub has not answered it yet', async () => {
    const run = start()
    await flush()
    run.world.hub.calls.gate('hub.negotiate')
    const told = () => run.received.map((e) => e.type).filter((type) => type === 'negotiation.answered')
    run.child.send({ type: 'hub.offer', sdp: HUB_OFFER })
    await flush()
    expect(run.routes()).toContain('negotiate:answer')
    expect(run.snapshot().matches({ signaling: { exchanging: { exchange: { answering: { sendingAnswer: 'leaving' } } } } })).toBe(true)
    expect(told()).toEqual([])
    run.world.clock.advance(0)
    expect(told()).toEqual(['negotiation.answered'])
    expect(run.snapshot().matches({ signaling: { exchanging: { exchange: { answering: { sendingAnswer: 'onItsWay' } } } } })).toBe(true)
    run.world.hub.calls.ungate('hub.negotiate')
    run.world.hub.calls.find('hub.negotiate')!.resolve()
    await flush()
    expect(told()).toEqual(['negotiation.answered'])
    expect(run.snapshot().matches({ signaling: { free: 'stable' } })).toBe(true)
  })

  it('answers a hub offer that arrives while the lock is requested, then retries its own offer', async () => {
    const run = await startWithChange({ configure: (world) => void world.hub.calls.gate('hub.isAllowNegotiate') })
    run.child.send({ type: 'hub.offer', sdp: HUB_OFFER })
    await flush()
    expect(run.world.hub.aborted).toBe(1) // the first lock request was abandoned
    run.world.hub.calls.ungate('hub.isAllowNegotiate')
    run.world.hub.calls.find('hub.isAllowNegotiate')!.resolve()
    await flush()
    expect(run.routes()).toEqual(['negotiate:offer', 'isAllowNegotiate', 'negotiate:answer', 'isAllowNegotiate', 'negotiate:offer'])
    expect(run.snapshot().matches({ signaling: { free: 'stable' } })).toBe(true)
  })

  it('holds a hub offer that arrives while its offer is in flight and answers it right after', async () => {
    const run = start({ configure: (world) => void world.hub.calls.gate('hub.negotiate') })
    await flush()
    expect(run.snapshot().matches({ signaling: { exchanging: { exchange: { offering: 'sendingOffer' } } } })).toBe(true)
    run.child.send({ type: 'hub.offer', sdp: HUB_OFFER })
    expect(run.snapshot().matches({ signaling: { exchanging: { heldOffer: 'held' } } })).toBe(true)
    run.world.hub.calls.ungate('hub.negotiate')
    run.world.hub.calls.find('hub.negotiate')!.resolve()
    await flush()
    expect(run.routes()).toEqual(['negotiate:offer', 'negotiate:answer'])
    expect(run.pc.remoteDescription).toEqual({ type: 'offer', sdp: HUB_OFFER })
    expect(run.snapshot().matches({ signaling: { free: 'stable' } })).toBe(true)
  })

  it('queues a change requested mid-negotiation as a state and serves it next', async () => {
    const run = start({ configure: (world) => void world.hub.calls.gate('hub.negotiate') })
    await flush()
    run.child.send({ type: 'negotiation.change' })
    expect(run.snapshot().matches({ signaling: { exchanging: { then: 'offer' } } })).toBe(true)
    run.world.hub.calls.ungate('hub.negotiate')
    run.world.hub.calls.find('hub.negotiate')!.resolve()
    await flush()
    expect(run.routes()).toEqual(['negotiate:offer', 'isAllowNegotiate', 'negotiate:offer'])
  })

  it('queues remote candidates until a remote description exists, then applies them', async () => {
    const run = start({ configure: (world) => void world.hub.calls.gate('hub.negotiate') })
    run.session().send({ type: 'hub.candidate', candidate: CANDIDATE })
    await flush()
    expect(run.pc.remoteDescription).toBeNull()
    expect(run.pc.addedCandidates).toEqual([])
    run.world.hub.calls.ungate('hub.negotiate')
    run.world.hub.calls.find('hub.negotiate')!.resolve()
    await flush()
    expect(run.pc.addedCandidates).toEqual([CANDIDATE])
    // Later candidates go straight in.
    run.session().send({ type: 'hub.candidate', candidate: { ...CANDIDATE, candidate: 'candidate:2' } })
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
    expect(run.routes()).toEqual(['negotiate:offer', 'isAllowNegotiate', 'negotiate:offer'])
    expect(run.received.map((e) => e.type)).toContain('negotiation.reconnecting')
    run.pc.setIceConnectionState('failed')
    await flush()
    expect(run.snapshot().matches({ signaling: 'failed' })).toBe(true)
    expect(run.received.at(-1)).toMatchObject({ type: 'negotiation.failed', message: expect.stringMatching(/ICE failed/) })
  })

  it('fails the negotiation at once, with no ICE restart, when DTLS fails on a working ICE path (the parent starts a new connection)', async () => {
    const run = start()
    await flush()
    run.pc.setIceConnectionState('connected')
    await flush()
    run.pc.setConnectionState('failed')
    await flush()
    expect(run.pc.offers).toEqual([{ iceRestart: false }])
    expect(run.snapshot().matches({ signaling: 'failed' })).toBe(true)
    expect(run.received.at(-1)).toMatchObject({ type: 'negotiation.failed', message: expect.stringMatching(/DTLS failed/) })
  })

  it('a connection still failed iceRecheck after the restart\'s answer (no new state reported) counts as a failed restart', async () => {
    const run = start({ maxIceRestarts: 2 })
    await flush()
    run.pc.setIceConnectionState('failed')
    await flush()
    expect(run.pc.offers).toEqual([{ iceRestart: false }, { iceRestart: true }])
    // Like Firefox: the answer is applied, the state stays `failed` and no event says so again.
    run.world.clock.advance(ICE_RECHECK_MS - 1)
    await flush()
    expect(run.pc.offers).toHaveLength(2)
    run.world.clock.advance(1)
    await flush()
    expect(run.pc.offers).toEqual([{ iceRestart: false }, { iceRestart: true }, { iceRestart: true }])
    run.world.clock.advance(ICE_RECHECK_MS)
    await flush()
    expect(run.snapshot().matches({ signaling: 'failed' })).toBe(true)
    expect(run.received.at(-1)).toMatchObject({ type: 'negotiation.failed', message: expect.stringMatching(/ICE failed/) })
    expect(run.world.clock.pendingTimers).toBe(0)
  })

  it('a connection checking again at the recheck is left to its restart timeout', async () => {
    const run = start({ maxIceRestarts: 2 })
    await flush()
    run.pc.setIceConnectionState('failed')
    await flush()
    run.pc.setIceConnectionState('checking')
    run.world.clock.advance(ICE_RECHECK_MS)
    await flush()
    expect(run.pc.offers).toHaveLength(2)
    expect(run.snapshot().matches({ ice: { restoring: 'restarting' } })).toBe(true)
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
    expect(run.snapshot().matches({ signaling: { free: 'stable' } })).toBe(true)
  })

  it('says so when the first offer cannot be created (nothing sent)', async () => {
    const run = start()
    run.pc.failNext('createOffer')
    await flush()
    expect(run.routes()).toEqual([])
    expect(run.snapshot().matches({ signaling: 'failed' })).toBe(true)
    expect(run.snapshot().context.error).toMatch(/createOffer: createOffer failed/)
  })

  it('says so when an offer cannot be created after the lock was granted (no PUT negotiate possible)', async () => {
    const run = start()
    await flush()
    run.pc.failNext('createOffer')
    run.child.send({ type: 'negotiation.change' })
    await flush()
    expect(run.routes()).toEqual(['negotiate:offer', 'isAllowNegotiate'])
    expect(run.snapshot().matches({ signaling: 'failed' })).toBe(true)
    expect(run.snapshot().context.error).toMatch(/createOffer: createOffer failed/)
  })

  it('removes its listeners from the peer connection when stopped', async () => {
    const run = start()
    await flush()
    expect(run.pc.listenerCount).toBeGreaterThan(0)
    run.parent.stop()
    expect(run.pc.listenerCount).toBe(0)
  })

  it('fails at once when the peer connection cannot be created', async () => {
    const run = start({ configure: (world) => world.peers.failNextCreation(new Error('RTCPeerConnection is not supported')) })
    await flush()
    expect(run.snapshot().matches({ signaling: 'failed' })).toBe(true)
    expect(run.received.at(-1)).toEqual({ type: 'negotiation.failed', message: 'RTCPeerConnection is not supported' })
  })

  it('sends our ICE candidates as they are gathered, before the hub has answered our first offer (the hub queues them)', async () => {
    const run = start({ configure: (world) => void world.hub.calls.gate('hub.negotiate') })
    await flush()
    run.pc.emitIceCandidate(CANDIDATE)
    await flush()
    expect(run.routes()).toEqual(['negotiate:offer', 'candidate'])
    run.world.hub.calls.ungate('hub.negotiate')
    run.world.hub.calls.find('hub.negotiate')!.resolve()
    await flush()
    expect(run.routes()).toEqual(['negotiate:offer', 'candidate'])
  })

  it('makes the offer it is seeking an ICE restart when ICE fails meanwhile', async () => {
    const run = await startWithChange({ configure: (world) => void world.hub.calls.gate('hub.isAllowNegotiate') })
    run.pc.setIceConnectionState('failed')
    run.world.hub.calls.ungate('hub.isAllowNegotiate')
    run.world.hub.calls.find('hub.isAllowNegotiate')!.resolve()
    await flush()
    expect(run.pc.offers).toEqual([{ iceRestart: false }, { iceRestart: true }])
    expect(run.received.map((e) => e.type)).toContain('negotiation.reconnecting')
  })

  it('answers a hub offer held during its own offer, then serves the change queued meanwhile', async () => {
    const run = start({ configure: (world) => void world.hub.calls.gate('hub.negotiate') })
    await flush()
    run.child.send({ type: 'hub.offer', sdp: HUB_OFFER })
    run.child.send({ type: 'negotiation.change' })
    run.world.hub.calls.ungate('hub.negotiate')
    run.world.hub.calls.find('hub.negotiate')!.resolve()
    await flush()
    expect(run.routes()).toEqual(['negotiate:offer', 'negotiate:answer', 'isAllowNegotiate', 'negotiate:offer'])
    expect(run.snapshot().matches({ signaling: { free: 'stable' } })).toBe(true)
  })

  it('gives up on ICE only once the exchange in flight is done', async () => {
    const run = start({ maxIceRestarts: 0, configure: (world) => void world.hub.calls.gate('hub.negotiate') })
    await flush()
    run.pc.setIceConnectionState('failed')
    expect(run.snapshot().matches({ signaling: { exchanging: { then: 'giveUp' } } })).toBe(true)
    run.world.hub.calls.ungate('hub.negotiate')
    run.world.hub.calls.find('hub.negotiate')!.resolve()
    await flush()
    expect(run.snapshot().matches({ signaling: 'failed' })).toBe(true)
    expect(run.snapshot().context.error).toBe('ICE failed')
  })
})
