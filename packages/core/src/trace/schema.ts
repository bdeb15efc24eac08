// The trace format's runtime schema: a foreign, damaged or truncated file is refused with a message
// saying what is wrong, never half-read.
import * as v from 'valibot'
import { TRACE_FORMAT, TRACE_VERSION, type Trace } from './format.js'

const id = v.pipe(v.number(), v.integer(), v.minValue(1))
const error = v.object({ name: v.string(), message: v.string() })
const states = v.object({ ice: v.string(), connection: v.string(), signaling: v.string() })
const base = { seq: id, t: v.pipe(v.number(), v.minValue(0)) }

const EntrySchema = v.variant('kind', [
  v.object({ ...base, kind: v.literal('event'), actor: id, source: v.optional(id), event: v.looseObject({ type: v.string() }) }),
  v.object({ ...base, kind: v.literal('state'), actor: id, event: v.string(), status: v.string(), value: v.optional(v.unknown()) }),
  v.object({ ...base, kind: v.literal('http.request'), req: id, method: v.string(), url: v.string(), headers: v.optional(v.record(v.string(), v.string())), body: v.optional(v.string()) }),
  v.object({ ...base, kind: v.literal('http.response'), req: id, status: v.number(), body: v.string() }),
  v.object({ ...base, kind: v.literal('http.error'), req: id, status: v.optional(v.number()), error }),
  v.object({ ...base, kind: v.literal('sse.open'), es: id, url: v.string() }),
  v.object({ ...base, kind: v.literal('sse.event'), es: id, name: v.string(), data: v.optional(v.string()) }),
  v.object({ ...base, kind: v.literal('sse.close'), es: id }),
  v.object({ ...base, kind: v.literal('pc.create'), pc: id, config: v.unknown() }),
  v.object({ ...base, kind: v.literal('pc.call'), pc: id, call: id, method: v.string(), args: v.optional(v.unknown()) }),
  v.object({ ...base, kind: v.literal('pc.result'), pc: id, call: id, value: v.optional(v.unknown()) }),
  v.object({ ...base, kind: v.literal('pc.failure'), pc: id, call: id, error }),
  v.object({ ...base, kind: v.literal('pc.event'), pc: id, type: v.string(), states, data: v.optional(v.unknown()) }),
  v.object({ ...base, kind: v.literal('pc.close'), pc: id }),
  v.object({ ...base, kind: v.literal('dc.event'), pc: id, channel: id, type: v.string(), readyState: v.string(), data: v.optional(v.string()) }),
  v.object({ ...base, kind: v.literal('dc.send'), pc: id, channel: id, data: v.string() }),
  v.object({ ...base, kind: v.literal('dc.close'), pc: id, channel: id }),
  v.object({ ...base, kind: v.literal('media.call'), call: id, method: v.string(), constraints: v.unknown() }),
  v.object({
    ...base,
    kind: v.literal('media.result'),
    call: id,
    stream: v.object({ id: v.string(), tracks: v.array(v.object({ id: v.string(), kind: v.string() })) }),
  }),
  v.object({ ...base, kind: v.literal('media.failure'), call: id, error }),
  v.object({ ...base, kind: v.literal('media.event'), call: id, type: v.literal('trackended'), track: v.object({ id: v.string(), kind: v.string() }) }),
  v.object({ ...base, kind: v.literal('media.devices'), call: id, devices: v.array(v.object({ deviceId: v.string(), kind: v.string(), label: v.string() })) }),
  v.object({ ...base, kind: v.literal('media.devicechange') }),
  v.object({ ...base, kind: v.literal('timer.set'), timer: id, ms: v.number() }),
  v.object({ ...base, kind: v.literal('timer.fire'), timer: id }),
  v.object({ ...base, kind: v.literal('timer.clear'), timer: id }),
  v.object({ ...base, kind: v.literal('beacon'), url: v.string() }),
  v.object({ ...base, kind: v.literal('tab.open'), name: v.string() }),
  v.object({ ...base, kind: v.literal('tab.post'), data: v.unknown() }),
  v.object({ ...base, kind: v.literal('tab.message'), data: v.unknown() }),
  v.object({ ...base, kind: v.literal('network.change') }),
])

const TraceSchema = v.object({
  format: v.literal(TRACE_FORMAT),
  version: v.literal(TRACE_VERSION),
  startedAt: v.string(),
  baseUrl: v.optional(v.string()),
  dropped: v.pipe(v.number(), v.integer(), v.minValue(0)),
  capacity: v.pipe(v.number(), v.integer(), v.minValue(1)),
  redacted: v.array(v.string()),
  actors: v.array(v.object({ ref: id, path: v.string(), id: v.string(), machine: v.optional(v.string()), parent: v.optional(id) })),
  entries: v.array(EntrySchema),
})

export type ParsedTrace = { ok: true; trace: Trace } | { ok: false; error: string }

const where = (path: v.IssuePathItem[] | undefined) =>
  (path ?? []).map((item) => (typeof item.key === 'number' ? `[${item.key}]` : `.${String(item.key)}`)).join('').replace(/^\./, '') || 'the top level'

/** Reads a trace from JSON text or an already parsed value; every refusal says why. */
export function parseTrace(input: string | unknown): ParsedTrace {
  let value: unknown = input
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input)
    } catch (cause) {
      return { ok: false, error: `Not a trace: the file is not valid JSON (truncated or damaged?): ${(cause as Error).message}` }
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'Not a trace: expected a JSON object' }
  const header = value as { format?: unknown; version?: unknown }
  if (header.format !== TRACE_FORMAT) return { ok: false, error: `Not a Parley trace: "format" is ${JSON.stringify(header.format)}, expected "${TRACE_FORMAT}"` }
  if (header.version !== TRACE_VERSION) {
    return { ok: false, error: `Unsupported trace version ${JSON.stringify(header.version)}: this Parley reads version ${TRACE_VERSION}` }
  }
  const parsed = v.safeParse(TraceSchema, value)
  if (!parsed.success) {
    const issue = parsed.issues[0]
    return { ok: false, error: `Damaged trace at ${where(issue.path)}: ${issue.message}` }
  }
  const trace = parsed.output as Trace
  const declared = new Set(trace.actors.map((actor) => actor.ref))
  for (const actor of trace.actors) {
    if (actor.parent !== undefined && !declared.has(actor.parent)) return { ok: false, error: `Damaged trace: actor ${actor.ref} (${actor.path}) names parent ${actor.parent}, which the trace does not declare` }
  }
  let previous: { seq: number; t: number } | undefined
  for (const entry of trace.entries) {
    if (previous && (entry.seq <= previous.seq || entry.t < previous.t)) {
      return { ok: false, error: `Damaged trace: entry ${entry.seq} is out of order (after entry ${previous.seq})` }
    }
    previous = entry
    if (entry.kind !== 'event' && entry.kind !== 'state') continue
    for (const ref of [entry.actor, entry.kind === 'event' ? entry.source : undefined]) {
      if (ref !== undefined && !declared.has(ref)) return { ok: false, error: `Damaged trace: entry ${entry.seq} (${entry.kind}) names actor ${ref}, which the trace does not declare` }
    }
  }
  return { ok: true, trace }
}
