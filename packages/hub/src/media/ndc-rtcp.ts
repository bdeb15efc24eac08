// The RTCP the node-datachannel plane reads and writes itself, as bytes (RFC 3550, RFC 4585, RFC 5104).
// A publisher's receiving track has no libdatachannel media handler, so its RTCP reaches JavaScript (it
// stamps liveness) and the plane may send raw RTCP on it: receiver reports, NACKs for what the hub
// lost on the way in, PLIs, and REMBs from the shared estimate (bandwidth.ts). A subscriber's RTCP is
// read here too: its report blocks (loss, for the estimate), PLI/FIR and NACKs. Answering the NACKs and
// the sender reports are libdatachannel's (RtcpNackResponder, RtcpSrReporter on each forwarded track).

export const RTCP_SR = 200
export const RTCP_RR = 201
export const RTCP_RTPFB = 205
export const RTCP_PSFB = 206
const NACK_FORMAT = 1
const PLI_FORMAT = 1
const FIR_FORMAT = 4

/** A PLI (RFC 4585 6.3.1) asking `mediaSsrc` for a keyframe. */
export function pliBytes(senderSsrc: number, mediaSsrc: number): Buffer {
  const packet = Buffer.alloc(12)
  packet[0] = 0x80 | PLI_FORMAT
  packet[1] = RTCP_PSFB
  packet.writeUInt16BE(2, 2)
  packet.writeUInt32BE(senderSsrc >>> 0, 4)
  packet.writeUInt32BE(mediaSsrc >>> 0, 8)
  return packet
}

/** A generic NACK (RFC 4585 6.2.1) for the first `count` sequence numbers of `seqs`, in PID + bitmask pairs. */
export function nackBytes(senderSsrc: number, mediaSsrc: number, seqs: ArrayLike<number>, count: number): Buffer {
  const sorted = Array.from({ length: count }, (_, index) => seqs[index]! & 0xffff).sort((a, b) => a - b)
  const pairs: number[] = []
  for (const seq of sorted) {
    const last = pairs.length - 2
    const offset = last >= 0 ? (seq - pairs[last]!) & 0xffff : 0
    if (last >= 0 && offset >= 1 && offset <= 16) pairs[last + 1]! |= 1 << (offset - 1)
    else if (last < 0 || offset !== 0) pairs.push(seq, 0)
  }
  const packet = Buffer.alloc(12 + 2 * pairs.length)
  packet[0] = 0x80 | NACK_FORMAT
  packet[1] = RTCP_RTPFB
  packet.writeUInt16BE(packet.length / 4 - 1, 2)
  packet.writeUInt32BE(senderSsrc >>> 0, 4)
  packet.writeUInt32BE(mediaSsrc >>> 0, 8)
  for (let i = 0; i < pairs.length; i++) packet.writeUInt16BE(pairs[i]!, 12 + 2 * i)
  return packet
}

/** One report block of a receiver report (RFC 3550 6.4.1). */
export interface ReportBlock {
  ssrc: number
  /** Loss since the previous report, in 1/256. */
  fractionLost: number
  cumulativeLost: number
  extendedHighest: number
  jitter: number
  /** The middle 32 bits of the NTP time of the last SR from `ssrc`, 0 if none came. */
  lastSr: number
  /** Since that SR, in 1/65536 s. */
  delaySinceLastSr: number
}

/** A receiver report with one block. */
export function receiverReportBytes(senderSsrc: number, block: ReportBlock): Buffer {
  const packet = Buffer.alloc(32)
  packet[0] = 0x80 | 1
  packet[1] = RTCP_RR
  packet.writeUInt16BE(7, 2)
  packet.writeUInt32BE(senderSsrc >>> 0, 4)
  packet.writeUInt32BE(block.ssrc >>> 0, 8)
  packet[12] = Math.min(255, Math.max(0, block.fractionLost))
  packet.writeUIntBE(Math.min(0x7fffff, Math.max(0, block.cumulativeLost)), 13, 3)
  packet.writeUInt32BE(block.extendedHighest >>> 0, 16)
  packet.writeUInt32BE(block.jitter >>> 0, 20)
  packet.writeUInt32BE(block.lastSr >>> 0, 24)
  packet.writeUInt32BE(block.delaySinceLastSr >>> 0, 28)
  return packet
}

/** What a subscriber's (compound) RTCP says about the forwarded stream it was read for. */
export interface SubscriberRtcpHandler {
  /** A report block on the stream: cumulative packets lost (24-bit as sent) and extended highest sequence number. */
  report(cumulativeLost: number, extendedHighest: number): void
  keyframeRequested(): void
  /** NACKed sequence numbers (pid + 1..16 may pass 0xffff). */
  nacked(lost: number[]): void
}

/** Walks a compound RTCP packet for what concerns the stream `ssrc` (the subscriber's SSRC of it). */
export function readSubscriberRtcp(packet: Uint8Array, ssrc: number, on: SubscriberRtcpHandler): void {
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength)
  let offset = 0
  while (offset + 8 <= packet.length) {
    const count = packet[offset]! & 0x1f
    const type = packet[offset + 1]!
    const end = offset + view.getUint16(offset + 2) * 4 + 4
    if (end > packet.length) return
    if (type === RTCP_SR || type === RTCP_RR) {
      const blocks = offset + (type === RTCP_SR ? 28 : 8)
      for (let i = 0; i < count && blocks + 24 * (i + 1) <= end; i++) {
        const at = blocks + 24 * i
        if (view.getUint32(at) === ssrc) on.report(view.getUint32(at + 4) & 0xffffff, view.getUint32(at + 8))
      }
    } else if (end >= offset + 12 && (type === RTCP_PSFB || type === RTCP_RTPFB)) {
      const mediaSsrc = view.getUint32(offset + 8)
      if (type === RTCP_PSFB && count === PLI_FORMAT && mediaSsrc === ssrc) on.keyframeRequested()
      else if (type === RTCP_PSFB && count === FIR_FORMAT) {
        for (let at = offset + 12; at + 8 <= end; at += 8) if (view.getUint32(at) === ssrc) on.keyframeRequested()
      } else if (type === RTCP_RTPFB && count === NACK_FORMAT && mediaSsrc === ssrc) {
        const lost: number[] = []
        for (let at = offset + 12; at + 4 <= end; at += 4) {
          const pid = view.getUint16(at)
          const mask = view.getUint16(at + 2)
          lost.push(pid)
          for (let bit = 0; bit < 16; bit++) if (mask & (1 << bit)) lost.push(pid + bit + 1)
        }
        if (lost.length > 0) on.nacked(lost)
      }
    }
    offset = end
  }
}

/** The middle 32 bits of the NTP timestamp of an SR from `ssrc` in this compound packet (for LSR), or undefined. */
export function senderReportNtpMiddle(packet: Uint8Array, ssrc: number): number | undefined {
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength)
  let offset = 0
  while (offset + 20 <= packet.length) {
    const end = offset + view.getUint16(offset + 2) * 4 + 4
    if (packet[offset + 1] === RTCP_SR && end <= packet.length && view.getUint32(offset + 4) === ssrc) return view.getUint32(offset + 10) >>> 0
    offset = end
  }
  return undefined
}

/** How many missing sequence numbers one publisher track waits for at most. */
const MISSING_SLOTS = 64
/** A gap wider than this is a restart or a burst a keyframe repairs better; nothing is asked for it. */
const MAX_GAP = 48
/** A NACK is repeated after this long without the packet (the resend or the NACK was lost too). */
export const NACK_RETRY_MS = 60
/** Times one sequence number is NACKed before the hub gives up on it (the subscribers then ask for a keyframe). */
export const NACK_TRIES = 3

/**
 * What arrives of one publisher track, for the RTCP the hub sends it: the counters of its receiver
 * reports, and the sequence numbers lost on the way in that the hub asks it to resend. Fed per packet
 * with no allocation; a NACK is due on a gap and again every NACK_RETRY_MS, checked as packets arrive.
 */
export class PublisherReception {
  /** Extended highest sequence number (-1 before the first packet). */
  #highest = -1
  #base = 0
  #received = 0
  #expectedPrior = 0
  #receivedPrior = 0
  readonly #missing = new Int32Array(MISSING_SLOTS).fill(-1)
  readonly #tries = new Uint8Array(MISSING_SLOTS)
  readonly #askedAt = new Float64Array(MISSING_SLOTS)
  #missingCount = 0
  #nextAskAt = Number.POSITIVE_INFINITY
  /** The sequence numbers of the NACK due now (valid up to the count `onPacket` returned). */
  readonly due = new Uint16Array(MISSING_SLOTS)

  /** One RTP packet; returns how many sequence numbers (in `due`) to NACK now, 0 mostly. */
  onPacket(sequenceNumber: number, nowMs: number, askResends: boolean): number {
    if (this.#highest < 0) {
      this.#highest = sequenceNumber
      this.#base = sequenceNumber
      this.#received = 1
      return 0
    }
    this.#received++
    let delta = (sequenceNumber - (this.#highest & 0xffff)) & 0xffff
    if (delta >= 0x8000) delta -= 0x10000
    if (delta > 0) {
      if (askResends && delta > 1 && delta <= MAX_GAP) for (let gap = this.#highest + 1; gap < this.#highest + delta; gap++) this.#addMissing(gap & 0xffff)
      this.#highest += delta
    } else if (this.#missingCount > 0) {
      this.#removeMissing(sequenceNumber)
    }
    return this.#missingCount > 0 && nowMs >= this.#nextAskAt ? this.#collectDue(nowMs) : 0
  }

  /** A report block's counters (and the next report's interval starts). */
  report(ssrc: number, lastSr: number, delaySinceLastSr: number): ReportBlock {
    const expected = this.#highest < 0 ? 0 : this.#highest - this.#base + 1
    const expectedInterval = expected - this.#expectedPrior
    const lostInterval = expectedInterval - (this.#received - this.#receivedPrior)
    this.#expectedPrior = expected
    this.#receivedPrior = this.#received
    return {
      ssrc,
      fractionLost: expectedInterval > 0 && lostInterval > 0 ? Math.floor((lostInterval * 256) / expectedInterval) : 0,
      cumulativeLost: Math.max(0, expected - this.#received),
      extendedHighest: Math.max(0, this.#highest),
      jitter: 0,
      lastSr,
      delaySinceLastSr,
    }
  }

  get waitingFor(): number {
    return this.#missingCount
  }

  #addMissing(seq: number): void {
    let slot = this.#missing.indexOf(-1)
    if (slot < 0) {
      // Full: the oldest gives way.
      slot = 0
      for (let i = 1; i < MISSING_SLOTS; i++) if (this.#askedAt[i]! < this.#askedAt[slot]! || this.#tries[i]! === 0) slot = i
    } else {
      this.#missingCount++
    }
    this.#missing[slot] = seq
    this.#tries[slot] = 0
    this.#askedAt[slot] = Number.NEGATIVE_INFINITY
    this.#nextAskAt = Number.NEGATIVE_INFINITY
  }

  #removeMissing(seq: number): void {
    const slot = this.#missing.indexOf(seq)
    if (slot < 0) return
    this.#missing[slot] = -1
    this.#missingCount--
  }

  #collectDue(nowMs: number): number {
    let count = 0
    let next = Number.POSITIVE_INFINITY
    for (let slot = 0; slot < MISSING_SLOTS; slot++) {
      const seq = this.#missing[slot]!
      if (seq < 0) continue
      if (nowMs - this.#askedAt[slot]! < NACK_RETRY_MS) {
        next = Math.min(next, this.#askedAt[slot]! + NACK_RETRY_MS)
        continue
      }
      if (this.#tries[slot]! >= NACK_TRIES) {
        this.#missing[slot] = -1
        this.#missingCount--
        continue
      }
      this.#tries[slot]!++
      this.#askedAt[slot] = nowMs
      this.due[count++] = seq
      next = Math.min(next, nowMs + NACK_RETRY_MS)
    }
    this.#nextAskAt = next
    return count
  }
}
