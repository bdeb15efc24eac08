import { describe, expect, it } from 'vitest'
import { Event, PictureLossIndication, RtcpPayloadSpecificFeedback, RtpHeader, RtpPacket, StunProtocol, type RTCDtlsTransport } from 'werift'
import { OPUS_PAYLOAD_TYPE, VP8_PAYLOAD_TYPE } from '@parley/testkit'
import { FREEZE_GAP_MS, ReceiveCounter, tapProtocol, tapTransport, type DatagramProtocol } from './receive-tap.js'

function rtp(payloadType: number, ssrc: number, sequenceNumber: number): Buffer {
  return new RtpPacket(new RtpHeader({ payloadType, ssrc, sequenceNumber, timestamp: 0 }), Buffer.alloc(20)).serialize()
}

function counterWithClock() {
  const clock = { now: 0 }
  return { clock, counter: new ReceiveCounter(() => clock.now) }
}

describe('ReceiveCounter', () => {
  it('counts packets per SSRC and tells video (VP8) from audio by payload type', () => {
    const { counter } = counterWithClock()
    counter.onRtp(rtp(VP8_PAYLOAD_TYPE, 1, 1))
    counter.onRtp(rtp(VP8_PAYLOAD_TYPE, 1, 2))
    counter.onRtp(rtp(OPUS_PAYLOAD_TYPE, 2, 1))
    expect(counter.packets).toBe(3)
    expect(counter.count('video')).toBe(1)
    expect(counter.count('audio')).toBe(1)
    expect(counter.count('video', 3)).toBe(0)
    expect(counter.streams.get(1)?.packets).toBe(2)
  })

  it('ignores what is too short to be RTP', () => {
    const { counter } = counterWithClock()
    counter.onRtp(Buffer.alloc(11))
    expect(counter.packets).toBe(0)
  })

  it('counts a video gap longer than the freeze threshold inside the window only', () => {
    const { clock, counter } = counterWithClock()
    counter.onRtp(rtp(VP8_PAYLOAD_TYPE, 7, 1))
    clock.now = 2_000 // a gap before the window is not a freeze of the window
    counter.startWindow()
    counter.onRtp(rtp(VP8_PAYLOAD_TYPE, 7, 2))
    clock.now += FREEZE_GAP_MS + 1
    counter.onRtp(rtp(VP8_PAYLOAD_TYPE, 7, 3))
    clock.now += 100
    counter.onRtp(rtp(VP8_PAYLOAD_TYPE, 7, 4))
    counter.endWindow()
    expect(counter.freezes).toBe(1)
    expect(counter.longestGapMs).toBe(FREEZE_GAP_MS + 1)
  })

  it('counts a video stream that went silent until the end of the window as a freeze, and audio gaps never', () => {
    const { clock, counter } = counterWithClock()
    counter.onRtp(rtp(VP8_PAYLOAD_TYPE, 7, 1))
    counter.onRtp(rtp(OPUS_PAYLOAD_TYPE, 8, 1))
    counter.startWindow()
    clock.now += 3_000
    counter.endWindow()
    expect(counter.freezes).toBe(1)
  })
})

/** werift's own ICE protocol of a UDP host candidate, without its socket: what reaches its ICE connection is recorded. */
function stunProtocol() {
  const protocol = new StunProtocol()
  protocol.localCandidate = {} as StunProtocol['localCandidate'] // werift passes data on only once its candidate exists
  const passed: Buffer[] = []
  protocol.onDataReceived.subscribe((data: Buffer) => passed.push(data))
  return { protocol: protocol as unknown as DatagramProtocol, passed }
}

const addr = ['127.0.0.1', 5000]
const rtcpPli = () => new RtcpPayloadSpecificFeedback({ feedback: new PictureLossIndication({ senderSsrc: 1, mediaSsrc: 2 }) }).serialize()
const dtlsRecord = () => Buffer.from([22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0])
const stunBinding = () => Buffer.concat([Buffer.from([0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42]), Buffer.alloc(12, 7)])

describe('tapProtocol (the socket tap)', () => {
  it('counts SRTP RTP at the socket and passes none of it on to werift', () => {
    const { counter } = counterWithClock()
    const { protocol, passed } = stunProtocol()
    expect(tapProtocol(protocol, counter)).toBe(true)
    protocol.datagramReceived(rtp(VP8_PAYLOAD_TYPE, 9, 1), addr)
    protocol.datagramReceived(rtp(OPUS_PAYLOAD_TYPE, 10, 1), addr)
    expect(counter.packets).toBe(2)
    expect(counter.count('video')).toBe(1)
    expect(counter.count('audio')).toBe(1)
    expect(passed).toHaveLength(0)
  })

  it('passes RTCP, DTLS and STUN on to werift untouched, and counts none of them', () => {
    const { counter } = counterWithClock()
    const { protocol, passed } = stunProtocol()
    tapProtocol(protocol, counter)
    const pli = rtcpPli()
    protocol.datagramReceived(pli, addr)
    protocol.datagramReceived(dtlsRecord(), addr)
    protocol.datagramReceived(stunBinding(), addr) // a STUN request goes to onRequestReceived, not onDataReceived
    expect(counter.packets).toBe(0)
    expect(passed).toEqual([pli, dtlsRecord()])
  })

  it('taps a protocol once, and never a TURN relay (its socket carries TURN framing)', () => {
    const { counter } = counterWithClock()
    const { protocol, passed } = stunProtocol()
    expect(tapProtocol(protocol, counter)).toBe(true)
    expect(tapProtocol(protocol, counter)).toBe(false)
    protocol.datagramReceived(rtp(VP8_PAYLOAD_TYPE, 9, 1), addr)
    expect(counter.packets).toBe(1)
    const turn = { type: 'turn', datagramReceived: (data: Buffer, _from: unknown) => void passed.push(data) }
    expect(tapProtocol(turn, counter)).toBe(false)
    turn.datagramReceived(rtp(VP8_PAYLOAD_TYPE, 9, 2), addr)
    expect(counter.packets).toBe(1)
  })
})

describe('tapTransport (the DTLS transport tap)', () => {
  it('counts RTP that got past the socket tap, and says so', () => {
    const { counter } = counterWithClock()
    const onData = new Event<[Buffer]>()
    const transport = { srtpStarted: false, updateSrtpSession: () => undefined, iceTransport: { connection: { onData } } } as unknown as RTCDtlsTransport
    tapTransport(transport, counter)
    transport.startSrtp()
    onData.execute(rtp(VP8_PAYLOAD_TYPE, 3, 1))
    expect(counter.packets).toBe(1)
    expect(counter.pastSocketTap).toBe(1)
  })
})
