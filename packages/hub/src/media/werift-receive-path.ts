// The receive side's RTP header parse, without werift's per-packet string work. werift 0.25.2 parses every
// incoming SRTP packet's header twice (parseSrtpRtpHeader before decrypting, RtpPacket.deSerialize after),
// and each parse reads the first byte's four fields through getBit, which turns the byte into a binary
// string, splits it into an array, pads, slices, joins and parseInts it; it also copies the extension array
// once per element and reads the extension header through two subarrays. Here the fixed header, the CSRCs
// and the RFC 8285 one-byte / two-byte extension blocks are read with plain byte arithmetic into the same
// RtpHeader werift builds, field for field.
//
// An extension block that runs past the packet is rejected (werift's parse is quadratic there, see below).
// Anything else unusual (not version 2, a truncated header, an extension profile other than 0xBEDE / 0x1000, an
// element that overruns its block, the one-byte id 15) goes to werift's own parse, so that its results
// (and errors) stay exactly werift's. werift-receive-path.test.ts compares both over generated headers.
import { RTCRtpReceiver, RtpHeader } from 'werift'

const ONE_BYTE_PROFILE = 0xbede
const TWO_BYTE_PROFILE = 0x1000

interface HeaderExtension {
  id: number
  payload: Buffer
}

/** werift's own parse, kept for the fallback (and for restoring it). */
const weriftDeSerialize: (buf: Buffer) => RtpHeader = RtpHeader.deSerialize.bind(RtpHeader)

/** Reads the extension elements of one block; false when werift's parse would read it differently. */
function readExtensions(buf: Buffer, start: number, end: number, profile: number, out: HeaderExtension[]): boolean {
  let offset = start
  if (profile === ONE_BYTE_PROFILE) {
    while (offset < end) {
      const byte = buf[offset]!
      if (byte === 0) {
        offset++
        continue
      }
      const id = byte >> 4
      // werift stops at id 15 without moving payloadOffset to the block's end: leave that to werift.
      if (id === 15) return false
      const length = (byte & 0x0f) + 1
      offset++
      if (offset + length > end) return false
      out.push({ id, payload: buf.subarray(offset, offset + length) })
      offset += length
    }
    return true
  }
  while (offset < end) {
    const id = buf[offset]!
    if (id === 0) {
      offset++
      continue
    }
    if (offset + 2 > end) return false
    const length = buf[offset + 1]!
    offset += 2
    if (offset + length > end) return false
    out.push({ id, payload: buf.subarray(offset, offset + length) })
    offset += length
  }
  return true
}

/** The RtpHeader werift's RtpHeader.deSerialize returns for `buf`, or undefined when werift must parse it. */
export function parseRtpHeader(buf: Buffer): RtpHeader | undefined {
  const length = buf.length
  if (length < 12) return undefined
  const first = buf[0]!
  if (first >> 6 !== 2) return undefined
  const csrcCount = first & 0x0f
  let offset = 12 + csrcCount * 4
  if (offset > length) return undefined
  const hasExtension = (first & 0x10) !== 0
  let profile = 0
  let extensionLength = 0
  let extensions: HeaderExtension[] | undefined
  if (hasExtension) {
    if (offset + 4 > length) return undefined
    profile = (buf[offset]! << 8) | buf[offset + 1]!
    if (profile !== ONE_BYTE_PROFILE && profile !== TWO_BYTE_PROFILE) return undefined
    extensionLength = ((buf[offset + 2]! << 8) | buf[offset + 3]!) * 4
    offset += 4
    const end = offset + extensionLength
    // werift would walk the missing bytes one by one, copying its extension array at each (up to 262,140
    // steps, quadratic: seconds of CPU for one forged datagram, before SRTP authentication), and return a
    // payloadOffset past the packet, which its SRTP parse rejects anyway. Reject it at once.
    if (end > length) throw new RangeError('RTP header extension block runs past the packet')
    extensions = []
    if (!readExtensions(buf, offset, end, profile, extensions)) return undefined
    offset = end
  }

  const header = new RtpHeader()
  header.version = 2
  header.padding = (first & 0x20) !== 0
  header.extension = hasExtension
  header.csrcLength = csrcCount
  if (csrcCount > 0) {
    const csrc: number[] = []
    for (let i = 0; i < csrcCount; i++) csrc.push(buf.readUInt32BE(12 + i * 4))
    header.csrc = csrc
  }
  const second = buf[1]!
  header.marker = (second & 0x80) !== 0
  header.payloadType = second & 0x7f
  header.sequenceNumber = (buf[2]! << 8) | buf[3]!
  header.timestamp = buf.readUInt32BE(4)
  header.ssrc = buf.readUInt32BE(8)
  if (extensions) {
    header.extensionProfile = profile as RtpHeader['extensionProfile']
    header.extensionLength = extensionLength
    header.extensions = extensions
  }
  header.payloadOffset = offset
  if (header.padding) header.paddingSize = buf[length - 1]!
  return header
}

/** RtpHeader.deSerialize with our parse first: what werift's receive path calls (twice) per packet. */
export function deSerializeRtpHeader(buf: Buffer): RtpHeader {
  return parseRtpHeader(buf) ?? weriftDeSerialize(buf)
}

/**
 * werift's RTCRtpReceiver answers nackEnabled / twccEnabled / pliEnabled per packet by sorting its codec
 * map into a new array (the codecArray getter) and searching the first codec's feedback; that only changes
 * when prepareReceive (also what resyncCodecs calls) replaces the codecs. Cached per receiver until then.
 */
const FEEDBACK_GETTERS = ['nackEnabled', 'twccEnabled', 'pliEnabled'] as const
type FeedbackGetter = (typeof FEEDBACK_GETTERS)[number]
const feedbackCache = new WeakMap<object, Partial<Record<FeedbackGetter, { value: unknown }>>>()
const receiverPrototype = RTCRtpReceiver.prototype as unknown as Record<string, unknown>
const weriftFeedback = new Map(FEEDBACK_GETTERS.map((name) => [name, Object.getOwnPropertyDescriptor(receiverPrototype, name)!] as const))
const weriftPrepareReceive = receiverPrototype.prepareReceive as (this: object, params: unknown) => void

function cacheFeedbackGetters(): void {
  for (const [name, descriptor] of weriftFeedback) {
    const original = descriptor.get!
    Object.defineProperty(receiverPrototype, name, {
      ...descriptor,
      get(this: object) {
        let cache = feedbackCache.get(this)
        if (!cache) feedbackCache.set(this, (cache = {}))
        const cached = cache[name] ?? (cache[name] = { value: original.call(this) })
        return cached.value
      },
    })
  }
  receiverPrototype.prepareReceive = function prepareReceive(this: object, params: unknown) {
    feedbackCache.delete(this)
    weriftPrepareReceive.call(this, params)
  }
}

function restoreFeedbackGetters(): void {
  for (const [name, descriptor] of weriftFeedback) Object.defineProperty(receiverPrototype, name, descriptor)
  receiverPrototype.prepareReceive = weriftPrepareReceive
}

let installed = false

/**
 * Makes werift's RtpHeader.deSerialize ours and caches the receivers' feedback getters, for the whole
 * process (werift calls the parse as a static, from its SRTP decrypt and RtpPacket.deSerialize; there is
 * no per-connection hook). Idempotent.
 */
export function installReceivePath(): void {
  if (installed) return
  installed = true
  RtpHeader.deSerialize = deSerializeRtpHeader
  cacheFeedbackGetters()
}

/** Puts werift's own parse back (tests). */
export function uninstallReceivePath(): void {
  if (!installed) return
  installed = false
  RtpHeader.deSerialize = weriftDeSerialize
  restoreFeedbackGetters()
}
