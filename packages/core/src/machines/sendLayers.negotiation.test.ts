// The camera's layers with the REAL negotiation, peer session and send-layers machine (over a fake peer
// connection and fake hub). Chromium sets every simulcast encoding's `active` from the remote
// `a=simulcast` on each negotiation, so the hub's next offer would turn on again the layers the
// send-layers rule stopped: the peer session tells the machine (`peer.negotiated`) and, while it holds
// them off, its `lowerLayersOff` actor turns them off again; a hub offer that pauses them (`~mid`, written
// before our restart reached the hub) is undone the same way once every layer is to send again.
import { describe, expect, it } from 'vitest'
import type { AnyActorRef } from 'xstate'
import { CameraSender } from '../sendResolution.js'
import { createHubClient } from '../hubClient.js'
import { DataChannels } from '../dataChannels.js'
import { LocalMedia } from '../localMedia.js'
import { CAMERA_LAYERS } from '../peerSession.js'
import { PreparedPeer } from '../preparedPeer.js'
import { RemoteStreams } from '../remoteStreams.js'
import { ScreenMedia } from '../screenMedia.js'
import { LAYER_SAMPLE_MS } from '../sendLayers.js'
import type { StatLike } from '../stats/report.js'
import { PeerStats } from '../stats/peerStats.js'
import { runAsChild } from '../test-support/harness.js'
import { FAKE_HUB_URL, FakeMediaStream, FakeMediaStreamTrack, createFakeWorld, flush, type FakePeerConnection } from '../test-support/index.js'
import { negotiationActors } from './negotiationActors.js'
import { negotiationMachine } from './negotiationMachine.js'
import { resolutionHoldActors } from './resolutionHoldActors.js'
import { resolutionHoldMachine } from './resolutionHoldMachine.js'
import { sendLayersActors } from './sendLayersActors.js'
import { sendLayersMachine } from './sendLayersMachine.js'

const HUB_OFFER = 'v=0\r\no=hub 2 2 IN IP4 127.0.0.1\r\ns=hub\r\n'

/** Chromium's report of a camera whose estimate carries its layers (neither short nor roomy). */
const FINE: StatLike[] = [
  { type: 'candidate-pair', id: 'p', nominated: true, state: 'succeeded', availableOutgoingBitrate: 450_000 },
  { type: 'outbound-rtp', id: 'h', kind: 'video', rid: 'high', framesPerSecond: 25 },
  { type: 'outbound-rtp', id: 'm', kind: 'video', rid: 'mid', framesPerSecond: 25 },
  { type: 'outbound-rtp', id: 'l', kind: 'video', rid: 'low' },
]

/** Chromium's report of a camera whose estimate cannot carry its layers (sendLayers.ts `isShort`). */
const SHORT: StatLike[] = [
  { type: 'candidate-pair', id: 'p', nominated: true, state: 'succeeded', availableOutgoingBitrate: 200_000 },
  { type: 'outbound-rtp', id: 'h', kind: 'video', rid: 'high', qualityLimitationReason: 'bandwidth', framesPerSecond: 6 },
  { type: 'outbound-rtp', id: 'm', kind: 'video', rid: 'mid', framesPerSecond: 20 },
  { type: 'outbound-rtp', id: 'l', kind: 'video', rid: 'low' },
]

function start(report = SHORT) {
  const world = createFakeWorld()
  world.peers.statsReport = () => report
  const hub = createHubClient({ baseUrl: FAKE_HUB_URL, fetch: world.hub.fetch })
  const camera = new CameraSender()
  const local = new LocalMedia()
  local.set(new FakeMediaStream([new FakeMediaStreamTrack('audio'), new FakeMediaStreamTrack('video')]))
  const stats = new PeerStats()
  const deps = { hub, peerConnection: world.peers.factory, peerConfig: {}, local, remote: new RemoteStreams(), stats, screen: new ScreenMedia(), prepared: new PreparedPeer() }
  const machine = negotiationMachine.provide({
    actors: {
      ...negotiationActors({ ...deps, camera, shape: { cameraLayers: CAMERA_LAYERS } }),
      resolutionHold: resolutionHoldMachine.provide({ actors: resolutionHoldActors({ camera }) }),
      sendLayers: sendLayersMachine.provide({ actors: sendLayersActors({ camera, peerStats: stats, rids: CAMERA_LAYERS.map(({ rid }) => rid!), channels: new DataChannels() }) }),
    },
  })
  const run = runAsChild(machine, { roomId: 'room1', clientId: 'client1' }, { clock: world.clock })
  const pc = world.peers.all[0] as FakePeerConnection
  const video = pc.transceivers.find((t) => t.sender.track?.kind === 'video')!.sender as unknown as { parameters: { encodings: { rid: string; active: boolean }[] } }
  // What Chromium does on applying a description: each rid of its a=simulcast active unless paused (`~rid`).
  let described = [true, true, true]
  const setRemoteDescription = pc.setRemoteDescription.bind(pc)
  pc.setRemoteDescription = async (description) => {
    await setRemoteDescription(description)
    video.parameters = { ...video.parameters, encodings: video.parameters.encodings.map((encoding, index) => ({ ...encoding, active: described[index]! })) }
  }
  const layers = () => (run.parent.system.get('sendLayers') as AnyActorRef | undefined)?.getSnapshot().value.layers as unknown
  return {
    ...run,
    world,
    layers,
    actives: () => video.parameters.encodings.map(({ rid, active }) => `${rid}:${String(active)}`),
    /** Samples every LAYER_SAMPLE_MS until the rule stops the lower layers (bounded). */
    async sampleUntil(state: unknown) {
      for (let i = 0; i < 40 && JSON.stringify(layers()) !== JSON.stringify(state); i++) {
        world.clock.advance(LAYER_SAMPLE_MS)
        await flush()
      }
      expect(layers()).toEqual(state)
    },
    /** The hub's offer, whose a=simulcast leaves active the rids given true. */
    async hubOffer(actives = [true, true, true]) {
      described = actives
      run.child.send({ type: 'hub.offer', sdp: HUB_OFFER })
      await flush()
      expect(world.hub.requests('negotiate').some((request) => (request.body as { type: string }).type === 'answer')).toBe(true)
    },
  }
}

describe('the camera’s layers through a renegotiation', () => {
  it("keeps the lower layers the rule stopped off through the hub's next offer, which turns every rid back on in Chromium", async () => {
    const run = start()
    await flush()
    await run.sampleUntil({ topLayerOnly: 'holding' })
    expect(run.actives()).toEqual(['high:true', 'mid:false', 'low:false'])
    await run.hubOffer()
    expect(run.actives()).toEqual(['high:true', 'mid:false', 'low:false'])
    run.parent.stop()
  })

  it("turns on again the layers a hub offer paused while every layer is to send (an offer written before the hub heard they are back)", async () => {
    const run = start(FINE)
    await flush()
    await run.sampleUntil({ allLayers: 'settled' })
    await run.hubOffer([true, false, false])
    expect(run.actives()).toEqual(['high:true', 'mid:true', 'low:true'])
    run.parent.stop()
  })

  it('leaves the layers as the description set them while the rule has not started', async () => {
    const run = start()
    await flush()
    expect(run.layers()).toBe('starting')
    await run.hubOffer()
    expect(run.actives()).toEqual(['high:true', 'mid:true', 'low:true'])
    run.parent.stop()
  })
})
