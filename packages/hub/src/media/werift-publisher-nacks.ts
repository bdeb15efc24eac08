// The hub's own NACKs to a publisher, an option of the werift plane (`publisherNacks: 'hub'`; off by
// default: measured no better than werift's receiver loop on a constrained link, loadtest README
// "Ramp on the constrained link: why it freezes"). werift's receiver NACKs a lost packet every 5 ms, 11 times, all within
// ≈ 55 ms: on a path whose round trip is longer the publisher can resend once at most. This rule NACKs a
// gap at once and once more after 1.5 round trips.
import { type Clock, Timer } from '../clock.js'

/** The publisher NACK rule's figures (see PublisherNacks). */
export const NACK_DEFAULT_RTT_MS = 100
export const NACK_MIN_RETRY_MS = 20
export const NACK_MAX_RETRY_MS = 1_000
export const NACK_MAX_TRIES = 2
/** Missing packets tracked per track; a burst beyond this is left to a keyframe. */
export const NACK_MAX_MISSING = 64

/**
 * The hub's NACKs to a publisher for one video track, in place of werift's receiver NackHandler. werift's
 * NACKs every missing packet again every 5 ms, 11 times, whatever the round trip: 200 RTCP packets a second
 * while anything is missing, and a publisher that does not know its RTT yet (or whose RTT is below 5 ms)
 * resends the packet on each. On a constrained link that alone overloads the link (measured on 800 kbit/s
 * with 2 % loss: a third of Firefox's packets were resends, and the hub lost two thirds of what was sent).
 * Here a missing packet is NACKed once when the gap shows and once more after 1.5 round trips (the time
 * a NACK took to bring a packet back, smoothed; 100 ms until measured). A packet still missing then is
 * left to the subscribers' NACKs and keyframe requests: on a full link more resends only add to the queue.
 */
export class PublisherNacks {
  readonly #clock: Clock
  readonly #send: (lost: number[]) => void
  readonly #timer: Timer
  /** Extended highest sequence number seen (-1 before the first packet). */
  #highest = -1
  /** Missing packets by extended sequence number, oldest first. */
  readonly #missing = new Map<number, { firstNackAt: number; lastNackAt: number; tries: number }>()
  #roundTripMs: number | undefined

  constructor(deps: { clock: Clock; send: (lost: number[]) => void }) {
    this.#clock = deps.clock
    this.#send = deps.send
    this.#timer = new Timer(deps.clock)
  }

  get retryMs(): number {
    return Math.min(NACK_MAX_RETRY_MS, Math.max(NACK_MIN_RETRY_MS, 1.5 * (this.#roundTripMs ?? NACK_DEFAULT_RTT_MS)))
  }

  /** Every packet of the track as it arrives (no allocation unless a gap shows or a missing one arrives). */
  onPacket(sequenceNumber: number): void {
    if (this.#highest < 0) {
      this.#highest = sequenceNumber
      return
    }
    let delta = (sequenceNumber - (this.#highest & 0xffff)) & 0xffff
    if (delta >= 0x8000) delta -= 0x10000
    if (delta === 1) {
      this.#highest++
      return
    }
    if (delta <= 0) {
      this.#recovered(this.#highest + delta)
      return
    }
    const now = this.#clock.now()
    // A jump of thousands is a restarted stream, not a loss to repair packet by packet.
    for (let seq = Math.max(this.#highest + 1, this.#highest + delta - NACK_MAX_MISSING); seq < this.#highest + delta; seq++) this.#missing.set(seq, { firstNackAt: now, lastNackAt: now, tries: 0 })
    this.#highest += delta
    for (const seq of this.#missing.keys()) {
      if (this.#missing.size <= NACK_MAX_MISSING) break
      this.#missing.delete(seq)
    }
    this.#flush()
  }

  /** Forgets the stream (the publisher restarted it, or the track ended). */
  reset(): void {
    this.#timer.cancel()
    this.#missing.clear()
    this.#highest = -1
  }

  #recovered(seq: number): void {
    const entry = this.#missing.get(seq)
    if (!entry) return
    this.#missing.delete(seq)
    // From the first NACK: an answer to a later one reads long, never short (a retry too early is a duplicate).
    if (entry.tries > 0) {
      const sample = this.#clock.now() - entry.firstNackAt
      this.#roundTripMs = this.#roundTripMs === undefined ? sample : 0.875 * this.#roundTripMs + 0.125 * sample
    }
    if (this.#missing.size === 0) this.#timer.cancel()
  }

  /** NACKs what is due (new, or its last NACK a retry interval ago), and waits for the next one due. */
  #flush(): void {
    const now = this.#clock.now()
    const retryMs = this.retryMs
    const due: number[] = []
    let nextDueAt = Number.POSITIVE_INFINITY
    for (const [seq, entry] of this.#missing) {
      if (entry.tries > 0 && now - entry.lastNackAt < retryMs) {
        nextDueAt = Math.min(nextDueAt, entry.lastNackAt + retryMs)
        continue
      }
      if (entry.tries >= NACK_MAX_TRIES) {
        this.#missing.delete(seq)
        continue
      }
      if (entry.tries === 0) entry.firstNackAt = now
      entry.tries++
      entry.lastNackAt = now
      due.push(seq & 0xffff)
      nextDueAt = Math.min(nextDueAt, now + retryMs)
    }
    if (due.length > 0) this.#send(due)
    if (Number.isFinite(nextDueAt)) this.#timer.start(nextDueAt - now, () => this.#flush())
    else this.#timer.cancel()
  }
}
