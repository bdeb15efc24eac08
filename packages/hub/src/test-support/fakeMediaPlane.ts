// A deterministic MediaPlane for the hub's tests: no WebRTC. It keeps the interface's contract as the
// werift plane does (handlers called later, empty candidates ignored, data channels created once the
// client's first offer is applied, forwardings ended when their track ends) and passes the same
// conformance suite (mediaPlaneConformance.ts). Its SDP is minimal: an answer per offer, a server offer
// with one m-line per forwarded track under the publisher's MSID. A test plays the media side with the
// methods at the end (connection state, tracks, candidates, data-channel messages); each resolves once
// the room's handler ran.
import { type Answer, type Bitrates, type IceCandidate, type Offer, OPUS_PAYLOAD_TYPE, VP8_PAYLOAD_TYPE } from '@parley/protocol'
import { deferHandlers } from '../media/boundary.js'
import type { HubOffer, MediaPeer, MediaPeerHandlers, MediaPlane, PeerConnectionState, PublishedTrack, SignalingState, VoiceActivity } from '../media/types.js'
import { isSendingSection, parseMediaSections } from '../media/werift-sdp.js'

/** An offer or answer whose SDP contains this line is rejected, as a real plane rejects malformed SDP. */
export const REJECTED_SDP_MARKER = 'a=x-reject-me'

/** Lets the microtasks queued so far (handler calls among them) run. */
const handlersRan = () => new Promise<void>((resolve) => setImmediate(resolve))

export class FakeMediaPeer implements MediaPeer {
  connectionState: PeerConnectionState = 'new'
  signalingState: SignalingState = 'stable'
  /** Set by the test (`receivedPacket`): when the client last sent RTP or RTCP. */
  lastReceivedAt: number | undefined = undefined
  /** Set by the test: the plane fills receive slots (MediaPeer.receivesInAnswer); the fake only says so. */
  receivesInAnswer: boolean | undefined = undefined
  /** Forwarded tracks by track id. */
  readonly subscribed = new Map<string, PublishedTrack>()
  readonly subscribeCalls: string[] = []
  readonly unsubscribeCalls: string[] = []
  /** Data channels created, label → ordered. */
  readonly dataChannels = new Map<string, boolean>()
  readonly sentMessages: { label: string; data: string | Uint8Array }[] = []
  readonly remoteCandidates: IceCandidate[] = []
  readonly clientOffers: Offer[] = []
  readonly clientAnswers: Answer[] = []
  offersCreated = 0
  closed = false
  /** Channels asked for before the client's first offer. */
  readonly #requestedChannels = new Map<string, boolean>()
  /** Channels that ride on the next server offer (MediaPeer.openDataChannel's withNextOffer). */
  readonly withNextOffer = new Set<string>()
  /** viewerSize calls, in order. */
  readonly viewerSizes: { trackId: string; width: number; height: number }[] = []
  /** publisherLayers calls, in order. */
  readonly publisherLayerCalls: { trackId: string; active: string[] }[] = []
  #applicationNegotiated = false
  /** Tracks published through the client's offers, by MID. */
  readonly #offered = new Map<string, PublishedTrack>()
  readonly #later: MediaPeerHandlers
  /** Changes signalled with onNegotiationNeeded so far (HubOffer.covers). */
  #changes = 0
  #offerHold: { released: Promise<void>; contentFirst: boolean } | undefined

  constructor(
    readonly roomId: string,
    readonly clientId: string,
    readonly handlers: MediaPeerHandlers,
    private readonly plane: FakeMediaPlane,
  ) {
    this.#later = deferHandlers(handlers, () => this.closed)
  }

  async handleOffer(offer: Offer): Promise<Answer> {
    if (this.closed) throw new Error(`the media peer of client ${this.clientId} is closed`)
    if (offer.sdp.includes(REJECTED_SDP_MARKER)) throw new Error('unsupported SDP line')
    if (this.signalingState !== 'stable') throw new Error(`cannot apply an offer in signaling state ${this.signalingState}`)
    this.clientOffers.push(offer)
    this.#reconcilePublished(offer.sdp)
    if (parseMediaSections(offer.sdp).some((section) => section.kind === 'application' && section.port !== 0)) this.#applicationNegotiated = true
    for (const [label, ordered] of this.#requestedChannels) this.dataChannels.set(label, ordered)
    this.#requestedChannels.clear()
    if (this.#channelsNeedOffer()) this.#later.onNegotiationNeeded(++this.#changes)
    return { type: 'answer', sdp: `v=0\r\no=- ${this.clientOffers.length} 2 IN IP4 127.0.0.1\r\ns=fake-answer\r\n` }
  }

  /**
   * The next createOffer waits until the returned function is called, as a worker plane's reply does:
   * with `contentFirst` its content (and `covers`) is fixed before the wait, else after it.
   */
  holdNextOffer(contentFirst: boolean): () => void {
    let release = () => {}
    const released = new Promise<void>((resolve) => (release = resolve))
    this.#offerHold = { released, contentFirst }
    return release
  }

  async createOffer(): Promise<HubOffer> {
    if (this.closed) throw new Error(`the media peer of client ${this.clientId} is closed`)
    if (this.signalingState !== 'stable') throw new Error('createOffer needs a stable signaling state')
    const hold = this.#offerHold
    this.#offerHold = undefined
    if (hold?.contentFirst === false) await hold.released
    const offer = this.#offerNow()
    if (hold?.contentFirst) await hold.released
    return offer
  }

  #offerNow(): HubOffer {
    this.offersCreated += 1
    this.signalingState = 'have-local-offer'
    const lines = [`v=0`, `o=- ${this.offersCreated} 2 IN IP4 127.0.0.1`, `s=fake-hub-offer-${this.offersCreated}`]
    for (const track of this.subscribed.values()) lines.push(`m=${track.kind} 9 UDP/TLS/RTP/SAVPF ${track.kind === 'audio' ? OPUS_PAYLOAD_TYPE : VP8_PAYLOAD_TYPE}`, 'a=sendonly', `a=msid:${track.streamId} ${track.trackId}`)
    if (this.dataChannels.size > 0) {
      lines.push('m=application 9 UDP/DTLS/SCTP webrtc-datachannel')
      this.#applicationNegotiated = true
    }
    return { type: 'offer', sdp: `${lines.join('\r\n')}\r\n`, covers: this.#changes }
  }

  async handleAnswer(answer: Answer): Promise<void> {
    if (this.closed) throw new Error(`the media peer of client ${this.clientId} is closed`)
    if (answer.sdp.includes(REJECTED_SDP_MARKER)) throw new Error('unsupported SDP line')
    if (this.signalingState !== 'have-local-offer') throw new Error('no local offer to answer')
    this.clientAnswers.push(answer)
    this.signalingState = 'stable'
  }

  async addIceCandidate(candidate: IceCandidate): Promise<void> {
    if (this.closed || candidate.candidate.trim() === '') return
    this.remoteCandidates.push(candidate)
  }

  subscribe(track: PublishedTrack): void {
    this.subscribeCalls.push(track.trackId)
    if (this.closed || track.clientId === this.clientId || !this.plane.isPublished(track)) return
    if (this.subscribed.has(track.trackId)) return
    this.subscribed.set(track.trackId, track)
    this.#later.onNegotiationNeeded(++this.#changes)
  }

  unsubscribe(track: PublishedTrack): void {
    this.unsubscribeCalls.push(track.trackId)
    this.endForwarding(track)
  }

  openDataChannel(label: string, ordered: boolean, withNextOffer = false): void {
    if (this.closed || this.dataChannels.has(label) || this.#requestedChannels.has(label)) return
    if (withNextOffer) this.withNextOffer.add(label)
    if (this.clientOffers.length === 0) {
      this.#requestedChannels.set(label, ordered)
      return
    }
    this.dataChannels.set(label, ordered)
    if (!withNextOffer && !this.#applicationNegotiated) this.#later.onNegotiationNeeded(++this.#changes)
  }

  viewerSize(trackId: string, width: number, height: number): void {
    this.viewerSizes.push({ trackId, width, height })
  }

  publisherLayers(trackId: string, active: readonly string[]): void {
    this.publisherLayerCalls.push({ trackId, active: [...active] })
  }

  #channelsNeedOffer(): boolean {
    return !this.#applicationNegotiated && [...this.dataChannels.keys()].some((label) => !this.withNextOffer.has(label))
  }

  sendDataChannelMessage(label: string, data: string | Uint8Array): void {
    if (this.dataChannels.has(label)) this.sentMessages.push({ label, data })
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.connectionState = 'closed'
    this.signalingState = 'closed'
    for (const track of this.#offered.values()) this.plane.trackEnded(track)
    for (const track of this.plane.publishedBy(this)) this.plane.trackEnded(track)
    this.subscribed.clear()
  }

  /** The forwarding of `track` ends here (unsubscribed, or the track ended). */
  endForwarding(track: PublishedTrack): void {
    if (this.subscribed.delete(track.trackId)) this.#later.onNegotiationNeeded(++this.#changes)
  }

  // --- what the test plays -------------------------------------------------------------------

  /** The client sent RTP or RTCP at `at` (the hub's Clock time). */
  receivedPacket(at: number): void {
    this.lastReceivedAt = at
  }

  async setConnectionState(state: PeerConnectionState): Promise<void> {
    this.connectionState = state
    this.#later.onConnectionStateChange(state)
    await handlersRan()
  }

  async publish(trackId: string, kind: 'audio' | 'video' = 'video', streamId = `stream-${this.clientId}`): Promise<PublishedTrack> {
    const track: PublishedTrack = { trackId, streamId, kind, clientId: this.clientId }
    this.plane.trackStarted(this, track)
    this.#later.onTrackPublished(track)
    await handlersRan()
    return track
  }

  async unpublish(track: PublishedTrack): Promise<void> {
    this.plane.trackEnded(track)
    this.#later.onTrackUnpublished(track)
    await handlersRan()
  }

  async emitCandidate(candidate: IceCandidate): Promise<void> {
    this.#later.onIceCandidate(candidate)
    await handlersRan()
  }

  async receiveMessage(label: string, data: string | Uint8Array): Promise<void> {
    this.#later.onDataChannelMessage(label, data)
    await handlersRan()
  }

  /** As a plane that paused (or resumed) forwarding `track` to this peer for its link's bandwidth. */
  async videoPaused(track: PublishedTrack, paused: boolean): Promise<void> {
    this.#later.onVideoPaused(track, paused)
    await handlersRan()
  }

  /** The room gave this peer a voice handler: its client registered with enable_vad. */
  get detectsVoice(): boolean {
    return this.handlers.onVoiceActivity !== undefined
  }

  /** As a plane whose voice detector reported on `track`, which this peer receives (nothing without the handler). */
  async voiceActivity(track: PublishedTrack, activity: VoiceActivity): Promise<void> {
    this.#later.onVoiceActivity?.(track, activity)
    await handlersRan()
  }

  /** Tracks of the offer's sending m-lines (with their MSID) become published; those gone, unpublished. */
  #reconcilePublished(sdp: string): void {
    const sending = new Map(parseMediaSections(sdp).filter((s) => s.mid !== undefined && isSendingSection(s)).map((s) => [s.mid!, s]))
    for (const [mid, track] of [...this.#offered]) {
      const section = sending.get(mid)
      if (section?.msid?.trackId === track.trackId) continue
      this.#offered.delete(mid)
      this.plane.trackEnded(track)
      this.#later.onTrackUnpublished(track)
    }
    for (const [mid, section] of sending) {
      if (this.#offered.has(mid)) continue
      const track: PublishedTrack = {
        trackId: section.msid?.trackId ?? `${this.clientId}-mid${mid}`,
        streamId: section.msid && section.msid.streamId !== '-' ? section.msid.streamId : this.clientId,
        kind: section.kind === 'audio' ? 'audio' : 'video',
        clientId: this.clientId,
      }
      this.#offered.set(mid, track)
      this.plane.trackStarted(this, track)
      this.#later.onTrackPublished(track)
    }
  }
}

export class FakeMediaPlane implements MediaPlane {
  readonly peers: FakeMediaPeer[] = []
  closed = false
  /** Published tracks and their publishers. */
  readonly #published = new Map<PublishedTrack, FakeMediaPeer>()

  /** The `bitrates` each peer was created with, by client id (what the room passed). */
  readonly bitratesOf = new Map<string, Bitrates | undefined>()

  /** What `packetsForwarded()` answers: a test sets it (the fake forwards no packets). */
  forwarded = 0

  packetsForwarded(): number {
    return this.forwarded
  }

  createPeer(init: { roomId: string; clientId: string; handlers: MediaPeerHandlers; bitrates?: Bitrates }): MediaPeer {
    if (this.closed) throw new Error('the media plane is closed')
    const peer = new FakeMediaPeer(init.roomId, init.clientId, init.handlers, this)
    this.peers.push(peer)
    this.bitratesOf.set(init.clientId, init.bitrates)
    return peer
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.all(this.peers.map((peer) => peer.close()))
  }

  /** The latest peer created for this client. */
  peer(clientId: string, roomId?: string): FakeMediaPeer {
    const peer = this.peers.findLast((candidate) => candidate.clientId === clientId && (roomId === undefined || candidate.roomId === roomId))
    if (!peer) throw new Error(`no fake peer for client ${clientId}`)
    return peer
  }

  // --- for the fake peers ----------------------------------------------------------------------

  isPublished(track: PublishedTrack): boolean {
    return [...this.#published.keys()].some((known) => known.clientId === track.clientId && known.trackId === track.trackId)
  }

  publishedBy(publisher: FakeMediaPeer): PublishedTrack[] {
    return [...this.#published].filter(([, peer]) => peer === publisher).map(([track]) => track)
  }

  trackStarted(publisher: FakeMediaPeer, track: PublishedTrack): void {
    this.#published.set(track, publisher)
  }

  /** A published track ended: every forwarding of it ends too. */
  trackEnded(track: PublishedTrack): void {
    for (const known of [...this.#published.keys()]) {
      if (known.clientId === track.clientId && known.trackId === track.trackId) this.#published.delete(known)
    }
    for (const peer of this.peers) {
      const forwarded = peer.subscribed.get(track.trackId)
      if (forwarded?.clientId === track.clientId) peer.endForwarding(forwarded)
    }
  }
}
