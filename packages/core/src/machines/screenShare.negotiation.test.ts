// The screen share with the REAL negotiation and peer session (over a fake peer connection and fake
// hub): sharing adds exactly one renegotiation, serialised by the negotiation statechart even when the
// hub is mid-offer or our own offer is in flight; stopping (our button or the track's `ended`) removes
// the transceivers' tracks and renegotiates once more. The hub's protocol holds throughout.
import { describe, expect, it } from 'vitest'
import { createActor, setup, type AnyMachineSnapshot } from 'xstate'
import { createHubClient } from '../hubClient.js'
import { LocalMedia } from '../localMedia.js'
import { RemoteStreams } from '../remoteStreams.js'
import { ScreenMedia } from '../screenMedia.js'
import { PeerStats } from '../stats/peerStats.js'
import { hubProtocolViolations } from '../test-support/hubProtocol.js'
import { FAKE_HUB_URL, FakeMediaDevices, createFakeWorld, flush, type FakeMediaStreamTrack, type FakePeerConnection } from '../test-support/index.js'
import { negotiationActors } from './negotiationActors.js'
import { negotiationMachine } from './negotiationMachine.js'
import { screenShareActors } from './screenShareActors.js'
import { screenShareMachine } from './screenShareMachine.js'
import { PreparedPeer } from '../preparedPeer.js'

const HUB_OFFER = 'v=0\r\no=hub 1 1 IN IP4 127.0.0.1\r\ns=hub\r\n'

function startRun(gate: { hub?: string[]; peers?: string[] } = {}) {
  const world = createFakeWorld()
  world.hub.calls.gate(...(gate.hub ?? []))
  world.peers.calls.gate(...(gate.peers ?? []))
  const hub = createHubClient({ baseUrl: FAKE_HUB_URL, fetch: world.hub.fetch })
  const devices = new FakeMediaDevices()
  const screen = new ScreenMedia()
  const negotiation = negotiationMachine.provide({
    actors: negotiationActors({ hub, peerConnection: world.peers.factory, peerConfig: {}, local: new LocalMedia(), remote: new RemoteStreams(), stats: new PeerStats(), screen, prepared: new PreparedPeer() }),
  })
  const share = screenShareMachine.provide({ actors: screenShareActors({ devices, screen }) })
  const parentMachine = setup({ actors: { negotiation, screenShare: share } }).createMachine({
    invoke: [
      { id: 'negotiation', systemId: 'negotiation', src: 'negotiation', input: { roomId: 'room1', clientId: 'client1' } },
      { id: 'screenShare', systemId: 'screenShare', src: 'screenShare' },
    ],
  })
  const parent = createActor(parentMachine, { clock: world.clock }).start()
  const negotiationActor = parent.getSnapshot().children.negotiation!
  const shareActor = parent.getSnapshot().children.screenShare!
  const hubOffersAt: number[] = []
  return {
    world,
    devices,
    screen,
    parent,
    pc: () => world.peers.latest() as FakePeerConnection,
    signaling: () => (negotiationActor.getSnapshot() as AnyMachineSnapshot).value as { signaling: unknown },
    shareState: () => (shareActor.getSnapshot() as AnyMachineSnapshot).value,
    share: () => shareActor.send({ type: 'user.startScreenShare' }),
    stop: () => shareActor.send({ type: 'user.stopScreenShare' }),
    hubOffer: () => {
      hubOffersAt.push(world.hub.log.length)
      negotiationActor.send({ type: 'hub.offer', sdp: HUB_OFFER })
    },
    offers: () => world.hub.requests('negotiate').filter((r) => (r.body as { type: string }).type === 'offer').length,
    isStable: () => (negotiationActor.getSnapshot() as AnyMachineSnapshot).matches({ signaling: { free: 'stable' } }),
    hubOffersAt,
  }
}

type Run = ReturnType<typeof startRun>

/** Lets every held call through until the negotiation rests. */
async function drain(run: Run) {
  run.world.hub.calls.ungate('*', 'hub.negotiate', 'hub.isAllowNegotiate')
  run.world.peers.calls.ungate('*', 'pc.setRemoteDescription', 'pc.createOffer')
  for (let i = 0; i < 100; i++) {
    await flush(1)
    const held = run.world.hub.calls.find() ?? run.world.peers.calls.find()
    if (held) held.resolve()
    else if (run.isStable() && run.shareState() !== 'requesting' && run.shareState() !== 'stopping') return
  }
  throw new Error(`did not come to rest: ${JSON.stringify(run.signaling())}`)
}

function expectProtocol(run: Run) {
  expect(hubProtocolViolations({ log: run.world.hub.log, hubOffersAt: run.hubOffersAt, settled: true })).toEqual([])
}

const screenTransceivers = (run: Run) => run.pc().transceivers.filter((t) => t.sender.track && run.devices.screens.some((s) => s.getTracks().includes(t.sender.track as FakeMediaStreamTrack)))

describe('screen share × negotiation', () => {
  it('from stable: sharing adds exactly one offer with the screen as send-only tracks; stopping removes them with one more', async () => {
    const run = startRun()
    await drain(run)
    expect(run.offers()).toBe(1)
    run.share()
    await drain(run)
    expect(run.shareState()).toBe('sharing')
    expect(run.offers()).toBe(2)
    const published = screenTransceivers(run)
    expect(published.map((t) => [t.sender.track?.kind, t.direction])).toEqual([
      ['video', 'sendonly'],
      ['audio', 'sendonly'],
    ])
    run.stop()
    await drain(run)
    expect(run.shareState()).toBe('idle')
    expect(run.offers()).toBe(3)
    expect(published.map((t) => [t.sender.track, t.direction])).toEqual([
      [null, 'inactive'],
      [null, 'inactive'],
    ])
    expect(run.devices.liveScreenTrackCount).toBe(0)
    expectProtocol(run)
    run.parent.stop()
  })

  it("the browser's Stop sharing (the track's ended) unpublishes exactly like the button", async () => {
    const run = startRun()
    await drain(run)
    run.share()
    await drain(run)
    const published = screenTransceivers(run)
    ;(run.screen.tracks.find((t) => t.kind === 'video') as FakeMediaStreamTrack).end()
    await drain(run)
    expect(run.shareState()).toBe('idle')
    expect(run.offers()).toBe(3)
    expect(published.every((t) => t.sender.track === null && t.direction === 'inactive')).toBe(true)
    expect(run.devices.liveScreenTrackCount).toBe(0)
    expectProtocol(run)
    run.parent.stop()
  })

  it('while the hub is mid-offer: the answer goes first, then exactly one offer of ours', async () => {
    const run = startRun()
    await drain(run)
    run.world.peers.calls.gate('pc.setRemoteDescription')
    run.hubOffer()
    await flush(2)
    expect(JSON.stringify(run.signaling())).toContain('answering')
    run.share()
    await flush(3)
    // The share waits for the exchange in flight.
    expect(JSON.stringify(run.signaling())).toContain('"then":"offer"')
    expect(run.offers()).toBe(1)
    await drain(run)
    expect(run.offers()).toBe(2)
    const log = run.world.hub.log.filter((r) => r.route === 'negotiate').map((r) => (r.body as { type: string }).type)
    expect(log).toEqual(['offer', 'answer', 'offer'])
    expect(screenTransceivers(run)).toHaveLength(2)
    expectProtocol(run)
    run.parent.stop()
  })

  it('while our own offer is in flight: the share rides one more offer after the answer, not a second one at once', async () => {
    const run = startRun({ hub: ['hub.negotiate'] })
    for (let i = 0; i < 20 && !run.world.hub.calls.find('hub.negotiate'); i++) await flush(1)
    expect(JSON.stringify(run.signaling())).toContain('sendingOffer')
    run.share()
    await flush(3)
    expect(JSON.stringify(run.signaling())).toContain('"then":"offer"')
    await drain(run)
    expect(run.offers()).toBe(2)
    expect(screenTransceivers(run)).toHaveLength(2)
    expectProtocol(run)
    run.parent.stop()
  })

  it('a second share while sharing is not possible: one share per participant', async () => {
    const run = startRun()
    await drain(run)
    run.share()
    await drain(run)
    run.share()
    await drain(run)
    expect(run.devices.screens).toHaveLength(1)
    expect(run.offers()).toBe(2)
    run.parent.stop()
    await flush(1)
    expect(run.devices.liveScreenTrackCount).toBe(0)
  })
})
