// How long a thread ran and how long it waited for a core (Linux's /proc/<tid>/schedstat: ns on a CPU, ns on
// the run queue, timeslices). The join bench reads its own main thread's, where its hubs' API, event streams
// and room logic run: with the plane in a media worker each signalling step hops there and back, and every
// hop back waits for this thread to be scheduled.
import { readFileSync } from 'node:fs'

export interface ThreadSched {
  /** ms on a CPU. */
  runMs: number
  /** ms runnable but waiting for a core. */
  waitMs: number
}

/** Parses a schedstat line ("<run ns> <wait ns> <slices>"). */
export function parseSchedstat(text: string): ThreadSched {
  const [run, wait] = text.trim().split(/\s+/).map(Number)
  if (!Number.isFinite(run) || !Number.isFinite(wait)) throw new Error(`not a schedstat line: ${JSON.stringify(text)}`)
  return { runMs: run! / 1e6, waitMs: wait! / 1e6 }
}

/** The calling thread's figures so far, or undefined where /proc has none (not Linux, schedstats off). */
export function threadSched(path = '/proc/thread-self/schedstat'): ThreadSched | undefined {
  try {
    return parseSchedstat(readFileSync(path, 'utf8'))
  } catch {
    return undefined
  }
}

/** What happened between two readings. */
export function schedSince(start: ThreadSched | undefined, end: ThreadSched | undefined): ThreadSched | undefined {
  return start && end ? { runMs: end.runMs - start.runMs, waitMs: end.waitMs - start.waitMs } : undefined
}
