// A hub as one node of a cluster: its rooms in Redis (registry/redis.ts), the cluster's routes in front of
// the API (proxy.ts), its heartbeat and room placement (cluster.ts). `startHub` with these three added.
import { hostname } from 'node:os'
import { Redis } from 'ioredis'
import { messageOf } from '@parley/protocol'
import { systemClock } from '../clock.js'
import { createJsonLogger, silentLogger } from '../log.js'
import { openRedisRegistry } from '../registry/redis.js'
import { type RunningHub, type StartHubOptions, startHub } from '../server.js'
import { type ClusterNode, startClusterNode } from './cluster.js'
import type { ClusterConfig } from './config.js'
import { createClusterRouter } from './proxy.js'

export interface RunningClusterHub extends RunningHub {
  readonly cluster: ClusterNode
}

export class ClusterStartError extends Error {
  override name = 'ClusterStartError'
}

export async function startClusterHub(options: StartHubOptions & { cluster: ClusterConfig }): Promise<RunningClusterHub> {
  const { cluster: config } = options
  const log = options.log ?? (options.quiet ? silentLogger : createJsonLogger({ level: options.logLevel ?? 'info' }))
  const clock = options.clock ?? systemClock
  // Commands wait (queued) while Redis is away and go out when it is back: no acknowledged change is lost.
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 100, 1_000) })
  // ioredis reports every failed reconnect; one line per outage is enough.
  let outageReported = false
  redis.on('error', (error: unknown) => {
    if (outageReported) return
    outageReported = true
    log('warn', 'cluster: Redis connection error; retrying (rooms held here go on, new rooms answer 503)', { error })
  })
  redis.on('ready', () => (outageReported = false))
  try {
    await redis.connect()
  } catch (error) {
    redis.disconnect()
    throw new ClusterStartError(`cannot reach Redis at ${config.redisUrl}: ${messageOf(error)}`)
  }
  const provisionalId = config.nodeId ?? `${hostname()}-${options.port ?? 8080}`
  const registry = await openRedisRegistry({
    redis,
    nodeId: provisionalId,
    prefix: config.prefix,
    onWriteError: (error) => log('error', 'cluster: Redis refused a room change', { error }),
  })
  let node: ClusterNode | undefined
  const router = createClusterRouter({ cluster: () => node, registry, clock, log })
  const running = await startHub({ ...options, log, clock, registry, clusterRouter: router })
  try {
    node = await startClusterNode({
      redis,
      prefix: config.prefix,
      nodeId: provisionalId,
      advertiseUrl: (config.advertiseUrl ?? running.url).replace(/\/+$/, ''),
      iceAddresses: options.ice?.hostAddresses ?? ['127.0.0.1'],
      hub: running.hub,
      registry,
      clock,
      log,
      heartbeatMs: config.heartbeatMs,
      nodeTtlMs: config.nodeTtlMs,
    })
  } catch (error) {
    await running.close()
    redis.disconnect()
    throw new ClusterStartError(`cannot join the cluster in Redis at ${config.redisUrl}: ${messageOf(error)}`)
  }
  const joined = node
  log('info', 'cluster: node joined', { nodeId: joined.nodeId, rooms: running.hub.roomIds.length })

  let closing: Promise<void> | undefined
  return {
    ...running,
    cluster: joined,
    close: () =>
      (closing ??= (async () => {
        await joined.stop().catch((error: unknown) => log('warn', 'cluster: could not leave the node directory', { error }))
        await running.close()
        await registry.settled()
        await redis.quit().catch(() => redis.disconnect())
      })()),
  }
}
