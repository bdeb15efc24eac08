/** The message of anything thrown, for a log line, a 4xx message or a machine's error text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
