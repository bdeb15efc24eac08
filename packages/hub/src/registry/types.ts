// The room registry's store: what survives a hub restart. Rooms only (id, name, options, metadata,
// data-channel labels, Parley extensions); clients and media are never stored, so after a restart a
// client registers again (the old client id answers 404, the core's "client gone").
// The interface is synchronous on purpose: every change is written through before the request that
// made it is answered (an answered change is never lost), and the stores are embedded.
import type { RoomOptions } from '@parley/protocol'
import { HubError } from '../errors.js'
import { messageOf } from '@parley/protocol'

export interface RoomChannelRecord {
  readonly label: string
  readonly ordered: boolean
}

/** A room as stored, without its metadata (written key by key: a setmeta must not rewrite 1 MiB). */
export interface RoomHeadRecord {
  readonly id: string
  readonly name: string
  readonly options: RoomOptions
  readonly channels: readonly RoomChannelRecord[]
  /**
   * Parley extensions, one field per feature (e.g. host controls' host key), JSON values only. Open on
   * purpose: a feature adds its field without a store migration.
   */
  readonly parley: Readonly<Record<string, unknown>>
}

export interface RoomRecord extends RoomHeadRecord {
  /** Metadata keys and their JSON values. */
  readonly meta: Readonly<Record<string, unknown>>
}

export interface RoomRegistry {
  /** Where it keeps rooms, for logs: `memory` or `sqlite:<path>`. */
  readonly description: string
  /** Every stored room, read once when the hub starts. */
  loadAll(): RoomRecord[]
  /** Creates or replaces a room's head (its metadata is left as it is). */
  saveRoom(head: RoomHeadRecord): void
  /** Stores these metadata keys, all or none. */
  setMeta(roomId: string, entries: Readonly<Record<string, unknown>>): void
  deleteMeta(roomId: string, key: string): void
  /** Forgets a room and its metadata. */
  deleteRoom(roomId: string): void
  /** Releases the store; everything written so far stays. Idempotent. */
  close(): void
}

/** Runs a registry write; a store that fails answers 503 (nothing else is changed by the request). */
export function persist(what: string, write: () => void): void {
  try {
    write()
  } catch (error) {
    throw new HubError(503, `the hub could not store ${what}: ${messageOf(error)}`)
  }
}
