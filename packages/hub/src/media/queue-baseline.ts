// The standing queue of one video track (bandwidth.ts, InboundWindow): each window's minimum transit
// (arrival time minus send time) against the lowest of the last BASELINE_MS — and the one case that
// rule misreads, a step in the path's delay (a relay or a route adding 100 ms, measured in the web
// faults-impaired spec: read as a 100 ms queue, `overusing`, REMB at 165 kbit/s for the ~10 s the
// baseline took to forget the shorter transit).
// A queue and a step look the same in one window; they differ in what follows. A queue at a bottleneck
// moves: it grows while the sender is over the link and drains once it is cut under it (at the ramp
// bench's 800 kbit/s, tens of ms per window either way). A step stays where it is whatever the sender
// does. So a queue over STEP_FROM_MS that stays within STEP_TOLERANCE_MS (max − min) for STEP_MS of
// windows, with the delay trend not reading growth, is taken as path delay: the current transit
// becomes the baseline (`rebasedMs` says by how much, for the hub's log).
export const BASELINE_MS = 10_000
/** A standing queue under this changes nothing in the estimate (bandwidth.ts DRAIN_FROM_MS, LOSS_QUEUE_MS). */
export const STEP_FROM_MS = 50
/** The spread of the window minima a flat queue stays within (JavaScript arrival times jitter a few ms). */
export const STEP_TOLERANCE_MS = 15
/** How long a queue must stay flat, trend quiet, before it is read as path delay. */
export const STEP_MS = 2_000

export class QueueBaseline {
  /** Minimum transit of the recent windows, oldest first, one entry per window. */
  readonly #minima: number[] = []
  readonly #windows: number
  /** The current flat run: its lowest and highest queue and how long it has lasted. */
  #runLowMs = Number.POSITIVE_INFINITY
  #runHighMs = Number.NEGATIVE_INFINITY
  #runMs = 0

  constructor(windowMs: number) {
    this.#windows = Math.max(1, Math.round(BASELINE_MS / windowMs))
  }

  /**
   * One window's minimum transit (not finite: nothing arrived that says so) and whether the delay trend
   * read growth in it; returns the queue, and by how much the baseline was raised (0: it was not).
   */
  push(minTransitMs: number, windowMs: number, trendGrowing: boolean): { queueDelayMs: number; rebasedMs: number } {
    if (!Number.isFinite(minTransitMs)) return { queueDelayMs: 0, rebasedMs: 0 }
    // Transit wraps with the 32-bit RTP timestamp (every 13 h at 90 kHz): a jump of hours restarts the baseline.
    if (this.#minima.length > 0 && Math.abs(minTransitMs - Math.min(...this.#minima)) > 3_600_000) this.#minima.length = 0
    this.#minima.push(minTransitMs)
    if (this.#minima.length > this.#windows) this.#minima.shift()
    const queueDelayMs = minTransitMs - Math.min(...this.#minima)
    if (queueDelayMs <= STEP_FROM_MS || trendGrowing) {
      this.#resetRun()
      return { queueDelayMs, rebasedMs: 0 }
    }
    const low = Math.min(this.#runLowMs, queueDelayMs)
    const high = Math.max(this.#runHighMs, queueDelayMs)
    if (high - low > STEP_TOLERANCE_MS) {
      // It moved: a queue growing or draining. The run starts again from this window.
      this.#resetRun()
      this.#runLowMs = queueDelayMs
      this.#runHighMs = queueDelayMs
      this.#runMs = windowMs
      return { queueDelayMs, rebasedMs: 0 }
    }
    this.#runLowMs = low
    this.#runHighMs = high
    this.#runMs += windowMs
    if (this.#runMs < STEP_MS) return { queueDelayMs, rebasedMs: 0 }
    // Flat for STEP_MS: path delay. The lowest of the run is the new baseline (the queue reads ~0 from here).
    const rebasedMs = low
    for (let i = 0; i < this.#minima.length; i++) this.#minima[i] = Math.max(this.#minima[i]!, minTransitMs - queueDelayMs + low)
    this.#resetRun()
    return { queueDelayMs: queueDelayMs - low, rebasedMs }
  }

  #resetRun(): void {
    this.#runLowMs = Number.POSITIVE_INFINITY
    this.#runHighMs = Number.NEGATIVE_INFINITY
    this.#runMs = 0
  }
}
