// `@parley/hub/testing`: the real hub for other packages' tests (core, web), in-process on 127.0.0.1
// with an OS-chosen port and its logs kept in memory instead of printed. It lives here, above the hub,
// so that @parley/testkit (which the hub's own tests use) does not depend on the hub.
import { appendFileSync } from 'node:fs'
import { type RunningHub, type StartHubOptions, startHub } from './server.js'

export type { StartHubOptions } from './server.js'

export interface HubLogEntry {
  level: string
  msg: string
  fields?: Record<string, unknown>
}

export interface TestHub {
  /** Origin without a trailing slash, e.g. `http://127.0.0.1:40123`. */
  readonly url: string
  readonly hub: RunningHub['hub']
  /** Media worker threads the werift plane runs in; 0: in this thread (or another plane). */
  readonly mediaWorkers: number
  /** Everything the hub logged at `info` and above, kept in memory (nothing is printed). */
  readonly logs: HubLogEntry[]
  /** The logs as text lines, for assertion messages. */
  describeLogs(): string
  close(): Promise<void>
}

/**
 * `startHub` on 127.0.0.1:0 with its logs captured; `options` override or extend that. The plane is
 * `PARLEY_MEDIA_PLANE` (werift or ndc) when set, as for the hub command, so a browser suite can be run on either.
 * `PARLEY_TEST_HUB_LOG`, when set, is a file every log line (debug too: the bandwidth estimate's, the
 * media worker's forwarded) is appended to as JSON, with its time on this thread, for measuring a browser
 * spec's media path.
 *
 * The werift plane runs in one media worker thread (`mediaWorkers`, default `PARLEY_TEST_HUB_WORKERS`
 * or 1), as the hub command runs it, at the worker's raised priority: on this thread it would share the
 * event loop with vitest, the browser's CDP traffic and the HTTP API, and under CPU load its arrival stamps
 * lag (p99 123–347 ms, stop 43), which publishers' bandwidth estimates read as a queue. `mediaWorkers: 0`
 * keeps it in-process; so does an injected `clock` or `mediaPlane` (the worker plane runs on the system clock).
 */
export async function startTestHub(options: Partial<StartHubOptions> = {}): Promise<TestHub> {
  const logs: HubLogEntry[] = []
  const logFile = process.env.PARLEY_TEST_HUB_LOG
  const mediaPlaneKind = options.mediaPlaneKind ?? envMediaPlane() ?? 'werift'
  const mediaWorkers = options.mediaPlane || options.clock || mediaPlaneKind !== 'werift' ? 0 : (options.mediaWorkers ?? envMediaWorkers() ?? 1)
  const running = await startHub({
    host: '127.0.0.1',
    port: 0,
    quiet: true,
    log: (level, msg, fields) => {
      if (level !== 'debug') logs.push(fields ? { level, msg, fields } : { level, msg })
      if (logFile) appendFileSync(logFile, `${safeJson({ at: Date.now(), level, msg, ...fields })}\n`)
    },
    ...options,
    mediaPlaneKind,
    mediaWorkers,
  })
  return {
    url: running.url.replace(/\/+$/, ''),
    hub: running.hub,
    mediaWorkers,
    logs,
    describeLogs: () => logs.map((entry) => `${entry.level} ${entry.msg}${entry.fields ? ` ${safeJson(entry.fields)}` : ''}`).join('\n'),
    close: () => running.close(),
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, field: unknown) => (field instanceof Error ? field.message : field))
  } catch {
    return String(value)
  }
}

function envMediaPlane(): 'werift' | 'ndc' | undefined {
  const kind = process.env.PARLEY_MEDIA_PLANE
  if (kind === undefined || kind === '') return undefined
  if (kind !== 'werift' && kind !== 'ndc') throw new Error(`PARLEY_MEDIA_PLANE must be werift or ndc, got "${kind}"`)
  return kind
}

function envMediaWorkers(): number | undefined {
  const workers = process.env.PARLEY_TEST_HUB_WORKERS
  if (workers === undefined || workers === '') return undefined
  if (!/^\d+$/.test(workers)) throw new Error(`PARLEY_TEST_HUB_WORKERS must be a whole number (0: the plane in-process), got "${workers}"`)
  return Number(workers)
}
