// The call-trace recorder: a bounded ring of entries fed by the recording port decorators
// (recordingPorts.ts) and by XState's inspection API (every actor, every event it receives, every
// state a statechart reaches). `createConference({ trace: createTraceRecorder() })` wires both; the
// core imports none of this unless a recorder is passed, so it costs nothing when unused.
import type { InspectionEvent } from 'xstate'
import type { Ports } from '../ports.js'
import { TRACE_FORMAT, TRACE_VERSION, type Trace, type TraceActor, type TraceEntry, type TraceRecord } from './format.js'
import { createRedactor, type Redactor } from './redact.js'
import { recordingPorts } from './recordingPorts.js'

/**
 * Default ring size in entries. A measured 3-person call (werift participants against our hub)
 * records a few hundred entries to join and then about 2 entries/s per participant change and
 * SSE ping; 30 000 entries keep a 30-minute call with room to spare (README, "Call traces").
 */
export const DEFAULT_TRACE_CAPACITY = 30_000

/** Strings longer than this in the payloads of events between actors are shortened (the full SDP is in the port entries). */
const EVENT_STRING_LIMIT = 160

export interface TraceRecorderOptions {
  /** Ring size in entries (oldest dropped first). */
  capacity?: number
  /** Header names whose values are redacted (case-insensitive); default DEFAULT_REDACTED_HEADERS. */
  redactHeaders?: string[]
  /** JSON field / query parameter names whose values are redacted; default DEFAULT_REDACTED_FIELDS. */
  redactFields?: string[]
  /** Monotonic milliseconds; default performance.now(). */
  now?: () => number
  /** Wall clock for `startedAt`. */
  wallClock?: () => Date
}

/** What createConference needs of a recorder. */
export interface TraceRecorderLike {
  ports(ports: Ports, info: { baseUrl: string }): Ports
  inspect(event: InspectionEvent): void
  export(): Trace
}

export interface TraceRecorder extends TraceRecorderLike {
  readonly capacity: number
  /** Entries kept now, oldest first. */
  entries(): TraceEntry[]
  /** Called after each entry is stored. */
  onEntry(listener: (entry: TraceEntry) => void): () => void
  record(record: TraceRecord): void
  /** An actor of the trace by its number. */
  actor(ref: number): TraceActor | undefined
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

interface ActorRefLike {
  id: string
  sessionId: string
  _parent?: ActorRefLike
  logic?: { id?: unknown; root?: unknown }
}

export function createTraceRecorder(options: TraceRecorderOptions = {}): TraceRecorder {
  const capacity = Math.max(16, Math.floor(options.capacity ?? DEFAULT_TRACE_CAPACITY))
  const redact: Redactor = createRedactor({
    ...(options.redactHeaders ? { headers: options.redactHeaders } : {}),
    ...(options.redactFields ? { fields: options.redactFields } : {}),
  })
  const perf = (globalThis as { performance?: { now(): number } }).performance
  const now = options.now ?? (() => (perf ? perf.now() : Date.now()))
  const startedAt = (options.wallClock ?? (() => new Date()))().toISOString()
  const origin = now()
  let last = 0
  let seq = 0
  const ring: (TraceEntry | undefined)[] = new Array<TraceEntry | undefined>(capacity)
  let baseUrl: string | undefined
  const listeners = new Set<(entry: TraceEntry) => void>()

  const actors = new Map<number, TraceActor>()
  const refs = new Map<string, number>()
  /** Last recorded (value, status) per statechart actor: a state entry only when it changed. */
  const lastState = new Map<number, string>()

  function record(rec: TraceRecord): void {
    last = Math.max(last, Math.round((now() - origin) * 100) / 100)
    const entry = { ...rec, seq: ++seq, t: last } as TraceEntry
    ring[(seq - 1) % capacity] = entry
    for (const listener of listeners) listener(entry)
  }

  function entries(): TraceEntry[] {
    if (seq <= capacity) return ring.slice(0, seq) as TraceEntry[]
    const start = seq % capacity
    return [...ring.slice(start), ...ring.slice(0, start)] as TraceEntry[]
  }

  function refOf(actorRef: ActorRefLike): number {
    const known = refs.get(actorRef.sessionId)
    if (known !== undefined) return known
    const parent = actorRef._parent ? refOf(actorRef._parent) : undefined
    const isMachine = typeof actorRef.logic?.root === 'object'
    const rootName = typeof actorRef.logic?.id === 'string' ? actorRef.logic.id : actorRef.id
    const id = parent === undefined ? rootName : actorRef.id
    const ref = actors.size + 1
    const actor: TraceActor = {
      ref,
      path: parent === undefined ? id : `${actors.get(parent)?.path ?? '?'}/${id}`,
      id,
      ...(isMachine && typeof actorRef.logic?.id === 'string' ? { machine: actorRef.logic.id } : {}),
      ...(parent !== undefined ? { parent } : {}),
    }
    actors.set(ref, actor)
    refs.set(actorRef.sessionId, ref)
    return ref
  }

  function inspect(event: InspectionEvent): void {
    const actorRef = event.actorRef as unknown as ActorRefLike
    switch (event.type) {
      case '@xstate.actor':
        refOf(actorRef)
        return
      case '@xstate.event': {
        const source = event.sourceRef as unknown as ActorRefLike | undefined
        // An event from outside the system (the UI's `user.*`) is an input the replay sends again: kept whole.
        const external = !source
        const payload = plain(redact.value(event.event), external ? Infinity : EVENT_STRING_LIMIT) as { type: string }
        record({ kind: 'event', actor: refOf(actorRef), ...(source ? { source: refOf(source) } : {}), event: payload })
        return
      }
      case '@xstate.snapshot': {
        const snapshot = event.snapshot as { status: string; value?: unknown }
        const actor = refOf(actorRef)
        const isMachine = 'value' in snapshot
        if (!isMachine && snapshot.status === 'active') return
        const key = JSON.stringify([snapshot.value, snapshot.status])
        if (lastState.get(actor) === key) return
        lastState.set(actor, key)
        record({ kind: 'state', actor, event: event.event.type, status: snapshot.status, ...(isMachine ? { value: snapshot.value } : {}) })
        return
      }
      default:
        return
    }
  }

  function exportTrace(): Trace {
    const kept = entries()
    // Only the actors the kept entries name (and their ancestors, for the paths).
    const named = new Set<number>()
    const keep = (ref: number | undefined) => {
      for (let at = ref; at !== undefined && !named.has(at); at = actors.get(at)?.parent) named.add(at)
    }
    for (const entry of kept) {
      if (entry.kind === 'event') {
        keep(entry.actor)
        keep(entry.source)
      } else if (entry.kind === 'state') keep(entry.actor)
    }
    return {
      format: TRACE_FORMAT,
      version: TRACE_VERSION,
      startedAt,
      ...(baseUrl !== undefined ? { baseUrl } : {}),
      dropped: Math.max(0, seq - capacity),
      capacity,
      redacted: redact.names,
      actors: [...actors.values()].filter((actor) => named.has(actor.ref)),
      entries: kept,
    }
  }

  return {
    capacity,
    ports(ports, info) {
      baseUrl = info.baseUrl
      return recordingPorts(ports, { record, redact })
    },
    inspect,
    export: exportTrace,
    entries,
    record,
    actor: (ref) => actors.get(ref),
    onEntry(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
