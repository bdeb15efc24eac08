// The ndc plane's RTCP bytes, checked against werift's parser and serializer (an independent RTCP
// implementation), and the per-publisher-track reception: which NACKs go out when, and the RR counters.
import {
  GenericNack,
  PictureLossIndication,
  RtcpPacketConverter,
  RtcpPayloadSpecificFeedback,
  RtcpReceiverInfo,
  RtcpRrPacket,
  RtcpSenderInfo,
  RtcpSrPacket,
  RtcpTransportLayerFeedback,
} from 'werift'
import { describe, expect, it } from 'vitest'
import { NACK_RETRY_MS, NACK_TRIES, PublisherReception, nackBytes, pliBytes, readSubscriberRtcp, receiverReportBytes, senderReportNtpMiddle } from './ndc-rtcp.js'

describe('the RTCP the hub writes', () => {
  it('is parsed by werift as the PLI, NACK and receiver report meant', () => {
    const [pli] = RtcpPacketConverter.deSerialize(pliBytes(7, 0xabcd_0001)) as RtcpPayloadSpecificFeedback[]
    expect((pli!.feedback as PictureLossIndication).mediaSsrc).toBe(0xabcd_0001)

    const [nack] = RtcpPacketConverter.deSerialize(nackBytes(7, 99, [65535, 3, 1, 2, 40, 0], 6)) as RtcpTransportLayerFeedback[]
    const generic = nack!.feedback as GenericNack
    expect(generic.mediaSourceSsrc).toBe(99)
    expect(generic.lost.map((seq) => seq & 0xffff).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 40, 65535])

    const block = { ssrc: 99, fractionLost: 12, cumulativeLost: 300, extendedHighest: 70_000, jitter: 0, lastSr: 0x1234_5678, delaySinceLastSr: 0 }
    const [rr] = RtcpPacketConverter.deSerialize(receiverReportBytes(7, block)) as RtcpRrPacket[]
    expect(rr!.ssrc).toBe(7)
    expect(rr!.reports[0]).toMatchObject({ ssrc: 99, fractionLost: 12, packetsLost: 300, highestSequence: 70_000, lsr: 0x1234_5678, dlsr: 0 })
  })
})

describe('readSubscriberRtcp', () => {
  const OURS = 0x0102_0304
  const compound = Buffer.concat([
    new RtcpRrPacket({
      ssrc: 1,
      reports: [
        new RtcpReceiverInfo({ ssrc: 555, fractionLost: 0, packetsLost: 9, highestSequence: 9, jitter: 0, lsr: 0, dlsr: 0 }),
        new RtcpReceiverInfo({ ssrc: OURS, fractionLost: 3, packetsLost: 17, highestSequence: 66_000, jitter: 0, lsr: 0, dlsr: 0 }),
      ],
    }).serialize(),
    new RtcpPayloadSpecificFeedback({ feedback: new PictureLossIndication({ senderSsrc: 1, mediaSsrc: 555 }) }).serialize(),
    new RtcpTransportLayerFeedback({ feedback: new GenericNack({ senderSsrc: 1, mediaSourceSsrc: OURS, lost: [100, 101, 117] }) }).serialize(),
    new RtcpPayloadSpecificFeedback({ feedback: new PictureLossIndication({ senderSsrc: 1, mediaSsrc: OURS }) }).serialize(),
  ])

  it("reads only what concerns the stream's SSRC: its report block, its PLI, its NACK", () => {
    const seen: unknown[] = []
    readSubscriberRtcp(compound, OURS, {
      report: (lost, highest) => seen.push(['report', lost, highest]),
      keyframeRequested: () => seen.push(['keyframe']),
      nacked: (lost) => seen.push(['nack', lost]),
    })
    expect(seen).toEqual([['report', 17, 66_000], ['nack', [100, 101, 117]], ['keyframe']])
  })

  it('stops at a truncated packet without throwing', () => {
    const seen: unknown[] = []
    readSubscriberRtcp(compound.subarray(0, 40), OURS, { report: () => seen.push('report'), keyframeRequested: () => seen.push('kf'), nacked: () => seen.push('nack') })
    expect(seen).toEqual([])
  })

  it("finds a publisher's SR among a compound packet (the middle 32 bits of its NTP time)", () => {
    const sr = new RtcpSrPacket({ ssrc: 42, senderInfo: new RtcpSenderInfo({ ntpTimestamp: 0x1111_2222_3333_4444n, rtpTimestamp: 5, packetCount: 1, octetCount: 1 }), reports: [] })
    const packet = Buffer.concat([new RtcpPayloadSpecificFeedback({ feedback: new PictureLossIndication({ senderSsrc: 1, mediaSsrc: 2 }) }).serialize(), sr.serialize()])
    expect(senderReportNtpMiddle(packet, 42)).toBe(0x2222_3333)
    expect(senderReportNtpMiddle(packet, 43)).toBeUndefined()
  })
})

describe('PublisherReception', () => {
  const due = (reception: PublisherReception, count: number) => [...reception.due.subarray(0, count)]

  it('asks for the packets of a gap at once, again after NACK_RETRY_MS, and at most NACK_TRIES times', () => {
    const reception = new PublisherReception()
    let now = 1000
    expect(reception.onPacket(65534, now, true)).toBe(0)
    expect(due(reception, reception.onPacket(1, now, true))).toEqual([65535, 0])
    expect(reception.onPacket(2, (now += 10), true)).toBe(0)
    for (let tries = 2; tries <= NACK_TRIES; tries++) expect(due(reception, reception.onPacket(1 + tries, (now += NACK_RETRY_MS), true))).toEqual([65535, 0])
    expect(reception.onPacket(NACK_TRIES + 2, (now += NACK_RETRY_MS), true)).toBe(0)
    expect(reception.waitingFor).toBe(0)
  })

  it('stops asking for a packet once it arrives, and counts it in the receiver report', () => {
    const reception = new PublisherReception()
    reception.onPacket(10, 0, true)
    expect(due(reception, reception.onPacket(13, 0, true))).toEqual([11, 12])
    reception.onPacket(11, 5, true)
    expect(due(reception, reception.onPacket(14, NACK_RETRY_MS + 1, true))).toEqual([12])
    const report = reception.report(77, 5, 0)
    expect(report).toMatchObject({ ssrc: 77, cumulativeLost: 1, extendedHighest: 14, lastSr: 5, fractionLost: Math.floor(256 / 5) })
    reception.onPacket(15, 200, true)
    expect(reception.report(77, 5, 0)).toMatchObject({ cumulativeLost: 1, fractionLost: 0, extendedHighest: 15 })
  })

  it('asks nothing for audio, or for a gap too wide to be worth resending', () => {
    const audio = new PublisherReception()
    audio.onPacket(1, 0, false)
    expect(audio.onPacket(5, 0, false)).toBe(0)
    const video = new PublisherReception()
    video.onPacket(1, 0, true)
    expect(video.onPacket(1000, 0, true)).toBe(0)
  })
})
