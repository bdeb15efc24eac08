// A subscriber's tile size through the werift forwarder (viewer-size.ts, LayerSwitch.viewer): the
// simulcast layer follows the tile (down to the layer it needs, up to the widest at once, the PLI on
// the wider layer's SSRC), a hidden tile gets nothing, and showing it again resumes from a keyframe with
// the numbering continuous. The subscriber's sender is a werift RTCRtpSender on a real SRTP session. A
// subscriber's sizes (WeriftSubscriptions) outlive no track: a track published again starts without one.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { PictureLossIndication, ProtectionProfileAeadAes128Gcm, RtcpPayloadSpecificFeedback, RtpHeader, RtpPacket, type RTCPeerConnection, type RTCRtpTransceiver } from 'werift'
import { systemClock } from '../clock.js'
import { Forwarder } from './werift-forwarder.js'
import { MAX_VIEWER_SIZES, applyViewerSize, pixelThresholds } from './viewer-size.js'
import { WeriftSubscriptions } from './werift-subscriptions.js'
import type { PublishedTrack } from './types.js'
import { fakePublisherTransceiver } from '../test-support/fakePublisherTransceiver.js'
import { connectedSender } from '../test-support/weriftSender.js'
import { vp8Payload } from '../test-support/vp8Packets.js'

const LAYERS = { high: { ssrc: 0x100, width: 640 }, mid: { ssrc: 0x200, width: 320 }, low: { ssrc: 0x300, width: 160 } } as const
type Rid = keyof typeof LAYERS
const PIXELS = pixelThresholds(undefined)

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

function setUp() {
  const forwarder = new Forwarder({ clock: systemClock, log: () => undefined })
  const rtcp: unknown[][] = []
  const publisher = fakePublisherTransceiver({ dtlsTransport: { state: 'connected', sendRtcp: async (packets: unknown[]) => void rtcp.push(packets) }, rids: ['high', 'mid', 'low'] })
  const source = forwarder.addSource({}, { trackId: 'v', streamId: 's', kind: 'video', clientId: 'a' }, '0', publisher.transceiver)!
  const subscriber = connectedSender(ProtectionProfileAeadAes128Gcm, 12)
  const subscription = forwarder.attach({ clientId: 'b', sourceEnded: () => undefined, videoPaused: () => undefined }, source)
  subscription.transceiver = { sender: subscriber.sender, stopping: false, stopped: false } as unknown as RTCRtpTransceiver
  const next = { high: { seq: 100, pictureId: 1 }, mid: { seq: 20_000, pictureId: 2_000 }, low: { seq: 40_000, pictureId: 4_000 } }
  let timestamp = 1_000
  /** One frame of each layer (one packet each), keyframes where asked, 33 ms apart. */
  const frames = (keyframes: readonly Rid[] = []) => {
    for (const rid of Object.keys(LAYERS) as Rid[]) {
      const state = next[rid]
      const header = new RtpHeader({ payloadType: 96, ssrc: LAYERS[rid].ssrc, sequenceNumber: state.seq, timestamp, marker: true })
      publisher.deliverRid(rid, new RtpPacket(header, vp8Payload({ pictureId: state.pictureId, tl0: state.pictureId & 0xff, keyframeWidth: keyframes.includes(rid) ? LAYERS[rid].width : undefined })))
      state.seq = (state.seq + 1) & 0xffff
      state.pictureId = (state.pictureId + 1) & 0x7fff
    }
    timestamp += 2970
    vi.advanceTimersByTime(33)
  }
  const sent = () =>
    [
      ...subscriber.datagrams.map((datagram) => RtpPacket.deSerialize(subscriber.receiver.decrypt(datagram.data)).header.sequenceNumber),
      ...subscriber.weriftSent.map((packet) => packet.sequenceNumber),
    ].sort((a, b) => a - b)
  const plisTo = async () => {
    await Promise.resolve()
    return rtcp
      .flat()
      .filter((packet): packet is RtcpPayloadSpecificFeedback => packet instanceof RtcpPayloadSpecificFeedback && packet.feedback instanceof PictureLossIndication)
      .map((packet) => (packet.feedback as PictureLossIndication).mediaSsrc)
  }
  const size = (width: number, height: number) => applyViewerSize(subscription, { width, height }, PIXELS)
  return { forwarder, subscription, frames, sent, plisTo, size }
}

describe('Forwarder: the layer follows the subscriber\'s tile', () => {
  it('a small tile gets the mid layer, a large one the widest at once, a hidden one nothing; shown again from a keyframe, numbering continuous', async () => {
    const run = setUp()
    const layers = run.subscription.layers!
    run.frames(['high', 'mid', 'low'])
    run.frames()
    expect(layers.forwarded?.rid).toBe('high')

    // 160x120 (19 200 px: over video_low_pixels, under video_mid_pixels): one under the widest.
    run.size(160, 120)
    expect(layers.choice).toMatchObject({ ceiling: 2, target: 2 })
    run.frames()
    expect(layers.forwarded?.rid).toBe('high')
    expect((await run.plisTo()).at(-1)).toBe(LAYERS.mid.ssrc)
    run.frames(['mid'])
    expect(layers.forwarded?.rid).toBe('mid')

    // 640x480: the widest, asked for at once.
    run.size(640, 480)
    expect(layers.choice).toMatchObject({ ceiling: 3, target: 3 })
    run.frames()
    expect((await run.plisTo()).at(-1)).toBe(LAYERS.high.ssrc)
    run.frames(['high'])
    expect(layers.forwarded?.rid).toBe('high')

    // Hidden: nothing more is sent, however long.
    run.size(0, 0)
    const before = run.sent().length
    for (let i = 0; i < 20; i++) run.frames()
    expect(run.sent()).toHaveLength(before)
    expect(layers.choice.state).toBe('hidden')

    // Shown: from the widest layer's next keyframe (asked for), numbered right after the last one sent.
    run.size(640, 480)
    run.frames()
    expect(run.sent()).toHaveLength(before)
    expect((await run.plisTo()).at(-1)).toBe(LAYERS.high.ssrc)
    run.frames(['high'])
    run.frames()
    const out = run.sent()
    expect(out).toHaveLength(before + 2)
    for (let i = 1; i < out.length; i++) expect(out[i]).toBe(out[i - 1]! + 1)
  })

  it('a small tile told before the first keyframe: the widest layer\'s, first to come, is forwarded at once, the mid layer from its keyframe after', async () => {
    const run = setUp()
    const layers = run.subscription.layers!
    // The publisher's layers ranked before this forwarding can send (no sender yet), the tile's size then.
    const transceiver = run.subscription.transceiver
    run.subscription.transceiver = undefined
    run.frames(['high', 'mid', 'low'])
    run.frames()
    run.size(160, 120)
    expect(layers.choice).toMatchObject({ state: 'starting', ceiling: 2, target: 2, level: 0 })
    run.subscription.transceiver = transceiver

    // Only the widest layer's keyframe comes (the mid one's is behind it): the first picture, not held back.
    run.frames(['high'])
    expect(layers.forwarded?.rid).toBe('high')
    expect(run.sent()).toHaveLength(1)
    expect(layers.choice).toMatchObject({ state: 'startedAside', level: 3, target: 2, forwards: true })
    expect(await run.plisTo()).toContain(LAYERS.mid.ssrc)
    run.frames()
    expect(run.sent()).toHaveLength(2)
    // Down to the ceiling's layer at its keyframe (the frame's widest packet still forwarded before it), numbering continuous.
    run.frames(['mid'])
    expect(layers.forwarded?.rid).toBe('mid')
    expect(layers.choice).toMatchObject({ state: 'steady', level: 2, target: 2 })
    const out = run.sent()
    expect(out).toHaveLength(4)
    for (let i = 1; i < out.length; i++) expect(out[i]).toBe(out[i - 1]! + 1)
  })

  it('a small tile told while the hold keeps the widest layer\'s keyframe: that keyframe goes first, the forwarding started on it, mid from its keyframe', async () => {
    const run = setUp()
    const layers = run.subscription.layers!
    run.forwarder.holdKeyframe(run.subscription)
    expect(run.subscription.keyframe).toBe('awaiting')
    run.frames(['high', 'mid', 'low'])
    run.frames()
    expect(run.subscription.keyframe).toBe('holding')
    run.size(160, 120)
    expect(layers.choice).toMatchObject({ target: 2, level: 0 })
    expect(run.sent()).toHaveLength(0)

    run.forwarder.negotiated(run.subscription)
    // The held keyframe and the packet after it, of the widest layer.
    expect(run.sent()).toHaveLength(2)
    expect(layers.forwarded?.rid).toBe('high')
    expect(layers.choice).toMatchObject({ state: 'startedAside', level: 3, target: 2, forwards: true })
    run.frames()
    expect(run.sent()).toHaveLength(3)
    expect(await run.plisTo()).toContain(LAYERS.mid.ssrc)
    run.frames(['mid'])
    expect(layers.forwarded?.rid).toBe('mid')
    expect(layers.choice).toMatchObject({ state: 'steady', level: 2 })
    const out = run.sent()
    expect(out).toHaveLength(5)
    for (let i = 1; i < out.length; i++) expect(out[i]).toBe(out[i - 1]! + 1)
  })

  it('a first keyframe narrower than the target is not taken: the target\'s, asked for with it, follows', () => {
    const run = setUp()
    const layers = run.subscription.layers!
    const transceiver = run.subscription.transceiver
    run.subscription.transceiver = undefined
    run.frames(['high', 'mid', 'low'])
    run.size(160, 120)
    run.subscription.transceiver = transceiver
    run.frames(['low'])
    expect(layers.forwarded).toBeUndefined()
    expect(run.sent()).toHaveLength(0)
    expect(layers.choice).toMatchObject({ state: 'starting', level: 0, target: 2 })
    run.frames(['mid'])
    expect(layers.forwarded?.rid).toBe('mid')
    expect(layers.choice).toMatchObject({ state: 'steady', level: 2 })
  })

  it('with two layers sending (Chromium\'s 640x480 camera), a small tile gets the narrower one', () => {
    const run = setUp()
    run.frames(['high', 'mid'])
    run.size(160, 120)
    expect(run.subscription.layers!.choice).toMatchObject({ ceiling: 1, target: 1 })
    run.frames(['mid'])
    expect(run.subscription.layers!.forwarded?.rid).toBe('mid')
  })
})

describe('WeriftSubscriptions: the sizes a subscriber reported', () => {
  const TRACK: PublishedTrack = { trackId: 'v', streamId: 's', kind: 'video', clientId: 'a' }

  function setUp() {
    const forwarder = new Forwarder({ clock: systemClock, log: () => undefined })
    const publish = (track = TRACK) => {
      const publisher = fakePublisherTransceiver({ dtlsTransport: { state: 'connected', sendRtcp: async () => undefined }, rids: ['high', 'mid', 'low'] })
      return forwarder.addSource({}, track, '0', publisher.transceiver)!
    }
    // No server offer is made here: subscribe, sizes and endings never touch the peer connection.
    const subscriptions = new WeriftSubscriptions({ clientId: 'b', pc: {} as RTCPeerConnection, forwarder, negotiationNeeded: () => undefined, videoPaused: () => undefined, log: () => undefined, pixels: PIXELS })
    /** The layer choice of b's forwarding of `track` once subscribed (hidden by a kept 0x0, else starting). */
    const subscribed = (track = TRACK) => {
      subscriptions.subscribe(track)
      return forwarder.source(track)!.subscriptions.values().next().value!.layers!.choice
    }
    return { forwarder, publish, subscriptions, subscribed }
  }

  it('a size told before the subscription applies when it comes', () => {
    const run = setUp()
    run.publish()
    run.subscriptions.viewerSize('v', { width: 0, height: 0 })
    expect(run.subscribed().state).toBe('hidden')
  })

  it('forgets the size of a track whose publisher ended it: published again under its id, it starts unsized', () => {
    const run = setUp()
    const source = run.publish()
    expect(run.subscribed().state).toBe('starting')
    run.subscriptions.viewerSize('v', { width: 0, height: 0 })
    run.forwarder.removeSource(source)
    run.publish()
    expect(run.subscribed()).toMatchObject({ state: 'starting', ceiling: 3 })
  })

  it('forgets it when the room withdraws the track, subscribed or still waiting for a slot', () => {
    const run = setUp()
    const source = run.publish()
    run.subscriptions.viewerSize('v', { width: 0, height: 0 })
    expect(run.subscribed().state).toBe('hidden')
    run.subscriptions.unsubscribe(TRACK)
    run.forwarder.removeSource(source)
    const waiting: PublishedTrack = { ...TRACK, trackId: 'w' }
    run.subscriptions.viewerSize('w', { width: 0, height: 0 })
    run.subscriptions.unsubscribe(waiting)
    run.publish()
    run.publish(waiting)
    expect(run.subscribed()).toMatchObject({ state: 'starting', ceiling: 3 })
    expect(run.subscribed(waiting)).toMatchObject({ state: 'starting', ceiling: 3 })
  })

  it('keeps it while another publisher\'s track of that id is still forwarded (the id names both tiles)', () => {
    const run = setUp()
    const other: PublishedTrack = { ...TRACK, clientId: 'c' }
    const source = run.publish()
    run.publish(other)
    run.subscriptions.viewerSize('v', { width: 0, height: 0 })
    expect(run.subscribed(other).state).toBe('hidden')
    expect(run.subscribed().state).toBe('hidden')
    run.forwarder.removeSource(source)
    run.publish()
    expect(run.subscribed().state).toBe('hidden')
  })

  it('keeps at most MAX_VIEWER_SIZES for tracks never subscribed: ids at random push out the oldest', () => {
    const run = setUp()
    run.subscriptions.viewerSize('v', { width: 0, height: 0 })
    for (let i = 0; i < MAX_VIEWER_SIZES; i++) run.subscriptions.viewerSize(`junk-${i}`, { width: 1, height: 1 })
    run.publish()
    expect(run.subscribed()).toMatchObject({ state: 'starting', ceiling: 3 })
  })
})
