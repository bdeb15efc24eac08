// Track routing in one room: the client-compatibility rule of the README. Everyone present receives
// every track at once (rule 1); availability is announced separately, by settracksources or after a
// grace (rule 2); subscribetracks only ensures a subscription (rule 3); a track that ends is ended for
// every subscriber (rule 4). The media plane does the forwarding; this decides who gets what, and when
// `tracks_added` / `tracks_available` go out. A client whose peer never connected publishes to nobody:
// its tracks are kept, and reach the others (forwarded, announced) only once it is present, so a client
// that offers and never connects cannot make every member of the room renegotiate.
import type { SubscribeTracksRequest, TrackInfo, TrackSource, TrackSourcesRequest } from '@parley/protocol'
import type { Client } from './client.js'
import { type Clock, Timer } from './clock.js'
import { notFound } from './errors.js'
import type { LogFields, LogLevel } from './log.js'
import type { PublishedTrack } from './media/types.js'
import type { HubTimings } from './timings.js'
import { SubscriptionSlots } from './subscriptionSlots.js'

/** A track a client publishes, as the room tracks it. */
interface TrackState {
  readonly track: PublishedTrack
  source: TrackSource | 'unknown'
  /** Announced to the others with `tracks_available`. */
  available: boolean
  /** Announces the track as `media` if the publisher never calls settracksources. */
  readonly grace: Timer
}

/** Everything one client publishes. */
interface Publisher {
  readonly tracks: Map<string, TrackState>
  /** Tracks waiting for the debounced `tracks_added`. */
  readonly pendingAdded: Set<string>
  readonly addedTimer: Timer
}

export interface TrackRouterDeps {
  clock: Clock
  timings: Pick<HubTimings, 'tracksAddedDebounceMs' | 'trackSourceGraceMs'>
  log(level: LogLevel, msg: string, fields?: LogFields): void
  /** The room's clients, in registration order. */
  clients(): Iterable<Client>
  /** A timer callback, run so that an exception in it is logged rather than thrown. */
  safely(what: string, client: Client, run: () => void): void
  /** Tracks forwarded to one subscriber at once (subscriptionSlots.ts); the rest wait for a free slot. */
  maxSubscribedTracks: number
}

export class TrackRouter {
  readonly #publishers = new Map<Client, Publisher>()
  /** Clients receiving the others' tracks: present ones, and joining ones whose offer has receive slots. */
  readonly #receivers = new Set<Client>()
  readonly #deps: TrackRouterDeps
  readonly #slots: SubscriptionSlots

  constructor(deps: TrackRouterDeps) {
    this.#deps = deps
    this.#slots = new SubscriptionSlots(deps.maxSubscribedTracks, deps.log)
  }

  /** The media plane reports a new track of `client`. */
  published(client: Client, track: PublishedTrack): void {
    const publisher = this.#publisher(client)
    if (publisher.tracks.has(track.trackId)) return
    const state: TrackState = { track, source: 'unknown', available: false, grace: new Timer(this.#deps.clock) }
    publisher.tracks.set(track.trackId, state)
    this.#deps.log('info', 'track published', { clientId: client.id, trackId: track.trackId, kind: track.kind })
    if (client.present) this.#goLive(client, publisher, state)
    publisher.pendingAdded.add(track.trackId)
    const { timings } = this.#deps
    const flush = () => this.#deps.safely('sending tracks_added', client, () => this.#flushAdded(client))
    if (timings.tracksAddedDebounceMs <= 0) {
      if (publisher.pendingAdded.size === 1) queueMicrotask(flush)
    } else if (!publisher.addedTimer.running) {
      publisher.addedTimer.start(timings.tracksAddedDebounceMs, flush)
    }
  }

  unpublished(client: Client, track: PublishedTrack): void {
    const publisher = this.#publishers.get(client)
    const state = publisher?.tracks.get(track.trackId)
    if (!publisher || !state) return
    state.grace.cancel()
    publisher.tracks.delete(track.trackId)
    publisher.pendingAdded.delete(track.trackId)
    this.#deps.log('info', 'track unpublished', { clientId: client.id, trackId: track.trackId })
    this.#unsubscribeEveryone(state.track)
  }

  /** settracksources: unknown or gone tracks are ignored, as the hosted hub does. */
  setSources(client: Client, sources: TrackSourcesRequest): void {
    const publisher = this.#publishers.get(client)
    const changed: TrackState[] = []
    for (const { track_id, source } of sources) {
      const state = publisher?.tracks.get(track_id)
      if (!state || (state.available && state.source === source)) continue
      state.source = source
      changed.push(state)
    }
    this.#announce(client, changed)
  }

  /** subscribetracks: everything is checked before anything changes, so a bad entry applies nothing. */
  subscribe(client: Client, requests: SubscribeTracksRequest): void {
    const tracks: PublishedTrack[] = []
    for (const request of requests) {
      if (request.client_id === client.id) continue
      const publisher = [...this.#deps.clients()].find((candidate) => candidate.id === request.client_id)
      if (!publisher) throw notFound(`client "${request.client_id}" not found in room "${client.roomId}"`)
      const state = this.#publishers.get(publisher)?.tracks.get(request.track_id)
      if (!state) throw notFound(`track "${request.track_id}" is not published by client "${request.client_id}"`)
      // A publisher not connected yet reaches nobody; rule 1 subscribes everyone once it does.
      if (publisher.present) tracks.push(state.track)
    }
    // A client that receives nothing yet gets every track when it does.
    if (!this.#receivers.has(client)) return
    this.#slots.ensure(client, tracks)
  }

  /**
   * The client starts receiving: every track of the present others, and it hears of the available ones.
   * On its first `connected`, or earlier, at its first offer, when that offer has receive slots for the
   * tracks to come in the hub's answer (client.ts). Once per client.
   */
  receiving(client: Client): void {
    if (this.#receivers.has(client)) return
    this.#receivers.add(client)
    const available: Record<string, TrackInfo> = {}
    for (const publisher of this.#others(client)) {
      if (!publisher.present) continue
      for (const state of this.#publishers.get(publisher)?.tracks.values() ?? []) {
        this.#slots.offer(client, state.track)
        if (state.available) available[state.track.trackId] = trackInfo(publisher, state)
      }
    }
    if (Object.keys(available).length > 0) client.sse.send('tracks_available', { tracks: available })
  }

  /**
   * A client's peer connected for the first time: it receives (if it did not already), and what it
   * published before it connected reaches the others now.
   */
  joined(client: Client): void {
    this.receiving(client)
    const own = this.#publishers.get(client)
    if (!own) return
    const announced = [...own.tracks.values()].filter((state) => state.available)
    for (const state of own.tracks.values()) this.#goLive(client, own, state)
    this.#announce(client, announced)
  }

  /** Rule 1 for a present publisher's track: everyone present receives it; the source grace starts. */
  #goLive(client: Client, publisher: Publisher, state: TrackState): void {
    for (const other of this.#others(client)) if (this.#receivers.has(other)) this.#slots.offer(other, state.track)
    if (state.available) return
    state.grace.start(this.#deps.timings.trackSourceGraceMs, () => {
      if (publisher.tracks.get(state.track.trackId) === state && !state.available) {
        this.#deps.safely('announcing a track', client, () => this.#announce(client, [state]))
      }
    })
  }

  /** The client is gone: its tracks end for everyone, its timers stop. */
  forget(client: Client): void {
    this.#receivers.delete(client)
    this.#slots.forget(client)
    const publisher = this.#publishers.get(client)
    if (!publisher) return
    this.#publishers.delete(client)
    publisher.addedTimer.cancel()
    for (const state of publisher.tracks.values()) {
      state.grace.cancel()
      this.#unsubscribeEveryone(state.track)
    }
  }

  #publisher(client: Client): Publisher {
    let publisher = this.#publishers.get(client)
    if (!publisher) {
      publisher = { tracks: new Map(), pendingAdded: new Set(), addedTimer: new Timer(this.#deps.clock) }
      this.#publishers.set(client, publisher)
    }
    return publisher
  }

  #flushAdded(client: Client): void {
    const publisher = this.#publishers.get(client)
    if (!publisher) return
    const tracks: Record<string, TrackInfo> = {}
    for (const trackId of publisher.pendingAdded) {
      const state = publisher.tracks.get(trackId)
      if (state) tracks[trackId] = trackInfo(client, state)
    }
    publisher.pendingAdded.clear()
    if (Object.keys(tracks).length > 0) client.sse.send('tracks_added', { tracks })
  }

  /** Marks tracks available (source `media` when never set) and tells every other present client. */
  #announce(publisher: Client, states: TrackState[]): void {
    if (states.length === 0) return
    const tracks: Record<string, TrackInfo> = {}
    for (const state of states) {
      state.grace.cancel()
      if (state.source === 'unknown') state.source = 'media'
      state.available = true
      tracks[state.track.trackId] = trackInfo(publisher, state)
    }
    // Sources set before the publisher connected are announced when it does (joined).
    if (!publisher.present) return
    for (const other of this.#others(publisher)) if (this.#receivers.has(other)) other.sse.send('tracks_available', { tracks })
  }

  #unsubscribeEveryone(track: PublishedTrack): void {
    this.#slots.withdraw(track)
  }

  *#others(client: Client): Iterable<Client> {
    for (const other of this.#deps.clients()) if (other !== client) yield other
  }
}

function trackInfo(publisher: Client, state: TrackState): TrackInfo {
  return {
    id: state.track.trackId,
    track_id: state.track.trackId,
    client_id: publisher.id,
    client_name: publisher.name,
    stream_id: state.track.streamId,
    kind: state.track.kind,
    source: state.source,
  }
}
