// The real hub, in-process, on 127.0.0.1 with an OS-chosen port, plus a tiny static server for test
// client pages. The pages live on a different loopback origin than the hub, so they exercise the
// hub's CORS exactly as a browser app on another origin would.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { startHub } from '@parley/hub'

export interface RunningServer {
  /** Origin without a trailing slash, e.g. `http://127.0.0.1:40123`. */
  readonly url: string
  close(): Promise<void>
}

export type StartHubOptions = NonNullable<Parameters<typeof startHub>[0]>

export interface HubLogEntry {
  level: string
  msg: string
  fields?: Record<string, unknown>
}

export interface TestHub extends RunningServer {
  /** Everything the hub logged at `info` and above, kept in memory (nothing is printed). */
  readonly logs: HubLogEntry[]
  /** The logs as text lines, for assertion messages. */
  describeLogs(): string
}

/** Starts `startHub` from @parley/hub on 127.0.0.1:0 with its logs captured; `options` override or extend that. */
export async function startTestHub(options: Partial<StartHubOptions> = {}): Promise<TestHub> {
  const logs: HubLogEntry[] = []
  const hub = await startHub({
    host: '127.0.0.1',
    port: 0,
    quiet: true,
    log: (level, msg, fields) => {
      if (level !== 'debug') logs.push(fields ? { level, msg, fields } : { level, msg })
    },
    ...options,
  })
  return {
    url: hub.url.replace(/\/+$/, ''),
    close: () => hub.close(),
    logs,
    describeLogs: () =>
      logs
        .map((entry) => `${entry.level} ${entry.msg}${entry.fields ? ` ${safeJson(entry.fields)}` : ''}`)
        .join('\n'),
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, field: unknown) => (field instanceof Error ? field.message : field))
  } catch {
    return String(value)
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
}

/** Serves the files under `rootDir` (GET/HEAD only, no listing, no escaping the root) on 127.0.0.1:0. */
export async function startStaticServer(rootDir: string): Promise<RunningServer> {
  const root = resolve(rootDir)
  const server: Server = createServer((request, response) => {
    void (async () => {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405).end()
        return
      }
      const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname)
      const file = normalize(join(root, pathname.endsWith('/') ? `${pathname}index.html` : pathname))
      if (file !== root && !file.startsWith(root + sep)) {
        response.writeHead(403).end()
        return
      }
      const info = await stat(file).catch(() => null)
      if (!info?.isFile() && pathname === '/favicon.ico') {
        // Chrome asks for it on every page; a 404 would show up as a console error in the specs.
        response.writeHead(204).end()
        return
      }
      if (!info?.isFile()) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
        return
      }
      response.writeHead(200, {
        'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': info.size,
        'cache-control': 'no-store',
      })
      if (request.method === 'HEAD') response.end()
      else createReadStream(file).pipe(response)
    })().catch(() => {
      if (!response.headersSent) response.writeHead(500)
      response.end()
    })
  })
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolveListen())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections()
        server.close(() => resolveClose())
      }),
  }
}
