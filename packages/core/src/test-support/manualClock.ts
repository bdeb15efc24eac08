import type { ClockLike } from '../ports.js'

/** A clock the test advances by hand; counts the timers still scheduled. */
export class ManualClock implements ClockLike {
  private time = 0
  private nextId = 1
  private readonly timers = new Map<number, { at: number; ms: number; fn: (...args: unknown[]) => void }>()

  setTimeout = (fn: (...args: unknown[]) => void, ms: number): unknown => {
    const id = this.nextId++
    this.timers.set(id, { at: this.time + ms, ms, fn })
    return id
  }

  clearTimeout = (id: unknown): void => {
    this.timers.delete(id as number)
  }

  now = (): number => this.time

  get pendingTimers(): number {
    return this.timers.size
  }

  /** Delays of the scheduled timers, from now. */
  scheduledDelays(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.time).sort((a, b) => a - b)
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const until = this.time + ms
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0]
      if (!due) break
      const [id, timer] = due
      this.timers.delete(id)
      this.time = timer.at
      timer.fn()
    }
    this.time = until
  }

  /**
   * Fires the one timer scheduled with this delay (the latest such), at its due time, leaving the others
   * scheduled: a long deadline is reached without firing every shorter timer on the way (they are due and
   * fire at the next advance). Returns whether there was one.
   */
  fireScheduled(ms: number): boolean {
    const entry = [...this.timers.entries()].filter(([, t]) => t.ms === ms).at(-1)
    if (!entry) return false
    const [id, timer] = entry
    this.timers.delete(id)
    this.time = Math.max(this.time, timer.at)
    timer.fn()
    return true
  }

  /** Fires the earliest timer, whatever its delay. */
  runNext(): boolean {
    const next = this.scheduledDelays()[0]
    if (next === undefined) return false
    this.advance(next)
    return true
  }
}
