// A thread's scheduling priority: each media worker's, and the hub command's main thread's. A worker's
// arrival stamps (transport-cc feedback, the hub's own estimate) are taken when its JavaScript runs, so
// time it spends waiting for a core counts as queueing at every publisher it holds at once. Measured on a loaded 2-core box (loadtest README, stop 43): the
// worker used ~100 ms of CPU a second but waited 450–600 ms a second to be scheduled, its stamps fell up
// to 1.2 s behind the kernel's, and every publisher's estimate collapsed in the same second; at nice -10
// the wait halved and the stamps stayed within ~150 ms. Linux's nice is per thread: this raises the
// calling thread only. The hub command (main.ts, `--nice`) also raises its main thread, where the HTTP API,
// the event streams and the room logic run: with the plane in workers, each signalling step of a join
// crosses to a worker and back, and every time the main thread waited for a core (loadtest README, stop 54).
// Elsewhere (macOS, Windows) a priority is the whole process's, so nothing is asked there.

/** What an operator does to grant it (the hub README's "Media workers", Priority). */
export const PRIORITY_HOW = 'grant CAP_SYS_NICE or RLIMIT_NICE (systemd LimitNICE=)'

/** The nice value a media worker asks for (Linux: -20 highest … 19 lowest); the hub command's `--nice` default. */
export const MEDIA_WORKER_NICE = -10

export interface PriorityDeps {
  /** process.platform: only Linux has a per-thread nice. */
  platform: NodeJS.Platform
  /** node:os setPriority: (0, nice) is the calling thread on Linux. */
  setPriority: (pid: number, priority: number) => void
  /** Told once when the priority could not be raised (no CAP_SYS_NICE and no RLIMIT_NICE room). */
  warn: (message: string, fields: Record<string, unknown>) => void
}

/**
 * Raises the calling thread's priority to `nice`; null or 0 leaves it, and so does any platform but Linux.
 * Never throws: a thread without the right runs as before. `thread` names it in the warning.
 */
export function raiseThreadPriority(nice: number | null, deps: PriorityDeps, thread = 'media worker'): boolean {
  if (nice === null || nice === 0 || deps.platform !== 'linux') return false
  try {
    deps.setPriority(0, nice)
    return true
  } catch (error) {
    deps.warn(`${thread} priority not raised`, { nice, error: error instanceof Error ? error.message : String(error), how: PRIORITY_HOW })
    return false
  }
}
