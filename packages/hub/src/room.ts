// One room: its clients (registry and removal), its metadata, its data channels and its own empty-room
// timer. Each client's life is in client.ts, track routing in tracks.ts, the metadata store in
// roomMeta.ts. All I/O goes through injected collaborators (media plane, clock, logger); the HTTP layer
// calls the public methods and turns a thrown HubError into a 4xx envelope.
import {
  type LeftReason,
  type MetaRecord,
  type RegisteredClient,
  type Room as RoomWire,
  type RoomOptions,
  type SubscribeTracksRequest,
  type TrackSourcesRequest,
  INTERNAL_CHANNEL_LABEL,
  clientIdOfMediaStateKey,
  mediaStateMetaKey,
  PARLEY_CONNECTION_EVENT,
  PARLEY_KNOCKS_EVENT,
  PARLEY_VIDEO_PAUSED_EVENT,
} from '@parley/protocol'
import type { ActedBy } from '@parley/protocol'
import { type Client, type ClientRoom, createClient } from './client.js'
import { type Clock, Timer } from './clock.js'
import { conflict, limitReached, notFound } from './errors.js'
import type { ParleyRoomRecord } from './hostControls.js'
import { HostHandover } from './hostHandover.js'
import { Lobby } from './lobby.js'
import type { LogFields, Logger } from './log.js'
import type { MediaPlane, PublishedTrack } from './media/types.js'
import { type MetaLimits, RoomMeta } from './roomMeta.js'
import { type RoomHeadRecord, type RoomRecord, type RoomRegistry, persist } from './registry/types.js'
import { NS_PER_MS } from './roomOptions.js'
import { issueRoomPasses } from './roomPass.js'
import type { HubTimings } from './timings.js'
import { TrackRouter } from './tracks.js'

export { DEFAULT_TIMINGS, type HubTimings } from './timings.js'

export interface RoomDeps {
  clock: Clock
  mediaPlane: MediaPlane
  log: Logger
  timings: HubTimings
  /** Clients registered at once; one more is refused with 429. */
  maxClients: number
  /** The metadata caps; a setmeta beyond is refused with 413. */
  meta: MetaLimits
  /** ICE candidates one client may send; one more is refused with 429. */
  maxCandidatesPerClient: number
  /** Tracks one client's offer may send; more is refused with 413. */
  maxTracksPerClient: number
  /** Tracks forwarded to one subscriber at once; the rest wait for a free slot (subscriptionSlots.ts). */
  maxSubscribedTracksPerClient: number
  generateId(): string
  /** Where the room's lasting state (metadata, channels, extensions) is written through. */
  registry: RoomRegistry
  /** The room ended (explicitly, after being empty, or the hub is shutting down): forget it. */
  onClosed(room: Room, reason: LeftReason): void
}

export class Room {
  readonly #clients = new Map<string, Client>()
  readonly #meta: RoomMeta
  readonly #channels = new Map<string, { ordered: boolean }>()
  /** Parley extensions of the stored record (`RoomHeadRecord.parley`). */
  #parley: Record<string, unknown> = {}
  readonly #tracks: TrackRouter
  readonly #emptyTimer: Timer
  /** Host controls: the last host present gone, someone still here becomes one after a grace. */
  readonly #handover: HostHandover
  #closed = false
  /** Parley's extensions of the room record (host controls: hostControls.ts), as stored. */
  get parley(): ParleyRoomRecord {
    return this.#parley as ParleyRoomRecord
  }
  readonly #deps: RoomDeps
  /** Parley: who knocks on the room while it is locked (host controls; lobby.ts). */
  readonly lobby: Lobby
  /** What the clients report to this room. */
  readonly #asClientRoom: ClientRoom

  constructor(
    readonly id: string,
    readonly name: string,
    readonly options: RoomOptions,
    deps: RoomDeps,
  ) {
    this.#deps = deps
    this.#meta = new RoomMeta(id, deps.meta)
    this.#tracks = new TrackRouter({
      clock: deps.clock,
      timings: deps.timings,
      log: (level, msg, fields) => this.#log(level, msg, fields),
      clients: () => this.#clients.values(),
      safely: (what, client, run) => this.#safely(what, client, run),
      maxSubscribedTracks: deps.maxSubscribedTracksPerClient,
    })
    this.#asClientRoom = {
      joined: (client) => this.#clientJoined(client),
      receiving: (client) => this.#tracks.receiving(client),
      expel: (client, reason, why) => this.#safely('removing a client', client, () => this.removeClient(client, reason, why)),
      trackPublished: (client, track) => this.#tracks.published(client, track),
      trackUnpublished: (client, track) => this.#tracks.unpublished(client, track),
      dataChannelMessage: (client, label, data) => this.#forwardMessage(client, label, data),
      connectionProblem: (client, problem, silentMs) => this.#connectionProblem(client, problem, silentMs),
      videoPaused: (client, track, paused) => this.#videoPaused(client, track, paused),
    }
    this.lobby = new Lobby({
      roomId: id,
      clock: deps.clock,
      pingIntervalMs: deps.timings.pingIntervalMs,
      generateId: deps.generateId,
      locked: () => this.parley.locked === true,
      issuePasses: (count) => issueRoomPasses(this, count),
      tellClients: (event) => {
        for (const client of this.#clients.values()) client.sse.send(PARLEY_KNOCKS_EVENT, event)
      },
      log: deps.log,
    })
    this.#handover = new HostHandover(this, {
      clock: deps.clock,
      graceMs: deps.timings.hostHandoverGraceMs,
      log: (level, msg, fields) => this.#log(level, msg, fields),
      safely: (what, action) => this.#safely(what, undefined, action),
    })
    this.#emptyTimer = new Timer(deps.clock)
    this.#startEmptyTimer()
  }

  get closed(): boolean {
    return this.#closed
  }

  get clientIds(): string[] {
    return [...this.#clients.keys()]
  }

  describe(): RoomWire {
    return { id: this.id, name: this.name, options: this.options }
  }

  /** The room as the registry stores it, without its metadata. */
  head(): RoomHeadRecord {
    const channels = [...this.#channels].map(([label, { ordered }]) => ({ label, ordered }))
    return { id: this.id, name: this.name, options: this.options, channels, parley: this.#parley }
  }

  /**
   * Takes back what the registry kept from before a restart. No client survives a restart, so the
   * media-state keys of clients are stale: they are deleted, as when a client is removed.
   */
  restore(record: RoomRecord): void {
    const meta = Object.entries(record.meta)
    this.#meta.restore(Object.fromEntries(meta.filter(([key]) => clientIdOfMediaStateKey(key) === undefined)))
    for (const [key] of meta) if (clientIdOfMediaStateKey(key) !== undefined) this.#deps.registry.deleteMeta(this.id, key)
    for (const { label, ordered } of record.channels) this.#channels.set(label, { ordered })
    this.#parley = { ...record.parley }
  }

  /** A Parley extension's stored value (e.g. host controls' host key), or undefined. */
  extension(name: string): unknown {
    return this.#parley[name]
  }

  /** Stores (written through) or, with undefined, removes a Parley extension's value (JSON). */
  setExtension(name: string, value: unknown): void {
    this.setExtensions({ [name]: value })
  }

  /** Several Parley extensions at once, in one write (undefined removes one). */
  setExtensions(values: Record<string, unknown>): void {
    const parley = { ...this.#parley }
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete parley[name]
      else parley[name] = value
    }
    persist(`room "${this.id}"`, () => this.#deps.registry.saveRoom({ ...this.head(), parley }))
    this.#parley = parley
  }

  // -------------------------------------------------------------------------------------------
  // Clients

  register(request: { uid?: string | number; name?: string; enable_vad?: boolean }): RegisteredClient {
    const clientId = request.uid === undefined || request.uid === '' ? this.#deps.generateId() : String(request.uid)
    if (this.#clients.has(clientId)) throw conflict(`client "${clientId}" is already registered in room "${this.id}"`)
    const { maxClients, clock, timings, mediaPlane } = this.#deps
    if (this.#clients.size >= maxClients) throw limitReached(`room "${this.id}" is full: it holds its maximum of ${maxClients} clients`)
    const client = createClient(
      { id: clientId, roomId: this.id, name: request.name ?? '', voiceActivity: request.enable_vad === true },
      { clock, timings, mediaPlane, maxCandidates: this.#deps.maxCandidatesPerClient, maxTracks: this.#deps.maxTracksPerClient, bitrates: this.options.bitrates, log: (level, msg, fields) => this.#log(level, msg, fields), room: this.#asClientRoom },
    )
    this.#clients.set(clientId, client)
    // The media plane creates the channels once the client's first offer is applied.
    for (const [label, channel] of this.#channels) client.peer.openDataChannel(label, channel.ordered)
    this.#log('info', 'client registered', { clientId })
    // The key in register's answer alone: setname's answer goes to whoever asks, proven or not.
    return { ...this.registered(client), parley_client_key: client.key.value }
  }

  /** The client, or a 404 naming what is missing. */
  client(clientId: string): Client {
    const client = this.#clients.get(clientId)
    if (!client) throw notFound(`client "${clientId}" not found in room "${this.id}"`)
    return client
  }

  /** What register and setname answer. */
  registered(client: Client): RegisteredClient {
    return { client_id: client.id, name: client.name, bitrates: this.options.bitrates }
  }

  leave(client: Client): void {
    this.removeClient(this.#member(client), 'left', 'client left')
  }

  /** Removes a client for good: `left` to it, its tracks stopped for everyone, its peer closed. */
  removeClient(client: Client, reason: LeftReason, why: string = reason, by?: ActedBy): void {
    if (client.removed) return
    const wasPresent = client.present
    client.markRemoved(reason, by)
    this.#clients.delete(client.id)
    this.#tracks.forget(client)
    client.closePeer()
    // Parley clients publish their media state under this key; a crashed client cannot delete it.
    const mediaKey = mediaStateMetaKey(client.id)
    if (!this.#closed && this.#meta.has(mediaKey)) this.deleteMeta(mediaKey)
    this.#log('info', 'client removed', { clientId: client.id, reason, why })
    // Host controls: the last host present gone, someone still here becomes one after a grace (hostHandover.ts).
    if (!this.#closed) this.#safely('handing the host on', client, () => this.#handover.clientRemoved(client))
    if (wasPresent && !this.#closed && ![...this.#clients.values()].some((other) => other.present)) this.#startEmptyTimer()
  }

  // -------------------------------------------------------------------------------------------
  // Tracks (tracks.ts decides)

  setTrackSources(client: Client, sources: TrackSourcesRequest): void {
    this.#tracks.setSources(this.#member(client), sources)
  }

  subscribeTracks(client: Client, requests: SubscribeTracksRequest): void {
    this.#tracks.subscribe(this.#member(client), requests)
  }

  // -------------------------------------------------------------------------------------------
  // Metadata

  getMeta(key: string): MetaRecord {
    return this.#meta.get(key)
  }

  setMeta(record: MetaRecord): void {
    const changes = this.#meta.set(record, () => persist(`room "${this.id}" metadata`, () => this.#deps.registry.setMeta(this.id, record)))
    for (const change of changes) this.#broadcast(change)
  }

  deleteMeta(key: string): void {
    this.#meta.delete(key, () => persist(`room "${this.id}" metadata`, () => this.#deps.registry.deleteMeta(this.id, key)))
    this.#broadcast({ [key]: null })
  }

  // -------------------------------------------------------------------------------------------
  // Data channels

  createChannel(label: string, ordered: boolean): void {
    if (this.#channels.has(label)) throw conflict(`data channel "${label}" already exists in room "${this.id}"`)
    // Every client has the hub's own channel of that name (internalChannel.ts).
    if (label === INTERNAL_CHANNEL_LABEL) throw conflict(`data channel "${label}" is the hub's own (hub-api-v1.md §5)`)
    const head = this.head()
    persist(`room "${this.id}" data channel`, () => this.#deps.registry.saveRoom({ ...head, channels: [...head.channels, { label, ordered }] }))
    this.#channels.set(label, { ordered })
    for (const client of this.#clients.values()) client.peer.openDataChannel(label, ordered)
    this.#log('info', 'data channel created', { label, ordered })
  }

  #forwardMessage(from: Client, label: string, data: string | Uint8Array): void {
    if (!this.#channels.has(label)) return
    // The plane drops it for a client whose channel is not open (yet).
    for (const other of this.#clients.values()) if (other !== from) other.peer.sendDataChannelMessage(label, data)
  }

  // -------------------------------------------------------------------------------------------
  // Room lifecycle

  /** Ends the room: every client gets `left`, every peer closes. `shutdown` keeps it in the registry. */
  close(reason: LeftReason = 'ended', by?: ActedBy): void {
    if (this.#closed) return
    this.#closed = true
    this.#emptyTimer.cancel()
    this.#handover.cancel()
    // Who waits to be let in hears the room ended; a shutdown just ends their streams (the room comes back).
    this.lobby.end(reason === 'shutdown' ? undefined : { admitted: false, reason: 'room_ended' })
    for (const client of [...this.#clients.values()]) this.removeClient(client, reason, reason === 'shutdown' ? 'hub shutting down' : 'room ended', by)
    this.#log('info', 'room closed', { reason })
    this.#deps.onClosed(this, reason)
  }

  #startEmptyTimer(): void {
    this.#emptyTimer.start(this.options.empty_room_timeout_ns / NS_PER_MS, () => {
      this.#log('info', 'room was empty too long')
      this.#safely('closing the room', undefined, () => this.close('ended'))
    })
  }

  /** First `connected`: the client joins the media routing (rule 1 of the README). */
  #clientJoined(client: Client): void {
    this.#emptyTimer.cancel()
    this.#log('info', 'client connected', { clientId: client.id })
    this.#tracks.joined(client)
  }

  /** Parley: the others are told that a client's media stopped reaching the hub, or came back. */
  #connectionProblem(client: Client, problem: boolean, silentMs: number): void {
    this.#log(problem ? 'warn' : 'info', problem ? 'connection problem' : 'connection back', { clientId: client.id, silentMs })
    for (const other of this.#clients.values()) if (other !== client) other.sse.send(PARLEY_CONNECTION_EVENT, { client_id: client.id, problem })
  }

  /** Parley: a subscriber is told the hub paused (or resumed) a video track to it, for its link's bandwidth. */
  #videoPaused(client: Client, track: PublishedTrack, paused: boolean): void {
    client.sse.send(PARLEY_VIDEO_PAUSED_EVENT, { client_id: track.clientId, track_id: track.trackId, paused, reason: 'bandwidth' })
  }

  #broadcast(change: MetaRecord): void {
    for (const client of this.#clients.values()) client.sse.send('meta_changed', change)
  }

  /** The client, still registered here (a request may race its removal). */
  #member(client: Client): Client {
    if (this.#clients.get(client.id) !== client) throw notFound(`client "${client.id}" not found in room "${this.id}"`)
    return client
  }

  /** A timer callback must never throw into the clock: a bug in one is logged. */
  #safely(what: string, client: Client | undefined, action: () => void): void {
    try {
      action()
    } catch (error) {
      this.#log('error', `${what} failed`, { clientId: client?.id, error })
    }
  }

  #log(level: Parameters<Logger>[0], msg: string, fields?: LogFields): void {
    this.#deps.log(level, msg, { roomId: this.id, ...fields })
  }
}
