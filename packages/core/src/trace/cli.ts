#!/usr/bin/env node
// parley-trace: `replay <file.json>` re-runs the machines over a trace and says "same path" or where
// it diverged (exit 0 / 1); `show <file.json>` prints a readable timeline. A file that is not a
// trace, of another version or damaged is refused with the reason (exit 2).
import { readFileSync, statSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import type { TraceEntry } from './format.js'
import { replayTrace } from './replay.js'
import { parseTrace } from './schema.js'
import { formatTimeline } from './timeline.js'

export const USAGE = `Usage:
  parley-trace replay <trace.json>            replay the conference over the trace: "same path" or the first divergence
  parley-trace show <trace.json> [--only k,…]  the trace as a timeline (k: event, state, http.request, sse.event, pc.event, …)`

/** Files larger than this are refused (a 30-minute call's trace is well under 5 MB). */
export const MAX_TRACE_BYTES = 200 * 1024 * 1024

export interface CliIo {
  out(line: string): void
  err(line: string): void
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, file, ...rest] = argv
  if ((command !== 'replay' && command !== 'show') || !file) {
    io.err(USAGE)
    return 2
  }
  let text: string
  try {
    const { size } = statSync(file)
    if (size > MAX_TRACE_BYTES) {
      io.err(`${file}: ${(size / 1024 / 1024).toFixed(0)} MB is over the ${MAX_TRACE_BYTES / 1024 / 1024} MB limit for a trace`)
      return 2
    }
    text = readFileSync(file, 'utf8')
  } catch (error) {
    io.err(`${file}: ${(error as Error).message}`)
    return 2
  }
  const parsed = parseTrace(text)
  if (!parsed.ok) {
    io.err(`${file}: ${parsed.error}`)
    return 2
  }
  if (command === 'show') {
    const onlyAt = rest.indexOf('--only')
    const kinds = onlyAt >= 0 ? (rest[onlyAt + 1] ?? '').split(',').filter(Boolean) as TraceEntry['kind'][] : undefined
    io.out(formatTimeline(parsed.trace, kinds ? { kinds } : {}))
    return 0
  }
  const started = performance.now()
  const result = await replayTrace(parsed.trace)
  const ms = performance.now() - started
  io.out(`${result.message} (${parsed.trace.entries.length} entries in ${ms.toFixed(0)} ms)`)
  if (result.divergence) {
    io.out(`  after:    ${result.divergence.after}`)
    io.out(`  where:    ${result.divergence.stream}, recorded entry ${Math.floor(result.divergence.seq)}`)
    io.out(`  expected: ${result.divergence.expected}`)
    io.out(`  actual:   ${result.divergence.actual}`)
  }
  return result.verdict === 'same path' ? 0 : 1
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runCli(process.argv.slice(2), { out: (line) => console.log(line), err: (line) => console.error(line) }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error)
      process.exit(2)
    },
  )
}
