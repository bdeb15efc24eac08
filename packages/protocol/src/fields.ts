// The field schemas and limits that schemas.ts (what both sides parse) and requests.ts (what only the
// hub parses) share. Not exported from the package index: schemas.ts re-exports the limits.
import * as v from 'valibot'

/** Largest SDP either side accepts. Chrome's offers for a 10-person call stay well under 64 KiB. */
export const MAX_SDP_LENGTH = 128 * 1024
/** Largest ICE candidate line accepted. */
export const MAX_CANDIDATE_LENGTH = 1024
/** Longest display name, room name or id accepted. */
export const MAX_NAME_LENGTH = 256
export const MAX_ID_LENGTH = 128

export const nonNegativeInt = v.pipe(v.number(), v.integer(), v.minValue(0))

/** valibot's object and record schemas accept arrays; a JSON body that is an array is never what we mean. */
export function jsonObject<const TEntries extends v.ObjectEntries>(entries: TEntries) {
  return v.pipe(v.unknown(), v.check(isPlainObject, 'must be a JSON object'), v.object(entries))
}
export function isPlainObject(input: unknown): boolean {
  return typeof input === 'object' && input !== null && !Array.isArray(input)
}

export const sdp = v.pipe(
  v.string(),
  v.minLength(1, 'must not be empty'),
  v.maxLength(MAX_SDP_LENGTH, `must be at most ${MAX_SDP_LENGTH} characters`),
  v.check((text) => text.startsWith('v=0'), 'is not an SDP (it must start with "v=0")'),
)

/** One received data-channel frame (`what`: the channel's name for the error) parsed as JSON by `schema`: the message, or why it was refused (for a log line). */
export function parseJsonFrame<TSchema extends v.GenericSchema>(
  schema: TSchema,
  what: string,
  frame: unknown,
): { ok: true; message: v.InferOutput<TSchema> } | { ok: false; error: string } {
  if (typeof frame !== 'string') return { ok: false, error: `${what} frame is not text` }
  let json: unknown
  try {
    json = JSON.parse(frame)
  } catch {
    return { ok: false, error: `${what} frame is not JSON` }
  }
  const result = v.safeParse(schema, json)
  if (!result.success) return { ok: false, error: `${what} frame: ${describeIssues(result.issues)}` }
  return { ok: true, message: result.output }
}

/** One line per issue: `field.path: message`. Shared by the hub's 400s and the core's errors. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .map((issue) => {
      const path = v.getDotPath(issue)
      return path ? `${path}: ${issue.message}` : issue.message
    })
    .join('; ')
}

/** One event's `data` text (SSE: one JSON line) parsed by its schema; the data, or why it was rejected, naming the event. */
export function parseEventData<T>(schema: v.GenericSchema<unknown, T>, name: string, data: string): { ok: true; data: T } | { ok: false; error: string } {
  let json: unknown
  try {
    json = JSON.parse(data)
  } catch {
    return { ok: false, error: `${name}: data is not JSON` }
  }
  const result = v.safeParse(schema, json)
  return result.success ? { ok: true, data: result.output } : { ok: false, error: `${name}: ${describeIssues(result.issues)}` }
}
