// A subscriber's video paused for bandwidth, through the werift forwarder (video-pause.ts decides, the
// forwarder gates): nothing is forwarded while paused, the resume asks a keyframe and starts from it with
// the subscriber's sequence numbers continuous, the subscriber is told, and unsubscribing or the track
// ending while paused leaves no timer behind.
import type { RTCRtpTransceiver } from 'werift'
import { GenericNack, PictureLossIndication, RtcpPayloadSpecificFeedback, RtcpReceiverInfo, RtcpRrPacket, RtcpTransportLayerFeedback, RtpHeader, RtpPacket } from 'werift'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../clock.js'
import type { PublishedTrack } from './types.js'
import { Forwarder, type Subscription } from './werift-forwarder.js'
import { SLOW_SUBSCRIBER_MS } from './subscriber-loss.js'
import { FIRST_BACKOFF_MS, KEYFRAME_WAIT_MS } from './video-pause.js'
import { fakePublisherTransceiver } from '../test-support/fakePublisherTransceiver.js'

const KEYFRAME = [0x10, 0x00]
const DELTA = [0x10, 0x01]
const LIMITS = { floorBps: 100_000, startBps: 1_000_000, ceilingBps: 2_000_000 }

function setUp() {
  const log: { msg: string; fields: unknown }[] = []
  const forwarder = new Forwarder({ clock: systemClock, log: (_level, msg, fields) => void log.push({ msg, fields }), fastSend: false })
  const rtcp: unknown[][] = []
  const { transceiver: publisher, deliver: onRtp } = fakePublisherTransceiver({
    dtlsTransport: { state: 'connected', sendRtcp: async (packets: unknown[]) => void rtcp.push(packets) },
  })
  /** The PLIs sent to the publisher so far (the REMBs of the estimate's ticks left out). */
  const plis = () => rtcp.filter(([packet]) => packet instanceof RtcpPayloadSpecificFeedback && packet.feedback instanceof PictureLossIndication).length
  const track: PublishedTrack = { trackId: 'video-1', streamId: 's', kind: 'video', clientId: 'a' }
  const source = forwarder.addSource({}, track, '0', publisher, LIMITS)!
  let seq = 65_500
  /** One packet from the publisher; its sequence number. */
  const deliver = (payload: number[]) => {
    const sequenceNumber = seq++ & 0xffff
    onRtp(new RtpPacket(new RtpHeader({ ssrc: 1234, sequenceNumber, timestamp: sequenceNumber * 10 }), Buffer.from(payload)))
    return sequenceNumber
  }
  const told: boolean[] = []
  /** A negotiated subscription whose sender numbers as werift's (the publisher's number plus seqOffset). */
  let nextSsrc = 1000
  const subscriber = (clientId: string) => {
    const sent: number[] = []
    const ssrc = nextSsrc++
    const owner = { clientId, sourceEnded: (ended: Subscription) => forwarder.detach(ended), videoPaused: (_s: Subscription, paused: boolean) => void told.push(paused) }
    const subscription = forwarder.attach(owner, source)
    const sender = {
      ssrc,
      codec: { payloadType: 96 },
      dtlsTransport: { state: 'connected' },
      seqOffset: 7,
      rtpCache: [{ header: { sequenceNumber: 1 } }] as unknown[],
      sequenceNumber: undefined as number | undefined,
      sendRtp: async (packet: RtpPacket) => {
        sender.sequenceNumber = (packet.header.sequenceNumber + sender.seqOffset) & 0xffff
        sent.push(sender.sequenceNumber)
      },
    }
    subscription.transceiver = { stopping: false, stopped: false, sender } as unknown as RTCRtpTransceiver
    forwarder.negotiated(subscription)
    /** Receiver reports without loss over the next estimate's tick: it is fine (the others' reference). */
    const fine = () => {
      for (const highest of [100, 140]) forwarder.subscriberFeedback(new RtcpRrPacket({ ssrc: 9, reports: [new RtcpReceiverInfo({ ssrc, packetsLost: 0, highestSequence: highest })] }), [subscription])
      vi.advanceTimersByTime(250)
      expect(subscription.pause!.fine).toBe(true)
    }
    return { subscription, sent, fine, sender }
  }
  return { forwarder, source, deliver, subscriber, told, plis, log, rtcp }
}

/** The estimate's verdicts that pause `slow`: SLOW_SUBSCRIBER_MS over 10 % while another one is fine. */
function pause(subscription: Subscription) {
  for (let at = 0; at <= SLOW_SUBSCRIBER_MS; at += 250) {
    vi.advanceTimersByTime(250)
    subscription.pause!.judge(0.4, 30, true)
  }
  expect(subscription.pause!.state).toBe('paused')
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('Forwarder: a video paused for bandwidth', () => {
  it('forwards nothing while paused, resumes from the keyframe it asks for with continuous numbers, and tells the subscriber each time', async () => {
    const { deliver, subscriber, told, plis, log } = setUp()
    const good = subscriber('good')
    const slow = subscriber('slow')
    deliver(KEYFRAME)
    deliver(DELTA)
    good.fine()
    expect(slow.sent).toEqual(good.sent)
    const lastSent = slow.sent.at(-1)!
    pause(slow.subscription)
    await Promise.resolve()
    const plisBefore = plis()
    for (let i = 0; i < 50; i++) deliver(DELTA)
    expect(slow.sent).toHaveLength(2)
    expect(good.sent).toHaveLength(52)
    expect(told).toEqual([true])
    expect(log.find((entry) => entry.msg === 'video paused')?.fields).toMatchObject({ clientId: 'slow', publisher: 'a', trackId: 'video-1', backoffMs: FIRST_BACKOFF_MS })

    vi.advanceTimersByTime(FIRST_BACKOFF_MS)
    await Promise.resolve()
    expect(slow.subscription.pause!.state).toBe('resuming')
    expect(plis()).toBe(plisBefore + 1)
    // Deltas still wait; the keyframe and what follows go, numbered right after the last packet before the pause.
    deliver(DELTA)
    expect(slow.sent).toHaveLength(2)
    deliver(KEYFRAME)
    deliver(DELTA)
    expect(slow.sent.slice(2)).toEqual([(lastSent + 1) & 0xffff, (lastSent + 2) & 0xffff])
    expect(slow.subscription.pause!.state).toBe('trial')
    expect(told).toEqual([true, false])
    // The good one's numbering never moved.
    expect((good.sent.at(-1)! - good.sent[0]!) & 0xffff).toBe(good.sent.length - 1)
  })

  it('a keyframe that never comes: paused again, the publisher asked once per resume', async () => {
    const { deliver, subscriber, told, plis } = setUp()
    const good = subscriber('good')
    const slow = subscriber('slow')
    deliver(KEYFRAME)
    good.fine()
    pause(slow.subscription)
    const plisBefore = plis()
    vi.advanceTimersByTime(FIRST_BACKOFF_MS)
    await Promise.resolve()
    expect(plis()).toBe(plisBefore + 1)
    for (let i = 0; i < 20; i++) deliver(DELTA)
    vi.advanceTimersByTime(KEYFRAME_WAIT_MS)
    expect(slow.subscription.pause!.state).toBe('paused')
    expect(slow.sent).toHaveLength(1)
    expect(plis()).toBe(plisBefore + 1)
    expect(told).toEqual([true])
  })

  it('unsubscribed while paused, or its track ended: the pause ends with it and tells nothing more', async () => {
    const { forwarder, source, deliver, subscriber, told } = setUp()
    const good = subscriber('good')
    const slow = subscriber('slow')
    const other = subscriber('other')
    deliver(KEYFRAME)
    good.fine()
    pause(slow.subscription)
    pause(other.subscription)
    forwarder.detach(slow.subscription)
    expect(slow.subscription.pause!.state).toBe('ended')
    forwarder.removeSource(source)
    expect(other.subscription.pause!.state).toBe('ended')
    vi.advanceTimersByTime(10 * FIRST_BACKOFF_MS)
    await Promise.resolve()
    expect(told).toEqual([true, true])
  })

  it('drops a paused forwarding\'s NACK history and ignores its NACKs and PLIs until it resumes', async () => {
    const { forwarder, deliver, subscriber, plis, rtcp } = setUp()
    const good = subscriber('good')
    const slow = subscriber('slow')
    deliver(KEYFRAME)
    good.fine()
    pause(slow.subscription)
    expect(slow.sender.rtpCache).toEqual([])
    await Promise.resolve()
    vi.advanceTimersByTime(1_000)
    const plisBefore = plis()
    const ssrc = slow.sender.ssrc
    forwarder.subscriberFeedback(new RtcpTransportLayerFeedback({ feedback: new GenericNack({ senderSsrc: 5, mediaSourceSsrc: ssrc, lost: [40, 41] }) }), [slow.subscription])
    forwarder.subscriberFeedback(new RtcpPayloadSpecificFeedback({ feedback: new PictureLossIndication({ senderSsrc: 5, mediaSsrc: ssrc }) }), [slow.subscription])
    await Promise.resolve()
    expect(plis()).toBe(plisBefore)
    expect(rtcp.filter(([packet]) => packet instanceof RtcpTransportLayerFeedback)).toHaveLength(0)
    expect(forwarder.counters).toMatchObject({ nacksRelayed: 0, subscriberKeyframeRequests: 0 })
  })

  it('audio has no pause', () => {
    const forwarder = new Forwarder({ clock: systemClock, log: () => undefined })
    const { transceiver } = fakePublisherTransceiver({ dtlsTransport: { state: 'connected', sendRtcp: async () => undefined } })
    const source = forwarder.addSource({}, { trackId: 'audio-1', streamId: 's', kind: 'audio', clientId: 'a' }, '0', transceiver, LIMITS)!
    expect(forwarder.attach({ clientId: 'b', sourceEnded: () => undefined, videoPaused: () => undefined }, source).pause).toBeUndefined()
  })
})
