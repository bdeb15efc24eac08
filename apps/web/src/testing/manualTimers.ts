// Timers a test fires by hand (the app's environment.timers), so nothing waits for real time.
import type { TimersLike } from '../environment'

export interface ManualTimers extends TimersLike {
  /** Runs every timer set so far (not those the callbacks set). */
  fireAll(): void
  pending(): number
}

export function manualTimers(): ManualTimers {
  const due = new Map<number, () => void>()
  let next = 1
  return {
    setTimeout: (callback) => {
      due.set(next, callback)
      return next++
    },
    clearTimeout: (id) => void due.delete(id as number),
    fireAll: () => {
      const callbacks = [...due.values()]
      due.clear()
      callbacks.forEach((callback) => callback())
    },
    pending: () => due.size,
  }
}
