// The forwarder's per-packet send, without werift's per-packet machinery. werift's RTCRtpSender.sendRtp
// clones the packet, rebuilds its header extensions (arrays, sort, a string/BigInt ntpTime), serializes
// a fresh header, creates a new AES cipher (and for AES-CM an HMAC) per packet, concatenates three
// buffers and goes through three async functions before the UDP socket. Here, per packet and subscriber:
// the header is written straight into the one output buffer, SRTP uses the session's keys (AES-CM from
// one reusable AES-ECB context per session: the keystream is ECB over the counter blocks), and the
// datagram goes to the nominated pair's UDP socket. The sender's state is kept as werift keeps it
// (sequence/timestamp offsets, SR counters, the NACK history), so RTCP, NACK resends and replaceRTP
// still work through werift.
//
// It handles only what the hub negotiates (werift-config: sdes:mid, and abs-send-time, which it never
// writes: the hub offers subscribers the MID only, and leaving out a negotiated extension is legal; no RED,
// no CSRC, no pending-RTP queue, a UDP pair); anything else returns false and the caller uses
// sender.sendRtp. Padding-only packets (a publisher's probe clusters) are forwarded with their padding:
// dropping them would leave holes in the subscriber's sequence numbers that read as loss.
// The internals read here are werift 0.25.2's (pinned); werift-fast-send.test.ts compares the bytes
// with werift's own SRTP session, so a werift upgrade that changes them fails there first.
import { createCipheriv, createHmac, type Cipher } from 'node:crypto'
import { isIP } from 'node:net'
import { RtpHeader, type RTCRtpSender, type RtpPacket } from 'werift'
import { answerLiteralsAtOnce } from './udp-literal-lookup.js'

const SDES_MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid'
const ABS_SEND_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time'
/** Negotiated for simulcast publishers (werift-simulcast.ts); a forwarded stream is one stream, no rid written. */
const RTP_STREAM_ID_URI = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id'
/** werift's ProtectionProfile ids (RFC 5764 / 7714 numbers). */
const PROFILE_AES_CM_SHA1_80 = 1
const PROFILE_AEAD_AES_128_GCM = 7
const SHA1_80_TAG_BYTES = 10
const GCM_TAG_BYTES = 16
/** werift's RTP_HISTORY_SIZE: the sender's NACK history is rtpCache[seq % 128]. */
export const RTP_HISTORY_SIZE = 128
/** Seconds from 1900 (NTP) to 1970 (Unix). */
const NTP_EPOCH_OFFSET_S = 2_208_988_800

/** The part of werift's SRTP context (localContext of the DTLS transport's SrtpSession) used here. */
interface SrtpContextInternals {
  profile: number
  srtpSessionKey: Buffer
  srtpSessionSalt: Buffer
  srtpSessionAuthTag: Buffer
  getSrtpSsrcState(ssrc: number): SrtpSsrcState
  updateRolloverCount(sequenceNumber: number, state: SrtpSsrcState): void
}
type SrtpSsrcState = { rolloverCounter: number }

interface UdpPairInternals {
  /** werift's pair.remoteAddr is a getter building a fresh [host, port] array per call: read the candidate. */
  remoteCandidate: { host: string; port: number }
  packetsSent: number
  bytesSent: number
  protocol?: { transport?: { type?: string; closed?: boolean; socket?: { send(data: Buffer, port: number, address: string): void } } }
}

/** The RTCRtpSender fields dispatchRtp reads and writes (werift 0.25.2, lib/index.mjs RTCRtpSender). */
interface SenderInternals {
  stopped: boolean
  pendingRtpEnabled: boolean
  rtpContinuityPending: boolean
  redRedundantPayloadType: number | undefined
  codec: { payloadType: number } | undefined
  ssrc: number
  mid: string | undefined
  headerExtensions: { id: number; uri: string }[]
  seqOffset: number
  timestampOffset: number
  sequenceNumber: number | undefined
  timestamp: number | undefined
  ntpTimestamp: bigint
  rtpTimestamp: number
  octetCount: number
  headerBytesSent: number
  packetCount: number
  rtpCache: { header: RtpHeader; payload: Buffer }[]
  rtcpRunning: boolean
  runRtcp(): Promise<void>
  dtlsTransport:
    | {
        state: string
        bytesSent: number
        packetsSent: number
        srtp?: { localContext?: SrtpContextInternals }
        iceTransport: { connection: { nominated?: UdpPairInternals; canSendApplicationData(): boolean } }
      }
    | undefined
}

/** The NTP time werift stamps into sender reports, computed at most once per millisecond. */
class NtpClock {
  #ms = Number.NaN
  #value = 0n
  now(): bigint {
    const ms = Date.now()
    if (ms !== this.#ms) {
      this.#ms = ms
      const seconds = Math.floor(ms / 1000) + NTP_EPOCH_OFFSET_S
      const fraction = Math.floor(((ms % 1000) / 1000) * 2 ** 32)
      this.#value = (BigInt(seconds) << 32n) | BigInt(fraction)
    }
    return this.#value
  }
}

/** AES-CM keystream from one AES-ECB context per SRTP session (ECB over the counter blocks is CTR). */
class CounterKeystream {
  readonly #ecb: Cipher
  #blocks = Buffer.alloc(0)
  constructor(key: Buffer) {
    this.#ecb = createCipheriv('aes-128-ecb', key, null)
    this.#ecb.setAutoPadding(false)
  }
  /** RFC 3711 4.1.1: IV = (salt · 2^16) XOR (SSRC · 2^64) XOR (index · 2^16); block i adds i. */
  xor(salt: Buffer, ssrc: number, roc: number, seq: number, input: Buffer, out: Buffer, outOffset: number): void {
    const blockCount = Math.ceil(input.length / 16)
    if (this.#blocks.length < blockCount * 16) this.#blocks = Buffer.alloc(Math.max(blockCount * 16, 1536))
    const blocks = this.#blocks
    blocks.fill(0, 0, 16)
    blocks.writeUInt32BE(ssrc, 4)
    blocks.writeUInt32BE(roc, 8)
    blocks.writeUInt16BE(seq, 12)
    for (let i = 0; i < 14; i++) blocks[i]! ^= salt[i]!
    for (let block = 1; block < blockCount; block++) {
      blocks.copy(blocks, block * 16, 0, 14)
      blocks.writeUInt16BE(block, block * 16 + 14)
    }
    const keystream = this.#ecb.update(blocks.subarray(0, blockCount * 16))
    for (let i = 0; i < input.length; i++) out[outOffset + i] = input[i]! ^ keystream[i]!
  }
}

const keystreams = new WeakMap<SrtpContextInternals, CounterKeystream>()
/** Scratch for the GCM IV and the ROC appended to the HMAC input: both are copied by node:crypto at once. */
const gcmIv = Buffer.alloc(12)
const rocBytes = Buffer.alloc(4)
/** The GCM AAD (the RTP header) per header length: setAAD digests it at once, so no view of `out` is made per packet. */
const aadScratch: Buffer[] = []

/**
 * SRTP-protects `payload` behind the `headerLength` header bytes already in `out`; returns the packet length.
 * `state`: the session's state of `ssrc`, when the caller keeps it (werift creates it once and never replaces it).
 */
export function protectRtp(context: SrtpContextInternals, ssrc: number, seq: number, out: Buffer, headerLength: number, payload: Buffer, state = context.getSrtpSsrcState(ssrc)): number {
  context.updateRolloverCount(seq, state)
  const roc = state.rolloverCounter
  const salt = context.srtpSessionSalt
  if (context.profile === PROFILE_AEAD_AES_128_GCM) {
    // RFC 7714 8.1: IV = (0x0000 || SSRC || ROC || SEQ) XOR salt. Node has no way to re-IV a GCM context.
    const iv = gcmIv
    iv.writeUInt16BE(0, 0)
    iv.writeUInt32BE(ssrc, 2)
    iv.writeUInt32BE(roc, 6)
    iv.writeUInt16BE(seq, 10)
    for (let i = 0; i < 12; i++) iv[i]! ^= salt[i]!
    const aad = (aadScratch[headerLength] ??= Buffer.alloc(headerLength))
    // Byte by byte: Buffer#copy of part of `out` would make a view of it per packet.
    for (let i = 0; i < headerLength; i++) aad[i] = out[i]!
    const cipher = createCipheriv('aes-128-gcm', context.srtpSessionKey, iv)
    cipher.setAAD(aad)
    out.set(cipher.update(payload), headerLength)
    cipher.final()
    out.set(cipher.getAuthTag(), headerLength + payload.length)
    return headerLength + payload.length + GCM_TAG_BYTES
  }
  let keystream = keystreams.get(context)
  if (!keystream) {
    keystream = new CounterKeystream(context.srtpSessionKey)
    keystreams.set(context, keystream)
  }
  keystream.xor(salt, ssrc, roc, seq, payload, out, headerLength)
  const end = headerLength + payload.length
  rocBytes.writeUInt32BE(roc >>> 0, 0)
  const tag = createHmac('sha1', context.srtpSessionAuthTag).update(out.subarray(0, end)).update(rocBytes).digest()
  tag.copy(out, end, 0, SHA1_80_TAG_BYTES)
  return end + SHA1_80_TAG_BYTES
}

/**
 * Output datagrams cut from one slab. Node's Buffer pool is 8 KB: a new ArrayBuffer (a native backing store
 * the GC tracks) every ~7 forwarded packets. A datagram is referenced only until the UDP send takes it (at
 * once, unless the socket's buffer is full and the send is queued), so a slab is freed soon after it is cut up.
 */
const SLAB_BYTES = 256 * 1024
let slab = Buffer.allocUnsafeSlow(SLAB_BYTES)
let slabOffset = 0
export function datagramBuffer(length: number): Buffer {
  if (length > SLAB_BYTES / 8) return Buffer.allocUnsafe(length)
  if (slabOffset + length > SLAB_BYTES) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES)
    slabOffset = 0
  }
  const out = slab.subarray(slabOffset, slabOffset + length)
  slabOffset = (slabOffset + length + 7) & ~7
  return out
}

/** `payload` followed by `paddingSize` bytes of RTP padding (RFC 3550 5.1: the last one counts them). */
export function withPadding(payload: Buffer, paddingSize: number): Buffer {
  const body = Buffer.alloc(payload.length + paddingSize)
  payload.copy(body, 0)
  body[body.length - 1] = paddingSize
  return body
}

/**
 * The next packet `sender` sends, the publisher's `nextSequenceNumber`, is numbered right after the last
 * one it sent, by werift's sendRtp and the fast send alike (both add seqOffset; a NACK is mapped back with
 * it, nack-recovery.ts). For a forwarding that resumes after a pause (video-pause.ts): without it the
 * subscriber would NACK every packet of the pause and count them as lost. A pending replaceRTP (a publisher
 * that switched SSRC) sets its own offsets at that packet, as continuous.
 */
export function continueSequence(sender: RTCRtpSender, nextSequenceNumber: number): void {
  const internals = sender as unknown as SenderInternals
  if (internals.sequenceNumber === undefined) return
  internals.seqOffset = (internals.sequenceNumber + 1 - nextSequenceNumber) & 0xffff
}

/** The constant part of one sender's header: its one-byte extension block (sdes:mid) or nothing. */
interface HeaderTemplate {
  readonly mid: string | undefined
  readonly headerExtensions: readonly unknown[]
  /** 0xBEDE block with the padded MID element, or empty. */
  readonly extension: Buffer
  /** The same, as werift's header extensions (for the NACK history entries). */
  readonly extensions: { id: number; payload: Buffer }[]
}

function headerTemplate(sender: SenderInternals): HeaderTemplate | undefined {
  const extensions: { id: number; payload: Buffer }[] = []
  for (const extension of sender.headerExtensions) {
    if (extension.uri === ABS_SEND_TIME_URI || extension.uri === RTP_STREAM_ID_URI) continue
    if (extension.uri !== SDES_MID_URI) return undefined
    if (sender.mid) extensions.push({ id: extension.id, payload: Buffer.from(sender.mid) })
  }
  if (extensions.length === 0) return { mid: sender.mid, headerExtensions: sender.headerExtensions, extension: Buffer.alloc(0), extensions }
  const [mid] = extensions
  if (extensions.length > 1 || mid!.id < 1 || mid!.id > 14 || mid!.payload.length < 1 || mid!.payload.length > 16) return undefined
  const words = Math.ceil((1 + mid!.payload.length) / 4)
  const block = Buffer.alloc(4 + words * 4)
  block.writeUInt16BE(0xbede, 0)
  block.writeUInt16BE(words, 2)
  block[4] = (mid!.id << 4) | (mid!.payload.length - 1)
  mid!.payload.copy(block, 5)
  return { mid: sender.mid, headerExtensions: sender.headerExtensions, extension: block, extensions }
}

/** One subscriber sender's fast path (state: its header template and its NACK history entries). */
class FastSender {
  readonly #sender: SenderInternals
  #template: HeaderTemplate | undefined
  /** Reused NACK history entries, one per rtpCache slot (werift only reads them on a NACK). */
  readonly #history: { header: RtpHeader; payload: Buffer }[] = []
  /** The last remote host checked to be an IP literal (werift resolves anything else through DNS). */
  #checkedHost: string | undefined
  /** The last socket whose lookup was asked to answer literals at once (udp-literal-lookup.ts). */
  #literalSocket: object | undefined
  /** The SRTP session and its state of the sender's SSRC, looked up once (werift keeps them in a keyed object). */
  #srtpContext: SrtpContextInternals | undefined
  #srtpSsrc = -1
  #srtpState: SrtpSsrcState | undefined

  constructor(sender: SenderInternals) {
    this.#sender = sender
  }

  send(packet: RtpPacket, ntp: NtpClock): boolean {
    const sender = this.#sender
    const { header, payload } = packet
    if (sender.stopped || sender.pendingRtpEnabled || sender.rtpContinuityPending || sender.redRedundantPayloadType !== undefined) return false
    if (header.csrc.length > 0) return false
    const paddingSize = header.padding ? header.paddingSize : 0
    if (header.padding && paddingSize < 1) return false
    const codec = sender.codec
    const dtls = sender.dtlsTransport
    const context = dtls?.srtp?.localContext
    if (!codec || !dtls || dtls.state !== 'connected' || !context) return false
    if (context.profile !== PROFILE_AEAD_AES_128_GCM && context.profile !== PROFILE_AES_CM_SHA1_80) return false
    const connection = dtls.iceTransport.connection
    const pair = connection.nominated
    const transport = pair?.protocol?.transport
    if (!pair || transport?.type !== 'udp' || transport.closed || !transport.socket) return false
    const remote = pair.remoteCandidate
    if (this.#checkedHost !== remote.host) {
      if (!isIP(remote.host)) return false
      this.#checkedHost = remote.host
    }
    if (!connection.canSendApplicationData()) return false
    // Its lookup answers the IP literals at once (udp-literal-lookup.ts; asked once per socket).
    if (this.#literalSocket !== transport.socket) {
      answerLiteralsAtOnce(transport.socket)
      this.#literalSocket = transport.socket
    }
    let template = this.#template
    if (!template || template.mid !== sender.mid || template.headerExtensions !== sender.headerExtensions) {
      template = headerTemplate(sender)
      this.#template = template
    }
    if (!template) return false

    const seq = (header.sequenceNumber + sender.seqOffset) & 0xffff
    const timestamp = (header.timestamp + sender.timestampOffset) >>> 0
    const ssrc = sender.ssrc
    const headerLength = 12 + template.extension.length
    const tagLength = context.profile === PROFILE_AEAD_AES_128_GCM ? GCM_TAG_BYTES : SHA1_80_TAG_BYTES
    // Padding (RFC 3550 5.1: its last byte counts it) is encrypted with the payload; only probes carry it.
    const body = paddingSize === 0 ? payload : withPadding(payload, paddingSize)
    const out = datagramBuffer(headerLength + body.length + tagLength)
    out[0] = (template.extension.length > 0 ? 0x90 : 0x80) | (paddingSize > 0 ? 0x20 : 0)
    out[1] = (header.marker ? 0x80 : 0) | (codec.payloadType & 0x7f)
    out.writeUInt16BE(seq, 2)
    out.writeUInt32BE(timestamp, 4)
    out.writeUInt32BE(ssrc, 8)
    const extension = template.extension
    for (let i = 0; i < extension.length; i++) out[12 + i] = extension[i]!
    if (this.#srtpContext !== context || this.#srtpSsrc !== ssrc || !this.#srtpState) {
      this.#srtpContext = context
      this.#srtpSsrc = ssrc
      this.#srtpState = context.getSrtpSsrcState(ssrc)
    }
    const length = protectRtp(context, ssrc, seq, out, headerLength, body, this.#srtpState)

    // What dispatchRtp records: the SR's counters and NTP/RTP pair, and the NACK history.
    sender.sequenceNumber = seq
    sender.timestamp = timestamp
    sender.ntpTimestamp = ntp.now()
    sender.rtpTimestamp = timestamp
    sender.octetCount += payload.length
    sender.headerBytesSent += headerLength
    sender.packetCount = (sender.packetCount + 1) >>> 0
    this.#remember(seq, timestamp, header.marker, codec.payloadType, template, body, paddingSize)

    transport.socket.send(out, remote.port, remote.host)
    dtls.bytesSent += length
    dtls.packetsSent++
    pair.packetsSent++
    pair.bytesSent += length
    if (!sender.rtcpRunning) void sender.runRtcp()
    return true
  }

  #remember(seq: number, timestamp: number, marker: boolean, payloadType: number, template: HeaderTemplate, payload: Buffer, paddingSize: number): void {
    const slot = seq % RTP_HISTORY_SIZE
    let entry = this.#history[slot]
    if (!entry) {
      entry = { header: new RtpHeader(), payload }
      this.#history[slot] = entry
    }
    const saved = entry.header
    saved.ssrc = this.#sender.ssrc
    saved.payloadType = payloadType
    saved.sequenceNumber = seq
    saved.timestamp = timestamp
    saved.marker = marker
    saved.extensions = template.extensions
    saved.extension = template.extensions.length > 0
    // werift's resend (dtlsTransport.sendRtp) writes the header's P bit and encrypts the payload as given,
    // adding no padding bytes: for a padding packet the payload kept is the padding itself.
    saved.padding = paddingSize > 0
    saved.paddingSize = paddingSize
    entry.payload = payload
    // werift replaces rtpCache with a fresh array on replaceRTP, so the entry is stored each time.
    this.#sender.rtpCache[slot] = entry
  }
}

/** The fast path for every subscriber sender of one plane. */
export class FastRtpSend {
  readonly #senders = new WeakMap<RTCRtpSender, FastSender>()
  readonly #ntp = new NtpClock()

  /** Sends `packet` (the publisher's, unchanged) through `sender`; false when werift's own sendRtp must. */
  send(sender: RTCRtpSender, packet: RtpPacket): boolean {
    let fast = this.#senders.get(sender)
    if (!fast) {
      fast = new FastSender(sender as unknown as SenderInternals)
      this.#senders.set(sender, fast)
    }
    return fast.send(packet, this.#ntp)
  }
}
