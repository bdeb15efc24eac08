// The registry kept in memory: tests, and a hub run with `--registry memory` (rooms end with the process).
import type { RoomHeadRecord, RoomRecord, RoomRegistry } from './types.js'

export function createMemoryRegistry(): RoomRegistry {
  const rooms = new Map<string, { head: RoomHeadRecord; meta: Map<string, unknown> }>()
  // JSON round trips: what is stored must not change with the caller's objects, and must be JSON (as on disk).
  const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T
  return {
    description: 'memory',
    loadAll: () => [...rooms.values()].map(({ head, meta }): RoomRecord => copy({ ...head, meta: Object.fromEntries(meta) })),
    saveRoom(head) {
      const meta = rooms.get(head.id)?.meta ?? new Map<string, unknown>()
      rooms.set(head.id, { head: copy(head), meta })
    },
    setMeta(roomId, entries) {
      const room = rooms.get(roomId)
      if (!room) throw new Error(`room "${roomId}" is not stored`)
      for (const [key, value] of Object.entries(entries)) room.meta.set(key, copy(value))
    },
    deleteMeta(roomId, key) {
      rooms.get(roomId)?.meta.delete(key)
    },
    deleteRoom(roomId) {
      rooms.delete(roomId)
    },
    close() {},
  }
}
