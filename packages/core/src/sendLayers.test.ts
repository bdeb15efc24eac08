import { describe, expect, it } from 'vitest'
import type { AnyActorRef } from 'xstate'
import { createHubClient } from './hubClient.js'
import { DataChannels } from './dataChannels.js'
import { LocalMedia } from './localMedia.js'
import { CAMERA_LAYERS } from './peerSession.js'
import { PreparedPeer } from './preparedPeer.js'
import { RemoteStreams } from './remoteStreams.js'
import { ScreenMedia } from './screenMedia.js'
import { CameraSender } from './sendResolution.js'
import type { PeerConnectionFactory } from './ports.js'
import { LAYER_SAMPLE_MS, LOWER_LAYERS_BPS, ROOMY_BPS, SHORT_BPS, SHORT_SAMPLES, isDropped, isRoomy, isShort, isUnknown, layerFigures } from './sendLayers.js'
import { PeerStats } from './stats/peerStats.js'
import { sampleFieldsOf, type StatLike } from './stats/report.js'
import { negotiationActors } from './machines/negotiationActors.js'
import { negotiationMachine } from './machines/negotiationMachine.js'
import { resolutionHoldActors } from './machines/resolutionHoldActors.js'
import { resolutionHoldMachine } from './machines/resolutionHoldMachine.js'
import { sendLayersActors } from './machines/sendLayersActors.js'
import { sendLayersMachine } from './machines/sendLayersMachine.js'
import { runAsChild } from './test-support/harness.js'
import { FAKE_HUB_URL, FakeMediaStream, FakeMediaStreamTrack, createFakeWorld, flush, type FakePeerConnection } from './test-support/index.js'

/** What Chromium 156 reported through the impairing relay (web faults-impaired.spec), cut down: two pairs, our camera's rids, a screen share without one. */
const CHROMIUM: StatLike[] = [
  { type: 'candidate-pair', id: 'old', nominated: false, state: 'succeeded', availableOutgoingBitrate: 2_000_000 },
  { type: 'candidate-pair', id: 'used', nominated: true, state: 'succeeded', availableOutgoingBitrate: 225_164, currentRoundTripTime: 0.2 },
  { type: 'outbound-rtp', id: 'a', kind: 'audio', packetsSent: 900 },
  { type: 'outbound-rtp', id: 'h', kind: 'video', rid: 'high', framesPerSecond: 5, frameWidth: 640, qualityLimitationReason: 'bandwidth', targetBitrate: 51_000 },
  { type: 'outbound-rtp', id: 'm', kind: 'video', rid: 'mid', framesPerSecond: 20, frameWidth: 320, qualityLimitationReason: 'bandwidth', targetBitrate: 144_000 },
  { type: 'outbound-rtp', id: 'l', kind: 'video', rid: 'low', qualityLimitationReason: 'bandwidth' },
  { type: 'outbound-rtp', id: 's', kind: 'video', framesPerSecond: 30 },
]

describe('the send layers’ figures and rule', () => {
  it('reads the nominated pair’s estimate and the frame rates by rid, from the whole report and from what a trace keeps alike', () => {
    const figures = { availableBps: 225_164, topFps: 5, topLimit: 'bandwidth', lowerFps: 20, topTargetBps: 51_000, lowerTargetBps: 144_000 }
    expect(layerFigures(CHROMIUM, 'high')).toEqual(figures)
    expect(layerFigures(sampleFieldsOf(CHROMIUM), 'high')).toEqual(figures)
    expect(layerFigures([], 'high')).toEqual({})
  })

  it('short: the estimate under SHORT_BPS, or the top layer under half the frame rate below it for bandwidth (stopped included, once that is 5 fps or more)', () => {
    const bandwidth = 'bandwidth'
    expect(isShort({ availableBps: SHORT_BPS - 1 })).toBe(true)
    expect(isShort({ availableBps: SHORT_BPS, topFps: 10, topLimit: bandwidth, lowerFps: 19 })).toBe(false)
    expect(isShort({ availableBps: SHORT_BPS, topFps: 9, topLimit: bandwidth, lowerFps: 19 })).toBe(true)
    expect(isShort({ topLimit: bandwidth, lowerFps: 5 })).toBe(true)
    expect(isShort({ topLimit: bandwidth, lowerFps: 4 })).toBe(false)
    // Starved by the CPU, or for no reason given: not short.
    expect(isShort({ availableBps: SHORT_BPS, topFps: 2, topLimit: 'cpu', lowerFps: 19 })).toBe(false)
    expect(isShort({ topFps: 2, lowerFps: 19 })).toBe(false)
    expect(isShort({})).toBe(false)
  })

  it('dropped: no target bitrate for the top layer, for bandwidth, while a lower one has some; short then, whatever the estimate and frame rates say', () => {
    const dropped = { availableBps: SHORT_BPS + 100_000, topFps: 17, topLimit: 'bandwidth', lowerFps: 20, topTargetBps: 0, lowerTargetBps: 125_000 }
    expect([isDropped(dropped), isShort(dropped)]).toEqual([true, true])
    expect(isDropped({ ...dropped, topTargetBps: 1 })).toBe(false)
    expect(isDropped({ ...dropped, lowerTargetBps: 0 })).toBe(false)
    expect(isDropped({ ...dropped, topLimit: 'cpu' })).toBe(false)
    expect(isDropped({ ...dropped, topTargetBps: undefined })).toBe(false)
  })

  it('unknown: no estimate and nothing else short', () => {
    expect(isUnknown({ topFps: 20, topLimit: 'bandwidth', lowerFps: 20 })).toBe(true)
    expect(isUnknown({ topFps: 2, topLimit: 'bandwidth', lowerFps: 20 })).toBe(false)
    expect(isUnknown({ availableBps: 900_000 })).toBe(false)
  })

  it('roomy: the estimate at ROOMY_BPS or more; unknown is not', () => {
    expect([isRoomy({ availableBps: ROOMY_BPS }), isRoomy({ availableBps: ROOMY_BPS - 1 }), isRoomy({ topFps: 30 })]).toEqual([true, false, false])
  })

  it('roomy too: LOWER_LAYERS_BPS over what the top layer takes, the estimate not short (a lone top layer run small, which keeps the estimate under ROOMY_BPS)', () => {
    // Stop 42, tile-size spec at load 6–11: alone at 320x240 the top layer took its most, 266 kbit/s, and the estimate stayed at 447–479.
    const small = { availableBps: 447_000, topFps: 20, topLimit: 'bandwidth', topTargetBps: 266_000 }
    expect(isRoomy(small)).toBe(true)
    expect(isRoomy({ ...small, availableBps: 266_000 + LOWER_LAYERS_BPS - 1 })).toBe(false)
    // A link the top layer fills: the estimate is its target and the audio's.
    expect(isRoomy({ ...small, availableBps: 500_000, topTargetBps: 440_000 })).toBe(false)
    // Short, whatever the top layer takes; and no target, or none given (a dropped layer): not roomy.
    expect(isRoomy({ ...small, availableBps: SHORT_BPS - 1, topTargetBps: 100_000 })).toBe(false)
    expect(isRoomy({ ...small, topTargetBps: undefined })).toBe(false)
    expect(isRoomy({ ...small, topTargetBps: 0 })).toBe(false)
  })
})

describe('the negotiation’s peer session and the camera’s layers', () => {
  function start(cameraLayers?: typeof CAMERA_LAYERS, stripLayers = false) {
    const world = createFakeWorld()
    // As web e2e video-pause.spec's page does: the layers asked for never reach the transceiver.
    const peerConnection: PeerConnectionFactory = (config) => {
      const pc = world.peers.factory(config)
      const add = pc.addTransceiver.bind(pc)
      if (stripLayers) pc.addTransceiver = (track, init) => add(track, init ? { ...init, sendEncodings: undefined } : init)
      return pc
    }
    world.peers.statsReport = () => [{ type: 'candidate-pair', nominated: true, state: 'succeeded', availableOutgoingBitrate: 100_000 }]
    const hub = createHubClient({ baseUrl: FAKE_HUB_URL, fetch: world.hub.fetch })
    const local = new LocalMedia()
    local.set(new FakeMediaStream([new FakeMediaStreamTrack('audio'), new FakeMediaStreamTrack('video')]))
    const camera = new CameraSender()
    const stats = new PeerStats()
    const deps = { hub, peerConnection, peerConfig: {}, local, remote: new RemoteStreams(), stats, screen: new ScreenMedia(), prepared: new PreparedPeer(), camera }
    const machine = negotiationMachine.provide({
      actors: {
        ...negotiationActors({ ...deps, ...(cameraLayers ? { shape: { cameraLayers } } : {}) }),
        resolutionHold: resolutionHoldMachine.provide({ actors: resolutionHoldActors({ camera }) }),
        sendLayers: sendLayersMachine.provide({ actors: sendLayersActors({ camera, peerStats: stats, rids: ['high', 'mid', 'low'], channels: new DataChannels() }) }),
      },
    })
    const run = runAsChild(machine, { roomId: 'room1', clientId: 'client1' }, { clock: world.clock })
    const watch = () => run.parent.system.get('sendLayers') as AnyActorRef | undefined
    const active = () => ((world.peers.all[0] as FakePeerConnection).transceivers[1]!.sender.getParameters!().encodings as { active: boolean }[]).map((e) => e.active)
    return { world, ...run, watch, active }
  }

  it('watches a camera sent as layers (systemId sendLayers); the watch stops the lower layers on a short estimate and goes with the session', async () => {
    const run = start(CAMERA_LAYERS)
    await flush()
    expect(run.watch()?.getSnapshot().value).toEqual({ sampling: 'firstWait', layers: 'starting' })
    run.world.clock.advance(LAYER_SAMPLE_MS * 40)
    await flush()
    for (let i = 0; i < SHORT_SAMPLES; i++) {
      run.world.clock.advance(LAYER_SAMPLE_MS)
      await flush()
    }
    expect(run.active()).toEqual([true, false, false])
    run.parent.stop()
    expect(run.world.clock.pendingTimers).toBe(0)
  })

  it('has no watch for a camera sent as one stream, asked as layers or not', async () => {
    const run = start()
    await flush()
    expect(run.watch()).toBeUndefined()
    const stripped = start(CAMERA_LAYERS, true)
    await flush()
    expect(stripped.watch()).toBeUndefined()
  })
})
