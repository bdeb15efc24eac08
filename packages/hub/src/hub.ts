// The room registry. No globals: everything it needs is injected, and `close()` releases it all.
import { randomBytes } from 'node:crypto'
import type { CreateRoomRequest } from '@parley/protocol'
import { type Clock, systemClock } from './clock.js'
import { conflict, limitReached, notFound } from './errors.js'
import { type Logger, silentLogger } from './log.js'
import { guardMediaPlane } from './media/boundary.js'
import type { MediaPlane } from './media/types.js'
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
}

export const DEFAULT_LIMITS: HubLimits = {
  maxRooms: 1_000,
  maxClientsPerRoom: 50,
  maxMetaCharsPerRoom: 1024 * 1024,
  maxMetaKeysPerRoom: 1_000,
  maxMetaKeysPerRequest: 100,
  maxCandidatesPerClient: 1_000,
  maxTracksPerClient: 8,
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
}

export function generateSecureId(): string {
  return randomBytes(16).toString('base64url')
}

export class Hub {
  readonly #rooms = new Map<string, Room>()
  readonly #deps: Required<Omit<HubDeps, 'defaultEmptyRoomTimeoutMs' | 'timings' | 'limits'>> & { timings: HubTimings; limits: HubLimits }
  readonly #defaultEmptyRoomTimeoutMs: number | undefined
  #closed = false

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
    }
    this.#defaultEmptyRoomTimeoutMs = deps.defaultEmptyRoomTimeoutMs
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
    const { maxRooms, maxClientsPerRoom, maxMetaCharsPerRoom, maxMetaKeysPerRoom, maxMetaKeysPerRequest, maxCandidatesPerClient, maxTracksPerClient } = this.#deps.limits
    if (this.#rooms.size >= maxRooms) throw limitReached(`the hub already holds its maximum of ${maxRooms} rooms; try again later`)
    const options = fillRoomOptions(request.options, {
      emptyRoomTimeoutNs: this.#defaultEmptyRoomTimeoutMs === undefined ? undefined : this.#defaultEmptyRoomTimeoutMs * NS_PER_MS,
    })
    const room = new Room(id, request.name ?? '', options, {
      ...this.#deps,
      maxClients: maxClientsPerRoom,
      meta: { maxChars: maxMetaCharsPerRoom, maxKeys: maxMetaKeysPerRoom, maxKeysPerRequest: maxMetaKeysPerRequest },
      maxCandidatesPerClient,
      maxTracksPerClient,
      onClosed: (closed) => {
        if (this.#rooms.get(closed.id) === closed) this.#rooms.delete(closed.id)
      },
    })
    // Parley's host controls: the key goes to the creator once (the create response) and is never logged.
    if (request.options?.parley?.host_controls) room.parley.hostKey = generateSecureId()
    this.#rooms.set(id, room)
    this.#deps.log('info', 'room created', { roomId: id, hostControls: room.parley.hostKey !== undefined })
    return room
  }

  /** The room, or a 404 naming it. */
  room(roomId: string): Room {
    const room = this.#rooms.get(roomId)
    if (!room) throw notFound(`room "${roomId}" not found`)
    return room
  }

  /** Ends every room and closes the media plane. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const room of [...this.#rooms.values()]) room.close('ended')
    await this.#deps.mediaPlane.close()
  }
}

export function createHub(deps: HubDeps): Hub {
  return new Hub(deps)
}
