// Every hub timer goes through this port so tests can drive time (vitest fake timers or a manual
// clock) and so `Hub.close()` can prove nothing is left running.

export type TimerHandle = unknown

export interface Clock {
  setTimeout(callback: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
  /** Milliseconds since the epoch. */
  now(): number
  /**
   * Milliseconds since the epoch with sub-millisecond resolution, where the clock has it (transport-cc
   * reports arrivals in 250 µs units); now() is used where absent.
   */
  preciseNow?(): number
}

/** The real clock. Reads the globals at call time, so vitest fake timers also drive it. */
export const systemClock: Clock = {
  setTimeout: (callback, ms) => {
    const handle = globalThis.setTimeout(callback, ms)
    // A pending hub timer must never keep a shutting-down process alive.
    handle.unref?.()
    return handle
  },
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
  now: () => Date.now(),
  preciseNow: () => performance.timeOrigin + performance.now(),
}

/** Node fires a longer setTimeout after 1 ms; a room asking for a longer timeout gets this (~24.8 days). */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1

/** One named, restartable timer: the shape every hub timeout takes. */
export class Timer {
  #handle: TimerHandle | undefined
  readonly #clock: Clock

  constructor(clock: Clock) {
    this.#clock = clock
  }

  get running(): boolean {
    return this.#handle !== undefined
  }

  /** (Re)starts the timer; a previous pending run is cancelled. */
  start(ms: number, callback: () => void): void {
    this.cancel()
    this.#handle = this.#clock.setTimeout(() => {
      this.#handle = undefined
      callback()
    }, Math.min(Math.max(0, ms), MAX_TIMEOUT_MS))
  }

  cancel(): void {
    if (this.#handle === undefined) return
    this.#clock.clearTimeout(this.#handle)
    this.#handle = undefined
  }
}
