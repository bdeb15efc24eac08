// Waiting on a condition with a deadline: the only kind of waiting e2e specs do. The interval is a
// polling pace, never an assertion; the deadline error says what was last seen.

export interface PollOptions {
  timeoutMs?: number
  intervalMs?: number
  /** What is being waited for, for the timeout error. */
  description?: string
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
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : ''
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${options.description ?? 'a condition'}${why}`)
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
