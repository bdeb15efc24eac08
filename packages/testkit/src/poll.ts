// Waiting on a condition with a deadline: the only kind of waiting e2e specs do. The interval is a
// polling pace, never an assertion; the deadline error says what was last seen.

export interface PollOptions {
  timeoutMs?: number
  intervalMs?: number
  /** What is being waited for, for the timeout error. */
  description?: string
  /**
   * What the condition last looked like (the probe keeps it, e.g. in a variable it assigns), for the
   * timeout error: a string as it is, anything else as JSON. Called once, on timeout.
   */
  seen?: () => unknown
}

/** `seen()` for an error message; never throws (the timeout error must still come out). */
function describeSeen(seen: () => unknown): string {
  try {
    const value = seen()
    return typeof value === 'string' ? value : JSON.stringify(value)
  } catch (error) {
    return `(unreadable: ${error instanceof Error ? error.message : String(error)})`
  }
}

/**
 * Calls `probe` until it returns a value other than `undefined`/`false`, and returns that value.
 * `probe` may throw transiently (a page navigating, say); the last error is reported on timeout.
 */
export async function pollUntil<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, options: PollOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 20_000
  const intervalMs = options.intervalMs ?? 100
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined && value !== false) return value
    } catch (error) {
      lastError = error
    }
    if (Date.now() >= deadline) {
      const seen = options.seen ? `; last seen: ${describeSeen(options.seen)}` : ''
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : ''
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${options.description ?? 'a condition'}${seen}${why}`)
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
