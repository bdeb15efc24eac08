// The part of the call-trace recorder that must run from the first step of a call: the bounded ring,
// the recording port decorators (recordingPorts.ts) and XState's inspection API (every actor, every
// event it receives, every state a statechart reaches). It stores what it sees as it is; redaction,
// plain data and the file's assembly are `finish.ts`, which `createTraceRecorder` (recorder.ts) runs
// on each entry as it is stored, and an app that keeps its first load small runs only at export
// (`exportCapture`, loaded with its devtools). Nothing is lost before that code arrives.
import type { InspectionEvent } from 'xstate'
import type { Ports } from '../ports.js'
import type { Trace, TraceEntry, TraceRecord } from './format.js'
import { recordingPorts, type RawRecord } from './recordingPorts.js'

/**
 * Default ring size in entries. A measured 3-person call (werift participants against our hub)
 * records a few hundred entries to join and then about 2 entries/s per participant change and
 * SSE ping; 30 000 entries keep a 30-minute call with room to spare (README, "Call traces").
 */
export const DEFAULT_TRACE_CAPACITY = 30_000

export interface TraceCaptureOptions {
  /** Ring size in entries (oldest dropped first). */
  capacity?: number
  /** Monotonic milliseconds; default performance.now(). */
  now?: () => number
  /** Wall clock for `startedAt`. */
  wallClock?: () => Date
  /** Makes each entry what is stored (createTraceRecorder: finishEntry, which redacts); default: stored as it came, finished at export (exportCapture). */
  finish?: (entry: CapturedEntry) => TraceEntry
}

/** What createConference needs of a recorder; `export` where the recorder can assemble a file itself. */
export interface TraceRecorderLike {
  ports(ports: Ports, info: { baseUrl: string }): Ports
  inspect(event: InspectionEvent): void
  export?(): Trace
}

/** The ring as it stands, for `assembleTrace` (finish.ts). */
export interface CapturedTrace {
  startedAt: string
  baseUrl: string | undefined
  /** Entries recorded so far (the ring keeps the last `capacity`). */
  recorded: number
  capacity: number
  /** Kept entries, oldest first: finished when the capture was given `finish`, else as they came. */
  entries: (TraceEntry | CapturedEntry)[]
  actors: readonly CapturedActor[]
}

/**
 * An actor as the capture names it, at index `ref - 1`: its invoke/spawn id (the machine id for the
 * root), its machine's id when it is a statechart, its parent's ref (finish.ts makes it a TraceActor).
 */
export type CapturedActor = readonly [id: string, machine: string | undefined, parent: number | undefined]

/** A record kept as it came (a capture without `finish`), with its place and time. */
export interface CapturedEntry {
  raw: RawRecord | TraceRecord
  seq: number
  t: number
}

export interface TraceCapture extends TraceRecorderLike {
  readonly capacity: number
  /** Every actor seen so far, at its number - 1. */
  readonly actors: readonly CapturedActor[]
  record(record: RawRecord | TraceRecord): void
  captured(): CapturedTrace
}

interface ActorRefLike {
  id: string
  sessionId: string
  _parent?: ActorRefLike
  logic?: { id?: unknown; root?: unknown }
}

export function createTraceCapture(options: TraceCaptureOptions = {}): TraceCapture {
  const capacity = Math.max(16, Math.floor(options.capacity ?? DEFAULT_TRACE_CAPACITY))
  const { now = () => performance.now(), wallClock = () => new Date(), finish } = options
  const startedAt = wallClock().toISOString()
  const origin = now()
  let last = 0
  let seq = 0
  const ring: (TraceEntry | CapturedEntry)[] = []
  let baseUrl: string | undefined
  const actors: CapturedActor[] = []
  const refs = new Map<string, number>()
  /** Last recorded (value, status) per statechart actor: a state entry only when it changed. */
  const lastState = new Map<number, string>()

  function record(raw: RawRecord | TraceRecord): void {
    last = Math.max(last, Math.round((now() - origin) * 100) / 100)
    const entry = { raw, seq: ++seq, t: last }
    ring[(seq - 1) % capacity] = finish ? finish(entry) : entry
  }

  function refOf(actorRef: ActorRefLike): number {
    let ref = refs.get(actorRef.sessionId)
    if (ref === undefined) {
      const parent = actorRef._parent && refOf(actorRef._parent)
      const { id, root } = actorRef.logic ?? {}
      const machine = typeof id === 'string' ? id : undefined
      refs.set(actorRef.sessionId, (ref = actors.push([(parent === undefined && machine) || actorRef.id, typeof root === 'object' ? machine : undefined, parent])))
    }
    return ref
  }

  function inspect(event: InspectionEvent): void {
    const actorRef = event.actorRef as unknown as ActorRefLike
    if (event.type === '@xstate.actor') refOf(actorRef)
    else if (event.type === '@xstate.event') {
      const source = event.sourceRef as unknown as ActorRefLike | undefined
      record(['event', refOf(actorRef), source && refOf(source), event.event])
    } else if (event.type === '@xstate.snapshot') {
      const snapshot = event.snapshot as { status: string; value?: unknown }
      const actor = refOf(actorRef)
      const isMachine = 'value' in snapshot
      if (!isMachine && snapshot.status === 'active') return
      const key = JSON.stringify([snapshot.value, snapshot.status])
      if (lastState.get(actor) === key) return
      lastState.set(actor, key)
      record(['state', actor, event.event.type, snapshot.status, snapshot.value])
    }
  }

  return {
    capacity,
    actors,
    ports(ports, info) {
      baseUrl = info.baseUrl
      return recordingPorts(ports, record)
    },
    inspect,
    record,
    captured: () => {
      const start = seq > capacity ? seq % capacity : 0
      return {
        startedAt,
        baseUrl,
        recorded: seq,
        capacity,
        entries: [...ring.slice(start), ...ring.slice(0, start)],
        actors,
      }
    },
  }
}
