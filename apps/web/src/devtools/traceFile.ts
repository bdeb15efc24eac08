// Reading a trace file dropped onto the State panel without freezing the page: a file over the limit
// is refused at once, and the JSON is parsed and checked (parseTrace, the core's schema) in a Worker.
import type { ParsedTrace } from '@parley/core/trace'

/** A 30-minute call's trace is a few MB; anything this big is not one (or would not be usable). */
export const MAX_TRACE_FILE_BYTES = 50 * 1024 * 1024

export interface TraceParser {
  parse(file: Blob): Promise<ParsedTrace>
}

/** Refuses an oversized file before reading a byte; otherwise hands the file to `parser`. */
export async function loadTraceFile(file: Blob & { name?: string }, parser: TraceParser): Promise<ParsedTrace> {
  if (file.size > MAX_TRACE_FILE_BYTES) {
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`
    return { ok: false, error: `${file.name ?? 'This file'} is ${mb(file.size)}: over the ${mb(MAX_TRACE_FILE_BYTES)} limit for a trace (a 30-minute call's trace is a few MB)` }
  }
  return parser.parse(file)
}

/** Parses in a module Worker (devtools/traceWorker.ts): the page stays responsive whatever the file. */
export function workerTraceParser(): TraceParser {
  return {
    parse: (file) =>
      new Promise((resolve) => {
        const worker = new Worker(new URL('./traceWorker.ts', import.meta.url), { type: 'module' })
        const done = (result: ParsedTrace) => {
          worker.terminate()
          resolve(result)
        }
        worker.onmessage = (event: MessageEvent<ParsedTrace>) => done(event.data)
        worker.onerror = (event) => done({ ok: false, error: `The trace could not be read: ${event.message || 'the worker failed'}` })
        worker.postMessage(file)
      }),
  }
}
