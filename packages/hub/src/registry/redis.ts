// The registry in Redis, for a cluster of hubs: every node can read every room (a node adopting the room
// of a node that died reads it from here), and the room → node map sits beside the rooms.
// The `RoomRegistry` interface is synchronous (the embedded stores write before the request is answered);
// Redis is across a socket. So this store keeps the node's own rooms in memory (the same memory store,
// which also checks each change) and sends every change to Redis as one MULTI, in call order; ioredis
// queues commands while Redis is unreachable and sends them when it is back (nothing acknowledged is
// lost while the node lives). `settled()` resolves when every change made so far is in Redis: the cluster
// answers a changing request only after it (bounded, so a node keeps serving its rooms with Redis down).
//
// Keys (under `prefix`, default `parley:`):
//   room:<id>       hash  name, options, channels, parley (JSON strings)
//   room:<id>:meta  hash  metadata key → JSON value
//   room-node       hash  room id → id of the node that holds it
import type { Redis } from 'ioredis'
import { createMemoryRegistry } from './memory.js'
import type { RoomHeadRecord, RoomRecord, RoomRegistry } from './types.js'

export const DEFAULT_REDIS_PREFIX = 'parley:'

export interface RedisRegistryOptions {
  /** A connected client (this registry does not own it) … */
  redis: Redis
  /** The node whose rooms this registry holds: `loadAll` returns the rooms mapped to it, `saveRoom` maps a room to it. */
  nodeId: string
  prefix?: string
  /** A change Redis refused (or could not take): logged by the caller. */
  onWriteError?: (error: unknown) => void
}

export interface RedisRoomRegistry extends RoomRegistry {
  /** Resolves when every change made so far has been written to Redis (or refused by it). */
  settled(): Promise<void>
  /** Changes not yet written to Redis (queued while it is unreachable). */
  readonly pending: number
  /** Takes a room of another (dead) node into this one's memory; the caller maps it to this node (`claimRoom`). */
  adopt(record: RoomRecord): void
  /**
   * Writes every room this node holds again (head, metadata, and its map entry unless another node has
   * it): for a Redis that came back empty (no persistence), so the cluster's state converges.
   */
  rewriteAll(): void
  /** Forgets a room here only (another node holds it now); Redis is left as it is. */
  release(roomId: string): void
}

export function redisKeys(prefix = DEFAULT_REDIS_PREFIX) {
  return {
    room: (id: string) => `${prefix}room:${id}`,
    meta: (id: string) => `${prefix}room:${id}:meta`,
    roomNode: `${prefix}room-node`,
  }
}

/** Reads one room (any node's) from Redis, or undefined when it is not stored. */
export async function readRoom(redis: Redis, id: string, prefix = DEFAULT_REDIS_PREFIX): Promise<RoomRecord | undefined> {
  const keys = redisKeys(prefix)
  const [head, meta] = await Promise.all([redis.hgetall(keys.room(id)), redis.hgetall(keys.meta(id))])
  if (head.options === undefined) return undefined
  return {
    id,
    name: head.name ?? '',
    options: JSON.parse(head.options) as RoomRecord['options'],
    channels: JSON.parse(head.channels ?? '[]') as RoomRecord['channels'],
    parley: JSON.parse(head.parley ?? '{}') as RoomRecord['parley'],
    meta: Object.fromEntries(Object.entries(meta).map(([key, value]) => [key, JSON.parse(value) as unknown])),
  }
}

/** Opens the registry of node `nodeId`: reads the rooms Redis maps to it (a node restarted under its id gets its rooms back). */
export async function openRedisRegistry(options: RedisRegistryOptions): Promise<RedisRoomRegistry> {
  const { redis, nodeId } = options
  const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX
  const keys = redisKeys(prefix)
  const mirror = createMemoryRegistry()
  // Ids of the rooms in `mirror` (a saveRoom of a new id clears metadata a previous room of that id left in Redis).
  const held = new Set<string>()
  const map = await redis.hgetall(keys.roomNode)
  const own = Object.entries(map).filter(([, node]) => node === nodeId).map(([id]) => id)
  const hold = ({ meta, ...head }: RoomRecord): void => {
    mirror.saveRoom(head)
    held.add(head.id)
    if (Object.keys(meta).length > 0) mirror.setMeta(head.id, meta)
  }
  for (const record of await Promise.all(own.map((id) => readRoom(redis, id, prefix)))) if (record) hold(record)

  let last: Promise<void> = Promise.resolve()
  let pending = 0
  let open = true
  const write = (build: (multi: ReturnType<Redis['multi']>) => void): void => {
    if (!open) throw new Error('the room registry is closed')
    const multi = redis.multi()
    build(multi)
    pending++
    const sent = multi.exec().then(
      (results) => {
        const refused = results?.find(([error]) => error)
        if (refused) options.onWriteError?.(refused[0])
      },
      (error: unknown) => options.onWriteError?.(error),
    )
    last = Promise.all([last, sent]).then(() => void pending--)
  }
  const headFields = (head: RoomHeadRecord) => ({
    name: head.name,
    options: JSON.stringify(head.options),
    channels: JSON.stringify(head.channels),
    parley: JSON.stringify(head.parley),
  })

  return {
    description: `redis:${nodeId}`,
    get pending() {
      return pending
    },
    settled: () => last,
    loadAll: () => mirror.loadAll(),
    saveRoom(head) {
      const isNew = !held.has(head.id)
      mirror.saveRoom(head)
      held.add(head.id)
      write((multi) => {
        // A room created again by id after it ended starts without the old metadata (as in the other stores).
        if (isNew) multi.del(keys.meta(head.id))
        multi.hset(keys.room(head.id), headFields(head)).hset(keys.roomNode, head.id, nodeId)
      })
    },
    adopt: hold,
    release(roomId) {
      mirror.deleteRoom(roomId)
      held.delete(roomId)
    },
    rewriteAll() {
      for (const { meta, ...head } of mirror.loadAll()) {
        write((multi) => {
          multi.hset(keys.room(head.id), headFields(head)).del(keys.meta(head.id)).hsetnx(keys.roomNode, head.id, nodeId)
          const fields = Object.entries(meta).map(([key, value]) => [key, JSON.stringify(value)])
          if (fields.length > 0) multi.hset(keys.meta(head.id), Object.fromEntries(fields))
        })
      }
    },
    setMeta(roomId, entries) {
      mirror.setMeta(roomId, entries)
      const fields = Object.fromEntries(Object.entries(entries).map(([key, value]) => [key, JSON.stringify(value)]))
      write((multi) => multi.hset(keys.meta(roomId), fields))
    },
    deleteMeta(roomId, key) {
      mirror.deleteMeta(roomId, key)
      write((multi) => multi.hdel(keys.meta(roomId), key))
    },
    deleteRoom(roomId) {
      mirror.deleteRoom(roomId)
      held.delete(roomId)
      write((multi) => multi.del(keys.room(roomId), keys.meta(roomId)).hdel(keys.roomNode, roomId))
    },
    close() {
      open = false
    },
  }
}
