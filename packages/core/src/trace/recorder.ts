// The call-trace recorder for Node, tests and replay: the capture (capture.ts: the ring, the port
// decorators, XState's inspection) with every entry finished as it is stored (finish.ts: secrets
// redacted at the source, events as plain data), so `entries()` and `export()` never hold a secret.
// `createConference({ trace: createTraceRecorder() })` wires it; the core imports none of this unless
// a recorder is passed, so it costs nothing when unused.
import { createTraceCapture, type TraceCaptureOptions, type TraceRecorderLike } from './capture.js'
import type { Trace, TraceActor, TraceEntry, TraceRecord } from './format.js'
import { actorOf, assembleTrace, finishEntry, redactorOf, type TraceFinishOptions } from './finish.js'

export { DEFAULT_TRACE_CAPACITY, type TraceRecorderLike } from './capture.js'

export type TraceRecorderOptions = Omit<TraceCaptureOptions, 'finish'> & TraceFinishOptions

export interface TraceRecorder extends TraceRecorderLike {
  readonly capacity: number
  /** Entries kept now, oldest first. */
  entries(): TraceEntry[]
  /** Called after each entry is stored. */
  onEntry(listener: (entry: TraceEntry) => void): () => void
  record(record: TraceRecord): void
  /** An actor of the trace by its number. */
  actor(ref: number): TraceActor | undefined
  export(): Trace
}

export function createTraceRecorder(options: TraceRecorderOptions = {}): TraceRecorder {
  const redact = redactorOf(options)
  const listeners = new Set<(entry: TraceEntry) => void>()
  const capture = createTraceCapture({
    ...options,
    finish(captured) {
      const entry = finishEntry(captured, redact)
      for (const listener of listeners) listener(entry)
      return entry
    },
  })
  return {
    capacity: capture.capacity,
    ports: capture.ports,
    inspect: capture.inspect,
    record: capture.record,
    export: () => assembleTrace(capture.captured(), redact.names),
    entries: () => capture.captured().entries as TraceEntry[],
    actor: (ref) => actorOf(capture.actors, ref),
    onEntry(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
