// The loss a subscriber reports on a stream the hub forwards (its RTCP receiver reports), one of the inputs
// of the publisher's estimate (bandwidth.ts): the worse of it and the loss on the way in is the estimator's
// loss. Shared by both media planes. The slowest-subscriber rule lives here: a subscriber losing > 10 %
// counts for SLOW_SUBSCRIBER_MS from that first loss, then no more until its loss has stayed at or below
// 10 % for RECOVERED_MS while it did not count.
// Measured with real browsers (loadtest README, "stop 31: the slowest subscriber"): once the publisher was
// cut to what a slow subscriber's link carries, that subscriber's loss fell under 10 % (NACK resends even
// took its cumulative count down), which restarted the clock; the estimate regrew past its link, it lost
// again and cut again, so it held the publisher at its rate for as long as it stayed, never for 10 s only.
// Its loss while it counts is therefore no sign of recovery; only its loss while the publisher is not held
// for it is.

/** How long a subscriber losing more than 10 % may hold its publisher's estimate down, from its first tick over 10 %. */
export const SLOW_SUBSCRIBER_MS = 10_000
/** How long a subscriber left out must stay at or below 10 % loss to count again (a new SLOW_SUBSCRIBER_MS if it loses again). */
export const RECOVERED_MS = 10_000

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
  /** The packets this tick's reports covered (0 when none came: `fraction` is then the last tick's, no new evidence). */
  packets = 0
  /** Its first tick over 10 % since it last counted cleanly (undefined: none); it counts until SLOW_SUBSCRIBER_MS after. */
  #highSince: number | undefined
  /** Left out of the estimate (SLOW_SUBSCRIBER_MS after #highSince) until RECOVERED_MS at or below 10 %. */
  #leftOut = false
  /** While left out: since when its loss has stayed at or below 10 % (undefined while it is over). */
  #lowSince: number | undefined
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

  /**
   * This tick's loss (the previous one's when no report came), or 0 while it is left out: from SLOW_SUBSCRIBER_MS
   * after its first tick over 10 % until its loss has stayed at or below 10 % for RECOVERED_MS. A tick at or
   * below 10 % while it counts does not restart the clock: it is what the cut it asked for brings.
   */
  take(nowMs: number): number {
    this.packets = this.#windowExpected
    if (this.#windowExpected > 0) {
      this.fraction = Math.min(1, Math.max(0, this.#windowLost / this.#windowExpected))
      this.#windowExpected = 0
      this.#windowLost = 0
      if (this.fraction > 0.1) {
        this.#highSince ??= nowMs
        this.#lowSince = undefined
      } else if (this.#leftOut) this.#lowSince ??= nowMs
    }
    if (!this.#leftOut && this.#highSince !== undefined && nowMs - this.#highSince > SLOW_SUBSCRIBER_MS) {
      // Only quiet ticks from now on count towards its return: the ones before were under the cut.
      this.#leftOut = true
      this.#lowSince = this.fraction > 0.1 ? undefined : nowMs
    }
    if (this.#leftOut && this.#lowSince !== undefined && nowMs - this.#lowSince >= RECOVERED_MS) {
      this.#leftOut = false
      this.#highSince = undefined
      this.#lowSince = undefined
    }
    return this.#leftOut ? 0 : this.fraction
  }
}
