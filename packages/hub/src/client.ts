// One registered client's life, built by `createClient` with its collaborators (event stream, media
// peer, negotiation lock). Its life is an explicit union of phases, each with at most one deadline:
//
//   joining ──(peer connected)──▶ present ──(peer failed)──▶ failing ──(peer connected)──▶ present
//   joining ──(peer failed)──▶ failing(not present yet)        failing ──(grace over)──▶ removed
//   joining ──(connect timeout)──▶ removed                      any ──(leave, end, peer closed)──▶ removed
//
// and, beside it, its event stream: unopened → open ⇄ lost (reconnect grace) → removed.
// Decisions about other clients (media routing, data-channel forwarding, the room's own timer) are
// the room's: the client reports to it through `ClientRoom`.
import {
  type Answer,
  ALLOWED_RENEGOTIATION_EVENT,
  type Bitrates,
  type Client as ClientWire,
  type IceCandidate,
  type ActedBy,
  type LeftReason,
  type Offer,
  type SessionDescription,
  INTERNAL_CHANNEL_LABEL,
  Status,
  messageOf,
} from '@parley/protocol'
import { ClientKey } from './clientKey.js'
import type { Clock } from './clock.js'
import { HubError, badRequest, limitReached, notFound } from './errors.js'
import type { LogFields, LogLevel } from './log.js'
import type { MediaPeer, MediaPlane, PeerConnectionState, PublishedTrack, VoiceActivity } from './media/types.js'
import { InternalChannel } from './internalChannel.js'
import { LivenessWatch } from './liveness.js'
import { MID_OFFER_MESSAGE, Negotiator } from './negotiation.js'
import { Phases } from './phases.js'
import { receiveSlotCount, sendingTrackCount } from './sdpLimits.js'
import { SseChannel, type SseSink } from './sse.js'
import { resumeWindowMs, type HubTimings } from './timings.js'

export type ClientPhase =
  /** Registered, its peer not connected yet; the connect timeout runs. */
  | { readonly name: 'joining' }
  /** Its peer connected (at least once): it takes part in the room's media routing. */
  | { readonly name: 'present' }
  /** Its peer failed; the grace for an ICE restart runs. `present` as it was before the failure. */
  | { readonly name: 'failing'; readonly present: boolean }
  | { readonly name: 'removed'; readonly reason: LeftReason }

export type StreamPhase = { readonly name: 'unopened' } | { readonly name: 'open' } | { readonly name: 'lost' } | { readonly name: 'removed' }

export interface ClientEventRecord {
  name: string
  timestamp: number
  data: Record<string, string | null>
}

/** What a client reports to its room. Called only while the client is not removed. */
export interface ClientRoom {
  /** The peer connected for the first time. */
  joined(client: Client): void
  /** Before that, the client's first offer has receive slots the hub's answer can fill (tracks.ts `receiving`). */
  receiving(client: Client): void
  /** A deadline passed or the peer closed: the room removes the client. */
  expel(client: Client, reason: LeftReason, why: string): void
  trackPublished(client: Client, track: PublishedTrack): void
  trackUnpublished(client: Client, track: PublishedTrack): void
  dataChannelMessage(client: Client, label: string, data: string | Uint8Array): void
  /** Its media stopped reaching the hub for a moment (true), or came back (false). */
  connectionProblem(client: Client, problem: boolean, silentMs: number): void
  /** The plane paused (or resumed) forwarding another client's video track to it (its link cannot carry it). */
  videoPaused(client: Client, track: PublishedTrack, paused: boolean): void
}

export interface ClientDeps {
  clock: Clock
  timings: HubTimings
  mediaPlane: MediaPlane
  /** ICE candidates this client may send in its life; one more is refused with 429. */
  maxCandidates: number
  /** Tracks one offer of this client may send; more is refused with 413. */
  maxTracks: number
  /** The room's bitrates option (bounds what the media plane tells this client it may send). */
  bitrates?: Bitrates
  log(level: LogLevel, msg: string, fields?: LogFields): void
  room: ClientRoom
}

/** `voiceActivity`: it registered with enable_vad (its `internal` channel carries vad_started / vad_ended). */
export function createClient(init: { id: string; roomId: string; name: string; voiceActivity?: boolean }, deps: ClientDeps): Client {
  return new Client(init, deps)
}

export class Client {
  readonly id: string
  readonly roomId: string
  name: string
  readonly events: Record<string, ClientEventRecord> = {}
  readonly sse: SseChannel
  readonly peer: MediaPeer
  readonly negotiator: Negotiator
  /** Binds the requests acting as this client to whoever registered it, once it presents the key (clientKey.ts). */
  readonly key = new ClientKey()
  /** A host of its room (host controls): it came in with the host key or a host's pass, or was made one since. */
  #host = false
  /** The room pass it registered with or was given (roomPass.ts): in memory only, gone with the client. */
  #pass: string | undefined
  readonly #life: Phases<ClientPhase>
  readonly #stream: Phases<StreamPhase>
  /** When the connect timeout of `joining` ends (a failure before connecting keeps it). */
  readonly #connectDeadlineAt: number
  readonly #deps: ClientDeps
  /** Once present: removes the client when it is gone or frozen (liveness.ts). */
  readonly #liveness: LivenessWatch
  /** Its `internal` data channel: tile sizes and stats (internalChannel.ts). */
  readonly #internal: InternalChannel
  #candidatesReceived = 0

  /** Use `createClient`. */
  constructor(init: { id: string; roomId: string; name: string; voiceActivity?: boolean }, deps: ClientDeps) {
    const { clock, timings, room } = deps
    this.id = init.id
    this.roomId = init.roomId
    this.name = init.name
    this.#deps = deps
    this.#life = new Phases<ClientPhase>(clock, { name: 'joining' })
    this.#stream = new Phases<StreamPhase>(clock, { name: 'unopened' })
    this.sse = new SseChannel({
      clock,
      pingIntervalMs: timings.pingIntervalMs,
      keepWrittenForMs: resumeWindowMs(timings),
      onDisconnect: () => this.#streamLost(),
    })
    // The plane calls these later (never during createPeer), so `this` is complete by then.
    const ifPresent = <A extends unknown[]>(run: (...args: A) => void) => (...args: A) => {
      if (!this.removed) run(...args)
    }
    this.peer = deps.mediaPlane.createPeer({
      roomId: this.roomId,
      clientId: this.id,
      ...(deps.bitrates ? { bitrates: deps.bitrates } : {}),
      handlers: {
        onIceCandidate: ifPresent((candidate) => this.sse.send('candidate', candidate)),
        onTrackPublished: ifPresent((track) => room.trackPublished(this, track)),
        onTrackUnpublished: ifPresent((track) => room.trackUnpublished(this, track)),
        onConnectionStateChange: ifPresent((state) => this.#peerStateChanged(state)),
        onNegotiationNeeded: ifPresent((change) => this.negotiator.hubChanged(change)),
        onDataChannelMessage: ifPresent((label, data) => (label === INTERNAL_CHANNEL_LABEL ? this.#internal.frame(data) : room.dataChannelMessage(this, label, data))),
        onVideoPaused: ifPresent((track, paused) => room.videoPaused(this, track, paused)),
        ...(init.voiceActivity ? { onVoiceActivity: ifPresent((track: PublishedTrack, activity: VoiceActivity) => this.#internal.voiceActivity(track, activity)) } : {}),
      },
    })
    this.negotiator = new Negotiator({
      peer: this.peer,
      clock,
      timings,
      log: (level, msg, fields) => deps.log(level, msg, { clientId: this.id, ...fields }),
      sendOffer: (offer) => this.sse.send('offer', offer),
      sendAllowedRenegotiation: () => this.sse.send(ALLOWED_RENEGOTIATION_EVENT, 'ok'),
      onAnswerTimeout: () => room.expel(this, 'timeout', 'no answer to the hub offer'),
      onUnsendableOffer: (why) => room.expel(this, 'removed', why),
    })
    this.#internal = new InternalChannel({
      clock,
      peer: this.peer,
      log: (level, msg, fields) => deps.log(level, msg, { clientId: this.id, ...fields }),
      statsReceived: (stats) =>
        this.record('client_stats', { available_outgoing_bitrate: String(stats.available_outgoing_bitrate), quality_limitation_reason: stats.quality_limitation_reason }),
    })
    this.#liveness = new LivenessWatch({
      clock,
      timings,
      lastReceivedAt: () => this.peer.lastReceivedAt,
      streamLost: () => this.#stream.current.name === 'lost',
      gone: (why) => room.expel(this, 'timeout', why),
      problem: (problem, silentMs) => room.connectionProblem(this, problem, silentMs),
    })
    this.#connectDeadlineAt = clock.now() + timings.connectTimeoutMs
    this.#life.deadline({ ms: timings.connectTimeoutMs, onTimeout: () => room.expel(this, 'timeout', 'peer never connected') })
    this.record('registered', { name: this.name })
  }

  get phase(): ClientPhase {
    return this.#life.current
  }

  get streamPhase(): StreamPhase {
    return this.#stream.current
  }

  /** Takes part in the room's media routing (its peer connected at least once). */
  get present(): boolean {
    const phase = this.#life.current
    return phase.name === 'present' || (phase.name === 'failing' && phase.present)
  }

  get removed(): boolean {
    return this.#life.current.name === 'removed'
  }

  get isHost(): boolean {
    return this.#host
  }

  /** A host from now on (hostControls.ts): nothing takes it back but leaving. */
  becomeHost(): void {
    this.#host = true
  }

  get pass(): string | undefined {
    return this.#pass
  }

  /** The room pass it holds from now on (roomPass.ts `rememberPass`), or none once the host revoked it. */
  holdPass(pass: string | undefined): void {
    this.#pass = pass
  }

  record(name: string, data: Record<string, string | null> = {}): void {
    this.events[name] = { name, timestamp: this.#deps.clock.now(), data }
  }

  describe(): ClientWire {
    return {
      id: this.id,
      name: this.name,
      peer_connection_state: this.peer.connectionState,
      ice_peer_connection_state: iceStateOf(this.peer.connectionState),
      events: structuredClone(this.events),
    }
  }

  rename(name: string): void {
    this.#assertMember()
    this.name = name
    this.record('name_changed', { name })
  }

  /** Opens (or replaces) the event stream. */
  openEvents(sink: SseSink, lastEventId?: string): void {
    this.#assertMember()
    this.#stream.enter({ name: 'open' })
    this.#liveness.streamChanged()
    const attached = this.sse.attach(sink, lastEventId)
    this.record('events_connected')
    if (!attached.resumed) {
      // A gap would leave the client's view of the room silently wrong: it registers again instead.
      this.#deps.room.expel(this, 'events_lost', `resumed after event ${attached.from}, but the oldest event kept is ${attached.oldestKept}`)
    }
  }

  /** A client candidate; the media plane decides what to do with it (an empty one is ignored). */
  async addCandidate(candidate: IceCandidate): Promise<void> {
    this.#assertMember()
    if (candidate.candidate) {
      const { maxCandidates } = this.#deps
      if (this.#candidatesReceived >= maxCandidates) {
        throw limitReached(`client "${this.id}" already sent its maximum of ${maxCandidates} ICE candidates (max-candidates-per-client)`)
      }
      this.#candidatesReceived += 1
    }
    try {
      await this.peer.addIceCandidate(candidate)
    } catch (error) {
      throw badRequest(`candidate rejected: ${messageOf(error)}`)
    }
  }

  /** isallownegotiate: granted, or 403 while the hub is mid-offer. */
  requestTurn(): void {
    this.#assertMember()
    if (!this.negotiator.requestClientTurn()) throw new HubError(403, MID_OFFER_MESSAGE)
  }

  /** PUT negotiate: the answer to a client offer, or null for an answer to the hub's offer. */
  async negotiate(description: SessionDescription): Promise<Answer | null> {
    this.#assertMember()
    if (description.type === 'offer') {
      const tracks = sendingTrackCount(description.sdp)
      const { maxTracks } = this.#deps
      if (tracks > maxTracks) {
        throw new HubError(Status.payloadTooLarge, `the offer sends ${tracks} tracks, over the limit of ${maxTracks} tracks per client (max-tracks-per-client)`)
      }
      // Joining with receive slots: the others' tracks can come in this offer's answer, not a server offer after DTLS.
      if (!this.present && this.peer.receivesInAnswer === true && receiveSlotCount(description.sdp) > 0) this.#deps.room.receiving(this)
      return this.#mediaCall('offer', () => this.negotiator.handleClientOffer(description as Offer))
    }
    await this.#mediaCall('answer', () => this.negotiator.handleClientAnswer(description as Answer))
    return null
  }

  /**
   * Ends the client's own life: phase `removed` (every deadline stops), the lock closed, `left` sent and
   * the stream closed. The room then stops its tracks for the others and calls `closePeer`.
   */
  markRemoved(reason: LeftReason, by?: ActedBy): void {
    this.#life.enter({ name: 'removed', reason })
    this.#stream.enter({ name: 'removed' })
    this.#liveness.stop()
    this.#internal.close()
    this.negotiator.close()
    this.sse.close({ event: 'left', data: by ? { reason, by } : { reason } })
  }

  closePeer(): void {
    this.peer.close().catch((error: unknown) => this.#deps.log('warn', 'closing the peer failed', { clientId: this.id, error }))
  }

  #peerStateChanged(state: PeerConnectionState): void {
    this.record('peer_connection_state', { state })
    const { room, timings, clock } = this.#deps
    if (state === 'closed') {
      room.expel(this, 'removed', 'peer connection closed')
      return
    }
    const phase = this.#life.current
    // `disconnected` often heals by itself; `failed` gets the grace in which the client's ICE restart
    // (a client offer) may bring it back. Only `connected` ends the grace.
    if (state === 'failed' && phase.name !== 'failing') {
      this.#deps.log('info', 'peer connection failed; waiting for an ICE restart', { clientId: this.id })
      const present = this.present
      const graceEndsAt = clock.now() + timings.failedGraceMs
      // Not connected yet: the connect timeout still applies when it ends first.
      const connectFirst = !present && this.#connectDeadlineAt < graceEndsAt
      this.#life.enter(
        { name: 'failing', present },
        connectFirst
          ? { ms: this.#connectDeadlineAt - clock.now(), onTimeout: () => room.expel(this, 'timeout', 'peer never connected') }
          : { ms: timings.failedGraceMs, onTimeout: () => room.expel(this, 'removed', 'peer connection failed') },
      )
    }
    if (state === 'connected' && (phase.name === 'joining' || phase.name === 'failing')) {
      const wasPresent = this.present
      this.#life.enter({ name: 'present' })
      if (!wasPresent) {
        this.#liveness.check()
        room.joined(this)
      }
    }
    this.negotiator.peerStateChanged()
  }

  #streamLost(): void {
    if (this.removed) return
    this.record('events_disconnected')
    this.#stream.enter(
      { name: 'lost' },
      { ms: this.#deps.timings.reconnectGraceMs, onTimeout: () => this.#deps.room.expel(this, 'timeout', 'event stream did not come back') },
    )
    this.#liveness.streamChanged()
  }

  /** A media-plane call: lock refusals pass through, SDP the plane rejects is the client's 400. */
  async #mediaCall<T>(what: 'offer' | 'answer', call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      if (error instanceof HubError) throw error
      this.#deps.log('warn', `the ${what} was rejected`, { clientId: this.id, error })
      throw badRequest(`the ${what} could not be applied: ${messageOf(error)}`)
    }
  }

  /** A request that raced the client's removal answers as if it came after it. */
  #assertMember(): void {
    if (this.removed) throw notFound(`client "${this.id}" not found in room "${this.roomId}"`)
  }
}

const ICE_STATE: Record<PeerConnectionState, string> = {
  new: 'new',
  connecting: 'checking',
  connected: 'connected',
  disconnected: 'disconnected',
  failed: 'failed',
  closed: 'closed',
}

/** The ICE state reported by get client, derived from the peer state the media plane exposes. */
export function iceStateOf(state: PeerConnectionState): string {
  return ICE_STATE[state]
}
