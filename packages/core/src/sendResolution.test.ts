import { describe, expect, it } from 'vitest'
import type { AnyActorRef } from 'xstate'
import { CameraSender, RESOLUTION_HOLD_MS } from './sendResolution.js'
import { createHubClient } from './hubClient.js'
import { LocalMedia } from './localMedia.js'
import { PeerSession } from './peerSession.js'
import { PreparedPeer } from './preparedPeer.js'
import { RemoteStreams } from './remoteStreams.js'
import { ScreenMedia } from './screenMedia.js'
import { PeerStats } from './stats/peerStats.js'
import { negotiationActors } from './machines/negotiationActors.js'
import { negotiationMachine } from './machines/negotiationMachine.js'
import { resolutionHoldActors } from './machines/resolutionHoldActors.js'
import { resolutionHoldMachine } from './machines/resolutionHoldMachine.js'
import { runAsChild } from './test-support/harness.js'
import { FAKE_HUB_URL, FakeMediaStream, FakeMediaStreamTrack, FakePeerConnections, createFakeWorld, flush, type FakePeerConnection } from './test-support/index.js'
import type { RtpSenderLike } from './ports.js'

const sender = (parameters: Record<string, unknown>, given: object[]): RtpSenderLike => ({
  track: null,
  replaceTrack: async () => undefined,
  getParameters: () => ({ ...parameters }),
  setParameters: async (next) => void given.push(next),
})

describe('CameraSender', () => {
  it('keeps every simulcast layer when it sets the preference (it changes only degradationPreference)', async () => {
    const given: object[] = []
    const layers = [{ rid: 'high', active: true }, { rid: 'mid', active: true, scaleResolutionDownBy: 2, maxBitrate: 200_000 }]
    const camera = new CameraSender()
    camera.attach(sender({ transactionId: 't', encodings: layers }, given))
    await camera.release((await camera.hold())!)
    expect(given).toEqual([
      { transactionId: 't', encodings: layers, degradationPreference: 'maintain-resolution' },
      { transactionId: 't', encodings: layers, degradationPreference: 'balanced' },
    ])
  })

  it("holds the attached sender and resolves its own preference ('balanced' when it named none); null when nothing took it", async () => {
    const given: object[] = []
    const camera = new CameraSender()
    expect(await camera.hold()).toBeNull()
    const detach = camera.attach(sender({ encodings: [] }, given))
    expect(await camera.hold()).toBe('balanced')
    await camera.release('balanced')
    expect(given).toEqual([
      { encodings: [], degradationPreference: 'maintain-resolution' },
      { encodings: [], degradationPreference: 'balanced' },
    ])
    detach()
    await camera.release('balanced')
    expect(given).toHaveLength(2)
  })

  it("turns the layers after the first off and on, taking the sender's own preference back", async () => {
    const given: object[] = []
    const layers = [{ rid: 'high' }, { rid: 'mid', active: true }]
    const camera = new CameraSender()
    camera.attach(sender({ encodings: layers, degradationPreference: 'maintain-resolution' }, given))
    await camera.layers(false)
    await camera.layers(true)
    expect(given).toEqual([
      { encodings: [{ rid: 'high' }, { rid: 'mid', active: false }], degradationPreference: 'maintain-framerate' },
      { encodings: [{ rid: 'high' }, { rid: 'mid', active: true }], degradationPreference: 'maintain-resolution' },
    ])
  })

  it('turns the lower layers off or on again where a description set them otherwise, and does nothing where it did not', async () => {
    const given: object[] = []
    const camera = new CameraSender()
    const browser = { encodings: [{ rid: 'high', active: true }, { rid: 'mid', active: false }] as object[] }
    camera.attach({ ...sender({}, given), getParameters: () => ({ ...browser }), setParameters: async (next) => void given.push(next) })
    expect(await camera.keepLayers(false)).toBe(false)
    // Chromium applying the hub's offer: every rid of its a=simulcast active again.
    browser.encodings = [{ rid: 'high', active: true }, { rid: 'mid', active: true }]
    expect(await camera.keepLayers(true)).toBe(false)
    expect(await camera.keepLayers(false)).toBe(true)
    // ... and one whose a=simulcast pauses `mid` (~mid).
    browser.encodings = [{ rid: 'high', active: true }, { rid: 'mid', active: false }]
    expect(await camera.keepLayers(true)).toBe(true)
    expect(given).toEqual([
      { encodings: [{ rid: 'high', active: true }, { rid: 'mid', active: false }] },
      { encodings: [{ rid: 'high', active: true }, { rid: 'mid', active: true }] },
    ])
  })

  it('a detach of a sender no longer attached leaves the newer one', async () => {
    const given: object[] = []
    const camera = new CameraSender()
    const detachOld = camera.attach(sender({}, []))
    camera.attach(sender({ degradationPreference: 'maintain-framerate' }, given))
    detachOld()
    expect(await camera.hold()).toBe('maintain-framerate')
    expect(given).toEqual([{ degradationPreference: 'maintain-resolution' }])
  })
})

describe('the negotiation’s peer session and the camera’s resolution', () => {
  const local = () => {
    const media = new LocalMedia()
    media.set(new FakeMediaStream([new FakeMediaStreamTrack('audio'), new FakeMediaStreamTrack('video')]))
    return media
  }
  // The senders of a track (the receive slots send none).
  const preferences = (pc: FakePeerConnection) =>
    pc.transceivers.filter((t) => t.sender.track).map((t) => [t.sender.track?.kind ?? null, (t.sender as unknown as { parameters: Record<string, unknown> }).parameters.degradationPreference])

  function start(withCamera = true) {
    const world = createFakeWorld()
    const hub = createHubClient({ baseUrl: FAKE_HUB_URL, fetch: world.hub.fetch })
    const camera = withCamera ? new CameraSender() : undefined
    const deps = { hub, peerConnection: world.peers.factory, peerConfig: {}, local: local(), remote: new RemoteStreams(), stats: new PeerStats(), screen: new ScreenMedia(), prepared: new PreparedPeer() }
    const machine = negotiationMachine.provide({
      actors: { ...negotiationActors({ ...deps, ...(camera ? { camera } : {}) }), ...(camera ? { resolutionHold: resolutionHoldMachine.provide({ actors: resolutionHoldActors({ camera }) }) } : {}) },
    })
    const run = runAsChild(machine, { roomId: 'room1', clientId: 'client1' }, { clock: world.clock })
    const hold = () => run.parent.system.get('resolutionHold') as AnyActorRef | undefined
    return { world, pc: world.peers.all[0] as FakePeerConnection, ...run, hold }
  }

  it('holds the resolution of the video it sends, and only of that, until RESOLUTION_HOLD_MS after ICE connected', async () => {
    const run = start()
    await flush()
    expect(preferences(run.pc)).toEqual([
      ['audio', undefined],
      ['video', 'maintain-resolution'],
    ])
    expect(run.hold()?.getSnapshot().value).toEqual({ holding: 'waiting' })
    run.world.clock.advance(60_000)
    expect(preferences(run.pc)[1]).toEqual(['video', 'maintain-resolution'])
    run.pc.setIceConnectionState('connected')
    run.world.clock.advance(RESOLUTION_HOLD_MS)
    await flush()
    expect(preferences(run.pc)).toEqual([
      ['audio', undefined],
      ['video', 'balanced'],
    ])
    expect(run.hold()?.getSnapshot().value).toBe('released')
  })

  it('stopping the negotiation (leaving) cancels the release: no timer is left', async () => {
    const run = start()
    await flush()
    run.pc.setIceConnectionState('connected')
    expect(run.world.clock.scheduledDelays()).toEqual([RESOLUTION_HOLD_MS])
    run.parent.stop()
    expect(run.world.clock.pendingTimers).toBe(0)
    expect(preferences(run.pc)[1]).toEqual(['video', 'maintain-resolution'])
  })

  it('holds nothing, and has no hold actor, without a CameraSender', async () => {
    const run = start(false)
    await flush()
    expect(run.hold()).toBeUndefined()
    expect(preferences(run.pc)).toEqual([
      ['audio', undefined],
      ['video', undefined],
    ])
  })
})

describe('PeerSession.camera', () => {
  const reports = { event: () => undefined, track: () => undefined }

  it('is the sender of the video it sends, when that sender has parameters; none for a replay’s senders', () => {
    const peers = new FakePeerConnections()
    const tracks = [new FakeMediaStreamTrack('audio'), new FakeMediaStreamTrack('video')]
    const session = new PeerSession(peers.factory({}), { stream: new FakeMediaStream(tracks), tracks }, reports)
    expect(session.camera?.track).toBe(tracks[1])
    const bare = peers.factory({})
    const addTransceiver = bare.addTransceiver.bind(bare)
    bare.addTransceiver = (track, init) => {
      const made = addTransceiver(track, init)
      return { ...made, sender: { track: made.sender.track, replaceTrack: made.sender.replaceTrack } }
    }
    expect(new PeerSession(bare, { stream: undefined, tracks }, reports).camera).toBeUndefined()
    expect(new PeerSession(peers.factory({}), { stream: undefined, tracks: [tracks[0]!] }, reports).camera).toBeUndefined()
  })
})
