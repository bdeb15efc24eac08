// The cluster's node directory in Redis: each node writes its address and load every heartbeat, under a
// key that expires after `ttlMs`; a node whose heartbeats stop (killed, hung, cut off) drops out when its
// key expires. The heartbeat runs on the injected Clock.
//   node:<id>  string  JSON NodeInfo, expires `ttlMs` after the last heartbeat
//   nodes      set     ids of the nodes that ever beat (an id whose key expired is dead; removed lazily)
import type { Redis } from 'ioredis'
import type { Clock } from '../clock.js'
import type { Logger } from '../log.js'
import { DEFAULT_REDIS_PREFIX } from '../registry/redis.js'

export const DEFAULT_HEARTBEAT_MS = 1_000
/** Three heartbeats missed: dead. */
export const DEFAULT_NODE_TTL_MS = 3_000

export interface NodeLoad {
  /** Rooms the node holds. */
  rooms: number
  /** Clients registered in those rooms. */
  participants: number
  /** CPU of the node's process over the last heartbeat interval, 1 = one core busy. */
  cpu: number
  /** RTP packets its media plane forwarded per second over the last heartbeat interval. */
  forwardedPacketsPerSecond: number
}

export interface NodeInfo extends NodeLoad {
  id: string
  /** Where other nodes reach its HTTP API (`--advertise-url`), no trailing slash. */
  url: string
  /** The addresses its media plane gathers ICE candidates on (`--ice-address`). */
  iceAddresses: string[]
  /** When it last beat (its Clock), ms since the epoch. */
  heartbeatAt: number
  startedAt: number
  /** Not taking new rooms (shutting down). */
  draining: boolean
}

export function nodeKeys(prefix = DEFAULT_REDIS_PREFIX) {
  return { node: (id: string) => `${prefix}node:${id}`, nodes: `${prefix}nodes` }
}

/** The nodes whose heartbeat has not expired. */
export async function liveNodes(redis: Redis, prefix = DEFAULT_REDIS_PREFIX): Promise<NodeInfo[]> {
  const keys = nodeKeys(prefix)
  const ids = await redis.smembers(keys.nodes)
  if (ids.length === 0) return []
  const values = await redis.mget(ids.map((id) => keys.node(id)))
  const gone = ids.filter((_, index) => values[index] === null)
  if (gone.length > 0) await redis.srem(keys.nodes, ...gone)
  return values.flatMap((value) => (value === null ? [] : [JSON.parse(value) as NodeInfo])).sort((a, b) => a.id.localeCompare(b.id))
}

/** Whether this node's heartbeat has not expired. */
export async function isNodeLive(redis: Redis, id: string, prefix = DEFAULT_REDIS_PREFIX): Promise<NodeInfo | undefined> {
  const value = await redis.get(nodeKeys(prefix).node(id))
  return value === null ? undefined : (JSON.parse(value) as NodeInfo)
}

export interface HeartbeatOptions {
  redis: Redis
  prefix?: string
  node: { id: string; url: string; iceAddresses: string[] }
  load: () => NodeLoad
  clock: Clock
  log: Logger
  intervalMs?: number
  ttlMs?: number
}

export interface Heartbeat {
  /** Writes this node's entry now (the first beat; `start` waits for it). */
  beat(): Promise<void>
  /** From now on the node says it takes no new rooms. */
  drain(): Promise<void>
  /** Stops beating and removes the node's entry (a clean stop needs no TTL to pass). */
  stop(): Promise<void>
}

export async function startHeartbeat(options: HeartbeatOptions): Promise<Heartbeat> {
  const { redis, node, clock, log } = options
  const keys = nodeKeys(options.prefix)
  const intervalMs = options.intervalMs ?? DEFAULT_HEARTBEAT_MS
  const ttlMs = options.ttlMs ?? DEFAULT_NODE_TTL_MS
  const startedAt = clock.now()
  let draining = false
  let stopped = false
  let timer: unknown
  let failing = false

  const beat = async (): Promise<void> => {
    const info: NodeInfo = { ...node, ...options.load(), heartbeatAt: clock.now(), startedAt, draining }
    await redis.multi().set(keys.node(node.id), JSON.stringify(info), 'PX', ttlMs).sadd(keys.nodes, node.id).exec()
  }
  const schedule = () => {
    if (stopped) return
    timer = clock.setTimeout(() => {
      // Only while Redis is connected: queued beats would all land at once when it is back, after the TTL.
      const sent = redis.status === 'ready' ? beat() : Promise.reject(new Error(`Redis is ${redis.status}`))
      sent.then(
        () => {
          if (failing) log('info', 'cluster heartbeat written again')
          failing = false
        },
        (error: unknown) => {
          if (!failing) log('warn', 'cluster heartbeat failed; this node drops out of placement until Redis answers', { error })
          failing = true
        },
      ).finally(schedule)
    }, intervalMs)
  }
  await beat()
  schedule()
  return {
    beat,
    async drain() {
      draining = true
      await beat()
    },
    async stop() {
      stopped = true
      clock.clearTimeout(timer)
      if (redis.status === 'ready') await redis.multi().del(keys.node(node.id)).srem(keys.nodes, node.id).exec()
    },
  }
}

/** The rate of a growing count since the last call, per second (one decimal), for the heartbeat's load. */
export function rateMeter(clock: Clock, read: () => number): () => number {
  let last = read()
  let lastAt = clock.now()
  return () => {
    const now = clock.now()
    const value = read()
    const rate = ((value - last) * 1000) / Math.max(1, now - lastAt)
    last = value
    lastAt = now
    return Math.round(rate * 10) / 10
  }
}

/** CPU of this process since the last call, in cores (1 = one core busy), for the heartbeat's load. */
export function processCpuMeter(clock: Clock): () => number {
  let last = process.cpuUsage()
  let lastAt = clock.now()
  return () => {
    const now = clock.now()
    const used = process.cpuUsage(last)
    last = process.cpuUsage()
    const elapsedMs = Math.max(1, now - lastAt)
    lastAt = now
    return Math.round(((used.user + used.system) / 1000 / elapsedMs) * 100) / 100
  }
}
