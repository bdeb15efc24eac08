import { describe, expect, it } from 'vitest'
import { RtpPacket } from 'werift'
import { answeredCodecs, asPublishOnly, withoutSimulcast, withoutTransportCc, asksForKeyframe, iceUfrag, isRtcp, neutralizeHeaderExtensions, withOfferedDirections, ssrcOf, withoutRedundancyFormats, withOneSetupRole, writeSsrc } from './ndc-sdp.js'

const CHROME_VIDEO = [
  'v=0',
  'a=group:BUNDLE 0',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 118 119 120',
  'a=mid:0',
  'a=rtpmap:96 VP8/90000',
  'a=rtcp-fb:96 nack pli',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rtpmap:118 red/90000',
  'a=rtpmap:119 rtx/90000',
  'a=fmtp:119 apt=118',
  'a=rtpmap:120 ulpfec/90000',
  'a=rtcp-fb:120 nack',
  '',
].join('\r\n')

describe('asPublishOnly', () => {
  it('makes sendrecv audio and video m-lines sendonly, so the answer is recvonly; the rest stays', () => {
    const offer = ['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', 'a=sendrecv', 'a=msid:s a', 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:1', 'a=recvonly', 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'a=mid:2', 'a=sendrecv', ''].join('\r\n')
    expect(asPublishOnly(offer)).toBe(offer.replace('a=mid:0\r\na=sendrecv', 'a=mid:0\r\na=sendonly'))
  })
})

describe('withoutRedundancyFormats', () => {
  it('drops RED, ULPFEC and RTX from the m-line and their attributes, and keeps the media codecs', () => {
    const sdp = withoutRedundancyFormats(CHROME_VIDEO)
    expect(sdp).toContain('m=video 9 UDP/TLS/RTP/SAVPF 96\r\n')
    expect(sdp).toContain('a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack pli')
    expect(sdp).not.toMatch(/a=(rtpmap|fmtp|rtcp-fb):(97|118|119|120) /)
    expect(answeredCodecs(sdp, '0')).toEqual([{ payloadType: 96, name: 'VP8', fmtp: undefined }])
  })
})

describe('withoutTransportCc', () => {
  it("drops the transport-wide-cc extension and every transport-cc feedback, and keeps the rest", () => {
    const offer = ['v=0', 'm=video 9 UDP/TLS/RTP/SAVPF 96 98', 'a=mid:0', 'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', 'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid', 'a=rtpmap:96 VP8/90000', 'a=rtcp-fb:96 goog-remb', 'a=rtcp-fb:96 transport-cc', 'a=rtcp-fb:96 nack pli', 'a=rtpmap:98 VP9/90000', 'a=rtcp-fb:98 transport-cc', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:1', 'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', 'a=rtpmap:111 opus/48000/2', 'a=rtcp-fb:111 transport-cc', ''].join('\r\n')
    const sdp = withoutTransportCc(offer)
    expect(sdp).not.toMatch(/transport-cc|transport-wide-cc/)
    expect(sdp).toBe(offer.split('\r\n').filter((line) => !line.includes('transport-')).join('\r\n'))
    expect(sdp).toContain('a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 goog-remb\r\na=rtcp-fb:96 nack pli')
    expect(withoutTransportCc(offer.replaceAll('\r\n', '\n'))).toBe(sdp.replaceAll('\r\n', '\n'))
  })
})

describe('withoutSimulcast', () => {
  it('drops a=simulcast, the a=rid lines and the rid extensions, and keeps the rest (a Chromium simulcast offer)', () => {
    const offer = ['v=0', 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:1', 'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid', 'a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', 'a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id', 'a=sendonly', 'a=msid:s t', 'a=rtpmap:96 VP8/90000', 'a=rid:q send', 'a=rid:h send', 'a=rid:f send', 'a=simulcast:send q;h;f', ''].join('\r\n')
    const sdp = withoutSimulcast(offer)
    expect(sdp).toBe(['v=0', 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:1', 'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid', 'a=sendonly', 'a=msid:s t', 'a=rtpmap:96 VP8/90000', ''].join('\r\n'))
    expect(withoutSimulcast(offer.replaceAll('\r\n', '\n'))).toBe(sdp.replaceAll('\r\n', '\n'))
  })
})

describe('iceUfrag', () => {
  it('reads the first ICE username fragment, or none', () => {
    expect(iceUfrag('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ice-ufrag:Ab+1\r\na=ice-pwd:x\r\n')).toBe('Ab+1')
    expect(iceUfrag('v=0\r\n')).toBeUndefined()
    expect(iceUfrag(undefined)).toBeUndefined()
  })
})

describe('withOneSetupRole', () => {
  it("removes a=setup from rejected m-lines (Chromium's answer)", () => {
    const answer = ['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=setup:passive', 'a=mid:0', 'm=video 0 UDP/TLS/RTP/SAVPF 96', 'a=setup:active', 'a=mid:v-1', ''].join('\r\n')
    const cleaned = withOneSetupRole(answer)
    expect(cleaned.match(/a=setup:/g)).toEqual(['a=setup:'])
    expect(cleaned).toContain('a=setup:passive')
  })

  it("gives every accepted m-line the first one's role (Firefox answers new m-lines active)", () => {
    const answer = ['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', 'a=setup:passive', 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:video-2', 'a=setup:active', ''].join('\r\n')
    expect(withOneSetupRole(answer)).toBe(answer.replace('a=setup:active', 'a=setup:passive'))
  })
})

describe('withOfferedDirections', () => {
  const sdp = (lines: string[][]) => ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 't=0 0', ...lines.flat()].join('\r\n') + '\r\n'
  const section = (kind: string, mid: string, direction: string) => [`m=${kind} 9 UDP/TLS/RTP/SAVPF 96`, `a=mid:${mid}`, `a=${direction}`]

  it('answers an m-line the offer made inactive (a stopped screen share) with inactive, not the track direction', () => {
    const offer = sdp([section('audio', '0', 'sendonly'), section('video', '3', 'inactive'), section('video', 'video-2', 'recvonly')])
    const answer = sdp([section('audio', '0', 'recvonly'), section('video', '3', 'recvonly'), section('video', 'video-2', 'sendonly')])
    expect(withOfferedDirections(offer, answer)).toBe(sdp([section('audio', '0', 'recvonly'), section('video', '3', 'inactive'), section('video', 'video-2', 'sendonly')]))
  })

  it('narrows a sendrecv answer to what the offer allows, and leaves sections without a match alone', () => {
    const offer = sdp([section('video', '1', 'sendonly'), section('video', '2', 'recvonly')])
    const answer = sdp([section('video', '1', 'sendrecv'), section('video', '2', 'recvonly'), section('video', '9', 'sendonly')])
    expect(withOfferedDirections(offer, answer)).toBe(sdp([section('video', '1', 'recvonly'), section('video', '2', 'inactive'), section('video', '9', 'sendonly')]))
  })
})

describe('RTP and RTCP edits', () => {
  const rtp = (extension: boolean) => {
    const packet = new Uint8Array(24)
    packet[0] = extension ? 0x90 : 0x80
    packet[1] = 96
    packet.set([0xbe, 0xde, 0x00, 0x01, 0x12, 0x30, 0x00, 0x00], 12)
    return packet
  }

  it('rewrites the SSRC in place', () => {
    const packet = rtp(false)
    writeSsrc(packet, 0xdeadbeef)
    expect(ssrcOf(packet)).toBe(0xdeadbeef)
  })

  it('blanks a header extension block to padding without moving the payload', () => {
    const packet = rtp(true)
    neutralizeHeaderExtensions(packet)
    expect([...packet.subarray(12, 20)]).toEqual([0xbe, 0xde, 0x00, 0x01, 0, 0, 0, 0])
    const plain = rtp(false)
    const before = [...plain]
    neutralizeHeaderExtensions(plain)
    expect([...plain]).toEqual(before)
  })

  it('leaves werift reading the payload where it starts (it stopped at an ID-15 element and misplaced it)', () => {
    // a two-byte-header block (profile 0x1000) of two words, as browsers send, then a 4-byte payload
    const packet = new Uint8Array([0x90, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0x10, 0x00, 0x00, 0x02, 0x0f, 0x01, 0x55, 0x03, 0x02, 0xaa, 0xbb, 0x00, 1, 2, 3, 4])
    neutralizeHeaderExtensions(packet)
    const parsed = RtpPacket.deSerialize(Buffer.from(packet))
    expect(parsed.header.extensions).toEqual([])
    expect([...parsed.payload]).toEqual([1, 2, 3, 4])
  })

  it('finds a PLI or FIR in a compound RTCP packet, and tells RTCP from RTP', () => {
    const receiverReport = [0x80, 201, 0x00, 0x01, 0, 0, 0, 1]
    const pli = [0x81, 206, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2]
    const nack = [0x81, 205, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0, 5, 0, 0]
    expect(asksForKeyframe(new Uint8Array([...receiverReport, ...pli]))).toBe(true)
    expect(asksForKeyframe(new Uint8Array([...receiverReport, ...nack]))).toBe(false)
    expect(isRtcp(new Uint8Array(receiverReport))).toBe(true)
    expect(isRtcp(rtp(false))).toBe(false)
  })
})
