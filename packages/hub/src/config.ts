// Command-line and environment configuration of the hub process.
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { DEFAULT_BODY_LIMIT_BYTES } from './http/app.js'
import { DEFAULT_MAX_CONNECTIONS } from './connectionLimit.js'
import type { LogLevel } from './log.js'
import type { IceConfig } from './media/types.js'
import { MEDIA_WORKER_NICE } from './media/thread-priority.js'
import { messageOf } from '@parley/protocol'
import { DEFAULT_LIMITS, type HubLimits } from './hub.js'
import { DEFAULT_TIMINGS, type HubTimings } from './timings.js'
import { type ClusterConfig, CLUSTER_HELP, clusterConfig } from './cluster/config.js'

export interface HubConfig {
  host: string
  port: number
  ice: IceConfig
  /** `--media-plane`: werift (default) or ndc (node-datachannel, src/media/ndc-plane.ts). */
  mediaPlane: MediaPlaneKind
  corsOrigin: string | string[]
  apiKey: string | undefined
  bodyLimitBytes: number
  /** TCP connections at once (API requests and event streams); more are refused at accept. */
  maxConnections: number
  timings: HubTimings
  limits: HubLimits
  /** Empty-room timeout of rooms created without one. */
  emptyRoomTimeoutMs: number
  /** The built web app served at `/`, or undefined for none. */
  staticDir: string | undefined
  /** Worker threads of the media plane (rooms spread over them); 0 = the media plane in the main thread. */
  mediaWorkers: number
  /** The nice value (Linux) asked for the main thread and each media worker; 0 leaves both. */
  nice: number
  /** Where rooms are kept across restarts. */
  registry: RegistryConfig
  /** Cluster mode (`--redis`): rooms in Redis, any node an entry point (src/cluster/). */
  cluster: ClusterConfig | undefined
  quiet: boolean
  logLevel: LogLevel
}

export type MediaPlaneKind = 'werift' | 'ndc'

export type RegistryConfig = { readonly kind: 'memory' } | { readonly kind: 'sqlite'; readonly path: string }

export class ConfigError extends Error {
  override name = 'ConfigError'
}

export const HELP_TEXT = `parley-hub — Hub API v1 server (inLive-compatible) with a werift SFU

Usage: parley-hub [options]

Network
  --host <address>            Address to listen on (env HOST). Default 127.0.0.1
  --port <port>               Port to listen on, 0 = any free port (env PORT). Default 8080
  --cors-origin <origin>      Allowed browser origin; repeat for several. Default * (any)
  --api-key <key>             Require "Authorization: Bearer <key>" on create room, get room,
                              register and end (env PARLEY_API_KEY). Default: no key
  --body-limit <bytes>        Largest request body. Default ${DEFAULT_BODY_LIMIT_BYTES}
  --max-connections <n>       TCP connections at once (requests and event streams); more
                              are closed at accept, leaving descriptors for the media plane.
                              Default ${DEFAULT_MAX_CONNECTIONS}
  --max-rooms <n>             Rooms at once; creating one more answers 429. Default ${DEFAULT_LIMITS.maxRooms}
  --max-clients-per-room <n>  Clients in one room at once; registering one more answers 429.
                              Default ${DEFAULT_LIMITS.maxClientsPerRoom}
  --max-room-meta <chars>     Metadata of one room (keys plus JSON values); a setmeta beyond
                              answers 413. Default ${DEFAULT_LIMITS.maxMetaCharsPerRoom}
  --max-meta-keys-per-room <n>
                              Metadata keys of one room; a setmeta beyond answers 413.
                              Default ${DEFAULT_LIMITS.maxMetaKeysPerRoom}
  --max-meta-keys-per-request <n>
                              Keys of one setmeta (each is one meta_changed to every
                              client); more answers 413. Default ${DEFAULT_LIMITS.maxMetaKeysPerRequest}
  --max-candidates-per-client <n>
                              ICE candidates one client may send; one more answers 429.
                              Default ${DEFAULT_LIMITS.maxCandidatesPerClient}
  --max-tracks-per-client <n> Audio and video tracks one client's offer may send; more
                              answers 413. Default ${DEFAULT_LIMITS.maxTracksPerClient}
  --max-subscribed-tracks-per-client <n>
                              Tracks forwarded to one client at once; the rest wait
                              for a free slot (its SDP must stay under 128 KiB).
                              Default ${DEFAULT_LIMITS.maxSubscribedTracksPerClient}

Media (ICE)
  --ice-address <ip>          Address to gather host candidates on; repeat for several.
                              Default 127.0.0.1 (this machine only). For a LAN, give the
                              machine's LAN address (e.g. 192.168.1.10); for the public
                              internet, its public address (and open the UDP port range).
  --ice-remote-address <ip>   Only accept remote candidates from these addresses; repeat.
                              Default: the ICE addresses when they are all loopback, else any
  --ice-port-range <min-max>  UDP port range for ICE, e.g. 40000-40100. Default: any
  --ice-server <url>          STUN/TURN server URL; repeat for several. Default: none
  --media-workers <n>         Worker threads forwarding media, each room on one of them;
                              0 = media in the main thread. Default: the number of cores
                              when there are two or more, else 0
  --media-plane <name>        werift (TypeScript, the default) or ndc (node-datachannel:
                              libdatachannel's native ICE/DTLS/SRTP on its own threads,
                              so --media-workers does not apply; no ICE restart; see the
                              hub README) (env PARLEY_MEDIA_PLANE)
  --nice=<n>                  Scheduling priority asked for the hub's main thread (API, event
                              streams, signalling) and each media worker, -20 to 19 (Linux,
                              per thread; needs CAP_SYS_NICE or RLIMIT_NICE, else a warning);
                              0 leaves them as started. Default ${MEDIA_WORKER_NICE}

Timeouts (milliseconds)
  --connect-timeout <ms>      Drop a registered client whose peer never connects. Default ${DEFAULT_TIMINGS.connectTimeoutMs}
  --reconnect-grace <ms>      Remove a client whose event stream stays closed. Default ${DEFAULT_TIMINGS.reconnectGraceMs}
  --failed-grace <ms>         Keep a client whose peer connection failed this long, waiting
                              for its ICE restart. Default ${DEFAULT_TIMINGS.failedGraceMs}
  --answer-timeout <ms>       Remove a client that does not answer a hub offer. Default ${DEFAULT_TIMINGS.answerTimeoutMs}
  --host-handover-grace <ms>  Wait this long, once the last host of a room with host controls
                              is gone, before making someone else a host. Default ${DEFAULT_TIMINGS.hostHandoverGraceMs}
  --problem-after <ms>        Tell the other clients (parley_connection) that a client sent no
                              media or RTCP for this long; 0 = never. Default ${DEFAULT_TIMINGS.connectionProblemMs}
  --gone-after <ms>           Remove a client whose event stream closed and that sent no media
                              or RTCP for this long. Default ${DEFAULT_TIMINGS.streamLostSilenceMs}
  --frozen-after <ms>         Remove a client that sent media or RTCP before and none for this
                              long, stream open or not; 0 = never. Default ${DEFAULT_TIMINGS.frozenPeerMs}
  --ping-interval <ms>        SSE ping interval, announced in every ping (clients take a
                              stream silent for 2 intervals as dead). Default ${DEFAULT_TIMINGS.pingIntervalMs}
  --empty-room-timeout <ms>   Remove a room with nobody connected (rooms may set their own
                              empty_room_timeout_ns). Default 300000

Rooms across restarts
  --data-dir <dir>            Keep rooms (name, options, metadata, data channels) in
                              <dir>/rooms.sqlite, so a restarted hub still has them.
                              Default: .parley-data of this repository
  --registry <where>          memory (rooms end with the process) or sqlite:<file>;
                              overrides --data-dir

${CLUSTER_HELP}
Web app and logs
  --static-dir <dir>          Serve this built web app at / (API stays under /v1).
                              Default: apps/web/dist of this repository, when built
  --no-static                 Serve no web app
  --log-level <level>         debug | info | warn | error. Default info
  --quiet                     No logs
  -h, --help                  Show this help
`

/** One media worker per core, so rooms forward on every core; none on a single core (README "Media workers"). */
export function defaultMediaWorkers(cores = availableParallelism()): number {
  return cores > 1 ? Math.min(cores, MAX_DEFAULT_MEDIA_WORKERS) : 0
}
const MAX_DEFAULT_MEDIA_WORKERS = 16

/** The repository's data directory (gitignored), located from this file (src/ or dist/ of packages/hub). */
export function defaultDataDir(): string {
  return fileURLToPath(new URL('../../../.parley-data', import.meta.url))
}

/** `--registry`, else `--data-dir`, else the default data directory. */
function registryConfig(registry: string | undefined, dataDir: string | undefined): RegistryConfig {
  if (registry === undefined) return { kind: 'sqlite', path: join(dataDir ?? defaultDataDir(), 'rooms.sqlite') }
  if (registry === 'memory') return { kind: 'memory' }
  if (registry.startsWith('sqlite:') && registry.length > 'sqlite:'.length) return { kind: 'sqlite', path: registry.slice('sqlite:'.length) }
  throw new ConfigError(`--registry must be memory or sqlite:<file>, got "${registry}"`)
}

/** The repository's built web app, located from this file (src/ or dist/ of packages/hub). */
export function defaultStaticDir(): string | undefined {
  const dir = fileURLToPath(new URL('../../../apps/web/dist', import.meta.url))
  return existsSync(dir) ? dir : undefined
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']

/** Parses argv (without node and script) and env. Returns 'help' for --help; throws ConfigError on bad input. */
export function parseConfig(argv: readonly string[], env: Record<string, string | undefined> = {}): HubConfig | 'help' {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'cors-origin': { type: 'string', multiple: true },
        'api-key': { type: 'string' },
        'body-limit': { type: 'string' },
        'max-connections': { type: 'string' },
        'max-rooms': { type: 'string' },
        'max-clients-per-room': { type: 'string' },
        'max-room-meta': { type: 'string' },
        'max-meta-keys-per-room': { type: 'string' },
        'max-meta-keys-per-request': { type: 'string' },
        'max-candidates-per-client': { type: 'string' },
        'max-tracks-per-client': { type: 'string' },
        'max-subscribed-tracks-per-client': { type: 'string' },
        'ice-address': { type: 'string', multiple: true },
        'ice-remote-address': { type: 'string', multiple: true },
        'ice-port-range': { type: 'string' },
        'ice-server': { type: 'string', multiple: true },
        'media-workers': { type: 'string' },
        nice: { type: 'string' },
        'connect-timeout': { type: 'string' },
        'reconnect-grace': { type: 'string' },
        'failed-grace': { type: 'string' },
        'host-handover-grace': { type: 'string' },
        'answer-timeout': { type: 'string' },
        'problem-after': { type: 'string' },
        'gone-after': { type: 'string' },
        'frozen-after': { type: 'string' },
        'ping-interval': { type: 'string' },
        'empty-room-timeout': { type: 'string' },
        'static-dir': { type: 'string' },
        'data-dir': { type: 'string' },
        registry: { type: 'string' },
        redis: { type: 'string' },
        'node-id': { type: 'string' },
        'advertise-url': { type: 'string' },
        'no-static': { type: 'boolean' },
        'media-plane': { type: 'string' },
        'log-level': { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    throw new ConfigError(`${messageOf(error)} (see --help)`)
  }
  const values = parsed.values
  if (values.help) return 'help'

  const hostAddresses = values['ice-address'] ?? ['127.0.0.1']
  const allLoopback = hostAddresses.every((address) => address.startsWith('127.') || address === '::1')
  const ice: IceConfig = {
    hostAddresses,
    allowedRemoteAddresses: values['ice-remote-address'] ?? (allLoopback ? [...hostAddresses] : []),
    iceServers: (values['ice-server'] ?? []).map((urls) => ({ urls })),
  }
  if (values['ice-port-range'] !== undefined) {
    const match = /^(\d+)-(\d+)$/.exec(values['ice-port-range'])
    const range = match ? ([Number(match[1]), Number(match[2])] as [number, number]) : undefined
    if (!range || range[0] < 1 || range[1] > 65535 || range[0] >= range[1]) {
      throw new ConfigError(`--ice-port-range must look like 40000-40100 (min < max ≤ 65535), got "${values['ice-port-range']}"`)
    }
    ice.portRange = range
  }

  const mediaPlane = values['media-plane'] ?? (env.PARLEY_MEDIA_PLANE || 'werift')
  if (mediaPlane !== 'werift' && mediaPlane !== 'ndc') throw new ConfigError(`--media-plane must be werift or ndc, got "${mediaPlane}"`)

  const logLevel = (values['log-level'] ?? 'info') as LogLevel
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`)

  const cors = values['cors-origin']
  return {
    host: values.host ?? env.HOST ?? '127.0.0.1',
    port: integer('--port', values.port ?? env.PORT ?? '8080', 0, 65535),
    ice,
    mediaPlane,
    corsOrigin: !cors || cors.includes('*') ? '*' : cors,
    apiKey: values['api-key'] ?? (env.PARLEY_API_KEY || undefined),
    bodyLimitBytes: integer('--body-limit', values['body-limit'], 1, 64 * 1024 * 1024, DEFAULT_BODY_LIMIT_BYTES),
    maxConnections: integer('--max-connections', values['max-connections'], 1, undefined, DEFAULT_MAX_CONNECTIONS),
    limits: {
      maxRooms: integer('--max-rooms', values['max-rooms'], 1, undefined, DEFAULT_LIMITS.maxRooms),
      maxClientsPerRoom: integer('--max-clients-per-room', values['max-clients-per-room'], 1, undefined, DEFAULT_LIMITS.maxClientsPerRoom),
      maxMetaCharsPerRoom: integer('--max-room-meta', values['max-room-meta'], 1, undefined, DEFAULT_LIMITS.maxMetaCharsPerRoom),
      maxMetaKeysPerRoom: integer('--max-meta-keys-per-room', values['max-meta-keys-per-room'], 1, undefined, DEFAULT_LIMITS.maxMetaKeysPerRoom),
      maxMetaKeysPerRequest: integer('--max-meta-keys-per-request', values['max-meta-keys-per-request'], 1, undefined, DEFAULT_LIMITS.maxMetaKeysPerRequest),
      maxCandidatesPerClient: integer('--max-candidates-per-client', values['max-candidates-per-client'], 1, undefined, DEFAULT_LIMITS.maxCandidatesPerClient),
      maxTracksPerClient: integer('--max-tracks-per-client', values['max-tracks-per-client'], 1, undefined, DEFAULT_LIMITS.maxTracksPerClient),
      maxSubscribedTracksPerClient: integer(
        '--max-subscribed-tracks-per-client',
        values['max-subscribed-tracks-per-client'],
        1,
        undefined,
        DEFAULT_LIMITS.maxSubscribedTracksPerClient,
      ),
    },
    timings: {
      ...DEFAULT_TIMINGS,
      connectTimeoutMs: integer('--connect-timeout', values['connect-timeout'], 1, undefined, DEFAULT_TIMINGS.connectTimeoutMs),
      reconnectGraceMs: integer('--reconnect-grace', values['reconnect-grace'], 0, undefined, DEFAULT_TIMINGS.reconnectGraceMs),
      failedGraceMs: integer('--failed-grace', values['failed-grace'], 0, undefined, DEFAULT_TIMINGS.failedGraceMs),
      hostHandoverGraceMs: integer('--host-handover-grace', values['host-handover-grace'], 0, undefined, DEFAULT_TIMINGS.hostHandoverGraceMs),
      answerTimeoutMs: integer('--answer-timeout', values['answer-timeout'], 1, undefined, DEFAULT_TIMINGS.answerTimeoutMs),
      pingIntervalMs: integer('--ping-interval', values['ping-interval'], 1, undefined, DEFAULT_TIMINGS.pingIntervalMs),
      connectionProblemMs: integer('--problem-after', values['problem-after'], 0, undefined, DEFAULT_TIMINGS.connectionProblemMs),
      streamLostSilenceMs: integer('--gone-after', values['gone-after'], 1, undefined, DEFAULT_TIMINGS.streamLostSilenceMs),
      frozenPeerMs: integer('--frozen-after', values['frozen-after'], 0, undefined, DEFAULT_TIMINGS.frozenPeerMs),
    },
    emptyRoomTimeoutMs: integer('--empty-room-timeout', values['empty-room-timeout'], 1, undefined, 5 * 60_000),
    staticDir: values['no-static'] ? undefined : (values['static-dir'] ?? defaultStaticDir()),
    mediaWorkers: integer('--media-workers', values['media-workers'], 0, 64, defaultMediaWorkers()),
    nice: niceValue(values.nice),
    registry: registryConfig(values.registry, values['data-dir']),
    cluster: clusterOptions(values),
    quiet: values.quiet ?? false,
    logLevel,
  }
}

function clusterOptions(values: { redis?: string; 'node-id'?: string; 'advertise-url'?: string; registry?: string; 'data-dir'?: string }): ClusterConfig | undefined {
  try {
    return clusterConfig({ redis: values.redis, nodeId: values['node-id'], advertiseUrl: values['advertise-url'], registry: values.registry, dataDir: values['data-dir'] })
  } catch (error) {
    throw new ConfigError(messageOf(error))
  }
}

function niceValue(text: string | undefined): number {
  if (text === undefined) return MEDIA_WORKER_NICE
  const value = Number(text)
  if (!/^-?\d+$/.test(text.trim()) || value < -20 || value > 19) throw new ConfigError(`--nice must be a whole number from -20 to 19, got "${text}"`)
  return value
}

function integer(flag: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER, fallback?: number): number {
  if (text === undefined) {
    if (fallback === undefined) throw new ConfigError(`${flag} is required`)
    return fallback
  }
  const value = Number(text)
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    throw new ConfigError(`${flag} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}, got "${text}"`)
  }
  return value
}
