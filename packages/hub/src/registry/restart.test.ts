// A hub restarted over the same registry file still has every room it had (name, options, metadata,
// data channels, extensions), and none of its clients.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathFor } from '@parley/protocol'
import { describe, expect, it } from 'vitest'
import type { TestHub } from '../test-support/harness.js'
import { useTestHubs } from '../test-support/testHubs.js'
import { fillRoomOptions } from '../roomOptions.js'
import { createMemoryRegistry } from './memory.js'
import { openSqliteRegistry } from './sqlite.js'
import type { RoomRegistry } from './types.js'

const { testHub, scratchDir } = useTestHubs()

function hubOver(path: string): TestHub {
  return testHub({ registry: openSqliteRegistry(path) })
}

describe('a hub restarted over its registry file', () => {
  it('keeps rooms, metadata, channels and extensions; clients must register again; ended rooms stay gone', async () => {
    const dir = scratchDir('parley-restart-')
    const path = join(dir, 'rooms.sqlite')
    const before = hubOver(path)
    await before.setupRoom('kept', 'a')
    await before.setupRoom('ended')
    await before.request('POST', pathFor('createRoom', {}), { id: 'tuned', options: { bitrates: { video: 123_000 }, empty_room_timeout_ns: 60e9 } })
    expect((await before.request('POST', pathFor('setMeta', { roomId: 'kept' }), { topic: 'ship it', list: [1, 2] })).status).toBe(200)
    await before.request('DELETE', pathFor('deleteMeta', { roomId: 'kept', key: 'list' }))
    await before.request('POST', pathFor('setMeta', { roomId: 'kept' }), { 'parley.media.a': { audio: true, video: false } })
    expect((await before.request('POST', pathFor('createChannel', { roomId: 'kept' }), { name: 'chat' })).status).toBe(200)
    before.app.hub.room('kept').setExtension('host', { keyHash: 'abc' })
    await before.request('PUT', pathFor('endRoom', { roomId: 'ended' }))
    const tuned = (await before.request('GET', pathFor('getRoom', { roomId: 'tuned' }))).body.data
    const events = await before.events('kept', 'a')
    await before.close()
    // A graceful stop tells the client to come back.
    await events.waitForEnd()
    expect(events.events.at(-1)).toMatchObject({ event: 'left', data: '{"reason":"shutdown"}' })

    const after = hubOver(path)
    expect((await after.request('GET', pathFor('getRoom', { roomId: 'kept' }))).body.data).toMatchObject({ id: 'kept', name: 'kept' })
    expect((await after.request('GET', pathFor('getRoom', { roomId: 'tuned' }))).body.data).toEqual(tuned)
    expect((await after.request('GET', pathFor('getRoom', { roomId: 'ended' }))).status).toBe(404)
    expect((await after.request('GET', pathFor('getMeta', { roomId: 'kept', key: 'topic' }))).body.data).toEqual({ topic: 'ship it' })
    expect((await after.request('GET', pathFor('getMeta', { roomId: 'kept', key: 'list' }))).status).toBe(404)
    // No client survives a restart, so neither does a client's media state.
    expect((await after.request('GET', pathFor('getMeta', { roomId: 'kept', key: 'parley.media.a' }))).status).toBe(404)
    expect((await after.request('POST', pathFor('createChannel', { roomId: 'kept' }), { name: 'chat' })).status).toBe(409)
    expect(after.app.hub.room('kept').extension('host')).toEqual({ keyHash: 'abc' })
    // The old client id is gone (the core's "client gone": a full reconnect), and registering again works.
    expect((await after.app.request(pathFor('events', { roomId: 'kept', clientId: 'a' }))).status).toBe(404)
    expect((await after.request('POST', pathFor('register', { roomId: 'kept' }), { uid: 'a' })).status).toBe(200)
    // A room that is gone is re-created by its id (same invite link), without the old metadata.
    expect((await after.request('POST', pathFor('createRoom', {}), { id: 'ended', name: 'again' })).status).toBe(201)
    expect((await after.request('GET', pathFor('getMeta', { roomId: 'ended', key: 'topic' }))).status).toBe(404)
  }, 20_000)

  it('refuses a file another live process owns, and clears the lock of a dead owner', () => {
    const dir = scratchDir('parley-restart-')
    const path = join(dir, 'rooms.sqlite')
    openSqliteRegistry(path).close()
    writeFileSync(`${path}.owner`, `${process.ppid}\n`)
    expect(() => openSqliteRegistry(path)).toThrow(/in use by another process \(pid \d+/)
    // A dead owner (no such pid) left its lock directory behind, as a killed hub does.
    writeFileSync(`${path}.owner`, '2147483646\n')
    mkdirSync(`${path}.lock`)
    const registry = openSqliteRegistry(path)
    registry.saveRoom({ id: 'r', name: '', options: fillRoomOptions(undefined, {}), channels: [], parley: {} })
    expect(registry.loadAll().map((room) => room.id)).toEqual(['r'])
    registry.close()
  })

  it('answers 503 when the store fails, applying and announcing nothing', async () => {
    const failing: RoomRegistry = { ...createMemoryRegistry(), setMeta: () => { throw new Error('disk full') } }
    const hub = testHub({ registry: failing })
    await hub.setupRoom('r', 'a')
    const events = await hub.events('r', 'a')
    const refused = await hub.request('POST', pathFor('setMeta', { roomId: 'r' }), { k: 1 })
    expect(refused).toMatchObject({ status: 503, body: { message: 'the hub could not store room "r" metadata: disk full' } })
    expect((await hub.request('GET', pathFor('getMeta', { roomId: 'r', key: 'k' }))).status).toBe(404)
    await hub.request('POST', pathFor('createChannel', { roomId: 'r' }), { name: 'chat' })
    expect(events.named('meta_changed')).toHaveLength(0)
    await events.cancel()
  })
})
