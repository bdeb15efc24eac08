// One direction of an impaired link, in userland because this kernel has no netem: each packet is
// dropped (random loss, blackout) or delivered after a fixed delay plus jitter. Packets keep their
// order unless `reorder` is set, as on a real path whose queue only grows and shrinks.

export interface Impairment {
  /** Added to every packet, in ms. */
  delayMs: number
  /** Each packet gets an extra delay drawn uniformly from [-jitterMs, +jitterMs] (never below 0 in total). */
  jitterMs: number
  /** Chance, in %, that a packet is dropped. */
  lossPercent: number
  /** Let jitter overtake earlier packets (off: a packet never leaves before the one ahead of it). */
  reorder: boolean
}

export const NO_IMPAIRMENT: Impairment = { delayMs: 0, jitterMs: 0, lossPercent: 0, reorder: false }

export interface LinkCounters {
  /** Packets handed on (after their delay). */
  relayed: number
  /** Bytes handed on. */
  bytes: number
  /** Packets dropped by random loss. */
  lost: number
  /** Packets dropped during a blackout. */
  blackedOut: number
}

export interface LinkClock {
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const realClock: LinkClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

interface Pending {
  at: number
  deliver: () => void
  bytes: number
}

export class ImpairedLink {
  private impairment: Impairment = { ...NO_IMPAIRMENT }
  private blackoutUntil = 0
  private readonly queue: Pending[] = []
  private timer: unknown
  private closed = false
  readonly counters: LinkCounters = { relayed: 0, bytes: 0, lost: 0, blackedOut: 0 }

  constructor(
    private readonly random: () => number = Math.random,
    private readonly clock: LinkClock = realClock,
  ) {}

  impair(change: Partial<Impairment>): void {
    const next = { ...this.impairment, ...change }
    if (next.delayMs < 0 || next.jitterMs < 0 || next.lossPercent < 0 || next.lossPercent > 100) {
      throw new RangeError(`impairment out of range: ${JSON.stringify(next)}`)
    }
    this.impairment = next
  }

  get current(): Impairment {
    return { ...this.impairment }
  }

  /** Drops every packet for `ms` (Infinity: until `restore()`). Packets already delayed still arrive. */
  blackout(ms: number): void {
    this.blackoutUntil = this.clock.now() + ms
  }

  restore(): void {
    this.blackoutUntil = 0
  }

  get blackedOut(): boolean {
    return this.clock.now() < this.blackoutUntil
  }

  /** Hands `deliver` the packet after the impairment, or drops it. */
  send(bytes: number, deliver: () => void): void {
    if (this.closed) return
    if (this.blackedOut) {
      this.counters.blackedOut += 1
      return
    }
    const { delayMs, jitterMs, lossPercent, reorder } = this.impairment
    if (lossPercent > 0 && this.random() * 100 < lossPercent) {
      this.counters.lost += 1
      return
    }
    const jitter = jitterMs > 0 ? (this.random() * 2 - 1) * jitterMs : 0
    let at = this.clock.now() + Math.max(0, delayMs + jitter)
    const last = this.queue.at(-1)
    if (!reorder && last && last.at > at) at = last.at
    if (at <= this.clock.now() && this.queue.length === 0) {
      this.handOn({ at, deliver, bytes })
      return
    }
    const pending = { at, deliver, bytes }
    const later = reorder ? this.queue.findIndex((queued) => queued.at > at) : -1
    if (later < 0) this.queue.push(pending)
    else this.queue.splice(later, 0, pending)
    this.arm()
  }

  close(): void {
    this.closed = true
    this.queue.length = 0
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  private handOn(pending: Pending): void {
    this.counters.relayed += 1
    this.counters.bytes += pending.bytes
    pending.deliver()
  }

  private arm(): void {
    if (this.timer !== undefined || this.queue.length === 0) return
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      const now = this.clock.now()
      while (this.queue.length > 0 && this.queue[0]!.at <= now + 0.5) this.handOn(this.queue.shift()!)
      this.arm()
    }, Math.max(0, this.queue[0]!.at - this.clock.now()))
  }
}
