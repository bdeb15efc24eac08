// The room registry. No globals: everything it needs is injected, and `close()` releases it all.
import { randomBytes } from 'node:crypto'
import type { CreateRoomRequest, LeftReason } from '@parley/protocol'
import { type Clock, systemClock } from './clock.js'
import { conflict, limitReached, notFound } from './errors.js'
import { type Logger, silentLogger } from './log.js'
import { guardMediaPlane } from './media/boundary.js'
import type { MediaPlane } from './media/types.js'
import { createMemoryRegistry } from './registry/memory.js'
import { type RoomRecord, type RoomRegistry, persist } from './registry/types.js'
import { Room } from './room.js'
import { NS_PER_MS, fillRoomOptions } from './roomOptions.js'
import { DEFAULT_TIMINGS, type HubTimings } from './timings.js'

/** Caps that keep one room, or one client, from using up the hub (429 beyond them). */
export interface HubLimits {
  /** Rooms at once. */
  maxRooms: number
  /** Clients registered in one room at once (connected or not yet). */
  maxClientsPerRoom: number
  /** Characters of one room's metadata (each key plus its value as JSON), all keys together. */
  maxMetaCharsPerRoom: number
  /** Keys of one room's metadata (413 beyond): each key costs a `meta_changed` to every client. */
  maxMetaKeysPerRoom: number
  /** Keys of one setmeta (413 beyond): the protocol's `meta_changed` carries one key, so one event per key and client. */
  maxMetaKeysPerRequest: number
  /** ICE candidates one client may send in its life (429 beyond): werift sorts its check list on each one. */
  maxCandidatesPerClient: number
  /** Audio and video tracks one client's offer may send (413 beyond): each is an m-line in every other client's SDP. */
  maxTracksPerClient: number
  /**
   * Tracks forwarded to one subscriber at once (the rest wait for a free slot): each is an m-line of the hub's
   * offer to it, which the protocol caps at 128 KiB (subscriptionSlots.ts).
   */
  maxSubscribedTracksPerClient: number
}

export const DEFAULT_LIMITS: HubLimits = {
  maxRooms: 1_000,
  maxClientsPerRoom: 50,
  maxMetaCharsPerRoom: 1024 * 1024,
  maxMetaKeysPerRoom: 1_000,
  maxMetaKeysPerRequest: 100,
  maxCandidatesPerClient: 1_000,
  maxTracksPerClient: 8,
  // A full room (50 clients, each with a microphone and a camera) is 98 tracks; 100 video m-lines of werift's
  // offer plus the subscriber's own 8 and the data channel are 91,738 characters, 117,462 with two long host
  // candidates per m-line: under the protocol's 131,072 (werift-offer-size.test.ts measures it).
  maxSubscribedTracksPerClient: 100,
}

export interface HubDeps {
  mediaPlane: MediaPlane
  limits?: Partial<HubLimits>
  clock?: Clock
  log?: Logger
  timings?: Partial<HubTimings>
  /** Empty-room timeout for rooms created without one. Default 5 minutes. */
  defaultEmptyRoomTimeoutMs?: number
  /** Room and client ids when the caller gives none. Default: 16 random bytes, base64url (128 bits). */
  generateId?: () => string
  /** Where rooms outlive the process; the hub loads every room from it when it starts, and closes it. Default: in memory. */
  registry?: RoomRegistry
}

export function generateSecureId(): string {
  return randomBytes(16).toString('base64url')
}

export class Hub {
  readonly #rooms = new Map<string, Room>()
  readonly #deps: Required<Omit<HubDeps, 'defaultEmptyRoomTimeoutMs' | 'timings' | 'limits'>> & { timings: HubTimings; limits: HubLimits }
  /** Resolves once the hub is closed. */
  #closing: Promise<void> | undefined
  readonly #defaultEmptyRoomTimeoutMs: number | undefined

  constructor(deps: HubDeps) {
    const log = deps.log ?? silentLogger
    this.#deps = {
      // Whatever plane it is given, no exception crosses between it and the rooms.
      mediaPlane: guardMediaPlane(deps.mediaPlane, log),
      clock: deps.clock ?? systemClock,
      log,
      generateId: deps.generateId ?? generateSecureId,
      timings: { ...DEFAULT_TIMINGS, ...deps.timings },
      limits: { ...DEFAULT_LIMITS, ...deps.limits },
      registry: deps.registry ?? createMemoryRegistry(),
    }
    this.#defaultEmptyRoomTimeoutMs = deps.defaultEmptyRoomTimeoutMs
    const stored = this.#deps.registry.loadAll()
    for (const record of stored) this.#addRoom(record).restore(record)
    if (stored.length > 0) log('info', 'rooms loaded', { rooms: stored.length, registry: this.#deps.registry.description })
  }

  get log(): Logger {
    return this.#deps.log
  }

  get roomIds(): string[] {
    return [...this.#rooms.keys()]
  }

  createRoom(request: CreateRoomRequest): Room {
    const id = request.id === undefined || request.id === '' ? this.#deps.generateId() : request.id
    if (this.#rooms.has(id)) throw conflict(`room "${id}" already exists`)
    const { maxRooms } = this.#deps.limits
    if (this.#rooms.size >= maxRooms) throw limitReached(`the hub already holds its maximum of ${maxRooms} rooms; try again later`)
    const options = fillRoomOptions(request.options, {
      emptyRoomTimeoutNs: this.#defaultEmptyRoomTimeoutMs === undefined ? undefined : this.#defaultEmptyRoomTimeoutMs * NS_PER_MS,
    })
    // Parley's host controls: the key goes to the creator once (the create response) and is never logged.
    const parley = request.options?.parley?.host_controls ? { hostKey: generateSecureId() } : {}
    const record = { id, name: request.name ?? '', options, channels: [], parley }
    persist(`room "${id}"`, () => this.#deps.registry.saveRoom(record))
    const room = this.#addRoom({ ...record, meta: {} })
    room.restore({ ...record, meta: {} })
    this.#deps.log('info', 'room created', { roomId: id, hostControls: 'hostKey' in parley })
    return room
  }

  /** Takes in a room stored elsewhere: a cluster node adopting the room of a node that died (src/cluster/). */
  adoptRoom(record: RoomRecord): Room {
    if (this.#rooms.has(record.id)) throw conflict(`room "${record.id}" already exists`)
    const room = this.#addRoom(record)
    room.restore(record)
    this.#deps.log('info', 'room adopted', { roomId: record.id })
    return room
  }

  /** RTP packets the media plane forwarded so far (0 when it does not count them): a cluster node's load. */
  get packetsForwarded(): number {
    return this.#deps.mediaPlane.packetsForwarded?.() ?? 0
  }

  /** Whether this hub holds the room (no 404 thrown, for routing). */
  holds(roomId: string): boolean {
    return this.#rooms.has(roomId)
  }

  #addRoom({ id, name, options }: RoomRecord): Room {
    const { maxClientsPerRoom, maxMetaCharsPerRoom, maxMetaKeysPerRoom, maxMetaKeysPerRequest, maxCandidatesPerClient, maxTracksPerClient, maxSubscribedTracksPerClient } = this.#deps.limits
    const room = new Room(id, name, options, {
      ...this.#deps,
      maxClients: maxClientsPerRoom,
      meta: { maxChars: maxMetaCharsPerRoom, maxKeys: maxMetaKeysPerRoom, maxKeysPerRequest: maxMetaKeysPerRequest },
      maxCandidatesPerClient,
      maxTracksPerClient,
      maxSubscribedTracksPerClient,
      onClosed: (closed, reason) => this.#roomClosed(closed, reason),
    })
    this.#rooms.set(id, room)
    return room
  }

  /** A room that ended is forgotten, by the registry too; one closed by the hub's shutdown stays stored. */
  #roomClosed(room: Room, reason: LeftReason): void {
    if (this.#rooms.get(room.id) !== room) return
    this.#rooms.delete(room.id)
    if (reason === 'shutdown') return
    try {
      this.#deps.registry.deleteRoom(room.id)
    } catch (error) {
      // The room is gone for its clients either way; a stale record comes back after a restart, empty.
      this.#deps.log('error', 'the registry could not forget a room', { roomId: room.id, error })
    }
  }

  /** The room, or a 404 naming it. */
  room(roomId: string): Room {
    const room = this.#rooms.get(roomId)
    if (!room) throw notFound(`room "${roomId}" not found`)
    return room
  }

  /** True from the start of `close()`: the hub answers nothing more about rooms (they are being closed). */
  get closing(): boolean {
    return this.#closing !== undefined
  }

  /**
   * Shuts the hub down: every client gets `left` with reason `shutdown` (its room stays in the registry,
   * so it can come back after a restart), the media plane and the registry are closed.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const room of [...this.#rooms.values()]) room.close('shutdown')
      try {
        await this.#deps.mediaPlane.close()
      } finally {
        this.#deps.registry.close()
      }
    })()
    return this.#closing
  }
}

export function createHub(deps: HubDeps): Hub {
  return new Hub(deps)
}
