// The hub's media plane, behind one small interface so that a second implementation could sit beside
// werift. The room logic decides *which* peer subscribes to which track and *when* a server offer may be
// sent (the negotiation lock of hub-api-v1.md §4). The media plane does WebRTC and keeps every media rule
// to itself: answer/offer SDP, ICE candidates (the empty end-of-candidates one included), forwarding RTP,
// when a publisher is asked for keyframes, and when a data channel can be created.
// `src/test-support/mediaPlaneConformance.ts` is the suite an implementation has to pass;
// `boundary.ts` holds the interface's two rules (handlers later, no exception across).
import type { Answer, AudioLevelSample, Bitrates, IceCandidate, Offer } from '@parley/protocol'

export type { IceConfig } from '@parley/werift-config'

export type PeerConnectionState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed'
export type SignalingState = 'stable' | 'have-local-offer' | 'have-remote-offer' | 'closed'

/**
 * A server offer and the peer's change count when its content was fixed: every change signalled with a
 * number up to `covers` is in it. The negotiator owes the client another offer only for a later change:
 * with the plane in a worker, each change's signal arrives on its own, often while an offer that already
 * carries it is being made (negotiation.ts).
 */
export type HubOffer = Offer & { readonly covers: number }

/** A track a client publishes, identified as in its SDP (`a=msid:<streamId> <trackId>`). */
export interface PublishedTrack {
  /** The publisher's MSID track id; the key of `tracks_added` / `tracks_available`. */
  readonly trackId: string
  /** The publisher's MSID stream id; subscribers receive the track under the same stream id. */
  readonly streamId: string
  readonly kind: 'audio' | 'video'
  /** The publishing client. */
  readonly clientId: string
}

/** Callbacks from one peer to the room logic. Called asynchronously (a later microtask at the earliest), never after close. */
export interface MediaPeerHandlers {
  /** A server ICE candidate to deliver as SSE `candidate`. */
  onIceCandidate(candidate: IceCandidate): void
  /** The client started sending a new track (after its offer was answered and RTP arrived or the m-line was set up). */
  onTrackPublished(track: PublishedTrack): void
  /** The client stopped publishing a track (its offer dropped or inactivated the m-line, or the transceiver stopped). */
  onTrackUnpublished(track: PublishedTrack): void
  onConnectionStateChange(state: PeerConnectionState): void
  /**
   * The server side changed (a subscription was added or removed, a data channel opened): a server offer is
   * needed. `change`: the peer's change count with this change (see `HubOffer.covers`).
   */
  onNegotiationNeeded(change: number): void
  /** A message arrived on a room data channel opened with `openDataChannel`. */
  onDataChannelMessage(label: string, data: string | Uint8Array): void
  /**
   * The plane stopped forwarding another client's video `track` to this peer because its link cannot carry
   * it (`paused`), or forwards it again (from a keyframe); its audio is forwarded throughout. SSE
   * `parley_video_paused` to this client.
   */
  onVideoPaused(track: PublishedTrack, paused: boolean): void
  /**
   * Voice activity on another client's audio `track` this peer receives (vad.ts): given only for a client
   * registered with `enable_vad`; a plane runs detectors only for tracks such a peer receives (absent on
   * a plane without detection). `ssrc` / `clockRate`: the forwarded stream's, as this peer receives it.
   */
  onVoiceActivity?(track: PublishedTrack, activity: VoiceActivity): void
}

/** One report of a track's voice detector: the loud packets since the last one, or null: speaking ended. */
export interface VoiceActivity {
  readonly ssrc: number
  readonly clockRate: number
  readonly audioLevels: AudioLevelSample[] | null
}

export interface MediaPeer {
  readonly clientId: string
  readonly connectionState: PeerConnectionState
  readonly signalingState: SignalingState
  /**
   * The plane puts forwardings waiting for an m-line into the recvonly m-lines of a client's offer (its
   * receive slots), so the room may subscribe a joining client before its first offer (client.ts).
   * Absent: forwardings come only with server offers.
   */
  readonly receivesInAnswer?: boolean
  /** When the client last sent RTP or RTCP (injected Clock, ms); undefined before its first packet. The hub's liveness rules read it. */
  readonly lastReceivedAt: number | undefined
  /** Applies a client offer and returns the answer (local candidates trickle through `onIceCandidate`). */
  handleOffer(offer: Offer): Promise<Answer>
  /** Creates and applies a server offer; only call when `signalingState === 'stable'`. */
  createOffer(): Promise<HubOffer>
  /** Applies the client's answer to the last server offer. */
  handleAnswer(answer: Answer): Promise<void>
  /** Adds a client candidate; queued until a remote description exists. An empty candidate is ignored. */
  addIceCandidate(candidate: IceCandidate): Promise<void>
  /**
   * Starts forwarding a published track to this peer (idempotent; own tracks and unknown tracks are
   * ignored) and asks its publisher for a keyframe. Fires `onNegotiationNeeded` when it changed anything.
   */
  subscribe(track: PublishedTrack): void
  /** Stops forwarding (transceiver.stop()); fires `onNegotiationNeeded` when it changed anything. */
  unsubscribe(track: PublishedTrack): void
  /**
   * Opens a server-created data channel with this label (idempotent). The plane creates it once the
   * client's first offer is applied; fires `onNegotiationNeeded` when only a server offer can carry it,
   * except with `withNextOffer`: then it rides on the next server offer that goes anyway (the hub's
   * `internal` channel, kept off the join's critical path).
   */
  openDataChannel(label: string, ordered: boolean, withNextOffer?: boolean): void
  /**
   * The client shows another client's video track `trackId` (the publisher's MSID track id, which the
   * subscriber's track carries) at width × height CSS pixels, 0 when not shown (its `internal` channel's
   * video_size): the forwarding's simulcast ceiling, or its pause while hidden (viewer-size.ts).
   */
  viewerSize(trackId: string, width: number, height: number): void
  /**
   * This client, publishing `trackId` (its MSID track id) as simulcast, sends only the layers `active`
   * names from now on (its `internal` channel's simulcast_layers): the others are stopped at once, their
   * subscribers moved to a layer it sends, and counted again once named (werift-simulcast.ts).
   */
  publisherLayers(trackId: string, active: readonly string[]): void
  /** Sends on this peer's data channel with that label when it is open; drops the message otherwise. */
  sendDataChannelMessage(label: string, data: string | Uint8Array): void
  /** Releases the peer connection and every forwarding it holds. Idempotent. */
  close(): Promise<void>
}

export interface MediaPlane {
  /** `bitrates`: the room's option, bounding what the plane tells publishers they may send. */
  createPeer(init: { roomId: string; clientId: string; handlers: MediaPeerHandlers; bitrates?: Bitrates }): MediaPeer
  /** Closes every peer. */
  close(): Promise<void>
  /** RTP packets forwarded to subscribers since the plane started (a cluster node's load); optional. */
  packetsForwarded?(): number
  /**
   * `false`: the plane declines a publisher's simulcast layers and gets no video from such a publisher
   * (ndc: libdatachannel routes incoming RTP by the offer's SSRCs, and a rid offer names none), so the
   * web app the hub serves is told to publish one stream (server.ts, `/config.json`). Absent: forwarded.
   */
  readonly simulcast?: boolean
  /**
   * `false`: the plane fills no receive slot (its peers' `receivesInAnswer` is absent) and keeps an empty one
   * dead for the call instead of reusing it, so the web app the hub serves is told to offer one of each kind,
   * not the core's three (server.ts, `/config.json`; ndc). Absent: it fills them.
   */
  readonly fillsReceiveSlots?: boolean
}
