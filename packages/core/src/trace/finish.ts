// What turns captured records (capture.ts) into a trace file's entries: secrets redacted (redact.ts),
// events between actors as plain data, and the file's header. `createTraceRecorder` finishes each
// entry as it is stored; `exportCapture` finishes a capture's entries when it is exported, so an app
// loads this only with its devtools, and nothing leaves the page unredacted either way.
import { TRACE_FORMAT, TRACE_VERSION, type Trace, type TraceEntry, type PeerStates, type TraceActor, type TraceDevice, type TraceEntryKind, type TraceError, type TraceRecord } from './format.js'
import type { CapturedActor, CapturedEntry, CapturedTrace, TraceCapture } from './capture.js'
import type { RawRecord } from './recordingPorts.js'
import { createRedactor, type Redactor } from './redact.js'

/** The fields of each kind of record, in the order the decorators (recordingPorts.ts) and the capture give them. */
export const RECORD_FIELDS: { readonly [K in TraceEntryKind]: readonly string[] } = {
  event: ['actor', 'source', 'event'],
  state: ['actor', 'event', 'status', 'value'],
  'http.request': ['req', 'method', 'url', 'headers', 'body'],
  'http.response': ['req', 'status', 'body'],
  'http.error': ['req', 'status', 'error'],
  'sse.open': ['es', 'url'],
  'sse.event': ['es', 'name', 'data'],
  'sse.close': ['es'],
  'pc.create': ['pc', 'config'],
  'pc.call': ['pc', 'call', 'method', 'args'],
  'pc.result': ['pc', 'call', 'value'],
  'pc.failure': ['pc', 'call', 'error'],
  'pc.event': ['pc', 'type', 'states', 'data'],
  'pc.close': ['pc'],
  'dc.event': ['pc', 'channel', 'type', 'readyState', 'data'],
  'dc.send': ['pc', 'channel', 'data'],
  'dc.close': ['pc', 'channel'],
  'media.call': ['call', 'method', 'constraints'],
  'media.result': ['call', 'stream'],
  'media.failure': ['call', 'error'],
  'media.event': ['call', 'type', 'track'],
  'media.devices': ['call', 'devices'],
  'media.devicechange': [],
  'timer.set': ['timer', 'ms'],
  'timer.fire': ['timer'],
  'timer.clear': ['timer'],
  beacon: ['url'],
  'tab.open': ['name'],
  'tab.post': ['data'],
  'tab.message': ['data'],
  'network.change': [],
}

/** A thrown value as the trace keeps it: its name and message. */
function errorOf(error: unknown): TraceError {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error))
    return { name: String((error as Error).name), message: String((error as Error).message ?? '') }
  return { name: 'Error', message: String(error) }
}

/** A positional record's field as the entry keeps it: what the decorators left as it came, made data. */
function fieldOf(field: string, value: unknown): unknown {
  if (field === 'error') return errorOf(value)
  if (field === 'states') {
    const [ice, connection, signaling] = value as [string, string, string]
    return { ice, connection, signaling } satisfies PeerStates
  }
  // The lists as the device choice reads them (a browser's MediaDeviceInfo holds them as getters).
  if (field === 'devices') return (value as TraceDevice[]).map(({ deviceId, kind, label }) => ({ deviceId, kind, label }))
  return value
}

/** A positional record (RECORD_FIELDS) as an object; a record that already is one is kept. */
export function recordOf(raw: RawRecord | TraceRecord): TraceRecord {
  if (!Array.isArray(raw)) return raw as TraceRecord
  const [kind, ...values] = raw as RawRecord
  const record: Record<string, unknown> = { kind }
  RECORD_FIELDS[kind].forEach((field, at) => {
    if (values[at] !== undefined) record[field] = fieldOf(field, values[at])
  })
  return record as TraceRecord
}

/** Strings longer than this in the payloads of events between actors are shortened (the full SDP is in the port entries). */
const EVENT_STRING_LIMIT = 160

export interface TraceFinishOptions {
  /** Header names whose values are redacted (case-insensitive); default DEFAULT_REDACTED_HEADERS. */
  redactHeaders?: string[]
  /** JSON field / query parameter names whose values are redacted; default DEFAULT_REDACTED_FIELDS. */
  redactFields?: string[]
}

export function redactorOf(options: TraceFinishOptions): Redactor {
  return createRedactor({
    ...(options.redactHeaders ? { headers: options.redactHeaders } : {}),
    ...(options.redactFields ? { fields: options.redactFields } : {}),
  })
}

/** Plain data for the trace: errors as name+message, class instances as a label, long strings shortened. */
function plain(value: unknown, limit: number, depth = 6): unknown {
  if (typeof value === 'string') return value.length > limit ? `${value.slice(0, limit)}… (${value.length} chars)` : value
  if (value === null || typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? undefined : value
  if (value instanceof Error) return { name: value.name, message: value.message }
  if (depth <= 0) return '[…]'
  if (Array.isArray(value)) return value.slice(0, 100).map((item) => plain(item, limit, depth - 1))
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return `[${(value as { constructor?: { name?: string } }).constructor?.name ?? 'object'}]`
  const out: Record<string, unknown> = {}
  for (const [key, child] of Object.entries(value)) {
    const converted = plain(child, limit, depth - 1)
    if (converted !== undefined) out[key] = converted
  }
  return out
}

/** A captured record as the trace keeps it: an object, the secrets it carries redacted, an event as plain data. */
export function finishRecord(raw: RawRecord | TraceRecord, redact: Redactor): TraceRecord {
  const record = recordOf(raw)
  switch (record.kind) {
    case 'event':
      // An event from outside the system (the UI's `user.*`) is an input the replay sends again: kept whole.
      return { ...record, event: plain(redact.value(record.event), record.source === undefined ? Infinity : EVENT_STRING_LIMIT) as typeof record.event }
    case 'http.request':
      // The capture stores `headers` and `body` only when the request had them.
      return {
        ...record,
        url: redact.url(record.url),
        ...(record.headers ? { headers: redact.headers(record.headers)! } : {}),
        ...(record.body !== undefined ? { body: redact.body(record.body)! } : {}),
      }
    case 'http.response':
      return { ...record, body: redact.body(record.body) ?? '' }
    case 'sse.open':
    case 'beacon':
      return { ...record, url: redact.url(record.url) }
    case 'sse.event':
    case 'dc.event': {
      // Text only: a binary frame is kept without its bytes.
      const { data, ...rest } = record
      return typeof data === 'string' ? { ...record, data: redact.body(data) ?? '' } : rest
    }
    case 'dc.send':
      return { ...record, data: redact.body(record.data) ?? '' }
    case 'pc.event': {
      // An ICE candidate as JSON (the browser's RTCIceCandidate has toJSON).
      const data = record.data as { toJSON?: () => unknown } | undefined
      return record.type === 'icecandidate' && typeof data?.toJSON === 'function' ? { ...record, data: data.toJSON() } : record
    }
    case 'pc.create':
      return { ...record, config: redact.value(record.config) }
    case 'tab.post':
    case 'tab.message':
      return { ...record, data: redact.value(record.data) }
    default:
      return record
  }
}

/** A captured entry as the trace keeps it (finishRecord), with its place and time. */
export function finishEntry({ raw, seq, t }: CapturedEntry, redact: Redactor): TraceEntry {
  return { ...finishRecord(raw, redact), seq, t } as TraceEntry
}

/** Actor `ref` of a capture's list, named by its path of ids from the root ('conference/negotiation'). */
export function actorOf(actors: readonly CapturedActor[], ref: number): TraceActor | undefined {
  const captured = actors[ref - 1]
  if (!captured) return undefined
  const [id, machine, parent] = captured
  return {
    ref,
    path: parent === undefined ? id : `${actorOf(actors, parent)?.path ?? '?'}/${id}`,
    id,
    ...(machine !== undefined ? { machine } : {}),
    ...(parent !== undefined ? { parent } : {}),
  }
}

/** The trace file of a capture: its header, the actors its entries name (and their ancestors), its entries. */
export function assembleTrace(captured: CapturedTrace, redacted: string[], finish: (entry: TraceEntry | CapturedEntry) => TraceEntry = (entry) => entry as TraceEntry): Trace {
  const { recorded, capacity } = captured
  const entries = captured.entries.map(finish)
  const actors = captured.actors.map((_, at) => actorOf(captured.actors, at + 1)!)
  const named = new Set<number>()
  const keep = (ref: number | undefined) => {
    for (let at = ref; at !== undefined && !named.has(at); at = actors[at - 1]?.parent) named.add(at)
  }
  for (const entry of entries) {
    if (entry.kind === 'event') {
      keep(entry.actor)
      keep(entry.source)
    } else if (entry.kind === 'state') keep(entry.actor)
  }
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    startedAt: captured.startedAt,
    ...(captured.baseUrl !== undefined ? { baseUrl: captured.baseUrl } : {}),
    dropped: Math.max(0, recorded - capacity),
    capacity,
    redacted,
    actors: actors.filter((actor) => named.has(actor.ref)),
    entries,
  }
}

/**
 * The trace file of a capture made without `finish` (`createTraceCapture()`, the web app's): each
 * entry redacted and made plain now, before it leaves the page.
 */
export function exportCapture(capture: TraceCapture, options: TraceFinishOptions = {}): Trace {
  const redact = redactorOf(options)
  return assembleTrace(capture.captured(), redact.names, (entry) => finishEntry(entry as CapturedEntry, redact))
}
