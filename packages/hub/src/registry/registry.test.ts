import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { fillRoomOptions } from '../roomOptions.js'
import { createMemoryRegistry } from './memory.js'
import { openSqliteRegistry, sqliteModule } from './sqlite.js'
import type { RoomRegistry } from './types.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
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

describe.each([
  ['memory', () => ({ open: () => createMemoryRegistry(), reopens: false })],
  ['sqlite', () => {
    const path = join(tempDir(), 'nested', 'rooms.sqlite')
    return { open: () => openSqliteRegistry(path), reopens: true }
  }],
] as const)('%s registry', (_name, make) => {
  it('keeps rooms, their metadata (JSON values), channels and extensions, and forgets what is deleted', () => {
    const { open, reopens } = make()
    let registry: RoomRegistry = open()
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
      registry.close()
      registry = open()
    }
    expect(registry.loadAll()).toEqual([{ ...head('a', { name: 'renamed', parley: { host: { keyHash: 'x' } } }), meta: { topic: 'changed', list: [1, { deep: null }] } }])
    // A room re-created by id after it was deleted starts without the old metadata.
    registry.saveRoom(head('b'))
    expect(registry.loadAll().find((room) => room.id === 'b')?.meta).toEqual({})
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
