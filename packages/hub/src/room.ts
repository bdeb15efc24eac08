// One room: its clients, metadata, data channels and track routing. All I/O goes through injected
// collaborators (media plane, clock, logger); the HTTP layer calls the public methods and turns a
// thrown HubError into a 4xx envelope.
import {
  type Answer,
  type IceCandidate,
  type LeftReason,
  type MetaRecord,
  type Offer,
  type RegisteredClient,
  type Room as RoomWire,
  type RoomOptions,
  type SessionDescription,
  type SubscribeTracksRequest,
  type TrackInfo,
  type TrackSourcesRequest,
  type Client as ClientWire,
  mediaStateMetaKey,
  ALLOWED_RENEGOTIATION_EVENT,
  Status,
} from '@parley/protocol'
import { Client, iceStateOf, type TrackState } from './client.js'
import { type Clock, Timer } from './clock.js'
import { HubError, badRequest, conflict, limitReached, messageOf, notFound } from './errors.js'
import type { LogFields, Logger } from './log.js'
import type { MediaPeerHandlers, MediaPlane, PublishedTrack } from './media/types.js'
import { MID_OFFER_MESSAGE, Negotiator, type NegotiationTimings } from './negotiation.js'
import { NS_PER_MS } from './roomOptions.js'
import { SseChannel, type SseSink } from './sse.js'

export interface HubTimings extends NegotiationTimings {
  /** A registered client whose peer does not connect within this is dropped. */
  connectTimeoutMs: number
  /** A client whose event stream closed and did not come back within this is removed. */
  reconnectGraceMs: number
  /** `ping` interval on open event streams. */
  pingIntervalMs: number
  /** Debounce of `tracks_added` to the publisher, batching the tracks of one offer. */
  tracksAddedDebounceMs: number
  /** A track whose publisher never calls settracksources becomes available as `media` after this. */
  trackSourceGraceMs: number
  /**
   * A client whose peer is `failed` stays this long (subscriptions kept, offers accepted) so an ICE
   * restart can bring it back, as the hosted hub does; still not `connected` after it → removed.
   */
  failedGraceMs: number
}

export const DEFAULT_TIMINGS: HubTimings = {
  offerDebounceMs: 100,
  answerTimeoutMs: 30_000,
  clientTurnTimeoutMs: 10_000,
  connectTimeoutMs: 60_000,
  reconnectGraceMs: 10_000,
  pingIntervalMs: 15_000,
  tracksAddedDebounceMs: 100,
  trackSourceGraceMs: 1_000,
  failedGraceMs: 5_000,
}

export interface RoomDeps {
  clock: Clock
  mediaPlane: MediaPlane
  log: Logger
  timings: HubTimings
  /** Clients registered at once; one more is refused with 429. */
  maxClients: number
  /** Characters of all metadata keys and their JSON values together; a setmeta beyond is refused with 413. */
  maxMetaChars: number
  generateId(): string
  /** The room ended (explicitly or after being empty): forget it. */
  onClosed(room: Room): void
}

export class Room {
  readonly #clients = new Map<string, Client>()
  readonly #meta = new Map<string, unknown>()
  /** Characters each key holds (key plus JSON value), and their sum: the room's metadata cap. */
  readonly #metaChars = new Map<string, number>()
  #metaCharsTotal = 0
  readonly #channels = new Map<string, { ordered: boolean }>()
  readonly #emptyTimer: Timer
  #closed = false
  readonly #deps: RoomDeps

  constructor(
    readonly id: string,
    readonly name: string,
    readonly options: RoomOptions,
    deps: RoomDeps,
  ) {
    this.#deps = deps
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

  // -------------------------------------------------------------------------------------------
  // Clients

  register(request: { uid?: string | number; name?: string }): RegisteredClient {
    const clientId = request.uid === undefined || request.uid === '' ? this.#deps.generateId() : String(request.uid)
    if (this.#clients.has(clientId)) throw conflict(`client "${clientId}" is already registered in room "${this.id}"`)
    const { maxClients } = this.#deps
    if (this.#clients.size >= maxClients) throw limitReached(`room "${this.id}" is full: it holds its maximum of ${maxClients} clients`)
    const { clock, timings, mediaPlane } = this.#deps
    const client = new Client(clientId, this.id, request.name ?? '', clock)
    client.sse = new SseChannel({
      clock,
      pingIntervalMs: timings.pingIntervalMs,
      onDisconnect: () => this.#streamLost(client),
    })
    client.peer = mediaPlane.createPeer({ roomId: this.id, clientId, handlers: this.#handlersFor(client) })
    client.negotiator = new Negotiator({
      peer: client.peer,
      clock,
      timings,
      log: (level, msg, fields) => this.#log(level, msg, { clientId, ...fields }),
      sendOffer: (offer) => client.sse.send('offer', offer),
      sendAllowedRenegotiation: () => client.sse.send(ALLOWED_RENEGOTIATION_EVENT, 'ok'),
      onAnswerTimeout: () => this.#safely('removing a client', client, () => this.removeClient(client, 'timeout', 'no answer to the hub offer')),
    })
    this.#clients.set(clientId, client)
    client.connectTimer.start(timings.connectTimeoutMs, () =>
      this.#safely('removing a client', client, () => this.removeClient(client, 'timeout', 'peer never connected')),
    )
    client.record('registered', { name: client.name })
    this.#log('info', 'client registered', { clientId })
    return this.#registered(client)
  }

  /** The client, or a 404 naming what is missing. */
  client(clientId: string): Client {
    const client = this.#clients.get(clientId)
    if (!client) throw notFound(`client "${clientId}" not found in room "${this.id}"`)
    return client
  }

  describeClient(clientId: string): ClientWire {
    const client = this.client(clientId)
    return {
      id: client.id,
      name: client.name,
      peer_connection_state: client.peer.connectionState,
      ice_peer_connection_state: iceStateOf(client.peer.connectionState),
      events: structuredClone(client.events),
    }
  }

  setName(clientId: string, name: string): RegisteredClient {
    const client = this.client(clientId)
    client.name = name
    client.record('name_changed', { name })
    return this.#registered(client)
  }

  leave(clientId: string): void {
    this.removeClient(this.client(clientId), 'left', 'client left')
  }

  /** Removes a client for good: `left` to it, its tracks stopped for everyone, its peer closed. */
  removeClient(client: Client, reason: LeftReason, why: string = reason): void {
    if (client.lifecycle === 'removed') return
    const wasPresent = client.present
    client.lifecycle = 'removed'
    client.stopTimers()
    client.negotiator.close()
    this.#clients.delete(client.id)
    client.sse.close({ event: 'left', data: { reason } })
    for (const state of client.tracks.values()) this.#unsubscribeEveryone(state.track)
    client.tracks.clear()
    client.peer.close().catch((error: unknown) => this.#log('warn', 'closing the peer failed', { clientId: client.id, error }))
    // Parley clients publish their media state under this key; a crashed client cannot delete it.
    const mediaKey = mediaStateMetaKey(client.id)
    if (!this.#closed && this.#meta.has(mediaKey)) this.deleteMeta(mediaKey)
    this.#log('info', 'client removed', { clientId: client.id, reason, why })
    if (wasPresent && !this.#closed && ![...this.#clients.values()].some((other) => other.present)) this.#startEmptyTimer()
  }

  /** Opens (or replaces) the client's event stream. */
  openEvents(clientId: string, sink: SseSink, lastEventId?: string): Client {
    const client = this.client(clientId)
    client.reconnectTimer.cancel()
    client.sse.attach(sink, lastEventId)
    client.record('events_connected')
    return client
  }

  // -------------------------------------------------------------------------------------------
  // Negotiation

  async addCandidate(clientId: string, candidate: IceCandidate): Promise<void> {
    const client = this.client(clientId)
    if (candidate.candidate === '') return
    try {
      await client.peer.addIceCandidate(candidate)
    } catch (error) {
      throw badRequest(`candidate rejected: ${messageOf(error)}`)
    }
  }

  isAllowNegotiate(clientId: string): void {
    const client = this.client(clientId)
    if (!client.negotiator.requestClientTurn()) throw new HubError(403, MID_OFFER_MESSAGE)
  }

  async negotiate(clientId: string, description: SessionDescription): Promise<Answer | null> {
    const client = this.client(clientId)
    if (description.type === 'offer') {
      const answer = await this.#mediaCall(client, 'offer', () => client.negotiator.handleClientOffer(description as Offer))
      if (!client.firstOfferAnswered && client.lifecycle !== 'removed') {
        client.firstOfferAnswered = true
        for (const [label, channel] of this.#channels) client.peer.openDataChannel(label, channel.ordered)
      }
      return answer
    }
    await this.#mediaCall(client, 'answer', () => client.negotiator.handleClientAnswer(description as Answer))
    return null
  }

  // -------------------------------------------------------------------------------------------
  // Tracks

  setTrackSources(clientId: string, sources: TrackSourcesRequest): void {
    const client = this.client(clientId)
    const changed: TrackState[] = []
    for (const { track_id, source } of sources) {
      // Unknown or already gone tracks are ignored, as the hosted hub does.
      const state = client.tracks.get(track_id)
      if (!state || (state.available && state.source === source)) continue
      state.source = source
      changed.push(state)
    }
    this.#announce(client, changed)
  }

  subscribeTracks(clientId: string, requests: SubscribeTracksRequest): void {
    const client = this.client(clientId)
    const tracks: PublishedTrack[] = []
    // Everything is checked before anything changes, so a bad entry leaves no half-applied request.
    for (const request of requests) {
      if (request.client_id === clientId) continue
      const publisher = this.#clients.get(request.client_id)
      if (!publisher) throw notFound(`client "${request.client_id}" not found in room "${this.id}"`)
      const state = publisher.tracks.get(request.track_id)
      if (!state) throw notFound(`track "${request.track_id}" is not published by client "${request.client_id}"`)
      tracks.push(state.track)
    }
    // A client that is not connected yet gets every track when it connects.
    if (!client.present) return
    for (const track of tracks) this.#subscribe(client, track)
  }

  // -------------------------------------------------------------------------------------------
  // Metadata

  getMeta(key: string): MetaRecord {
    if (!this.#meta.has(key)) throw notFound(`meta key "${key}" not found in room "${this.id}"`)
    return { [key]: this.#meta.get(key) }
  }

  setMeta(record: MetaRecord): void {
    const entries = Object.entries(record).map(([key, value]) => ({ key, value, chars: key.length + JSON.stringify(value).length }))
    // Checked before anything is stored, so a refused body changes nothing.
    let total = this.#metaCharsTotal
    for (const { key, chars } of entries) total += chars - (this.#metaChars.get(key) ?? 0)
    const { maxMetaChars } = this.#deps
    if (total > maxMetaChars) {
      throw new HubError(Status.payloadTooLarge, `room "${this.id}" metadata would hold ${total} characters, over its limit of ${maxMetaChars}; delete keys first`)
    }
    for (const { key, value, chars } of entries) {
      this.#meta.set(key, value)
      this.#metaChars.set(key, chars)
      this.#broadcast('meta_changed', { [key]: value })
    }
    this.#metaCharsTotal = total
  }

  deleteMeta(key: string): void {
    if (!this.#meta.delete(key)) throw notFound(`meta key "${key}" not found in room "${this.id}"`)
    this.#metaCharsTotal -= this.#metaChars.get(key) ?? 0
    this.#metaChars.delete(key)
    this.#broadcast('meta_changed', { [key]: null })
  }

  // -------------------------------------------------------------------------------------------
  // Data channels

  createChannel(label: string, ordered: boolean): void {
    if (this.#channels.has(label)) throw conflict(`data channel "${label}" already exists in room "${this.id}"`)
    this.#channels.set(label, { ordered })
    for (const client of this.#clients.values()) {
      if (client.firstOfferAnswered) client.peer.openDataChannel(label, ordered)
    }
    this.#log('info', 'data channel created', { label, ordered })
  }

  // -------------------------------------------------------------------------------------------
  // Room lifecycle

  /** Ends the room: every client gets `left`, every peer closes. */
  close(reason: LeftReason = 'ended'): void {
    if (this.#closed) return
    this.#closed = true
    this.#emptyTimer.cancel()
    for (const client of [...this.#clients.values()]) this.removeClient(client, reason, 'room ended')
    this.#log('info', 'room closed', { reason })
    this.#deps.onClosed(this)
  }

  #startEmptyTimer(): void {
    this.#emptyTimer.start(this.options.empty_room_timeout_ns / NS_PER_MS, () => {
      this.#log('info', 'room was empty too long')
      this.#safely('closing the room', undefined, () => this.close('ended'))
    })
  }

  // -------------------------------------------------------------------------------------------
  // Media plane events

  #handlersFor(client: Client): MediaPeerHandlers {
    const alive = () => client.lifecycle !== 'removed'
    return this.#guarded(client, {
      onIceCandidate: (candidate) => {
        if (alive()) client.sse.send('candidate', candidate)
      },
      onTrackPublished: (track) => {
        if (alive()) this.#trackPublished(client, track)
      },
      onTrackUnpublished: (track) => {
        if (alive()) this.#trackUnpublished(client, track)
      },
      onConnectionStateChange: (state) => {
        if (!alive()) return
        client.record('peer_connection_state', { state })
        if (state === 'closed') {
          this.removeClient(client, 'removed', 'peer connection closed')
          return
        }
        // `disconnected` often heals by itself; `failed` gets the grace in which the client's ICE
        // restart (a client offer) may bring it back. Only `connected` ends the grace.
        if (state === 'failed' && !client.failedTimer.running) this.#startFailedGrace(client)
        if (state === 'connected') {
          client.failedTimer.cancel()
          if (client.lifecycle === 'registered') this.#clientConnected(client)
        }
        client.negotiator.peerStateChanged()
      },
      onNegotiationNeeded: () => {
        if (alive()) client.negotiator.hubChanged()
      },
      onDataChannelMessage: (label, data) => {
        if (!alive() || !this.#channels.has(label)) return
        for (const other of this.#clients.values()) {
          if (other !== client && other.firstOfferAnswered) {
            this.#safely('forwarding a data-channel message', other, () => other.peer.sendDataChannelMessage(label, data))
          }
        }
      },
    })
  }

  /** Media-plane callbacks run on werift's stack: a bug in one must be logged, never crash the process. */
  #guarded(client: Client, handlers: MediaPeerHandlers): MediaPeerHandlers {
    const guarded = {} as Record<string, (...args: never[]) => void>
    for (const [name, handler] of Object.entries(handlers) as [string, (...args: never[]) => void][]) {
      guarded[name] = (...args) => this.#safely(name, client, () => handler(...args))
    }
    return guarded as unknown as MediaPeerHandlers
  }

  #safely(what: string, client: Client | undefined, action: () => void): void {
    try {
      action()
    } catch (error) {
      this.#log('error', `${what} failed`, { clientId: client?.id, error })
    }
  }

  /** First `connected`: the client joins the media routing (rule (b) of the README). */
  #clientConnected(client: Client): void {
    client.lifecycle = 'connected'
    client.connectTimer.cancel()
    this.#emptyTimer.cancel()
    this.#log('info', 'client connected', { clientId: client.id })
    const available: Record<string, TrackInfo> = {}
    for (const publisher of this.#clients.values()) {
      if (publisher === client) continue
      for (const state of publisher.tracks.values()) {
        this.#subscribe(client, state.track)
        if (state.available) available[state.track.trackId] = publisher.trackInfo(state)
      }
    }
    if (Object.keys(available).length > 0) client.sse.send('tracks_available', { tracks: available })
  }

  #trackPublished(client: Client, track: PublishedTrack): void {
    if (client.tracks.has(track.trackId)) return
    const state: TrackState = { track, source: 'unknown', available: false, grace: new Timer(this.#deps.clock) }
    client.tracks.set(track.trackId, state)
    this.#log('info', 'track published', { clientId: client.id, trackId: track.trackId, kind: track.kind })
    // Rule (a): everyone present receives it at once, before any settracksources/subscribetracks.
    for (const other of this.#clients.values()) {
      if (other !== client && other.present) this.#subscribe(other, track)
    }
    state.grace.start(this.#deps.timings.trackSourceGraceMs, () => {
      if (client.tracks.get(track.trackId) === state && !state.available) this.#safely('announcing a track', client, () => this.#announce(client, [state]))
    })
    client.pendingTracksAdded.add(track.trackId)
    if (!client.tracksAddedTimer.running) {
      client.tracksAddedTimer.start(this.#deps.timings.tracksAddedDebounceMs, () =>
        this.#safely('sending tracks_added', client, () => this.#flushTracksAdded(client)),
      )
    }
  }

  #flushTracksAdded(client: Client): void {
    const tracks: Record<string, TrackInfo> = {}
    for (const trackId of client.pendingTracksAdded) {
      const state = client.tracks.get(trackId)
      if (state) tracks[trackId] = client.trackInfo(state)
    }
    client.pendingTracksAdded.clear()
    if (Object.keys(tracks).length > 0) client.sse.send('tracks_added', { tracks })
  }

  #trackUnpublished(client: Client, track: PublishedTrack): void {
    const state = client.tracks.get(track.trackId)
    if (!state) return
    state.grace.cancel()
    client.tracks.delete(track.trackId)
    client.pendingTracksAdded.delete(track.trackId)
    this.#log('info', 'track unpublished', { clientId: client.id, trackId: track.trackId })
    this.#unsubscribeEveryone(state.track)
  }

  /** Marks tracks available (source `media` when never set) and tells every other present client. */
  #announce(publisher: Client, states: TrackState[]): void {
    if (states.length === 0) return
    const tracks: Record<string, TrackInfo> = {}
    for (const state of states) {
      state.grace.cancel()
      if (state.source === 'unknown') state.source = 'media'
      state.available = true
      tracks[state.track.trackId] = publisher.trackInfo(state)
    }
    for (const other of this.#clients.values()) {
      if (other !== publisher && other.present) other.sse.send('tracks_available', { tracks })
    }
  }

  #subscribe(subscriber: Client, track: PublishedTrack): void {
    this.#safely('subscribing', subscriber, () => {
      subscriber.peer.subscribe(track)
      this.#deps.mediaPlane.requestKeyframe(track)
    })
  }

  #unsubscribeEveryone(track: PublishedTrack): void {
    for (const other of this.#clients.values()) {
      if (other.id !== track.clientId) this.#safely('unsubscribing', other, () => other.peer.unsubscribe(track))
    }
  }

  #startFailedGrace(client: Client): void {
    this.#log('info', 'peer connection failed; waiting for an ICE restart', { clientId: client.id })
    client.failedTimer.start(this.#deps.timings.failedGraceMs, () =>
      this.#safely('removing a client', client, () => this.removeClient(client, 'removed', 'peer connection failed')),
    )
  }

  #streamLost(client: Client): void {
    if (client.lifecycle === 'removed') return
    client.record('events_disconnected')
    client.reconnectTimer.start(this.#deps.timings.reconnectGraceMs, () =>
      this.#safely('removing a client', client, () => this.removeClient(client, 'timeout', 'event stream did not come back')),
    )
  }

  #broadcast(event: 'meta_changed', data: unknown): void {
    for (const client of this.#clients.values()) client.sse.send(event, data)
  }

  #registered(client: Client): RegisteredClient {
    return { client_id: client.id, name: client.name, bitrates: this.options.bitrates }
  }

  /** Runs a media-plane call: lock refusals pass through, SDP the plane rejects is the client's 400. */
  async #mediaCall<T>(client: Client, what: 'offer' | 'answer', call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      if (error instanceof HubError) throw error
      this.#log('warn', `the ${what} was rejected`, { clientId: client.id, error })
      throw badRequest(`the ${what} could not be applied: ${messageOf(error)}`)
    }
  }

  #log(level: Parameters<Logger>[0], msg: string, fields?: LogFields): void {
    this.#deps.log(level, msg, { roomId: this.id, ...fields })
  }
}
