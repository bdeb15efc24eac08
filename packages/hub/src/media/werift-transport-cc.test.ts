// transport-cc through the werift forwarder: one feedback per publisher transport over its audio and
// video (the sequence is transport-wide), sent on the injected Clock; none where the extension is not
// negotiated; werift's own ReceiverTWCC off on every publisher receiver; and the REMB: from the ceiling
// with transport-cc (held there in `bounds` mode), from the room's initial bandwidth without.
import type { RtcpPayloadSpecificFeedback, ReceiverEstimatedMaxBitrate, TransportWideCC } from 'werift'
import { RtcpPacketConverter, RtcpTransportLayerFeedback } from 'werift'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Clock } from '../clock.js'
import { systemClock } from '../clock.js'
import { TICK_MS } from './bandwidth.js'
import { FEEDBACK_INTERVAL_MS, TRANSPORT_CC_URI } from './transport-cc.js'
import { Forwarder } from './werift-forwarder.js'
import { fakePublisherTransceiver } from '../test-support/fakePublisherTransceiver.js'
import type { PublishedTrack } from './types.js'

const TWCC_ID = 3

/** A publisher m-line sharing `dtlsTransport`; `deliver` plays in an RTP packet with a transport-wide number. */
function publisherLine(dtlsTransport: object, ssrc: number, negotiated: boolean) {
  const line = fakePublisherTransceiver({ ssrc, dtlsTransport, headerExtensions: negotiated ? [{ id: TWCC_ID, uri: TRANSPORT_CC_URI }] : [] })
  // As werift's receiver: its own feedback on until the hub turns it off.
  const receiver = Object.assign(line.receiver, { twccEnabled: true })
  const { transceiver } = line
  const deliver = (sequenceNumber: number, transportSequence: number, timestamp = sequenceNumber * 3000) =>
    line.deliver({
      header: { ssrc, sequenceNumber, timestamp, extensions: [{ id: TWCC_ID, payload: Buffer.from([transportSequence >> 8, transportSequence & 0xff]) }] },
      payload: Buffer.alloc(1_000),
    })
  return { transceiver, receiver, deliver }
}

function transport() {
  const rtcp: Buffer[] = []
  const dtlsTransport = { state: 'connected', sendRtcp: async (packets: { serialize(): Buffer }[]) => void rtcp.push(...packets.map((packet) => packet.serialize())) }
  return { dtlsTransport, rtcp }
}

const track = (kind: 'audio' | 'video'): PublishedTrack => ({ trackId: `${kind}-1`, streamId: 's', kind, clientId: 'a' })
const limits = { floorBps: 100_000, startBps: 1_000_000, ceilingBps: 2_000_000 }
/** The fake timers' time, as the precise clock too (so that arrivals follow the fake time). */
const clock: Clock = { ...systemClock, preciseNow: () => Date.now() }

function feedbacksIn(rtcp: Buffer[]): TransportWideCC[] {
  return rtcp
    .flatMap((bytes) => RtcpPacketConverter.deSerialize(bytes))
    .filter((packet): packet is RtcpTransportLayerFeedback => packet instanceof RtcpTransportLayerFeedback)
    .map((packet) => packet.feedback as TransportWideCC)
}

function rembsIn(rtcp: Buffer[]): number[] {
  return rtcp
    .flatMap((bytes) => RtcpPacketConverter.deSerialize(bytes))
    .filter((packet) => (packet as RtcpPayloadSpecificFeedback).feedback?.count === 15 && packet.type === 206)
    .map((packet) => {
      const remb = (packet as RtcpPayloadSpecificFeedback).feedback as ReceiverEstimatedMaxBitrate
      return remb.brMantissa * 2 ** remb.brExp
    })
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('Forwarder transport-cc', () => {
  it('sends one feedback per publisher transport over its audio and video, every interval, and stops with its tracks', () => {
    const forwarder = new Forwarder({ clock, log: () => undefined })
    const publisher = {}
    const { dtlsTransport, rtcp } = transport()
    const video = publisherLine(dtlsTransport, 1234, true)
    const audio = publisherLine(dtlsTransport, 5678, true)
    const videoSource = forwarder.addSource(publisher, track('video'), '0', video.transceiver)!
    const audioSource = forwarder.addSource(publisher, track('audio'), '1', audio.transceiver)!
    expect(video.receiver.twccEnabled).toBe(false)
    expect(audio.receiver.twccEnabled).toBe(false)
    video.deliver(0, 100)
    vi.advanceTimersByTime(2)
    audio.deliver(0, 101)
    vi.advanceTimersByTime(3)
    video.deliver(1, 103)
    vi.advanceTimersByTime(FEEDBACK_INTERVAL_MS)
    const [feedback, ...more] = feedbacksIn(rtcp)
    expect(more).toEqual([])
    expect(feedback!.baseSequenceNumber).toBe(100)
    expect(feedback!.packetStatusCount).toBe(4)
    expect(feedback!.mediaSourceSsrc).toBe(1234)
    // 2 ms and 3 ms after the first, in µs; 102 was not received.
    expect(feedback!.recvDeltas.slice(1).map((delta) => delta.delta)).toEqual([2_000, 3_000])
    expect(forwarder.counters.transportCcFeedbackSent).toBe(1)
    forwarder.removeSource(videoSource)
    audio.deliver(1, 104)
    vi.advanceTimersByTime(FEEDBACK_INTERVAL_MS)
    expect(feedbacksIn(rtcp).map((packet) => packet.baseSequenceNumber)).toEqual([100, 104])
    forwarder.removeSource(audioSource)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('sends none where the extension is not negotiated, and keeps werift’s off there too', () => {
    const forwarder = new Forwarder({ clock, log: () => undefined })
    const { dtlsTransport, rtcp } = transport()
    const video = publisherLine(dtlsTransport, 1234, false)
    forwarder.addSource({}, track('video'), '0', video.transceiver)
    expect(video.receiver.twccEnabled).toBe(false)
    for (let seq = 0; seq < 5; seq++) video.deliver(seq, seq)
    vi.advanceTimersByTime(FEEDBACK_INTERVAL_MS * 4)
    expect(feedbacksIn(rtcp)).toEqual([])
    expect(forwarder.counters.transportCcFeedbackSent).toBe(0)
  })

  it('with transport-cc the REMB keeps to the bounds through a queue; the hub’s estimate cuts without it, or when asked for', () => {
    const run = (negotiated: boolean, rembWithTransportCc?: 'bounds' | 'estimate') => {
      const forwarder = new Forwarder({ clock, log: () => undefined, rembWithTransportCc })
      const { dtlsTransport, rtcp } = transport()
      const video = publisherLine(dtlsTransport, 1234, negotiated)
      forwarder.addSource({}, track('video'), '0', video.transceiver, limits)
      // 30 frames of 90 kHz every 33 ms sent, arriving ever later: a queue growing by 20 ms a frame.
      let seq = 0
      for (let frame = 0; frame < 60; frame++) {
        for (let i = 0; i < 3; i++, seq++) video.deliver(seq, seq, frame * 3000)
        vi.advanceTimersByTime(53)
      }
      vi.advanceTimersByTime(TICK_MS)
      return rembsIn(rtcp)
    }
    // With transport-cc and `bounds` the REMB starts at the ceiling (an upper bound only) and stays there.
    const bounds = run(true, 'bounds')
    expect(bounds.length).toBeGreaterThan(10)
    expect(new Set(bounds)).toEqual(new Set([limits.ceilingBps]))
    // By default (`estimate`) it starts at the ceiling too, and the hub's estimate cuts on the queue.
    const estimate = run(true)
    expect(estimate[0]).toBe(limits.ceilingBps)
    expect(Math.min(...estimate)).toBeLessThan(limits.startBps)
    // Without transport-cc it starts at the room's initial bandwidth, and cuts.
    const rembOnly = run(false)
    expect(rembOnly[0]).toBe(limits.startBps)
    expect(Math.min(...rembOnly)).toBeLessThan(limits.startBps)
  })
})
