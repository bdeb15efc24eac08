import type { ClockLike } from '../ports.js'

/** A clock the test advances by hand; counts the timers still scheduled. */
export class ManualClock implements ClockLike {
  private time = 0
  private nextId = 1
  private readonly timers = new Map<number, { at: number; fn: (...args: unknown[]) => void }>()

  setTimeout = (fn: (...args: unknown[]) => void, ms: number): unknown => {
    const id = this.nextId++
    this.timers.set(id, { at: this.time + ms, fn })
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

  /** Fires the earliest timer, whatever its delay. */
  runNext(): boolean {
    const next = this.scheduledDelays()[0]
    if (next === undefined) return false
    this.advance(next)
    return true
  }
}
