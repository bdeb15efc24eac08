// The loss a subscriber reports on a stream the hub forwards (its RTCP receiver reports), one of the inputs
// of the publisher's estimate (bandwidth.ts): the worse of it and the loss on the way in is the estimator's
// loss. Shared by both media planes. The slowest-subscriber rule lives here: a subscriber losing > 10 %
// counts for SLOW_SUBSCRIBER_MS, then no more until its loss falls below 10 % again. A tick at or under
// 10 % restarts that time (the cut lowers its loss), so this alone would let a subscriber whose link cannot
// carry the stream hold the publisher down for as long as it stays. While another subscriber of the track
// is fine, video-pause.ts ends that: it pauses the slow one's video (its slow episode is not restarted by
// quiet ticks), and a paused subscriber's loss is not taken into the estimate (hub README, "The slowest
// subscriber"; loadtest README, stops 31 and 32).

/** How long a subscriber losing more than 10 % may hold its publisher's estimate down. */
export const SLOW_SUBSCRIBER_MS = 10_000

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
  /** Since when its loss is over 10 % (undefined while it is not). */
  #highSince: number | undefined
  #last: { lost: number; highest: number } | undefined
  #windowExpected = 0
  #windowLost = 0
  /** The forwarding stopped (restart): the next report that covers newer packets starts the count again. */
  #restarting = false

  /** One receiver report's cumulative packets lost (24-bit signed) and extended highest sequence number. */
  report(cumulativeLost: number, extendedHighest: number): void {
    const lost = cumulativeLost >= 0x800000 ? cumulativeLost - 0x1000000 : cumulativeLost
    const last = this.#last
    this.#last = { lost, highest: extendedHighest }
    if (!last) return
    const expected = (extendedHighest - last.highest) >>> 0
    // Out of order, or a restarted stream: no figure from this pair of reports.
    if (expected === 0 || expected >= 0x8000) return
    if (this.#restarting) {
      this.#restarting = false
      return
    }
    this.#windowExpected += expected
    this.#windowLost += lost - last.lost
  }

  /**
   * Nothing is forwarded to it now (its video paused, video-pause.ts): the first report that covers newer
   * packets (the resume's) is a new start, not a figure. The packets sent just before the pause that its
   * slow link's queue dropped are lost in the receiver's eyes only once a newer packet arrives, so that
   * report counts them with the resume's first few (0–6 of its 3–25 packets in 17 runs of the e2e
   * video-pause spec, stop 33); 8 in a trial's first 30 fail it early on a recovered link (stop 32's bug).
   */
  restart(): void {
    this.#restarting = true
  }

  /** This tick's loss (the previous one's when no report came), or 0 once it has been over 10 % for longer than SLOW_SUBSCRIBER_MS. */
  take(nowMs: number): number {
    this.packets = this.#windowExpected
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
