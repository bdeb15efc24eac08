// A deterministic MediaPlane for the hub's tests: no WebRTC. It answers offers with a fixed-looking
// SDP, tracks subscriptions and data channels, and lets a test play the media side (connection
// state changes, published tracks, candidates, data-channel messages).
import type { Answer, IceCandidate, Offer } from '@parley/protocol'
import type {
  MediaPeer,
  MediaPeerHandlers,
  MediaPlane,
  PeerConnectionState,
  PublishedTrack,
  SignalingState,
} from '../media/types.js'

/** An offer whose SDP contains this line is rejected, as a real plane rejects malformed SDP. */
export const REJECTED_SDP_MARKER = 'a=x-reject-me'

export class FakeMediaPeer implements MediaPeer {
  connectionState: PeerConnectionState = 'new'
  signalingState: SignalingState = 'stable'
  readonly subscribed = new Map<string, PublishedTrack>()
  readonly subscribeCalls: string[] = []
  readonly unsubscribeCalls: string[] = []
  readonly dataChannels = new Map<string, boolean>()
  readonly sentMessages: { label: string; data: string | Uint8Array }[] = []
  readonly remoteCandidates: IceCandidate[] = []
  readonly clientOffers: Offer[] = []
  readonly clientAnswers: Answer[] = []
  offersCreated = 0
  closed = false

  constructor(
    readonly roomId: string,
    readonly clientId: string,
    readonly handlers: MediaPeerHandlers,
  ) {}

  async handleOffer(offer: Offer): Promise<Answer> {
    if (offer.sdp.includes(REJECTED_SDP_MARKER)) throw new Error('unsupported SDP line')
    if (this.signalingState !== 'stable') throw new Error(`cannot apply an offer in signaling state ${this.signalingState}`)
    this.clientOffers.push(offer)
    return { type: 'answer', sdp: `v=0\r\no=- ${this.clientOffers.length} 2 IN IP4 127.0.0.1\r\ns=fake-answer\r\n` }
  }

  async createOffer(): Promise<Offer> {
    if (this.signalingState !== 'stable') throw new Error('createOffer needs a stable signaling state')
    this.offersCreated += 1
    this.signalingState = 'have-local-offer'
    return { type: 'offer', sdp: `v=0\r\no=- ${this.offersCreated} 2 IN IP4 127.0.0.1\r\ns=fake-hub-offer-${this.offersCreated}\r\n` }
  }

  async handleAnswer(answer: Answer): Promise<void> {
    if (answer.sdp.includes(REJECTED_SDP_MARKER)) throw new Error('unsupported SDP line')
    if (this.signalingState !== 'have-local-offer') throw new Error('no local offer to answer')
    this.clientAnswers.push(answer)
    this.signalingState = 'stable'
  }

  async addIceCandidate(candidate: IceCandidate): Promise<void> {
    this.remoteCandidates.push(candidate)
  }

  subscribe(track: PublishedTrack): void {
    this.subscribeCalls.push(track.trackId)
    if (this.subscribed.has(track.trackId)) return
    this.subscribed.set(track.trackId, track)
    this.#negotiationNeeded()
  }

  unsubscribe(track: PublishedTrack): void {
    this.unsubscribeCalls.push(track.trackId)
    if (!this.subscribed.delete(track.trackId)) return
    this.#negotiationNeeded()
  }

  openDataChannel(label: string, ordered: boolean): void {
    if (this.dataChannels.has(label)) return
    this.dataChannels.set(label, ordered)
    this.#negotiationNeeded()
  }

  sendDataChannelMessage(label: string, data: string | Uint8Array): void {
    if (this.dataChannels.has(label)) this.sentMessages.push({ label, data })
  }

  async close(): Promise<void> {
    this.closed = true
    this.connectionState = 'closed'
    this.signalingState = 'closed'
  }

  // --- what the test plays -------------------------------------------------------------------

  setConnectionState(state: PeerConnectionState): void {
    this.connectionState = state
    this.handlers.onConnectionStateChange(state)
  }

  publish(trackId: string, kind: 'audio' | 'video' = 'video', streamId = `stream-${this.clientId}`): PublishedTrack {
    const track: PublishedTrack = { trackId, streamId, kind, clientId: this.clientId }
    this.handlers.onTrackPublished(track)
    return track
  }

  unpublish(track: PublishedTrack): void {
    this.handlers.onTrackUnpublished(track)
  }

  emitCandidate(candidate: IceCandidate): void {
    this.handlers.onIceCandidate(candidate)
  }

  receiveMessage(label: string, data: string | Uint8Array): void {
    this.handlers.onDataChannelMessage(label, data)
  }

  #negotiationNeeded(): void {
    // Real planes report this asynchronously, never from inside the call that caused it.
    queueMicrotask(() => {
      if (!this.closed) this.handlers.onNegotiationNeeded()
    })
  }
}

export class FakeMediaPlane implements MediaPlane {
  readonly peers: FakeMediaPeer[] = []
  readonly keyframeRequests: string[] = []
  closed = false

  createPeer(init: { roomId: string; clientId: string; handlers: MediaPeerHandlers }): MediaPeer {
    const peer = new FakeMediaPeer(init.roomId, init.clientId, init.handlers)
    this.peers.push(peer)
    return peer
  }

  requestKeyframe(track: PublishedTrack): void {
    this.keyframeRequests.push(track.trackId)
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
}
