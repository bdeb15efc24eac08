// One client's werift RTCPeerConnection: signaling (client offers, server offers, answers), the
// client's candidates, connection state, and the bookkeeping after every applied description, done
// by its parts: publications (what it sends), subscriptions (what it receives), data channels.
import { RTCPeerConnection } from 'werift'
import { type Answer, type IceCandidate, type Offer, messageOf } from '@parley/protocol'
import type { Clock } from '../clock.js'
import type { LogFields, LogLevel, Logger } from '../log.js'
import { createSerialQueue } from '../serialQueue.js'
import { deferHandlers } from './boundary.js'
import type { HubOffer, MediaPeer, MediaPeerHandlers, PeerConnectionState, PublishedTrack, SignalingState, VoiceActivity } from './types.js'
import { gatherWithoutDefaultStun, type IceConfig, weriftPeerConfig } from '@parley/werift-config'
import { withSimulcast } from './werift-simulcast.js'
import { type PausedRids, pauseRids, pausedRidsOf } from './werift-simulcast-pause.js'
import { RemoteCandidates } from './werift-candidates.js'
import { WeriftChannels } from './werift-channels.js'
import { preferDtlsServer, restartIceOnNewCredentials } from './werift-transport-rules.js'
import { HeldRelease } from './werift-held-release.js'
import { codecNamesOf, withoutForeignCodecs } from './werift-offer-codecs.js'
import type { BandwidthLimits } from './bandwidth.js'
import type { PixelThresholds } from './viewer-size.js'
import type { Forwarder, Subscription } from './werift-forwarder.js'
import { WeriftPublications } from './werift-publications.js'
import { assertUsableDescription, filterSdpCandidates, parseMediaSections } from './werift-sdp.js'
import { WeriftSubscriptions } from './werift-subscriptions.js'
import { TransportWatch } from './werift-transport-watch.js'

/** What every peer of one plane shares. */
export interface WeriftPeerContext {
  readonly ice: IceConfig
  /** Negotiate transport-cc with this peer as a publisher (werift-config; the feedback is werift-transport-cc.ts). */
  readonly transportCc: boolean
  readonly allowedRemoteAddresses: ReadonlySet<string>
  readonly forwarder: Forwarder
  readonly log: Logger
  /** The bounds of the bandwidth estimate for this peer's published video (its room's bitrates). */
  readonly bandwidth: BandwidthLimits
  /** Its room's video_*_pixels options: the simulcast ceiling of the videos it shows (viewer-size.ts). */
  readonly viewerPixels: PixelThresholds
  /** The injected Clock's time (ms), for `lastReceivedAt`. */
  readonly now: () => number
  /** The injected Clock, for the wait of held keyframes on the client's SRTP. */
  readonly clock: Clock
  /** The peer closed: the plane forgets it. */
  released(peer: WeriftPeer): void
}

export class WeriftPeer implements MediaPeer {
  readonly clientId: string
  /** A client offer's recvonly m-lines take forwardings waiting for one (WeriftSubscriptions.fillReceiveSlots). */
  readonly receivesInAnswer = true
  readonly #pc: RTCPeerConnection
  readonly #context: WeriftPeerContext
  readonly #roomId: string
  /** The room's handlers, called later (never re-entrantly) and never after close. */
  readonly #later: MediaPeerHandlers
  readonly #serial = createSerialQueue()
  readonly #candidates: RemoteCandidates
  readonly #publications: WeriftPublications
  readonly #subscriptions: WeriftSubscriptions
  readonly #channels: WeriftChannels
  readonly #disposers: (() => void)[] = []
  /** Its DTLS transports: subscriber RTCP, when the client was last heard from, DTLS up (werift-transport-watch.ts). */
  readonly #transports: TransportWatch
  /** Held keyframes (receive slots) go at the client's first packet after DTLS (werift-held-release.ts). */
  readonly #heldRelease: HeldRelease
  /** werift's connection state, except `connected` as soon as media can flow (#mediaUp). */
  #connectionState: PeerConnectionState = 'new'
  #closed = false
  #closing: Promise<void> | undefined
  /** Changes signalled with onNegotiationNeeded so far (HubOffer.covers). */
  #changes = 0
  /** The codecs the peer negotiates: a client offer's others never reach werift (werift-offer-codecs.ts). */
  readonly #codecNames: ReadonlySet<string>

  constructor(context: WeriftPeerContext, roomId: string, clientId: string, handlers: MediaPeerHandlers) {
    this.clientId = clientId
    this.#context = context
    this.#roomId = roomId
    this.#later = deferHandlers(handlers, () => this.#closed)
    const log = this.#log.bind(this)
    const pc = new RTCPeerConnection(withSimulcast(weriftPeerConfig(context.ice, { transportCc: context.transportCc })))
    restartIceOnNewCredentials(pc)
    this.#pc = pc
    this.#codecNames = codecNamesOf(pc.config.codecs)
    const negotiationNeeded = () => this.#later.onNegotiationNeeded(++this.#changes)
    this.#candidates = new RemoteCandidates(pc, context.allowedRemoteAddresses, log)
    this.#publications = new WeriftPublications({
      clientId,
      pc,
      forwarder: context.forwarder,
      bandwidth: context.bandwidth,
      events: { published: (track) => this.#later.onTrackPublished(track), unpublished: (track) => this.#later.onTrackUnpublished(track) },
      log,
    })
    const voiceActivity = this.#later.onVoiceActivity
    this.#subscriptions = new WeriftSubscriptions({
      clientId,
      pc,
      forwarder: context.forwarder,
      negotiationNeeded,
      videoPaused: (track, paused) => this.#later.onVideoPaused(track, paused),
      log,
      pixels: context.viewerPixels,
      ...(voiceActivity ? { voiceActivity: (track: PublishedTrack, activity: VoiceActivity) => voiceActivity(track, activity) } : {}),
    })
    this.#heldRelease = new HeldRelease(context.clock, () =>
      this.#fromWerift('releasing held keyframes', () => {
        if (!this.#closed) this.#subscriptions.releaseHeld()
      }),
    )
    this.#channels = new WeriftChannels(pc, { negotiationNeeded, message: (label, data) => this.#later.onDataChannelMessage(label, data) }, log)
    this.#transports = new TransportWatch(pc, context.now, {
      rtcp: (packet) => this.#fromWerift('onRtcp', () => this.#subscriptions.feedback(packet)),
      packet: () => this.#heldRelease.packet(),
      // SRTP is up: the publisher hears its first REMB now, not once werift's connection state follows
      // (which also waits for an SCTP association when the first offer carries a data channel).
      dtlsState: (state) => {
        this.#log('debug', `dtls ${state}`)
        if (state === 'connected') this.#fromWerift('dtlsStateChange', () => this.#mediaUp())
      },
      dtlsRecord: (fields) => this.#log('debug', 'dtls record in', fields),
    })
    this.#disposers.push(
      pc.onIceCandidate.subscribe((candidate) => {
        if (!candidate?.candidate) return
        const init: IceCandidate = { candidate: candidate.candidate }
        if (candidate.sdpMid !== undefined) init.sdpMid = candidate.sdpMid
        if (candidate.sdpMLineIndex !== undefined) init.sdpMLineIndex = candidate.sdpMLineIndex
        if (candidate.usernameFragment !== undefined) init.usernameFragment = candidate.usernameFragment
        this.#later.onIceCandidate(init)
      }).unSubscribe,
      pc.connectionStateChange.subscribe((state) => this.#fromWerift('connectionStateChange', () => this.#onConnectionState(state))).unSubscribe,
      pc.iceConnectionStateChange.subscribe((state) => this.#log('debug', `ice ${state}`)).unSubscribe,
    )
  }

  /**
   * `connected` once ICE and every DTLS transport are up, which is when media (and a hub offer) can
   * flow. werift's own state also waits for the SCTP association when the client's first offer carries
   * m=application (Parley's core always does): two more round trips over DTLS, 50–100 ms on a loaded
   * box, for which neither the room's routing nor the hub's offer need to wait.
   */
  get connectionState(): PeerConnectionState {
    // Its state events stop with close(): a closed peer says so at once.
    return this.#closed ? 'closed' : this.#connectionState
  }

  /** What this peer still holds in werift, for the plane's stats (the churn test reads them). */
  holdings(): { liveTransceivers: number; transportStateListeners: number } {
    let transportStateListeners = 0
    for (const transport of this.#pc.dtlsTransports) transportStateListeners += transport.onStateChange.length
    return { liveTransceivers: this.#pc.getTransceivers().filter((t) => !t.stopped && !t.stopping).length, transportStateListeners }
  }

  get signalingState(): SignalingState {
    const state = this.#pc.signalingState
    if (state === 'have-local-pranswer') return 'have-remote-offer'
    if (state === 'have-remote-pranswer') return 'have-local-offer'
    return state
  }

  // -------------------------------------------------------------------------------------------
  // Signaling

  handleOffer(offer: Offer): Promise<Answer> {
    const received = this.#context.now()
    return this.#serial(async () => {
      this.#assertOpen()
      const started = this.#context.now()
      const sdp = withoutForeignCodecs(filterSdpCandidates(offer.sdp, this.#context.allowedRemoteAddresses), this.#codecNames)
      assertUsableDescription('offer', sdp, parseMediaSections(this.#pc.remoteDescription?.sdp ?? '').length)
      let placed: Subscription[] = []
      await this.#candidates.aroundRemoteDescription(async () => {
        try {
          await this.#pc.setRemoteDescription({ type: 'offer', sdp })
        } catch (error) {
          throw new Error(`the client's offer cannot be applied: ${messageOf(error)}`)
        }
        if (/^a=setup:actpass/m.test(sdp) && !/^a=setup:(active|passive)/m.test(sdp)) preferDtlsServer(this.#pc)
        placed = this.#subscriptions.fillReceiveSlots()
        gatherWithoutDefaultStun(this.#pc)
        try {
          await this.#pc.setLocalDescription(await this.#pc.createAnswer())
        } catch (error) {
          this.#subscriptions.unplace(placed)
          await this.#pc.setRemoteDescription({ type: 'rollback', sdp: '' }).catch(() => undefined)
          throw new Error(`no answer to the client's offer: ${messageOf(error)}`)
        }
      })
      this.#subscriptions.answeredInSlots(placed)
      this.#afterDescription()
      this.#log('debug', 'offer answered', { queuedMs: started - received, ms: this.#context.now() - started })
      // werift answers every rid plain: the layers the client's offer paused would come back on (werift-simulcast-pause.ts).
      return { type: 'answer', sdp: this.#withPausedRids('answer', pausedRidsOf(sdp)) }
    })
  }

  createOffer(): Promise<HubOffer> {
    return this.#serial(async () => {
      this.#assertOpen()
      if (this.#pc.signalingState !== 'stable') throw new Error(`a server offer needs signaling state stable, not ${this.#pc.signalingState}`)
      const started = this.#context.now()
      const covers = this.#changes // materialized next; a change during werift's createOffer is a later one
      this.#channels.materialize()
      this.#subscriptions.materialize()
      gatherWithoutDefaultStun(this.#pc)
      try {
        await this.#pc.setLocalDescription(await this.#pc.createOffer())
      } catch (error) {
        throw new Error(`cannot create a server offer: ${messageOf(error)}`)
      }
      this.#transports.watch()
      this.#subscriptions.offered()
      this.#log('debug', 'offer created', { ms: this.#context.now() - started })
      // The layers the publisher stopped stay stopped when its browser applies this offer (werift-simulcast-pause.ts).
      return { type: 'offer', sdp: this.#withPausedRids('offer', this.#publications.stoppedRids()), covers }
    })
  }

  handleAnswer(answer: Answer): Promise<void> {
    const received = this.#context.now()
    return this.#serial(async () => {
      this.#assertOpen()
      const started = this.#context.now()
      if (this.#pc.signalingState !== 'have-local-offer') {
        throw new Error(`no server offer awaits an answer (signaling state ${this.#pc.signalingState})`)
      }
      const sdp = filterSdpCandidates(answer.sdp, this.#context.allowedRemoteAddresses)
      assertUsableDescription('answer', sdp, parseMediaSections(this.#pc.localDescription?.sdp ?? '').length)
      await this.#candidates.aroundRemoteDescription(async () => {
        try {
          await this.#pc.setRemoteDescription({ type: 'answer', sdp })
        } catch (error) {
          throw new Error(`the client's answer cannot be applied: ${messageOf(error)}`)
        }
      })
      this.#afterDescription()
      // The join bench splits our answer → the first video forwarded at it (loadtest src/join-hub-trace.ts).
      this.#log('debug', 'answer applied', { queuedMs: started - received, ms: this.#context.now() - started })
    })
  }

  addIceCandidate(candidate: IceCandidate): Promise<void> {
    return this.#candidates.add(candidate)
  }

  // -------------------------------------------------------------------------------------------
  // Forwarding and data channels (the parts do the work)

  subscribe(track: PublishedTrack): void {
    this.#subscriptions.subscribe(track)
  }

  unsubscribe(track: PublishedTrack): void {
    this.#subscriptions.unsubscribe(track)
  }

  openDataChannel(label: string, ordered: boolean, withNextOffer?: boolean): void {
    if (!this.#closed) this.#channels.open(label, ordered, withNextOffer)
  }

  viewerSize(trackId: string, width: number, height: number): void {
    this.#subscriptions.viewerSize(trackId, { width, height })
  }

  publisherLayers(trackId: string, active: readonly string[]): void {
    const layers = this.#context.forwarder.source({ clientId: this.clientId, trackId })?.simulcast
    // Logged (debug) when it names no simulcast source of this client: a wrong id would leave its layers to timing alone.
    if (!layers || this.#closed) return this.#log('debug', 'simulcast publisher layers of no simulcast source', { trackId, active })
    layers.publisherSends(active, this.#context.now())
    this.#log('info', 'simulcast publisher layers', { trackId, active })
  }

  sendDataChannelMessage(label: string, data: string | Uint8Array): void {
    this.#channels.send(label, data)
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  close(): Promise<void> {
    this.#closing ??= this.#release()
    return this.#closing
  }

  async #release(): Promise<void> {
    this.#closed = true
    this.#heldRelease.cancel()
    this.#subscriptions.close()
    this.#publications.close()
    this.#candidates.close()
    this.#channels.close()
    for (const dispose of this.#disposers.splice(0)) dispose()
    this.#transports.close()
    this.#context.released(this)
    // close() force-stops every transceiver (senders, receivers, RTCP loops) and the SCTP/DTLS/ICE transports.
    try {
      await this.#pc.close()
    } catch (error) {
      this.#log('warn', 'closing the peer connection failed', { error: messageOf(error) })
    }
  }

  /** Bookkeeping after any applied description: publications, subscriptions, SCTP, pending changes. */
  #afterDescription(): void {
    this.#transports.watch()
    this.#publications.reconcile()
    this.#subscriptions.settle()
    this.#channels.materialize()
    this.#channels.startSctpIfNeeded()
    // Something only a server offer can carry (a new forwarding, a stop, a data channel without m=application),
    // signalled as a new change: still owed, whatever the last offer was thought to carry (HubOffer.covers).
    if (!this.#closed && (this.#subscriptions.unnegotiated || this.#channels.unnegotiated)) this.#later.onNegotiationNeeded(++this.#changes)
  }

  #onConnectionState(state: PeerConnectionState): void {
    // Already reported when the transports came up (#mediaUp).
    if (state === this.#connectionState) return
    this.#connectionState = state
    this.#later.onConnectionStateChange(state)
    if (state !== 'connected') return
    this.#transports.watch()
    this.#channels.startSctpIfNeeded()
    this.#context.forwarder.publisherConnected(this.#publications)
    this.#subscriptions.connected()
    this.#heldRelease.dtlsUp()
  }

  get lastReceivedAt(): number | undefined {
    return this.#transports.lastReceivedAt
  }

  /** A DTLS transport is up: the connection is `connected` for the room once all of them are (werift's SCTP may still be associating). */
  #mediaUp(): void {
    this.#context.forwarder.publisherConnected(this.#publications)
    const transports = this.#pc.dtlsTransports
    if (this.#connectionState !== 'connecting' && this.#connectionState !== 'new') return
    if (transports.length === 0 || transports.some((transport) => transport.state !== 'connected')) return
    this.#onConnectionState('connected')
  }

  /** The local description with `paused` marked `~` (werift-simulcast-pause.ts), logged when there are any (negotiation only, rare). */
  #withPausedRids(kind: 'offer' | 'answer', paused: PausedRids): string {
    if (paused.size > 0) this.#log('info', `simulcast rids paused in ${kind}`, { rids: Object.fromEntries([...paused].map(([mid, rids]) => [mid, [...rids]])) })
    return pauseRids(this.#localSdp(), paused)
  }

  #localSdp(): string {
    const local = this.#pc.localDescription
    if (!local) throw new Error('werift produced no local description')
    return local.sdp
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`the media peer of client ${this.clientId} is closed`)
  }

  /** Plane code run from a werift event: an exception must not escape into werift's own stack. */
  #fromWerift(what: string, run: () => void): void {
    try {
      run()
    } catch (error) {
      this.#log('error', `${what} failed`, { error: messageOf(error) })
    }
  }

  #log(level: LogLevel, msg: string, fields?: LogFields): void {
    this.#context.log(level, msg, { roomId: this.#roomId, clientId: this.clientId, ...fields })
  }
}
