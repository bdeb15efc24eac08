// A subscriber's video paused for bandwidth on the node-datachannel plane (video-pause.ts decides, the
// fan-out gates): nothing forwarded while paused, the resume starts from a keyframe numbered right after
// the last packet sent, and the subscriber's NACKs are mapped back to the history in the publisher's numbering.
import { GenericNack, RtcpReceiverInfo, RtcpRrPacket, RtcpTransportLayerFeedback } from 'werift'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../clock.js'
import { bandwidthLimits } from './bandwidth.js'
import { NdcFanOut, NdcSource, NdcSubscription } from './ndc-forwarding.js'
import { DEFAULT_BITRATES } from '../roomOptions.js'
import { SLOW_SUBSCRIBER_MS } from './subscriber-loss.js'
import { FIRST_BACKOFF_MS } from './video-pause.js'
import { fakeNdcTrack, rtpPacket } from '../test-support/ndcTracks.js'

const PUBLISHER_SSRC = 0x1111_1111

/** A VP8 packet: a keyframe's first (S=1, P=0) or a delta frame's. */
function rtp(seq: number, keyframe: boolean): Buffer {
  return rtpPacket(seq, PUBLISHER_SSRC, [0x10, keyframe ? 0x00 : 0x01])
}

function setUp() {
  const logged: string[] = []
  const fanOut = new NdcFanOut(systemClock, (_level, msg) => void logged.push(msg))
  const publisher = fakeNdcTrack()
  const published = { clientId: 'pub', kind: 'video' as const, streamId: 's', trackId: 't' }
  const source = new NdcSource(published, {}, publisher.track, [{ payloadType: 96, name: 'VP8', fmtp: undefined }], PUBLISHER_SSRC, bandwidthLimits(DEFAULT_BITRATES), fanOut)
  fanOut.add(source)
  const told: boolean[] = []
  const subscriber = (ssrc: number) => {
    const track = fakeNdcTrack()
    const subscription = new NdcSubscription(source, { clientId: `sub-${ssrc}`, sourceEnded: () => undefined, videoPaused: (_s, paused) => void told.push(paused) }, `video-${ssrc}`, ssrc)
    subscription.attach(track.track)
    source.subscriptions.add(subscription)
    return { subscription, sent: track.sent, seqs: () => track.sent.filter((bytes) => bytes[1] === 96).map((bytes) => bytes.readUInt16BE(2)) }
  }
  return { fanOut, source, subscriber, told, logged }
}

describe('NdcSource: a video paused for bandwidth', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('forwards nothing while paused, resumes from a keyframe with continuous numbers, and answers NACKs in its numbering', () => {
    const { source, subscriber, told, logged } = setUp()
    const good = subscriber(0x2222)
    const slow = subscriber(0x3333)
    let seq = 65_530
    for (; seq < 65_534; seq++) source.received(rtp(seq, seq === 65_530), 0)
    // The good one reports no loss: it is fine, the others' reference.
    for (const highest of [100, 140]) source.feedback(good.subscription, new RtcpRrPacket({ ssrc: 5, reports: [new RtcpReceiverInfo({ ssrc: 0x2222, packetsLost: 0, highestSequence: highest })] }).serialize())
    vi.advanceTimersByTime(250)
    for (let at = 0; at <= SLOW_SUBSCRIBER_MS; at += 250) {
      vi.advanceTimersByTime(250)
      slow.subscription.pause!.judge(0.4, 30, true)
    }
    expect(slow.subscription.pause!.state).toBe('paused')
    expect(told).toEqual([true])
    expect(logged).toContain('video paused')
    for (; seq < 65_536 + 40; seq++) source.received(rtp(seq & 0xffff, false), 0)
    expect(slow.seqs()).toEqual([65_530, 65_531, 65_532, 65_533])
    vi.advanceTimersByTime(FIRST_BACKOFF_MS)
    expect(slow.subscription.pause!.state).toBe('resuming')
    source.received(rtp(seq++ & 0xffff, false), 0)
    const keyframeAt = seq & 0xffff
    source.received(rtp(seq++ & 0xffff, true), 0)
    source.received(rtp(seq++ & 0xffff, false), 0)
    expect(slow.seqs().slice(4)).toEqual([65_534, 65_535])
    expect(told).toEqual([true, false])
    // Its NACK of 65_535 (the packet after the keyframe) is the publisher's keyframeAt + 1, resent in its numbering.
    const before = slow.sent.length
    source.feedback(slow.subscription, new RtcpTransportLayerFeedback({ feedback: new GenericNack({ senderSsrc: 5, mediaSourceSsrc: 0x3333, lost: [65_535] }) }).serialize())
    expect(slow.sent).toHaveLength(before + 1)
    const resent = slow.sent.at(-1)!
    expect([resent.readUInt16BE(2), resent.readUInt32BE(8), resent.readUInt32BE(4)]).toEqual([65_535, 0x3333, (((keyframeAt + 1) * 3000) >>> 0)])
    // The good one's numbering is the publisher's throughout.
    expect(good.seqs().at(-1)).toBe((seq - 1) & 0xffff)
  })

  it('answers no NACK of a paused subscription (its link could not carry the packets the first time)', () => {
    const { source, subscriber } = setUp()
    const slow = subscriber(0x3333)
    for (let seq = 1; seq < 5; seq++) source.received(rtp(seq, seq === 1), 0)
    for (let at = 0; at <= SLOW_SUBSCRIBER_MS; at += 250) {
      vi.advanceTimersByTime(250)
      slow.subscription.pause!.judge(0.4, 30, true)
    }
    // No other subscriber is fine here: the next estimate tick resumes it; the NACK comes before.
    expect(slow.subscription.pause!.state).toBe('paused')
    const before = slow.sent.length
    source.feedback(slow.subscription, new RtcpTransportLayerFeedback({ feedback: new GenericNack({ senderSsrc: 5, mediaSourceSsrc: 0x3333, lost: [2, 3] }) }).serialize())
    expect(slow.sent).toHaveLength(before)
  })

  it('closing a paused subscription ends its pause', () => {
    const { subscriber } = setUp()
    const slow = subscriber(0x3333)
    slow.subscription.close()
    expect(slow.subscription.pause!.state).toBe('ended')
  })
})
