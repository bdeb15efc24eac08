// One node of a cluster of hubs sharing a Redis: its heartbeat, where a request for a room goes, where a
// new room is placed, and taking over the room of a node that died. A room lives on one node (its media
// too); any node answers any request, forwarding it to the room's node (proxy.ts).
import type { Redis } from 'ioredis'
import type { Clock } from '../clock.js'
import { HubError } from '../errors.js'
import type { Hub } from '../hub.js'
import type { Logger } from '../log.js'
import { DEFAULT_REDIS_PREFIX, type RedisRoomRegistry, readRoom, redisKeys } from '../registry/redis.js'
import { DEFAULT_HEARTBEAT_MS, type Heartbeat, type NodeInfo, isNodeLive, liveNodes, nodeKeys, processCpuMeter, rateMeter, startHeartbeat } from './nodes.js'
import { countRooms, pickNode } from './placement.js'

export interface ClusterOptions {
  redis: Redis
  prefix?: string
  nodeId: string
  /** Where the other nodes reach this one's HTTP API. */
  advertiseUrl: string
  iceAddresses: string[]
  hub: Hub
  registry: RedisRoomRegistry
  clock: Clock
  log: Logger
  heartbeatMs?: number
  nodeTtlMs?: number
  /** Longest wait for Redis on a routing decision (then 503). Default 2000 ms. */
  redisTimeoutMs?: number
}

/** Where a request goes: this node's hub, or another node's URL. */
export type RoomRoute = { kind: 'local' } | { kind: 'remote'; node: NodeInfo }

export interface ClusterStatus {
  self: string
  nodes: (NodeInfo & { roomsMapped: number })[]
  rooms: Record<string, string>
}

export interface ClusterNode {
  readonly nodeId: string
  /** Where a request for this room goes; adopts it when its node died (or when it is mapped here and not held). */
  routeRoom(roomId: string): Promise<RoomRoute>
  /** The node a new room goes to (placement.ts); 503 when Redis does not answer or no node is live. */
  placeRoom(): Promise<RoomRoute>
  /** The live node that holds this room, if any (a create with an id that is taken goes there). */
  holderOf(roomId: string): Promise<NodeInfo | undefined>
  /**
   * Maps a new room id to the node that will create it, unless the id is mapped already (then false):
   * of two creates of one id racing on two nodes, exactly one gets the id.
   */
  reserveRoom(roomId: string, nodeId: string): Promise<boolean>
  /** Undoes `reserveRoom` after the create failed (only while the map still says `nodeId` and no room was stored). */
  releaseRoom(roomId: string, nodeId: string): Promise<void>
  status(): Promise<ClusterStatus>
  /** Stops taking new rooms (the rooms it holds carry on). */
  drain(): Promise<void>
  /** Stops the heartbeat and removes the node from the directory. */
  stop(): Promise<void>
}

// The room's holder and that node's heartbeat entry (nil when expired), in one round trip.
const HOLDER_SCRIPT = `
local holder = redis.call('HGET', KEYS[1], ARGV[1])
if not holder then return {} end
return {holder, redis.call('GET', ARGV[2] .. holder)}`

const CLAIM_SCRIPT = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  return 1
end
return 0`

// Drops a reservation whose create failed: the entry still names that node and no room was stored.
const RELEASE_SCRIPT = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] and redis.call('EXISTS', KEYS[2]) == 0 then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0`

export async function startClusterNode(options: ClusterOptions): Promise<ClusterNode> {
  const { redis, nodeId, hub, registry, clock, log } = options
  const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX
  const keys = redisKeys(prefix)
  const redisTimeoutMs = options.redisTimeoutMs ?? 2_000
  const cpu = processCpuMeter(clock)
  const forwarded = rateMeter(clock, () => hub.packetsForwarded)
  const heartbeat: Heartbeat = await startHeartbeat({
    redis,
    prefix,
    node: { id: nodeId, url: options.advertiseUrl, iceAddresses: options.iceAddresses },
    load: () => {
      const rooms = hub.roomIds
      const participants = rooms.reduce((sum, id) => sum + (hub.holds(id) ? hub.room(id).clientIds.length : 0), 0)
      return { rooms: rooms.length, participants, cpu: cpu(), forwardedPacketsPerSecond: forwarded() }
    },
    clock,
    log,
    intervalMs: options.heartbeatMs,
    ttlMs: options.nodeTtlMs,
  })

  // Redis back after an outage: write this node's rooms again in case it came back empty (no persistence).
  let connectedBefore = redis.status === 'ready'
  const onReady = () => {
    if (connectedBefore) {
      log('info', 'cluster: Redis is back; writing this node\'s rooms again')
      registry.rewriteAll()
      heartbeat.beat().catch(() => undefined)
    }
    connectedBefore = true
  }
  redis.on('ready', onReady)

  // A node that was cut off long enough for its heartbeat to expire may find that another node took one of
  // its rooms over: it lets go (its clients get `left` `shutdown` and reconnect, to the new holder).
  const letGoOfLostRooms = async () => {
    const held = hub.roomIds
    if (held.length === 0 || redis.status !== 'ready') return
    const holders = await redis.hmget(keys.roomNode, ...held)
    held.forEach((roomId, index) => {
      const holder = holders[index]
      if (holder === null || holder === undefined || holder === nodeId || !hub.holds(roomId)) return
      log('warn', 'cluster: another node took this room over; letting go of it', { roomId, holder })
      registry.release(roomId)
      hub.room(roomId).close('shutdown')
    })
  }
  let stopped = false
  let checkTimer: unknown
  const scheduleCheck = () => {
    if (stopped) return
    checkTimer = clock.setTimeout(() => {
      letGoOfLostRooms()
        .catch((error: unknown) => log('warn', 'cluster: could not compare the rooms held here with Redis', { error }))
        .finally(scheduleCheck)
    }, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS)
  }
  scheduleCheck()

  /** A Redis round trip that fails fast (503) when Redis is not connected or does not answer in time. */
  const ask = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    const unavailable = (why: string) => new HubError(503, `the cluster's Redis ${why}, so this node cannot ${what}; rooms this node holds go on; try again shortly`, { 'Retry-After': '1' })
    if (redis.status !== 'ready') throw unavailable(`is not connected (${redis.status})`)
    let timer: unknown
    const timeout = new Promise<never>((_, reject) => {
      timer = clock.setTimeout(() => reject(unavailable(`did not answer within ${redisTimeoutMs} ms`)), redisTimeoutMs)
    })
    try {
      return await Promise.race([run(), timeout])
    } catch (error) {
      if (error instanceof HubError) throw error
      throw unavailable(`failed (${error instanceof Error ? error.message : String(error)})`)
    } finally {
      clock.clearTimeout(timer)
    }
  }

  // One adoption per room at a time on this node (requests of one room's participants arrive together).
  const adopting = new Map<string, Promise<RoomRoute>>()
  const adopt = (roomId: string, from: string): Promise<RoomRoute> => {
    const running = adopting.get(roomId)
    if (running) return running
    const attempt = (async (): Promise<RoomRoute> => {
      if (hub.holds(roomId)) return { kind: 'local' }
      const claimed = from === nodeId || (await redis.eval(CLAIM_SCRIPT, 1, keys.roomNode, roomId, from, nodeId)) === 1
      // Another node claimed it first: go there.
      if (!claimed) return routeRoom(roomId)
      const record = await readRoom(redis, roomId, prefix)
      if (!record) return { kind: 'local' }
      registry.adopt(record)
      hub.adoptRoom(record)
      log('info', 'cluster: room taken over', { roomId, from })
      return { kind: 'local' }
    })().finally(() => adopting.delete(roomId))
    adopting.set(roomId, attempt)
    return attempt
  }

  const routeRoom = async (roomId: string): Promise<RoomRoute> => {
    if (hub.holds(roomId)) return { kind: 'local' }
    return ask('find the room\'s node', async () => {
      const [holder, entry] = (await redis.eval(HOLDER_SCRIPT, 1, keys.roomNode, roomId, nodeKeys(prefix).node(''))) as [string?, (string | null)?]
      // Not in the map: no such room anywhere; the local hub answers the 404.
      if (holder === undefined) return { kind: 'local' }
      if (holder === nodeId) return adopt(roomId, holder)
      if (entry) return { kind: 'remote', node: JSON.parse(entry) as NodeInfo }
      // Its node died: this (live) node takes it over; the core's full reconnect brings its people back.
      return adopt(roomId, holder)
    })
  }

  return {
    nodeId,
    routeRoom,
    placeRoom: () =>
      ask('place a new room', async () => {
        const [nodes, map] = await Promise.all([liveNodes(redis, prefix), redis.hgetall(keys.roomNode)])
        const chosen = pickNode(nodes, countRooms(map))
        if (!chosen) throw new HubError(503, 'no hub node of the cluster is taking new rooms; try again shortly', { 'Retry-After': '1' })
        return chosen.id === nodeId ? { kind: 'local' } : { kind: 'remote', node: chosen }
      }),
    holderOf: (roomId) =>
      ask('look the room up', async () => {
        const holder = await redis.hget(keys.roomNode, roomId)
        return holder === null ? undefined : isNodeLive(redis, holder, prefix)
      }),
    reserveRoom: (roomId, holder) => ask('reserve the room id', async () => (await redis.hsetnx(keys.roomNode, roomId, holder)) === 1),
    releaseRoom: async (roomId, holder) => {
      await ask('release the room id', () => redis.eval(RELEASE_SCRIPT, 2, keys.roomNode, keys.room(roomId), roomId, holder))
    },
    status: () =>
      ask('read the cluster', async () => {
        const [nodes, rooms] = await Promise.all([liveNodes(redis, prefix), redis.hgetall(keys.roomNode)])
        const counts = countRooms(rooms)
        return { self: nodeId, nodes: nodes.map((node) => ({ ...node, roomsMapped: counts.get(node.id) ?? 0 })), rooms }
      }),
    drain: () => heartbeat.drain(),
    stop: () => {
      stopped = true
      clock.clearTimeout(checkTimer)
      redis.off('ready', onReady)
      return heartbeat.stop()
    },
  }
}
