// What werift's subscriber sender may resend on a subscriber's NACKs (its history, rtpCache). werift resends
// every packet a NACK names that its history holds, each time it is named; Chromium names a missing packet
// again every round trip until it arrives (up to 10 times), so on a link that already drops packets the
// resends multiply the overload. Measured (loadtest README, stop 34): a 300 kbit/s subscriber on the 480-wide
// simulcast layer (~290 kbit/s) was sent 209–240 resent packets a second, 1.3–1.4 Mbit/s, and 90–138 kbit/s
// on the 240-wide layer (~110), into a link whose queue was already full. As libwebrtc's sender does
// (a packet not resent again within a round trip; retransmissions under a rate limit), a packet is resent at
// most once per RESEND_AGAIN_MS, and resends spend a budget that forwarding fills: RESEND_SHARE of the bytes
// forwarded to that subscriber, saved up to RESEND_BURST_BYTES.
import type { RTCRtpSender } from 'werift'
import type { Clock } from '../clock.js'

/** A packet resent is not resent again within this (Chromium asks again each round trip it is missing). */
export const RESEND_AGAIN_MS = 250
/** Resends may add at most this share of what is forwarded to the subscriber. */
export const RESEND_SHARE = 0.5
/** The resend budget saved up at most (about ten full packets: a keyframe's lost burst). */
export const RESEND_BURST_BYTES = 12_000
/** werift's RTP_HISTORY_SIZE (its rtpCache is indexed by sequence number modulo this). */
const HISTORY = 128

export class ResendLimit {
  #budget = RESEND_BURST_BYTES
  readonly #seqs = new Int32Array(HISTORY).fill(-1)
  readonly #at = new Float64Array(HISTORY)
  /** Counted for the log and the bench: resends let through and held back. */
  resent = 0
  heldBack = 0

  /** A packet of `bytes` was forwarded to the subscriber: the budget grows by RESEND_SHARE of it. */
  forwarded(bytes: number): void {
    this.#budget = Math.min(RESEND_BURST_BYTES, this.#budget + RESEND_SHARE * bytes)
  }

  /** Whether the packet `seq` (the subscriber's numbering) of `bytes` may be resent now; spends the budget if so. */
  allow(seq: number, bytes: number, now: number): boolean {
    const slot = seq % HISTORY
    if ((this.#seqs[slot] === seq && now - this.#at[slot]! < RESEND_AGAIN_MS) || bytes > this.#budget) {
      this.heldBack++
      return false
    }
    this.#budget -= bytes
    this.#seqs[slot] = seq
    this.#at[slot] = now
    this.resent++
    return true
  }
}

/** The parts of werift's sender and its NACK packet read here (werift 0.25.2). */
interface NackSender {
  ssrc: number
  rtpCache: ({ header: { sequenceNumber: number }; payload: { length: number } } | undefined)[]
  handleRtcpPacket(packet: unknown): void
}
interface NackPacket {
  type: number
  feedback: { count: number; mediaSourceSsrc: number; lost: number[] }
}
/** RTCP RTPFB (205) with FMT 1: a generic NACK. */
const RTPFB = 205
const GENERIC_NACK = 1

/** A copy of `object` (same prototype) with `changes`: werift reads the NACK's fields, the forwarder keeps the original. */
function copyWith<T extends object>(object: T, changes: Partial<T>): T {
  return Object.assign(Object.create(Object.getPrototypeOf(object) as object) as T, object, changes)
}

/**
 * Puts `limit` between the subscriber's NACKs and werift's resends on `sender`: werift sees each NACK with
 * only the packets the limit allows among those its history holds (the others it could not resend anyway;
 * the forwarder relays those to the publisher from the unchanged packet, werift-subscriber-rtcp.ts).
 */
export function limitResends(sender: RTCRtpSender, limit: ResendLimit, clock: Clock): void {
  const internals = sender as unknown as NackSender
  const handle = internals.handleRtcpPacket.bind(sender)
  internals.handleRtcpPacket = (packet: unknown) => {
    const nack = packet as NackPacket
    if (nack.type !== RTPFB || nack.feedback?.count !== GENERIC_NACK || !Array.isArray(nack.feedback.lost)) {
      handle(packet)
      return
    }
    const now = clock.now()
    const lost = nack.feedback.lost.filter((seq) => {
      const cached = internals.rtpCache[seq % HISTORY]
      if (!cached || cached.header.sequenceNumber !== seq) return true
      return limit.allow(seq, cached.payload.length + 12, now)
    })
    handle(lost.length === nack.feedback.lost.length ? packet : copyWith(nack, { feedback: copyWith(nack.feedback, { lost }) }))
  }
}
