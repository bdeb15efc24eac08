import { describe, expect, it } from 'vitest'
import { RESOLUTION_HOLD_MS, holdResolution } from './sendResolution.js'
import { PeerSession } from './peerSession.js'
import { FakeMediaStream, FakeMediaStreamTrack, FakePeerConnections, ManualClock, flush } from './test-support/index.js'
import type { RtpSenderLike } from './ports.js'

/** A browser's sender: what it was last given is what getParameters answers (its own preference first). */
function browserSender(preference?: string, refuse = false) {
  let parameters: Record<string, unknown> = { transactionId: 'tx-7', encodings: [{ active: true, scaleResolutionDownBy: 1 }], ...(preference ? { degradationPreference: preference } : {}) }
  const given: Record<string, unknown>[] = []
  const sender: RtpSenderLike = {
    track: null,
    replaceTrack: async () => undefined,
    getParameters: () => ({ ...parameters }),
    setParameters: async (next) => {
      given.push(next as Record<string, unknown>)
      if (refuse) throw new Error('InvalidModificationError')
      parameters = { ...(next as Record<string, unknown>) }
    },
  }
  return { sender, given, preference: () => parameters.degradationPreference }
}

/** Holds `sender`, and releases it as the peer session would: started (ICE connected), then the delay. */
async function heldThenReleased(sender: RtpSenderLike) {
  const clock = new ManualClock()
  const hold = holdResolution(sender, clock)
  await flush()
  hold.start()
  clock.advance(RESOLUTION_HOLD_MS)
  await flush()
}

describe('holdResolution', () => {
  it("asks for 'maintain-resolution' with the sender's own parameters (its transaction id and encodings) unchanged", async () => {
    const { sender, given } = browserSender('balanced')
    holdResolution(sender, new ManualClock())
    await flush()
    expect(given).toEqual([{ transactionId: 'tx-7', encodings: [{ active: true, scaleResolutionDownBy: 1 }], degradationPreference: 'maintain-resolution' }])
  })

  it("the release gives back the sender's own preference, or 'balanced' when it named none", async () => {
    const own = browserSender('maintain-framerate')
    const none = browserSender()
    await heldThenReleased(own.sender)
    await heldThenReleased(none.sender)
    expect([own.given[0]?.degradationPreference, none.given[0]?.degradationPreference]).toEqual(['maintain-resolution', 'maintain-resolution'])
    expect([own.preference(), none.preference()]).toEqual(['maintain-framerate', 'balanced'])
    expect(own.given.at(-1)).toMatchObject({ transactionId: 'tx-7', encodings: [{ active: true, scaleResolutionDownBy: 1 }] })
  })

  it("takes werift's synchronous setParameters (no promise back) and one that throws, without an error", async () => {
    const given: object[] = []
    const werift: RtpSenderLike = { track: null, replaceTrack: async () => undefined, getParameters: () => ({ encodings: [] }), setParameters: (parameters) => void given.push(parameters) }
    await heldThenReleased(werift)
    expect(given).toEqual([
      { encodings: [], degradationPreference: 'maintain-resolution' },
      { encodings: [], degradationPreference: 'balanced' },
    ])
    const throwing: RtpSenderLike = {
      track: null,
      replaceTrack: async () => undefined,
      getParameters: () => {
        throw new Error('closed')
      },
    }
    await expect(heldThenReleased(throwing)).resolves.toBeUndefined()
  })

  it('leaves a sender without parameters (a replay) alone; after a refusal the release asks nothing', async () => {
    await expect(heldThenReleased({ track: null, replaceTrack: async () => undefined })).resolves.toBeUndefined()
    const refusing = browserSender(undefined, true)
    await heldThenReleased(refusing.sender)
    expect(refusing.given.map((parameters) => parameters.degradationPreference)).toEqual(['maintain-resolution'])
    expect(refusing.preference()).toBeUndefined()
  })

  it(`releases ${RESOLUTION_HOLD_MS} ms after start(), counted from the first start only`, async () => {
    const clock = new ManualClock()
    const { sender, preference } = browserSender('balanced')
    const hold = holdResolution(sender, clock)
    await flush()
    expect(clock.pendingTimers).toBe(0)
    hold.start()
    clock.advance(RESOLUTION_HOLD_MS - 1)
    hold.start()
    expect(clock.scheduledDelays()).toEqual([1])
    await flush()
    expect(preference()).toBe('maintain-resolution')
    clock.advance(1)
    await flush()
    expect(preference()).toBe('balanced')
    hold.start()
    expect(clock.pendingTimers).toBe(0)
  })

  it('stop() cancels the release and its timer, also before start()', async () => {
    const clock = new ManualClock()
    const { sender, given } = browserSender('balanced')
    const hold = holdResolution(sender, clock)
    hold.start()
    hold.stop()
    expect(clock.pendingTimers).toBe(0)
    hold.start()
    const early = holdResolution(browserSender().sender, clock)
    early.stop()
    early.start()
    expect(clock.pendingTimers).toBe(0)
    await flush()
    expect(given.map((parameters) => parameters.degradationPreference)).toEqual(['maintain-resolution'])
  })
})

describe('PeerSession and the camera’s resolution', () => {
  const preferences = (peers: FakePeerConnections) =>
    peers.latest().transceivers.map((t) => [t.sender.track?.kind ?? null, (t.sender as unknown as { parameters: Record<string, unknown> }).parameters.degradationPreference])
  const local = () => {
    const tracks = [new FakeMediaStreamTrack('audio'), new FakeMediaStreamTrack('video')]
    return { stream: new FakeMediaStream(tracks), tracks }
  }
  const reports = { event: () => undefined, track: () => undefined }

  it('holds the resolution of the video it sends, and only of that, until RESOLUTION_HOLD_MS after ICE connected', async () => {
    const peers = new FakePeerConnections()
    const clock = new ManualClock()
    new PeerSession(peers.factory({}), local(), reports, clock)
    await flush()
    expect(preferences(peers)).toEqual([
      ['audio', undefined],
      ['video', 'maintain-resolution'],
    ])
    clock.advance(60_000)
    expect(preferences(peers)[1]).toEqual(['video', 'maintain-resolution'])
    peers.latest().setIceConnectionState('connected')
    clock.advance(RESOLUTION_HOLD_MS)
    await flush()
    expect(preferences(peers)).toEqual([
      ['audio', undefined],
      ['video', 'balanced'],
    ])
  })

  it('closing cancels the release: no timer is left', async () => {
    const peers = new FakePeerConnections()
    const clock = new ManualClock()
    const session = new PeerSession(peers.factory({}), local(), reports, clock)
    peers.latest().setIceConnectionState('connected')
    expect(clock.pendingTimers).toBe(1)
    session.close()
    expect(clock.pendingTimers).toBe(0)
  })

  it('holds nothing without a clock (it could never release)', async () => {
    const peers = new FakePeerConnections()
    new PeerSession(peers.factory({}), local(), reports)
    await flush()
    expect(preferences(peers)).toEqual([
      ['audio', undefined],
      ['video', undefined],
    ])
  })
})
