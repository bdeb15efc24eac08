import { describe, expect, it } from 'vitest'
import {
  assertUsableDescription,
  filterSdpCandidates,
  hasApplicationSection,
  isSendingSection,
  parseCandidate,
  parseMediaSections,
} from './werift-sdp.js'

// Shaped like Chrome's publish offer: BUNDLE, sdes:mid at id 4, msid per m-line, ssrc lines.
const CHROME_OFFER = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1 2',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:0123456789012345678901',
  'a=fingerprint:sha-256 AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB',
  'a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0',
  'a=candidate:2 1 udp 2122260223 4a5b.local 50001 typ host generation 0',
  'a=candidate:3 1 udp 2122260223 192.168.1.20 50002 typ host generation 0',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=sendonly',
  'a=mid:0',
  'a=msid:stream-a track-audio',
  'a=rtpmap:111 opus/48000/2',
  'a=ssrc:1001 cname:x',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=inactive',
  'a=mid:1',
  'a=msid:stream-a track-video',
  'a=ssrc:2002 cname:x',
  'm=video 0 UDP/TLS/RTP/SAVPF 96',
  'a=mid:2',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'a=mid:3',
  '',
].join('\r\n')

describe('parseMediaSections', () => {
  it('reads kind, port, mid, direction, msid, ssrc count and the sdes:mid extension id', () => {
    const sections = parseMediaSections(CHROME_OFFER)
    expect(sections.map((s) => [s.kind, s.port, s.mid, s.direction])).toEqual([
      ['audio', 9, '0', 'sendonly'],
      ['video', 9, '1', 'inactive'],
      ['video', 0, '2', 'sendrecv'],
      ['application', 9, '3', 'sendrecv'],
    ])
    expect(sections[0]?.msid).toEqual({ streamId: 'stream-a', trackId: 'track-audio' })
    expect(sections[0]?.ssrcCount).toBe(1)
    expect(sections[0]?.midExtensionId).toBe(4)
    expect(sections[2]?.msid).toBeUndefined()
  })

  it('falls back to the msid of an a=ssrc line', () => {
    const [section] = parseMediaSections('v=0\r\nm=video 9 RTP/SAVPF 96\r\na=ssrc:7 msid:s t\r\n')
    expect(section?.msid).toEqual({ streamId: 's', trackId: 't' })
  })

  it('tells sending m-lines apart from inactive, rejected and data sections', () => {
    expect(parseMediaSections(CHROME_OFFER).map(isSendingSection)).toEqual([true, false, false, false])
    expect(hasApplicationSection(CHROME_OFFER)).toBe(true)
    expect(hasApplicationSection(CHROME_OFFER.replace('m=application 9', 'm=application 0'))).toBe(false)
    expect(hasApplicationSection(undefined)).toBe(false)
  })
})

describe('parseCandidate', () => {
  it('reads address, port, protocol and type with or without prefixes', () => {
    expect(parseCandidate('candidate:1 1 UDP 2122260223 127.0.0.1 50000 typ host generation 0')).toEqual({
      address: '127.0.0.1',
      port: 50000,
      protocol: 'udp',
      type: 'host',
    })
    expect(parseCandidate('a=candidate:1 1 udp 1 ::1 9 typ host').address).toBe('::1')
    expect(parseCandidate('1 1 tcp 1 10.0.0.1 9 typ srflx raddr 0.0.0.0 rport 0').type).toBe('srflx')
  })

  it.each([
    'candidate:garbage',
    'candidate:1 1 udp 1 127.0.0.1 99999 typ host',
    'candidate:1 x udp 1 127.0.0.1 9 typ host',
    'candidate:1 1 udp 1 127.0.0.1 9 host',
    '',
  ])('rejects %j with a clear error', (line) => {
    expect(() => parseCandidate(line)).toThrow(/malformed ICE candidate/)
  })
})

describe('filterSdpCandidates', () => {
  it('drops mDNS candidates always and other addresses outside the allow-list', () => {
    const filtered = filterSdpCandidates(CHROME_OFFER, new Set(['127.0.0.1']))
    expect(filtered).toContain('127.0.0.1 50000')
    expect(filtered).not.toContain('.local')
    expect(filtered).not.toContain('192.168.1.20')
    expect(filtered.split('\r\n').length).toBe(CHROME_OFFER.split('\r\n').length - 2)
  })

  it('keeps every non-mDNS candidate with an empty allow-list', () => {
    const filtered = filterSdpCandidates(CHROME_OFFER, new Set())
    expect(filtered).toContain('192.168.1.20')
    expect(filtered).not.toContain('.local')
  })
})

describe('assertUsableDescription', () => {
  it('accepts a complete description', () => {
    expect(() => assertUsableDescription('offer', CHROME_OFFER, 4)).not.toThrow()
  })

  it('rejects a description without media, without ICE/DTLS attributes, or with m-lines removed', () => {
    expect(() => assertUsableDescription('offer', 'v=0\r\ns=-\r\n', 0)).toThrow(/no media section/)
    expect(() => assertUsableDescription('offer', CHROME_OFFER.replace(/a=fingerprint:[^\r]*\r\n/, ''), 0)).toThrow(
      /lacks fingerprint/,
    )
    expect(() => assertUsableDescription('answer', CHROME_OFFER, 5)).toThrow(/fewer than the 5/)
  })

  it('rejects what werift would take but never connect with: a garbage fingerprint, an unknown setup role, an SSRC over 32 bits', () => {
    const withLine = (line: string) => CHROME_OFFER.replace('a=sendonly\r\n', `a=sendonly\r\n${line}\r\n`)
    const fingerprint = (value: string) => CHROME_OFFER.replace(/a=fingerprint:[^\r]*/, `a=fingerprint:${value}`)
    expect(() => assertUsableDescription('offer', fingerprint('sha-256 AA:BB'), 0)).toThrow(/unusable fingerprint "sha-256 AA:BB"/)
    expect(() => assertUsableDescription('offer', fingerprint('garbage'), 0)).toThrow(/unusable fingerprint "garbage"/)
    expect(() => assertUsableDescription('offer', fingerprint(`md5 ${Array(16).fill('00').join(':')}`), 0)).toThrow(/unusable fingerprint/)
    expect(() => assertUsableDescription('offer', fingerprint(`SHA-1 ${Array(20).fill('0f').join(':')}`), 0)).not.toThrow()
    expect(() => assertUsableDescription('offer', withLine('a=setup:bogus'), 0)).toThrow(/a=setup:bogus; the hub supports actpass, active or passive/)
    for (const role of ['actpass', 'active', 'passive']) expect(() => assertUsableDescription('offer', withLine(`a=setup:${role}`), 0)).not.toThrow()
    expect(() => assertUsableDescription('offer', withLine('a=ssrc:4294967296 cname:x'), 0)).toThrow(/SSRC 4294967296, which is not a 32-bit/)
    expect(() => assertUsableDescription('offer', withLine('a=ssrc:-1 cname:x'), 0)).toThrow(/SSRC -1/)
    expect(() => assertUsableDescription('offer', withLine('a=ssrc-group:FID 1 99999999999'), 0)).toThrow(/SSRC 99999999999/)
    expect(() => assertUsableDescription('offer', withLine('a=ssrc:4294967295 cname:x'), 0)).not.toThrow()
  })
})
