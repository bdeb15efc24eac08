// SDP and RTP helpers of the node-datachannel plane: the codecs a publisher's m-line was answered with
// (a subscriber is offered the same payload types, so packets are forwarded without a PT rewrite), and
// the in-place edits of a forwarded packet.

export interface AnsweredCodec {
  readonly payloadType: number
  /** Codec name as in a=rtpmap, e.g. `VP8`, `opus`. */
  readonly name: string
  /** The a=fmtp parameters, when there are any. */
  readonly fmtp: string | undefined
}

/** Codecs a subscriber is offered; anything else (RTX, RED, FEC, CN, DTMF) is not forwarded. */
const FORWARDED_CODECS = new Set(['opus', 'vp8', 'vp9', 'h264', 'av1'])

/** The forwardable codecs of the media section with this MID (in the order the section lists them). */
export function answeredCodecs(sdp: string, mid: string): AnsweredCodec[] {
  const section = sectionOfMid(sdp, mid)
  if (!section) return []
  const fmtp = new Map<number, string>()
  for (const [, pt, params] of section.matchAll(/^a=fmtp:(\d+) (.*?)\s*$/gm)) fmtp.set(Number(pt), params ?? '')
  const codecs: AnsweredCodec[] = []
  for (const [, pt, name] of section.matchAll(/^a=rtpmap:(\d+) ([^/\s]+)/gm)) {
    if (!name || !FORWARDED_CODECS.has(name.toLowerCase())) continue
    codecs.push({ payloadType: Number(pt), name, fmtp: fmtp.get(Number(pt)) })
  }
  return codecs
}

/** Formats that wrap or repair a codec's packets rather than carry it; the plane forwards none of them. */
const REDUNDANCY_FORMATS = new Set(['red', 'ulpfec', 'flexfec-03', 'rtx'])

/**
 * A client offer without its RED, FEC and RTX formats. libdatachannel answers every format offered,
 * and Chromium, once RED and ULPFEC are answered, wraps all its video in RED (PT 118 here): a plane
 * that forwards the media codec alone would forward nothing. Without them the client sends plain VP8.
 */
export function withoutRedundancyFormats(sdp: string): string {
  const newline = sdp.includes('\r\n') ? '\r\n' : '\n'
  const [session = '', ...sections] = sdp.split(/\r?\n(?=m=)/)
  return [session, ...sections.map((section) => {
    const dropped = new Set<string>()
    for (const [, pt, name] of section.matchAll(/^a=rtpmap:(\d+) ([^/\s]+)/gm)) if (REDUNDANCY_FORMATS.has((name ?? '').toLowerCase())) dropped.add(pt ?? '')
    if (dropped.size === 0) return section
    return section
      .split(/\r?\n/)
      .flatMap((line) => {
        if (line.startsWith('m=')) {
          const [media = '', port = '', proto = '', ...formats] = line.split(' ')
          return [[media, port, proto, ...formats.filter((format) => !dropped.has(format))].join(' ')]
        }
        const attribute = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)\s/.exec(line)
        return attribute && dropped.has(attribute[1] ?? '') ? [] : [line]
      })
      .join(newline)
  })].join(newline)
}

/** The transport-wide sequence number extension (transport-cc.ts' URI; not imported: this module stays free of werift). */
const TRANSPORT_WIDE_CC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01'
/** Also matches repaired-rtp-stream-id. */
const RTP_STREAM_ID = 'rtp-stream-id'

/**
 * A client offer without transport-cc (its header extension and its rtcp-fb). libdatachannel answers
 * every extension and feedback offered, and this plane sends no transport-cc feedback: Chromium, told it
 * would get some, estimated its send side from none, and from 3 s after the first REMB cut its own
 * estimate by 20 % a second (its RTT backoff: no feedback reads as a growing RTT) down to 84 kbit/s, whatever
 * the REMB said (the ramp bench, stop 32: the publisher sent 30 kbit/s to a subscriber on a free path).
 * Without it the publisher's estimate follows the hub's REMB and the receiver reports' loss.
 */
export function withoutTransportCc(sdp: string): string {
  const newline = sdp.includes('\r\n') ? '\r\n' : '\n'
  return sdp
    .split(/\r?\n/)
    .filter((line) => !/^a=rtcp-fb:\S+ transport-cc\s*$/.test(line) && !(line.startsWith('a=extmap:') && line.includes(TRANSPORT_WIDE_CC)))
    .join(newline)
}

/**
 * A client offer without simulcast (a=simulcast, a=rid, the rtp-stream-id extensions): this plane forwards
 * one stream per track, and an answer without a=simulcast makes the browser send its first encoding only
 * (RFC 8853 / JSEP 5.3.1), one SSRC. That stream still does not reach the plane: a rid offer names no SSRC
 * and libdatachannel routes by the offer's SSRCs, so the plane says it takes no simulcast (`simulcast = false`)
 * and the app the hub serves sends one stream. Simulcast is the werift plane's (werift-simulcast.ts).
 */
export function withoutSimulcast(sdp: string): string {
  const newline = sdp.includes('\r\n') ? '\r\n' : '\n'
  return sdp
    .split(/\r?\n/)
    .filter((line) => !line.startsWith('a=simulcast:') && !line.startsWith('a=rid:') && !(line.startsWith('a=extmap:') && line.includes(RTP_STREAM_ID)))
    .join(newline)
}

/**
 * A client offer whose sendrecv audio and video m-lines are sendonly. libdatachannel answers a sendrecv
 * m-line with sendrecv and echoes its a=msid, so Chromium fires a remote track carrying the client's own
 * stream ID that never gets media (the tutorial and current clients show it as the remote tile). The hub
 * sends a client media on m-lines of its own offers only, so it answers recvonly.
 */
export function asPublishOnly(sdp: string): string {
  const newline = sdp.includes('\r\n') ? '\r\n' : '\n'
  const [session = '', ...sections] = sdp.split(/\r?\n(?=m=)/)
  return [session, ...sections.map((section) => (/^m=(?:audio|video) /.test(section) ? section.replace(/^a=sendrecv(?=\r?$)/m, 'a=sendonly') : section))].join(newline)
}

type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'
const DIRECTION = /^a=(sendrecv|sendonly|recvonly|inactive)(?=\r?$)/m

/**
 * An answer whose every m-line direction is one the offer allows (RFC 3264 §6.1): libdatachannel answers
 * with its track's direction and ignores the offer's, so when Chromium stopped a screen share (its offer
 * made those m-lines a=inactive) the answer said a=recvonly, Chromium refused the answer and the core
 * dropped its peer connection and joined again. The offer here is what libdatachannel was given.
 */
export function withOfferedDirections(offerSdp: string, answerSdp: string): string {
  const offered = new Map<string, Direction>()
  for (const section of offerSdp.split(/\r?\n(?=m=)/).slice(1)) {
    const mid = /^a=mid:(\S+)/m.exec(section)?.[1]
    if (mid !== undefined) offered.set(mid, (DIRECTION.exec(section)?.[1] as Direction | undefined) ?? 'sendrecv')
  }
  const newline = answerSdp.includes('\r\n') ? '\r\n' : '\n'
  const [session = '', ...sections] = answerSdp.split(/\r?\n(?=m=)/)
  return [session, ...sections.map((section) => {
    const mid = /^a=mid:(\S+)/m.exec(section)?.[1]
    const offer = mid === undefined ? undefined : offered.get(mid)
    const answer = DIRECTION.exec(section)?.[1] as Direction | undefined
    if (offer === undefined || answer === undefined) return section
    const allowed = allowedAnswer(offer, answer)
    return allowed === answer ? section : section.replace(DIRECTION, `a=${allowed}`)
  })].join(newline)
}

/** What may answer `offer`: the answer's own sending and receiving, each only where the offer allows it. */
function allowedAnswer(offer: Direction, answer: Direction): Direction {
  const send = (answer === 'sendrecv' || answer === 'sendonly') && (offer === 'sendrecv' || offer === 'recvonly')
  const receive = (answer === 'sendrecv' || answer === 'recvonly') && (offer === 'sendrecv' || offer === 'sendonly')
  return send ? (receive ? 'sendrecv' : 'sendonly') : receive ? 'recvonly' : 'inactive'
}

/**
 * An answer with one DTLS role: the a=setup of its first accepted m-line on every accepted one, none on
 * rejected (port 0) ones. libdatachannel keeps one role for the whole description and refuses an answer
 * with two ("Incompatible roles with remote description"): Chromium answers a rejected m-line with
 * a=setup:active beside a=setup:passive on the others, and Firefox answers the new m-lines of a server
 * offer with a=setup:active while the established ones say passive. All are bundled on one transport,
 * whose role the first accepted m-line gives.
 */
export function withOneSetupRole(sdp: string): string {
  const newline = sdp.includes('\r\n') ? '\r\n' : '\n'
  const [session = '', ...sections] = sdp.split(/\r?\n(?=m=)/)
  const accepted = (section: string) => !/^m=\S+ 0 /.test(section)
  const role = /^a=setup:(\w+)/m.exec(sections.find(accepted) ?? '')?.[1]
  return [session, ...sections.map((section) => {
    if (accepted(section)) return role ? section.replace(/^a=setup:\w+/gm, `a=setup:${role}`) : section
    return section.split(/\r?\n/).filter((line) => !line.startsWith('a=setup:')).join(newline)
  })].join(newline)
}

/** The first a=ice-ufrag of a description (every bundled m-line carries the same one), if any. */
export function iceUfrag(sdp: string | undefined): string | undefined {
  return sdp === undefined ? undefined : /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1]
}

/** The media SSRC the section with this MID announces (the first of an FID group, else the first a=ssrc), if any. */
export function announcedSsrc(sdp: string, mid: string): number | undefined {
  const section = sectionOfMid(sdp, mid)
  const ssrc = section && (/^a=ssrc-group:FID (\d+)/m.exec(section) ?? /^a=ssrc:(\d+) /m.exec(section))?.[1]
  const value = ssrc ? Number(ssrc) : Number.NaN
  return Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff ? value : undefined
}

function sectionOfMid(sdp: string, mid: string): string | undefined {
  return sdp
    .split(/\r?\n(?=m=)/)
    .find((section) => section.startsWith('m=') && new RegExp(`^a=mid:${escapeRegExp(mid)}\\s*$`, 'm').test(section))
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** RTCP packet types share the second byte's range 192–223 with no RTP payload type in use (RFC 5761). */
export function isRtcp(packet: Uint8Array): boolean {
  const type = packet[1] ?? 0
  return packet.length >= 8 && type >= 192 && type <= 223
}

const RTCP_PSFB = 206
const PLI_FORMAT = 1
const FIR_FORMAT = 4

/** Whether a (compound) RTCP packet holds a PLI or a FIR. */
export function asksForKeyframe(packet: Uint8Array): boolean {
  let offset = 0
  while (offset + 4 <= packet.length) {
    const format = packet[offset]! & 0x1f
    if (packet[offset + 1] === RTCP_PSFB && (format === PLI_FORMAT || format === FIR_FORMAT)) return true
    offset += ((packet[offset + 2]! << 8) | packet[offset + 3]!) * 4 + 4
  }
  return false
}

/**
 * Blanks the header extensions of an RTP packet in place: their IDs were negotiated with the publisher,
 * and a subscriber would read them with its own mapping (a publisher's MID extension would route the
 * packet to the subscriber's m-line of that MID). The block becomes a one-byte-header block of zero
 * bytes, which RFC 8285 calls padding; its length stays, so the payload does not move. Zeros, not an
 * ID-15 terminator: werift 0.25.2 stops reading at ID 15 and takes the payload to start right there, so
 * SRTP GCM authentication failed on every forwarded packet at werift subscribers (the core's Node client).
 */
export function neutralizeHeaderExtensions(packet: Uint8Array): void {
  if (packet.length < 12 || (packet[0]! & 0x10) === 0) return
  const at = 12 + (packet[0]! & 0x0f) * 4
  if (at + 4 > packet.length) return
  const end = Math.min(at + 4 + ((packet[at + 2]! << 8) | packet[at + 3]!) * 4, packet.length)
  packet[at] = 0xbe
  packet[at + 1] = 0xde
  packet.fill(0, at + 4, end)
}

export function payloadTypeOf(packet: Uint8Array): number {
  return packet[1]! & 0x7f
}

export function ssrcOf(packet: Uint8Array): number {
  return ((packet[8]! << 24) | (packet[9]! << 16) | (packet[10]! << 8) | packet[11]!) >>> 0
}

export function writeSsrc(packet: Uint8Array, ssrc: number): void {
  packet[8] = ssrc >>> 24
  packet[9] = (ssrc >>> 16) & 0xff
  packet[10] = (ssrc >>> 8) & 0xff
  packet[11] = ssrc & 0xff
}

export function writeSeq(packet: Uint8Array, seq: number): void {
  packet[2] = (seq >>> 8) & 0xff
  packet[3] = seq & 0xff
}

/** Where an RTP packet's payload starts: after the header, its CSRCs and its extension block. */
export function payloadOffset(packet: Uint8Array): number {
  let offset = 12 + (packet[0]! & 0x0f) * 4
  if (packet[0]! & 0x10 && offset + 4 <= packet.length) offset += 4 + ((packet[offset + 2]! << 8) | packet[offset + 3]!) * 4
  return Math.min(offset, packet.length)
}
