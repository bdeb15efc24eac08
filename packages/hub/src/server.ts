// Listening: the app on a socket, with the werift media plane unless another one is given.
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { envelope } from '@parley/protocol'
import { serve } from '@hono/node-server'
import { type HubApp, type HttpOptions, createApp } from './http/app.js'
import { type Clock, systemClock } from './clock.js'
import { DEFAULT_MAX_CONNECTIONS, limitConnections } from './connectionLimit.js'
import { Hub, type HubLimits } from './hub.js'
import { type LogLevel, type Logger, createJsonLogger, silentLogger } from './log.js'
import type { IceConfig, MediaPlane } from './media/types.js'
import type { RoomRegistry } from './registry/types.js'
import type { HubTimings } from './timings.js'

/** How long close() lets open responses finish before cutting their sockets. */
const FORCE_CLOSE_AFTER_MS = 250

export interface StartHubOptions extends HttpOptions {
  /** Default 127.0.0.1. */
  host?: string
  /** Default 8080; 0 picks a free port (read it from `url`). */
  port?: number
  /** TCP connections at once; more are closed at accept (src/connectionLimit.ts). Default 10,000. */
  maxConnections?: number
  /** No logs at all. */
  quiet?: boolean
  logLevel?: LogLevel
  /** Overrides the JSON-lines logger. */
  log?: Logger
  /** Default: the werift plane with `ice`. */
  mediaPlane?: MediaPlane
  /** ICE settings of the default werift plane. Default: 127.0.0.1 only. */
  ice?: Partial<IceConfig>
  /**
   * The default plane's worker threads, rooms spread over them (src/media/worker-plane.ts); 0 runs it
   * in this thread. Default 0 here; the hub command's default is in config.ts. Needs the system clock.
   */
  mediaWorkers?: number
  /** The media workers' nice value (src/media/thread-priority.ts); null leaves theirs. Default -10. */
  mediaWorkerNice?: number | null
  /** Which plane to create when `mediaPlane` is not given. Default werift. */
  mediaPlaneKind?: 'werift' | 'ndc'
  timings?: Partial<HubTimings>
  limits?: Partial<HubLimits>
  emptyRoomTimeoutMs?: number
  clock?: Clock
  /** Where rooms outlive the process (the hub loads them on start and closes it on close). Default: in memory. */
  registry?: RoomRegistry
}

export interface RunningHub {
  /** e.g. `http://127.0.0.1:8080` (no trailing slash). */
  readonly url: string
  readonly port: number
  readonly hub: Hub
  readonly app: HubApp
  /** Every client gets `left` (`shutdown`); closes the media plane, the registry and the socket. Idempotent. */
  close(): Promise<void>
}

/** What the web app the hub serves must do differently on this plane (`/config.json`, over the file's settings). */
function appConfigFor(plane: MediaPlane): { appConfig?: Record<string, unknown> } {
  const appConfig = { ...(plane.simulcast === false ? { simulcast: false } : {}), ...(plane.fillsReceiveSlots === false ? { receiveSlots: 1 } : {}) }
  return Object.keys(appConfig).length > 0 ? { appConfig } : {}
}

export async function startHub(options: StartHubOptions = {}): Promise<RunningHub> {
  const log = options.log ?? (options.quiet ? silentLogger : createJsonLogger({ level: options.logLevel ?? 'info' }))
  const mediaPlane = options.mediaPlane ?? (await createDefaultMediaPlane(options.ice, log, options.clock, options.mediaPlaneKind ?? 'werift', options.mediaWorkers ?? 0, options.mediaWorkerNice))
  const hub = new Hub({
    mediaPlane,
    log,
    clock: options.clock,
    timings: options.timings,
    limits: options.limits,
    defaultEmptyRoomTimeoutMs: options.emptyRoomTimeoutMs,
    registry: options.registry,
  })
  const app = createApp({
    hub,
    log,
    apiKey: options.apiKey,
    corsOrigin: options.corsOrigin,
    bodyLimitBytes: options.bodyLimitBytes,
    staticDir: options.staticDir,
    clusterRouter: options.clusterRouter,
    // A plane that gets no video from a simulcast publisher tells the app it serves to send one stream, and
    // one that fills no receive slot to offer one of each kind (each would stay an inactive m-line).
    ...appConfigFor(mediaPlane),
  })
  const host = options.host ?? '127.0.0.1'
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const listening = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 8080 }, () => resolve(listening))
    listening.once('error', reject)
  })
  limitConnections(server, options.maxConnections ?? DEFAULT_MAX_CONNECTIONS, options.clock ?? systemClock, log)
  // Requests Node rejects before the app sees them (headers over 16 KiB, malformed HTTP) get the same
  // JSON envelope as every other error instead of Node's bare status line.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A reset socket cannot take an answer (and writing to it would raise another error).
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy()
      return
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW'
    const [status, reason, message] = tooLarge
      ? [431, 'Request Header Fields Too Large', 'request headers (with the URL) are larger than the 16 KiB the hub accepts']
      : [400, 'Bad Request', 'malformed HTTP request']
    const body = JSON.stringify(envelope(status, message, null))
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
  })
  const { port } = server.address() as AddressInfo
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  log('info', 'hub listening', { url, staticDir: options.staticDir ?? null })

  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= (async () => {
      await hub.close()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        // Event streams just got their `left` and end; give that a moment to flush, then cut what
        // is still open (keep-alive sockets, clients that do not read).
        const force = setTimeout(() => {
          if ('closeAllConnections' in server) server.closeAllConnections()
        }, FORCE_CLOSE_AFTER_MS)
        force.unref()
        if ('closeIdleConnections' in server) server.closeIdleConnections()
      })
      log('info', 'hub stopped')
    })()
    return closing
  }
  return { url, port, hub, app, close }
}

async function createDefaultMediaPlane(
  ice: Partial<IceConfig> | undefined,
  log: Logger,
  clock: Clock | undefined,
  kind: 'werift' | 'ndc',
  workers: number,
  nice: number | null | undefined,
): Promise<MediaPlane> {
  // Loaded on demand so tests on a fake plane never load werift (nor the native node-datachannel).
  // libdatachannel runs ICE, DTLS and SRTP on its own native threads: the ndc plane takes no workers.
  if (kind === 'ndc') {
    const { createNdcMediaPlane } = await import('./media/ndc-plane.js')
    return createNdcMediaPlane({ ice, log, clock })
  }
  if (workers > 0) {
    const { createWorkerMediaPlane } = await import('./media/worker-plane.js')
    return createWorkerMediaPlane({ workers, ice, log, ...(nice === undefined ? {} : { nice }) })
  }
  const { createWeriftMediaPlane } = await import('./media/werift.js')
  return createWeriftMediaPlane({ ice, log, clock })
}
