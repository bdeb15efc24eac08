// Bandwidth estimation from the hub: what each publisher is told it may send, as REMB (RTCP
// receiver-estimated maximum bitrate, `goog-remb`), from what the hub sees of its video. Shared by both
// media planes (no werift or libdatachannel types here): the werift plane feeds it in werift-forwarder.ts,
// the node-datachannel plane in ndc-forwarding.ts; the tick and the REMBs are feedback.ts.
//
// Per video track, every TICK_MS, from packets counted as they arrive (no allocation per packet):
// - the received bitrate;
// - the loss on the way in (gaps in the RTP sequence numbers);
// - the queueing delay on the way in: arrival time minus RTP capture time, the window's minimum against
//   the lowest seen in the last BASELINE_MS (a bottleneck queue raises it before it drops anything);
// - the loss the track's subscribers report (RTCP receiver reports on the hub's forwarded stream: their
//   cumulative counters over the tick, see SubscriberLoss).
// The estimate starts at the room's `initial_bandwidth`, which Chromium adopts at once in its first
// 2 s (it trusts REMB in its start phase while it sees no loss), so a clean link is used from the first
// second. The forwarder sends it the moment the publisher's connection is up and again on its first
// video packet, not at the next tick: Firefox ESR sizes its first frames from the bitrate it knows when
// it starts encoding (its own start rate is too low for 640x480) and scales up again only after ~10 s,
// so a REMB that comes a tick late costs it 640x480 for those 10 s. It backs off to 85 % of what arrived on loss > 10 %, and to the same but by at most half
// per tick on a queue delay over SEVERE_DELAY_MS in two ticks running; a queue delay over
// OVERUSE_DELAY_MS, or loss of 2–10 %, holds it; it grows 8 % per tick while the link is clean. The
// delay signal is kept weak on purpose: arrival times are taken in JavaScript, and a starved encoder or
// a busy event loop (both common on a loaded machine) look like a queue for a tick or two; measured on
// a loaded machine (load average ≈ 20 on 2 cores) it still misreads long CPU stalls as a queue.
// Bounds come from the room's `bitrates`: never below `video_low` (+ audio), never above twice
// `initial_bandwidth` or `video_high` (+ audio), whichever is higher.
//
// The slowest subscriber: its loss counts like the publisher's own, so one subscriber on a bad link
// slows the publisher for everyone (there is no simulcast to give it a lower layer), but only down to
// `video_low`, and only for SLOW_SUBSCRIBER_MS: a subscriber still losing > 10 % after that stops
// counting until its loss falls below 10 % again, and is left to NACK and keyframe recovery.
import type { Bitrates } from '@parley/protocol'

export const TICK_MS = 500
export const OVERUSE_DELAY_MS = 80
export const SEVERE_DELAY_MS = 250
export const BASELINE_MS = 10_000
export const SLOW_SUBSCRIBER_MS = 10_000

export interface BandwidthLimits {
  floorBps: number
  startBps: number
  ceilingBps: number
}

/** The estimate's bounds for a room, from its `bitrates` option (all in bit/s). */
export function bandwidthLimits(bitrates: Bitrates): BandwidthLimits {
  const audio = Math.max(bitrates.audio, bitrates.audio_red)
  const floorBps = Math.max(50_000, bitrates.video_low + audio)
  const ceilingBps = Math.max(floorBps, 2 * bitrates.initial_bandwidth, bitrates.video_high + audio)
  const startBps = Math.min(ceilingBps, Math.max(floorBps, bitrates.initial_bandwidth))
  return { floorBps, startBps, ceilingBps }
}

/** What arrived of one video track in the current window; fed per packet, read and reset per tick. */
export class InboundWindow {
  bytes = 0
  received = 0
  /** Extended highest sequence number seen (-1 before the first packet). */
  #highest = -1
  #expectedFrom = -1
  #minTransitMs = Number.POSITIVE_INFINITY
  /** Minimum transit of the recent windows, oldest first, one entry per tick. */
  readonly #baseline: number[] = []

  onPacket(sequenceNumber: number, rtpTimestamp: number, size: number, arrivalMs: number): void {
    this.bytes += size
    this.received++
    if (this.#highest < 0) {
      this.#highest = sequenceNumber
      this.#expectedFrom = sequenceNumber
    } else {
      const current = this.#highest & 0xffff
      let delta = (sequenceNumber - current) & 0xffff
      if (delta >= 0x8000) delta -= 0x10000
      if (delta > 0) this.#highest += delta
    }
    // 90 kHz video clock: transit in ms up to a constant offset, which the baseline removes.
    const transit = arrivalMs - rtpTimestamp / 90
    if (transit < this.#minTransitMs) this.#minTransitMs = transit
  }

  /** The window's figures; the next window starts. */
  take(windowMs: number): { receivedBps: number; lossFraction: number; queueDelayMs: number } {
    const expected = this.#highest < 0 ? 0 : this.#highest - this.#expectedFrom + 1
    const lossFraction = expected > 0 ? Math.max(0, 1 - this.received / expected) : 0
    const receivedBps = (this.bytes * 8 * 1000) / windowMs
    let queueDelayMs = 0
    // Transit wraps with the 32-bit RTP timestamp (every 13 h at 90 kHz): a jump of hours restarts the baseline.
    if (this.#baseline.length > 0 && Math.abs(this.#minTransitMs - Math.min(...this.#baseline)) > 3_600_000) this.#baseline.length = 0
    if (Number.isFinite(this.#minTransitMs)) {
      this.#baseline.push(this.#minTransitMs)
      if (this.#baseline.length > BASELINE_MS / TICK_MS) this.#baseline.shift()
      queueDelayMs = this.#minTransitMs - Math.min(...this.#baseline)
    }
    this.bytes = 0
    this.received = 0
    if (this.#highest >= 0) this.#expectedFrom = this.#highest + 1
    this.#minTransitMs = Number.POSITIVE_INFINITY
    return { receivedBps, lossFraction, queueDelayMs }
  }
}

/**
 * The loss one subscriber reports on one forwarded track, per tick, with the slow-subscriber rule's clock.
 * It is taken from the reports' cumulative counters (packets lost, extended highest sequence number) over
 * the tick, not from their `fraction lost`: Chromium sends a receiver report in every compound RTCP packet,
 * and so with every NACK, right after the gap it names, over the few packets since its previous report,
 * so one lost packet reads as 1/2 or more (measured: 127/256 and 238/256 under 2 % loss), and the
 * packets that NACKs brought back are still counted as lost there.
 */
export class SubscriberLoss {
  /** The last tick's loss (kept through ticks without a report). */
  fraction = 0
  /** Since when its loss is over 10 % (undefined while it is not). */
  #highSince: number | undefined
  #last: { lost: number; highest: number } | undefined
  #windowExpected = 0
  #windowLost = 0

  /** One receiver report's cumulative packets lost (24-bit signed) and extended highest sequence number. */
  report(cumulativeLost: number, extendedHighest: number): void {
    const lost = cumulativeLost >= 0x800000 ? cumulativeLost - 0x1000000 : cumulativeLost
    const last = this.#last
    this.#last = { lost, highest: extendedHighest }
    if (!last) return
    const expected = (extendedHighest - last.highest) >>> 0
    // Out of order, or a restarted stream: no figure from this pair of reports.
    if (expected === 0 || expected >= 0x8000) return
    this.#windowExpected += expected
    this.#windowLost += lost - last.lost
  }

  /** This tick's loss (the previous one's when no report came), or 0 once it has been over 10 % for longer than SLOW_SUBSCRIBER_MS. */
  take(nowMs: number): number {
    if (this.#windowExpected > 0) {
      this.fraction = Math.min(1, Math.max(0, this.#windowLost / this.#windowExpected))
      this.#windowExpected = 0
      this.#windowLost = 0
      if (this.fraction <= 0.1) this.#highSince = undefined
      else this.#highSince ??= nowMs
    }
    if (this.#highSince !== undefined && nowMs - this.#highSince > SLOW_SUBSCRIBER_MS) return 0
    return this.fraction
  }
}

/** The loss-and-delay rule of the header, for one publisher. */
export class BandwidthEstimator {
  estimateBps: number
  readonly #limits: BandwidthLimits
  /** The previous tick saw a long queue delay. */
  #queued = false

  constructor(limits: BandwidthLimits) {
    this.#limits = limits
    this.estimateBps = limits.startBps
  }

  update(input: { receivedBps: number; lossFraction: number; queueDelayMs: number }): number {
    const { floorBps, ceilingBps } = this.#limits
    const severe = input.queueDelayMs > SEVERE_DELAY_MS
    const severeTwice = severe && this.#queued
    this.#queued = severe
    const backOff = Math.min(this.estimateBps, input.receivedBps) * 0.85
    if (input.lossFraction > 0.1) {
      this.estimateBps = backOff
    } else if (severeTwice) {
      this.estimateBps = Math.max(this.estimateBps * 0.5, backOff)
    } else if (input.queueDelayMs > OVERUSE_DELAY_MS) {
      // hold: a moderate delay, or one tick's long one, is no proof of a queue
    } else if (input.lossFraction < 0.02 && input.queueDelayMs < OVERUSE_DELAY_MS / 2) {
      this.estimateBps *= 1.08
    }
    this.estimateBps = Math.round(Math.min(ceilingBps, Math.max(floorBps, this.estimateBps)))
    return this.estimateBps
  }
}

/** REMB's bitrate encoding: an 18-bit mantissa and a 6-bit exponent. */
export function rembMantissaExponent(bitrate: number): { mantissa: number; exponent: number } {
  let mantissa = Math.max(0, Math.floor(bitrate))
  let exponent = 0
  while (mantissa >= 1 << 18) {
    mantissa = Math.floor(mantissa / 2)
    exponent++
  }
  return { mantissa, exponent }
}

/**
 * The RTCP packet (PSFB, FMT 15, `REMB`) that tells a publisher `bitrate` (bit/s) for its streams `ssrcs`,
 * as bytes (draft-alvestrand-rmcat-remb-03).
 */
export function rembBytes(senderSsrc: number, ssrcs: readonly number[], bitrate: number): Buffer {
  const { mantissa, exponent } = rembMantissaExponent(bitrate)
  const packet = Buffer.alloc(20 + 4 * ssrcs.length)
  packet[0] = 0x80 | 15
  packet[1] = 206
  packet.writeUInt16BE(packet.length / 4 - 1, 2)
  packet.writeUInt32BE(senderSsrc >>> 0, 4)
  // media source SSRC (8..11) stays 0
  packet.write('REMB', 12, 'latin1')
  packet[16] = ssrcs.length
  packet[17] = (exponent << 2) | (mantissa >>> 16)
  packet.writeUInt16BE(mantissa & 0xffff, 18)
  ssrcs.forEach((ssrc, index) => packet.writeUInt32BE(ssrc >>> 0, 20 + 4 * index))
  return packet
}
