// The ndc plane's fan-out with stand-in tracks (the plane only calls isOpen, sendMessageBinary and close on them):
// what a subscriber's NACK brings back, what the publisher is asked to resend, and the RTCP it gets.
import { GenericNack, RtcpPacketConverter, RtcpPayloadSpecificFeedback, RtcpReceiverInfo, RtcpRrPacket, RtcpSenderInfo, RtcpSrPacket, RtcpTransportLayerFeedback } from 'werift'
import type { PictureLossIndication } from 'werift'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../clock.js'
import { bandwidthLimits } from './bandwidth.js'
import { NdcFanOut, NdcSource, NdcSubscription } from './ndc-forwarding.js'
import { pliBytes } from './ndc-rtcp.js'
import { DEFAULT_BITRATES } from '../roomOptions.js'
import { KEYFRAME_REQUEST_INTERVAL_MS } from './werift-forwarder.js'
import { fakeNdcTrack, rtpPacket } from '../test-support/ndcTracks.js'

const PUBLISHER_SSRC = 0x1111_1111
const SUBSCRIBER_SSRC = 0x2222_2222

function rtp(seq: number): Buffer {
  return rtpPacket(seq, PUBLISHER_SSRC, [seq & 0xff])
}

/** A video source of `publisher`'s track (`announcedSsrc`: what its SDP said, if anything). */
function videoSource(fanOut: NdcFanOut, publisher: ReturnType<typeof fakeNdcTrack>, announcedSsrc: number | undefined) {
  const published = { clientId: 'pub', kind: 'video' as const, streamId: 's', trackId: 't' }
  const source = new NdcSource(published, {}, publisher.track, [{ payloadType: 96, name: 'VP8', fmtp: undefined }], announcedSsrc, bandwidthLimits(DEFAULT_BITRATES), fanOut)
  fanOut.add(source)
  return source
}

function setup() {
  // Fake timers drive the system clock (the estimate's tick and the keyframe throttle run on it).
  const clock = systemClock
  const fanOut = new NdcFanOut(clock, () => undefined)
  const publisher = fakeNdcTrack()
  const source = videoSource(fanOut, publisher, PUBLISHER_SSRC)
  const subscriber = fakeNdcTrack(false)
  const subscription = new NdcSubscription(source, { clientId: 'sub', sourceEnded: () => undefined, videoPaused: () => undefined }, 'video-1', SUBSCRIBER_SSRC)
  subscription.attach(subscriber.track)
  source.subscriptions.add(subscription)
  // Its track seen open (by the next packet of the source) asks the publisher for a keyframe; the tests
  // start once the throttle let go of it.
  subscriber.open()
  expect(subscription.ready()).toBe(true)
  expect(fanOut.counters.keyframeRequestsSent).toBe(1)
  vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS)
  publisher.sent.length = 0
  const nack = (...lost: number[]) => new RtcpTransportLayerFeedback({ feedback: new GenericNack({ senderSsrc: 5, mediaSourceSsrc: SUBSCRIBER_SSRC, lost }) }).serialize()
  return { clock, fanOut, source, subscription, publisher, subscriber, nack }
}

const rtcpOf = (sent: Buffer[]) => sent.filter((bytes) => bytes[1]! >= 192 && bytes[1]! <= 223).flatMap((bytes) => RtcpPacketConverter.deSerialize(bytes))

describe('NdcSource', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it("forwards under the subscriber's SSRC and answers its NACK from the history with the same bytes", () => {
    const { source, subscription, subscriber, nack, fanOut } = setup()
    for (let seq = 100; seq < 105; seq++) source.received(rtp(seq), 0)
    expect(subscriber.sent.map((bytes) => bytes.readUInt32BE(8))).toEqual(Array(5).fill(SUBSCRIBER_SSRC))
    const original = subscriber.sent[2]!
    source.feedback(subscription, nack(102))
    expect(subscriber.sent).toHaveLength(6)
    expect(subscriber.sent[5]).toEqual(original)
    expect(fanOut.counters.nacksAnswered).toBe(1)
  })

  it('asks the publisher to resend a gap, and for a keyframe when a subscriber NACKs twice a packet the hub never had', () => {
    const { source, subscription, publisher, nack, fanOut } = setup()
    source.received(rtp(10), 0)
    source.received(rtp(13), 0)
    const resend = rtcpOf(publisher.sent).find((packet) => packet instanceof RtcpTransportLayerFeedback)
    expect((resend!.feedback as GenericNack).mediaSourceSsrc).toBe(PUBLISHER_SSRC)
    expect((resend!.feedback as GenericNack).lost).toEqual([11, 12])
    source.feedback(subscription, nack(11))
    expect(fanOut.counters.keyframeRequestsSent).toBe(1)
    source.feedback(subscription, nack(11))
    const pli = rtcpOf(publisher.sent).at(-1) as RtcpPayloadSpecificFeedback
    expect((pli.feedback as PictureLossIndication).mediaSsrc).toBe(PUBLISHER_SSRC)
    expect(fanOut.counters.unanswerableNackKeyframeRequests).toBe(1)
  })

  it("answers the publisher's sender report with a receiver report, and feeds the subscriber's loss to the estimate", () => {
    const { source, subscription, publisher } = setup()
    for (const seq of [1, 2, 4]) source.received(rtp(seq), 0)
    const sr = new RtcpSrPacket({ ssrc: PUBLISHER_SSRC, senderInfo: new RtcpSenderInfo({ ntpTimestamp: 0xaaaa_bbbb_cccc_ddddn, rtpTimestamp: 1, packetCount: 3, octetCount: 300 }), reports: [] })
    source.received(sr.serialize(), 10)
    const rr = rtcpOf(publisher.sent).find((packet) => packet instanceof RtcpRrPacket) as RtcpRrPacket
    expect(rr.reports[0]).toMatchObject({ ssrc: PUBLISHER_SSRC, packetsLost: 1, highestSequence: 4, lsr: 0xbbbb_cccc })

    const report = (lost: number, highest: number) =>
      new RtcpRrPacket({ ssrc: 5, reports: [new RtcpReceiverInfo({ ssrc: SUBSCRIBER_SSRC, fractionLost: 0, packetsLost: lost, highestSequence: highest, jitter: 0, lsr: 0, dlsr: 0 })] }).serialize()
    source.feedback(subscription, report(0, 100))
    source.feedback(subscription, report(20, 200))
    expect(subscription.loss.take(0)).toBeCloseTo(0.2)
  })

  it('forwards to a subscription only while the track it holds is open; a closed track says nothing later', () => {
    const { source, fanOut, subscription, subscriber } = setup()
    const late = fakeNdcTrack(false)
    const second = new NdcSubscription(source, { clientId: 'late', sourceEnded: () => undefined, videoPaused: () => undefined }, 'video-2', SUBSCRIBER_SSRC + 1)
    second.attach(late.track)
    source.subscriptions.add(second)
    source.received(rtp(1), 0)
    expect(late.sent).toHaveLength(0)
    late.open()
    source.received(rtp(2), 0)
    expect(late.sent.map((bytes) => bytes.readUInt32BE(8))).toEqual([SUBSCRIBER_SSRC + 1])
    expect(fanOut.counters.packetsForwarded).toBe(3)
    late.closed()
    source.received(rtp(3), 0)
    expect(late.sent).toHaveLength(1)
    expect(second.open).toBe(false)
    // Closed for good: a later packet does not ask the native track again.
    late.open()
    source.received(rtp(4), 0)
    expect(late.sent).toHaveLength(1)
    // After close() a late open of the track it let go of changes nothing.
    subscription.close()
    subscriber.open()
    expect(subscription.open).toBe(false)
    expect(subscription.track).toBeUndefined()
  })

  describe('keyframe requests in awkward orders', () => {
    const subscriberPli = () => pliBytes(5, SUBSCRIBER_SSRC)

    it("a subscriber's PLI within the window is one trailing PLI; the publisher gone before it is due sends none and leaves no timer", () => {
      const { source, subscription, fanOut } = setup()
      const timers = vi.getTimerCount()
      source.feedback(subscription, subscriberPli())
      expect(fanOut.counters.keyframeRequestsSent).toBe(2)
      vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS / 2)
      source.feedback(subscription, subscriberPli())
      source.feedback(subscription, subscriberPli())
      expect(vi.getTimerCount()).toBe(timers + 1)
      source.end()
      expect(vi.getTimerCount()).toBe(timers)
      vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS)
      source.requestKeyframe()
      expect(fanOut.counters.keyframeRequestsSent).toBe(2)
      expect(fanOut.counters.subscriberKeyframeRequests).toBe(3)
    })

    it('unsubscribed while its request waits in the window: the trailing PLI still goes, once', () => {
      const { source, subscription, publisher, fanOut } = setup()
      source.requestKeyframe()
      source.feedback(subscription, subscriberPli())
      source.subscriptions.delete(subscription)
      subscription.close()
      vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS - 1)
      expect(fanOut.counters.keyframeRequestsSent).toBe(2)
      vi.advanceTimersByTime(1)
      expect(fanOut.counters.keyframeRequestsSent).toBe(3)
      const pli = rtcpOf(publisher.sent).at(-1) as RtcpPayloadSpecificFeedback
      expect((pli.feedback as PictureLossIndication).mediaSsrc).toBe(PUBLISHER_SSRC)
      vi.advanceTimersByTime(10 * KEYFRAME_REQUEST_INTERVAL_MS)
      expect(fanOut.counters.keyframeRequestsSent).toBe(3)
    })

    it("asked before the publisher's track opened and before its SSRC was known: one PLI once both are there", () => {
      const fanOut = new NdcFanOut(systemClock, () => undefined)
      const publisher = fakeNdcTrack(false)
      const source = videoSource(fanOut, publisher, undefined)
      source.requestKeyframe()
      source.requestKeyframe()
      publisher.open()
      source.opened()
      expect(fanOut.counters.keyframeRequestsSent).toBe(0)
      source.received(rtp(1), 0)
      expect(fanOut.counters.keyframeRequestsSent).toBe(1)
      const pli = rtcpOf(publisher.sent).find((packet) => packet instanceof RtcpPayloadSpecificFeedback) as RtcpPayloadSpecificFeedback
      expect((pli.feedback as PictureLossIndication).mediaSsrc).toBe(PUBLISHER_SSRC)
      source.received(rtp(2), 0)
      source.opened()
      expect(fanOut.counters.keyframeRequestsSent).toBe(1)
      source.end()
    })

    it("a trailing PLI due while the publisher's track is closed waits for it to open again", () => {
      const { source, publisher, fanOut } = setup()
      source.requestKeyframe()
      source.requestKeyframe()
      publisher.closed()
      vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS)
      expect(fanOut.counters.keyframeRequestsSent).toBe(2)
      publisher.open()
      source.opened()
      expect(fanOut.counters.keyframeRequestsSent).toBe(3)
    })
  })
})
