// The registry in an SQLite file (node-sqlite3-wasm: SQLite compiled to WebAssembly, shipped in its npm
// package, so nothing is built or downloaded at install). Every write is one transaction in SQLite's
// rollback journal: a hub killed at any moment (kill -9) leaves the file as of its last committed
// transaction, and the next open rolls back the hot journal of an unfinished one. (WAL, SQLite's other
// journal, needs shared memory this build does not have.)
// Settings, measured on this machine (ms of blocked event loop per write, 200 single-key writes):
// journal DELETE + synchronous FULL 21; PERSIST + FULL 18; PERSIST + OFF + exclusive lock 0.09. We take
// the last: a process crash cannot lose or corrupt a committed write under any of them (the OS holds
// what was written), only an OS crash or power cut can, and 18 ms per metadata change would stall media
// forwarding on the same thread. See the hub README, "Rooms survive a restart".
// Locks: this build locks with a `<file>.lock` directory, which a killed process leaves behind (every
// later open would answer "database is locked"). So one hub owns the file, named with its pid in
// `<file>.owner`: a hub finding the owner dead removes its stale lock; finding it alive, it refuses.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import type * as NodeSqlite from 'node-sqlite3-wasm'
import type { RoomHeadRecord, RoomRecord, RoomRegistry } from './types.js'

const SCHEMA_VERSION = 1

const SCHEMA = `
CREATE TABLE IF NOT EXISTS rooms (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  options TEXT NOT NULL,
  channels TEXT NOT NULL,
  parley TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS room_meta (
  room_id TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (room_id, key)
) WITHOUT ROWID;
`

/** SQLite itself. A CommonJS module without named ESM exports: required, and loaded only when a file registry is used. */
export function sqliteModule(): typeof NodeSqlite {
  return createRequire(import.meta.url)('node-sqlite3-wasm') as typeof NodeSqlite
}

/** Opens (creating it and its directory if needed) the registry at `path`. */
export function openSqliteRegistry(path: string): RoomRegistry {
  mkdirSync(dirname(path), { recursive: true })
  const ownerPath = `${path}.owner`
  claimOwnership(path, ownerPath)
  const { Database } = sqliteModule()
  let db: NodeSqlite.Database
  try {
    db = new Database(path)
  } catch (error) {
    rmSync(ownerPath, { force: true })
    throw error
  }
  // The first read takes the (exclusive, kept) lock and rolls back a killed writer's transaction.
  const version = withOwnLockHidden(path, () => {
    db.exec('PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = PERSIST; PRAGMA synchronous = OFF;')
    return Number((db.get('PRAGMA user_version') as { user_version: number }).user_version)
  })
  if (version > SCHEMA_VERSION) {
    db.close()
    rmSync(ownerPath, { force: true })
    throw new Error(`${path} was written by a newer hub (schema ${version}, this hub knows ${SCHEMA_VERSION})`)
  }
  db.exec(`BEGIN; ${SCHEMA} PRAGMA user_version = ${SCHEMA_VERSION}; COMMIT;`)

  const statements = {
    saveRoom: db.prepare('INSERT INTO rooms (id, name, options, channels, parley) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, options = excluded.options, channels = excluded.channels, parley = excluded.parley'),
    roomExists: db.prepare('SELECT 1 AS found FROM rooms WHERE id = ?'),
    setMeta: db.prepare('INSERT INTO room_meta (room_id, key, value) VALUES (?, ?, ?) ON CONFLICT (room_id, key) DO UPDATE SET value = excluded.value'),
    deleteMeta: db.prepare('DELETE FROM room_meta WHERE room_id = ? AND key = ?'),
    deleteRoomMeta: db.prepare('DELETE FROM room_meta WHERE room_id = ?'),
    deleteRoom: db.prepare('DELETE FROM rooms WHERE id = ?'),
  }
  let open = true

  const transaction = (write: () => void): void => {
    if (!open) throw new Error('the room registry is closed')
    db.exec('BEGIN IMMEDIATE')
    try {
      write()
      db.exec('COMMIT')
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK')
      throw error
    }
  }

  return {
    description: `sqlite:${path}`,
    loadAll() {
      const meta = new Map<string, Record<string, unknown>>()
      for (const row of db.all('SELECT room_id, key, value FROM room_meta ORDER BY room_id, key') as { room_id: string; key: string; value: string }[]) {
        const record = meta.get(row.room_id) ?? {}
        record[row.key] = JSON.parse(row.value)
        meta.set(row.room_id, record)
      }
      return (db.all('SELECT id, name, options, channels, parley FROM rooms ORDER BY id') as Record<keyof RoomHeadRecord, string>[]).map(
        (row): RoomRecord => ({
          id: row.id,
          name: row.name,
          options: JSON.parse(row.options) as RoomRecord['options'],
          channels: JSON.parse(row.channels) as RoomRecord['channels'],
          parley: JSON.parse(row.parley) as RoomRecord['parley'],
          meta: meta.get(row.id) ?? {},
        }),
      )
    },
    saveRoom(head) {
      transaction(() => {
        statements.saveRoom.run([head.id, head.name, JSON.stringify(head.options), JSON.stringify(head.channels), JSON.stringify(head.parley)])
      })
    },
    setMeta(roomId, entries) {
      transaction(() => {
        if (!statements.roomExists.get([roomId])) throw new Error(`room "${roomId}" is not stored`)
        for (const [key, value] of Object.entries(entries)) statements.setMeta.run([roomId, key, JSON.stringify(value)])
      })
    },
    deleteMeta(roomId, key) {
      transaction(() => void statements.deleteMeta.run([roomId, key]))
    },
    deleteRoom(roomId) {
      transaction(() => {
        statements.deleteRoomMeta.run([roomId])
        statements.deleteRoom.run([roomId])
      })
    },
    close() {
      if (!open) return
      open = false
      for (const statement of Object.values(statements)) statement.finalize()
      db.close()
      rmSync(ownerPath, { force: true })
    },
  }
}

/**
 * Runs `read` with this file's lock directory reported absent to SQLite's "does another connection hold
 * a RESERVED lock" check. This build answers that check by looking for the lock directory, which the
 * asking connection itself has just made, so SQLite would take a killed writer's journal for a live
 * transaction and never roll it back (we saw "database disk image is malformed" after kill -9). No other
 * process holds the file (`claimOwnership`), so "no" is the true answer. Only for the first read: with
 * the lock kept (exclusive mode), SQLite asks no more.
 */
function withOwnLockHidden<T>(path: string, read: () => T): T {
  const lockPath = `${path}.lock`
  const fs = createRequire(import.meta.url)('node:fs') as { accessSync: (path: unknown, mode?: number) => void }
  const accessSync = fs.accessSync
  fs.accessSync = (target, mode) => {
    if (target === lockPath) throw Object.assign(new Error(`ENOENT: ${lockPath}`), { code: 'ENOENT' })
    accessSync(target, mode)
  }
  try {
    return read()
  } finally {
    fs.accessSync = accessSync
  }
}

/** Makes this process the file's owner; a previous owner that died (kill -9) leaves a lock to clear. */
function claimOwnership(path: string, ownerPath: string): void {
  let owner: number | undefined
  try {
    owner = Number(readFileSync(ownerPath, 'utf8').trim()) || undefined
  } catch {
    owner = undefined
  }
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
    throw new Error(`${path} is in use by another process (pid ${owner}, in ${ownerPath}); one hub per file (delete ${ownerPath} if that process is not a hub)`)
  }
  // No live owner: a lock still there was left by a process that died in a transaction. SQLite rolls
  // that transaction back from its journal on the next read.
  rmSync(`${path}.lock`, { recursive: true, force: true })
  writeFileSync(ownerPath, `${process.pid}\n`)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
