// The keyframe rule of the werift forwarder on the injected Clock (fake timers drive the system clock):
// asks of one tick share one PLI (microtask), at most one PLI per track per KEYFRAME_REQUEST_INTERVAL_MS,
// later asks coalesced into one trailing PLI, none for audio, and a PLI wanted before the publisher's DTLS
// is up sent once it is.
import type { RTCRtpTransceiver } from 'werift'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../clock.js'
import type { PublishedTrack } from './types.js'
import { GenericNack, ReceiverEstimatedMaxBitrate, RtcpPayloadSpecificFeedback, RtcpTransportLayerFeedback, RtpHeader, RtpPacket } from 'werift'
import { TICK_MS } from './bandwidth.js'
import { Forwarder, KEYFRAME_REQUEST_INTERVAL_MS } from './werift-forwarder.js'
import { NACK_KEYFRAME_INTERVAL_MS, NACK_RECOVERY_MS, NACK_RELAY_WINDOW_MS } from './nack-recovery.js'
import { fakePublisherTransceiver } from '../test-support/fakePublisherTransceiver.js'

/** The parts of a werift transceiver the forwarder touches for keyframes and REMB; `deliver` plays RTP in. */
function publisherTransceiver(dtlsState: 'new' | 'connected') {
  const rtcp: unknown[][] = []
  const dtlsTransport = { state: dtlsState, sendRtcp: async (packets: unknown[]) => void rtcp.push(packets) }
  const { transceiver, deliver: deliverPacket } = fakePublisherTransceiver({ dtlsTransport })
  const deliver = (sequenceNumber: number, timestamp: number) =>
    deliverPacket({ header: { ssrc: 1234, sequenceNumber, timestamp, extensions: [] }, payload: Buffer.alloc(1_000) })
  return { transceiver, dtlsTransport, rtcp, deliver, deliverPacket }
}

/** Lets the queued microtasks (the batched keyframe requests) run. */
const tick = () => Promise.resolve()

const track = (kind: 'audio' | 'video'): PublishedTrack => ({ trackId: `${kind}-1`, streamId: 's', kind, clientId: 'a' })

/** A forwarder with one video source whose publisher's DTLS is up, and the RTCP sent to that publisher. */
function connectedVideoSource() {
  const forwarder = new Forwarder({ clock: systemClock, log: () => undefined })
  const { transceiver, rtcp } = publisherTransceiver('connected')
  const source = forwarder.addSource({}, track('video'), '0', transceiver)!
  return { forwarder, source, rtcp }
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('Forwarder keyframe requests', () => {
  it('sends one PLI for the asks of one tick', async () => {
    const { forwarder, source, rtcp } = connectedVideoSource()
    forwarder.requestKeyframe(source)
    forwarder.requestKeyframe(source)
    expect(rtcp).toHaveLength(0)
    await tick()
    expect(rtcp).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('sends at most one PLI per interval per track and coalesces later asks into one trailing PLI', async () => {
    const { forwarder, source, rtcp } = connectedVideoSource()
    forwarder.requestKeyframe(source)
    await tick()
    expect(rtcp).toHaveLength(1)
    vi.advanceTimersByTime(100)
    forwarder.requestKeyframe(source)
    await tick()
    forwarder.requestKeyframe(source)
    await tick()
    expect(rtcp).toHaveLength(1)
    vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS - 100 - 1)
    expect(rtcp).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(rtcp).toHaveLength(2)
    vi.advanceTimersByTime(10 * KEYFRAME_REQUEST_INTERVAL_MS)
    expect(rtcp).toHaveLength(2)
    expect(forwarder.counters.keyframeRequestsSent).toBe(2)
  })

  it('asks nothing of an audio track, and nothing once the track is removed', async () => {
    const forwarder = new Forwarder({ clock: systemClock, log: () => undefined })
    const audio = publisherTransceiver('connected')
    forwarder.requestKeyframe(forwarder.addSource({}, track('audio'), '0', audio.transceiver)!)
    const video = publisherTransceiver('connected')
    const source = forwarder.addSource({}, track('video'), '1', video.transceiver)!
    forwarder.requestKeyframe(source)
    await tick()
    forwarder.requestKeyframe(source)
    await tick()
    forwarder.removeSource(source)
    vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS)
    expect(audio.rtcp).toHaveLength(0)
    expect(video.rtcp).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('keeps a PLI wanted before the publisher connected, and sends it when it does', async () => {
    const forwarder = new Forwarder({ clock: systemClock, log: () => undefined })
    const publisher = {}
    const { transceiver, dtlsTransport, rtcp } = publisherTransceiver('new')
    const source = forwarder.addSource(publisher, track('video'), '0', transceiver)!
    forwarder.requestKeyframe(source)
    await tick()
    expect(rtcp).toHaveLength(0)
    dtlsTransport.state = 'connected'
    forwarder.publisherConnected({})
    await tick()
    expect(rtcp).toHaveLength(0)
    forwarder.publisherConnected(publisher)
    await tick()
    expect(rtcp).toHaveLength(1)
  })
})

describe('Forwarder: NACKs the hub cannot answer', () => {
  const SUBSCRIBER_SSRC = 777
  /** A subscription of `source` whose sender's NACK history holds `held` (its numbering: the publisher's + `seqOffset`). */
  function subscriptionWithHistory(forwarder: Forwarder, source: NonNullable<ReturnType<Forwarder['addSource']>>, held: number[], seqOffset = 0) {
    const subscription = forwarder.attach({ clientId: 'b', sourceEnded: () => undefined, videoPaused: () => undefined }, source)
    const rtpCache: { header: { sequenceNumber: number } }[] = []
    for (const seq of held) rtpCache[seq % 128] = { header: { sequenceNumber: seq } }
    subscription.transceiver = { sender: { ssrc: SUBSCRIBER_SSRC, rtpCache, seqOffset } } as unknown as RTCRtpTransceiver
    return subscription
  }
  const nack = (...lost: number[]) => new RtcpTransportLayerFeedback({ feedback: new GenericNack({ senderSsrc: 5, mediaSourceSsrc: SUBSCRIBER_SSRC, lost }) })
  const pli = (rtcp: unknown[][]) => rtcp.filter((packets) => packets[0] instanceof RtcpPayloadSpecificFeedback)
  const relayed = (rtcp: unknown[][]) =>
    rtcp.filter((packets) => packets[0] instanceof RtcpTransportLayerFeedback).map((packets) => (packets[0] as RtcpTransportLayerFeedback).feedback as GenericNack)

  it("relays a NACK for a packet the hub never had to the publisher, in the publisher's numbering, and asks no keyframe at once", async () => {
    const { forwarder, source, rtcp } = connectedVideoSource()
    // The subscriber's numbers are the publisher's + 10: 1010-1012 and 1014 forwarded, 1013 (the publisher's 1003) never arrived.
    const subscription = subscriptionWithHistory(forwarder, source, [1010, 1011, 1012, 1013 - 128, 1014], 10)
    forwarder.subscriberFeedback(nack(1012, 1013), [subscription])
    // Repeated within NACK_RELAY_WINDOW_MS: coalesced (nack-recovery.test.ts); after it, relayed again.
    vi.advanceTimersByTime(NACK_RELAY_WINDOW_MS - 1)
    forwarder.subscriberFeedback(nack(1013), [subscription])
    vi.advanceTimersByTime(1)
    forwarder.subscriberFeedback(nack(1013), [subscription])
    await tick()
    const nacks = relayed(rtcp)
    expect(nacks.map((feedback) => [feedback.mediaSourceSsrc, feedback.lost])).toEqual([[1234, [1003]], [1234, [1003]]])
    expect(pli(rtcp)).toHaveLength(0)
    expect(forwarder.counters.nacksRelayed).toBe(2)
    expect(forwarder.counters.nacksCoalesced).toBe(1)
    expect(forwarder.counters.unanswerableNackKeyframeRequests).toBe(0)
  })

  it('relays the NACKs of several subscribers for the same missing packet once per source per window', async () => {
    const { forwarder, source, rtcp } = connectedVideoSource()
    // The publisher's 65535 never arrived: subscriber a numbers it 9 (offset 10), b 65535 (offset 0).
    const a = subscriptionWithHistory(forwarder, source, [8], 10)
    const b = subscriptionWithHistory(forwarder, source, [65534], 0)
    forwarder.subscriberFeedback(nack(9), [a])
    vi.advanceTimersByTime(5)
    forwarder.subscriberFeedback(nack(65535), [b])
    vi.advanceTimersByTime(NACK_RELAY_WINDOW_MS - 5)
    forwarder.subscriberFeedback(nack(65535), [b])
    forwarder.subscriberFeedback(nack(9), [a])
    await tick()
    expect(relayed(rtcp).map((feedback) => feedback.lost)).toEqual([[65535], [65535]])
    expect(forwarder.counters.nacksRelayed).toBe(2)
    expect(forwarder.counters.nacksCoalesced).toBe(2)
  })

  it('asks for one keyframe when the packet is still missing NACK_RECOVERY_MS after its first NACK', async () => {
    const { forwarder, source, rtcp } = connectedVideoSource()
    const subscription = subscriptionWithHistory(forwarder, source, [1000, 1001, 1002, 1004])
    forwarder.subscriberFeedback(nack(1003), [subscription])
    vi.advanceTimersByTime(NACK_RECOVERY_MS - 1)
    forwarder.subscriberFeedback(nack(1003), [subscription])
    await tick()
    expect(pli(rtcp)).toHaveLength(0)
    vi.advanceTimersByTime(1)
    forwarder.subscriberFeedback(nack(1003), [subscription])
    await tick()
    expect(pli(rtcp)).toHaveLength(1)
    expect(((pli(rtcp)[0]![0] as RtcpPayloadSpecificFeedback).feedback as { mediaSsrc: number }).mediaSsrc).toBe(1234)
    expect(forwarder.counters.unanswerableNackKeyframeRequests).toBe(1)
    expect(forwarder.counters.keyframeRequestsSent).toBe(1)
    // The NACK 1 ms after the second relay is not relayed again (NACK_RELAY_WINDOW_MS), but still counts for the keyframe.
    expect(relayed(rtcp)).toHaveLength(2)
    expect(forwarder.counters.nacksCoalesced).toBe(1)
  })

  it('asks nothing for NACKed packets the history holds (werift resends them), nor for another SSRC or an audio track', async () => {
    const forwarder = new Forwarder({ clock: systemClock, log: () => undefined })
    const video = publisherTransceiver('connected')
    const source = forwarder.addSource({}, track('video'), '0', video.transceiver)!
    const subscription = subscriptionWithHistory(forwarder, source, [65535, 0, 1, 2])
    // werift parses pid 65535 + bitmask as 65535, 65536, 65537: the same packets as 65535, 0, 1.
    for (let i = 0; i < 3; i++) {
      forwarder.subscriberFeedback(nack(65535, 65536, 65537, 2), [subscription])
      vi.advanceTimersByTime(NACK_RECOVERY_MS)
    }
    const other = new RtcpTransportLayerFeedback({ feedback: new GenericNack({ senderSsrc: 5, mediaSourceSsrc: 9, lost: [9] }) })
    for (let i = 0; i < 3; i++) forwarder.subscriberFeedback(other, [subscription])
    const audio = publisherTransceiver('connected')
    const audioSubscription = subscriptionWithHistory(forwarder, forwarder.addSource({}, track('audio'), '1', audio.transceiver)!, [])
    for (let i = 0; i < 3; i++) {
      forwarder.subscriberFeedback(nack(3), [audioSubscription])
      vi.advanceTimersByTime(NACK_RECOVERY_MS)
    }
    await tick()
    vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS)
    expect(video.rtcp).toHaveLength(0)
    expect(audio.rtcp).toHaveLength(0)
    expect(forwarder.counters.unanswerableNackKeyframeRequests).toBe(0)
    expect(forwarder.counters.nacksRelayed).toBe(0)
  })

  it('keeps keyframes for unanswerable NACKs NACK_KEYFRAME_INTERVAL_MS apart while a subscriber keeps NACKing missing packets', async () => {
    const { forwarder, source, rtcp } = connectedVideoSource()
    const subscription = subscriptionWithHistory(forwarder, source, [])
    // Every 100 ms a new missing packet, each NACKed for 600 ms (every 100 ms), for 3 s.
    for (let elapsed = 0; elapsed < 3000; elapsed += 100) {
      const lost: number[] = []
      for (let age = 0; age <= 600 && age <= elapsed; age += 100) lost.push(50 + (elapsed - age) / 100)
      forwarder.subscriberFeedback(nack(...lost), [subscription])
      await tick()
      vi.advanceTimersByTime(100)
    }
    // The first at 500 ms, then one a NACK_KEYFRAME_INTERVAL_MS: 500, 1500, 2500.
    expect(pli(rtcp)).toHaveLength(3)
    expect(forwarder.counters.unanswerableNackKeyframeRequests).toBe(3)
    vi.advanceTimersByTime(10 * NACK_KEYFRAME_INTERVAL_MS)
    expect(pli(rtcp)).toHaveLength(3)
  })
})

describe('Forwarder bandwidth estimation', () => {
  it("tells a publisher of video its estimate by REMB every tick, starting at the room's initial bandwidth, and stops with its tracks", async () => {
    const forwarder = new Forwarder({ clock: systemClock, log: () => undefined })
    const { transceiver, rtcp, deliver } = publisherTransceiver('connected')
    const limits = { floorBps: 100_000, startBps: 1_000_000, ceilingBps: 2_000_000 }
    const source = forwarder.addSource({}, track('video'), '0', transceiver, limits)!
    for (let seq = 0; seq < 10; seq++) deliver(seq, seq * 4_500)
    // The first packet brought the start estimate at once (see the next test); then one per tick.
    expect(rtcp).toHaveLength(1)
    vi.advanceTimersByTime(TICK_MS)
    await tick()
    expect(rtcp).toHaveLength(2)
    const packet = rtcp[1]![0] as RtcpPayloadSpecificFeedback
    const remb = packet.feedback as ReceiverEstimatedMaxBitrate
    expect(remb).toBeInstanceOf(ReceiverEstimatedMaxBitrate)
    expect(remb.ssrcFeedbacks).toEqual([1234])
    // A clean first window: 16 %/s above the start (≈ 3.8 % in a 250 ms tick).
    expect(remb.brMantissa * 2 ** remb.brExp).toBeGreaterThan(1_030_000)
    expect(remb.brMantissa * 2 ** remb.brExp).toBeLessThanOrEqual(1_040_000)
    // The serialized packet parses back to the same figures.
    const parsed = ReceiverEstimatedMaxBitrate.deSerialize(remb.serialize())
    expect(parsed.ssrcFeedbacks).toEqual([1234])
    expect(forwarder.counters.rembSent).toBe(2)
    forwarder.removeSource(source)
    vi.advanceTimersByTime(TICK_MS)
    expect(vi.getTimerCount()).toBe(0)
    expect(forwarder.counters.rembSent).toBe(2)
  })

  it('sends the start estimate the moment the publisher connects, and again on its first packet, without waiting for a tick', () => {
    const forwarder = new Forwarder({ clock: systemClock, log: () => undefined })
    const publisher = {}
    const { transceiver, dtlsTransport, rtcp, deliver } = publisherTransceiver('new')
    const limits = { floorBps: 100_000, startBps: 1_000_000, ceilingBps: 2_000_000 }
    forwarder.addSource(publisher, track('video'), '0', transceiver, limits)
    forwarder.addSource(publisher, track('audio'), '1', publisherTransceiver('new').transceiver, limits)
    // Not connected yet: nothing can be sent.
    forwarder.publisherConnected(publisher)
    expect(rtcp).toHaveLength(0)
    dtlsTransport.state = 'connected'
    forwarder.publisherConnected(publisher)
    // The SSRC comes from the publisher's SDP (the receiver's track) before any packet arrived.
    const rembOf = (index: number) => (rtcp[index]![0] as RtcpPayloadSpecificFeedback).feedback as ReceiverEstimatedMaxBitrate
    expect(rtcp).toHaveLength(1)
    expect(rembOf(0).ssrcFeedbacks).toEqual([1234])
    expect(rembOf(0).brMantissa * 2 ** rembOf(0).brExp).toBe(1_000_000)
    deliver(0, 0)
    deliver(1, 3_000)
    expect(rtcp).toHaveLength(2)
    expect(rembOf(1).brMantissa * 2 ** rembOf(1).brExp).toBe(1_000_000)
  })
})

describe("Forwarder through werift's sendRtp (fast send off)", () => {
  it("hands werift a probe's padding as payload, the publisher's extensions stripped", () => {
    const forwarder = new Forwarder({ clock: systemClock, log: () => undefined, fastSend: false })
    const { transceiver, deliverPacket } = publisherTransceiver('connected')
    const source = forwarder.addSource({}, track('video'), '0', transceiver)!
    const sent: RtpPacket[] = []
    const subscription = forwarder.attach({ clientId: 'b', sourceEnded: () => undefined, videoPaused: () => undefined }, source)
    subscription.forwarding = true
    subscription.transceiver = {
      stopping: false,
      stopped: false,
      sender: { codec: { payloadType: 96 }, dtlsTransport: { state: 'connected' }, sendRtp: async (packet: RtpPacket) => void sent.push(packet) },
    } as unknown as RTCRtpTransceiver
    const header = new RtpHeader({ ssrc: 1234, sequenceNumber: 5, timestamp: 9, padding: true, paddingSize: 100, extensions: [{ id: 3, payload: Buffer.from([1, 2, 3]) }] })
    deliverPacket(new RtpPacket(header, Buffer.alloc(0)))
    expect(sent).toHaveLength(1)
    expect(sent[0]!.header.extensions).toEqual([])
    expect(sent[0]!.payload.length).toBe(100)
    expect(sent[0]!.payload[99]).toBe(100)
  })
})
