import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type RedisServer, startRedisServer } from '@parley/testkit'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { fillRoomOptions } from '../roomOptions.js'
import { createMemoryRegistry } from './memory.js'
import { openRedisRegistry, readRoom } from './redis.js'
import { openSqliteRegistry, sqliteModule } from './sqlite.js'
import type { RoomRegistry } from './types.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

// One real redis-server (Debian's, on a loopback port) for the Redis store; each test its own key prefix.
let redisServer: RedisServer
const redisClients: Redis[] = []
beforeAll(async () => {
  redisServer = await startRedisServer()
}, 20_000)
afterAll(async () => {
  for (const client of redisClients.splice(0)) client.disconnect()
  await redisServer?.close()
})
let prefixes = 0
function redisRegistryMaker(nodeId = 'node-a') {
  const prefix = `test${++prefixes}:`
  return async () => {
    const redis = new Redis(redisServer.url, { lazyConnect: true })
    redisClients.push(redis)
    await redis.connect()
    const registry = await openRedisRegistry({ redis, nodeId, prefix })
    // What was written before reopening must be in Redis, not only in the memory of the closed store.
    const close = registry.close
    return Object.assign(registry, { close: () => close(), settle: () => registry.settled() })
  }
}
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-registry-'))
  dirs.push(dir)
  return dir
}

const head = (id: string, extra: Partial<{ name: string; parley: Record<string, unknown> }> = {}) => ({
  id,
  name: extra.name ?? `room ${id}`,
  options: fillRoomOptions(undefined, {}),
  channels: [{ label: 'chat', ordered: true }],
  parley: extra.parley ?? {},
})

type Opened = RoomRegistry & { settle?: () => Promise<void> }

describe.each([
  ['memory', () => ({ open: (): Opened => createMemoryRegistry(), reopens: false })],
  ['sqlite', () => {
    const path = join(tempDir(), 'nested', 'rooms.sqlite')
    return { open: (): Opened => openSqliteRegistry(path), reopens: true }
  }],
  ['redis', () => ({ open: redisRegistryMaker(), reopens: true })],
] as const)('%s registry', (_name, make) => {
  it('keeps rooms, their metadata (JSON values), channels and extensions, and forgets what is deleted', async () => {
    const { open, reopens } = make()
    let registry: Opened = await open()
    registry.saveRoom(head('a', { parley: { host: { keyHash: 'x' } } }))
    registry.saveRoom(head('b'))
    registry.setMeta('a', { topic: 'hi\nthere', list: [1, { deep: null }], flag: false })
    registry.setMeta('a', { topic: 'changed' })
    registry.deleteMeta('a', 'flag')
    registry.setMeta('b', { gone: 1 })
    registry.deleteRoom('b')
    // Saving the head again keeps the metadata.
    registry.saveRoom(head('a', { name: 'renamed', parley: { host: { keyHash: 'x' } } }))
    expect(() => registry.setMeta('nope', { k: 1 })).toThrow(/not stored/)
    if (reopens) {
      await registry.settle?.()
      registry.close()
      registry = await open()
    }
    expect(registry.loadAll()).toEqual([{ ...head('a', { name: 'renamed', parley: { host: { keyHash: 'x' } } }), meta: { topic: 'changed', list: [1, { deep: null }] } }])
    // A room re-created by id after it was deleted starts without the old metadata.
    registry.saveRoom(head('b'))
    expect(registry.loadAll().find((room) => room.id === 'b')?.meta).toEqual({})
    if (reopens) {
      await registry.settle?.()
      registry.close()
      registry = await open()
      expect(registry.loadAll().find((room) => room.id === 'b')?.meta).toEqual({})
    }
    registry.close()
    registry.close()
  }, 20_000)
})

describe('sqlite registry file', () => {
  it('refuses a file written by a newer schema', () => {
    const path = join(tempDir(), 'rooms.sqlite')
    openSqliteRegistry(path).close()
    const { Database } = sqliteModule()
    const db = new Database(path)
    db.exec('PRAGMA user_version = 99')
    db.close()
    expect(() => openSqliteRegistry(path)).toThrow(/newer hub \(schema 99/)
  })
})

describe('redis registry in a cluster', () => {
  it("loads only its own node's rooms, reads any room, and writes to a room it adopted", async () => {
    const openA = redisRegistryMaker('node-a')
    const a = await openA()
    a.saveRoom(head('mine'))
    a.setMeta('mine', { topic: 'x' })
    await a.settle()
    const redis = new Redis(redisServer.url)
    redisClients.push(redis)
    const prefix = `test${prefixes}:`
    const b = await openRedisRegistry({ redis, nodeId: 'node-b', prefix })
    expect(b.loadAll()).toEqual([])
    const record = await readRoom(redis, 'mine', prefix)
    expect(record).toEqual({ ...head('mine'), meta: { topic: 'x' } })
    b.adopt(record!)
    b.setMeta('mine', { topic: 'adopted' })
    await b.settled()
    expect((await readRoom(redis, 'mine', prefix))?.meta).toEqual({ topic: 'adopted' })
  }, 20_000)
})

describe('redis registry with Redis down', () => {
  it('answers changes at once, queues them, and writes them in order when Redis is back', async () => {
    // Fsync-always AOF: the Redis killed here comes back with what it acknowledged (the room).
    const server = await startRedisServer({ appendOnly: true })
    const redis = new Redis(server.url, { maxRetriesPerRequest: null, retryStrategy: () => 50 })
    try {
      const registry = await openRedisRegistry({ redis, nodeId: 'node-a' })
      registry.saveRoom(head('r'))
      await registry.settled()
      await server.kill('SIGKILL')
      registry.setMeta('r', { topic: 'while down' })
      registry.deleteMeta('r', 'topic')
      registry.setMeta('r', { topic: 'last' })
      expect(registry.pending).toBe(3)
      expect(registry.loadAll()[0]?.meta).toEqual({ topic: 'last' })
      await server.restart()
      await registry.settled()
      expect(registry.pending).toBe(0)
      expect((await readRoom(redis, 'r'))?.meta).toEqual({ topic: 'last' })
    } finally {
      redis.disconnect()
      await server.close()
    }
  }, 20_000)
})

describe('redis registry over a Redis that came back empty', () => {
  it('writes every room it holds again, without taking a room another node holds', async () => {
    const server = await startRedisServer()
    const redis = new Redis(server.url, { maxRetriesPerRequest: null, retryStrategy: () => 50 })
    try {
      const registry = await openRedisRegistry({ redis, nodeId: 'node-a' })
      registry.saveRoom(head('r'))
      registry.setMeta('r', { topic: 'kept' })
      registry.saveRoom(head('s'))
      await registry.settled()
      await server.kill('SIGKILL')
      await server.restart()
      await redis.hset('parley:room-node', 's', 'node-b')
      registry.rewriteAll()
      await registry.settled()
      expect(await readRoom(redis, 'r')).toEqual({ ...head('r'), meta: { topic: 'kept' } })
      expect(await redis.hgetall('parley:room-node')).toEqual({ r: 'node-a', s: 'node-b' })
    } finally {
      redis.disconnect()
      await server.close()
    }
  }, 20_000)
})
