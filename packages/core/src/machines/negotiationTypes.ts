// The negotiation machine's data: what it is given, what it keeps, what it hears, what it asks of its peer
// session and what it tells the conference. The statechart itself is in negotiationMachine.ts.
import type { IceCandidate } from '@parley/protocol'
import type { PeerSessionEvent } from '../peerSession.js'

export interface NegotiationInput {
  roomId: string
  clientId: string
  /** ICE restarts tried before giving up (default 2). */
  maxIceRestarts?: number
}

export interface NegotiationContext {
  roomId: string
  clientId: string
  maxIceRestarts: number
  iceRestarts: number
  /** Our offer or answer, from its creation until the hub has it. */
  localSdp: string | null
  /** A hub offer that arrived during an exchange (heldOffer = held); delivered again once it is done. */
  heldHubOfferSdp: string | null
  error: string | null
}

/** What the negotiation machine asks of its peer session (the hub's candidates go there directly). */
export type PeerSessionCommand =
  | { type: 'session.createOffer' }
  | { type: 'session.acceptAnswer'; sdp: string }
  | { type: 'session.answerOffer'; sdp: string }
  | { type: 'session.restartIce' }
  /** Report the ICE state again if it is `failed` (peer.iceFailed); nothing otherwise. */
  | { type: 'session.recheckIce' }
  /** From the screen-share machine (screenShareMachine.ts), which then asks for a renegotiation. */
  | { type: 'session.publishScreen' }
  | { type: 'session.unpublishScreen' }
  /** From the devices machine (devicesMachine.ts): the local track of this kind changed; no renegotiation. */
  | { type: 'session.replaceTrack'; kind: 'audio' | 'video' }
  | { type: 'hub.candidate'; candidate: IceCandidate }

export type NegotiationEvent =
  | { type: 'negotiation.change' }
  /** The device's network changed: the candidates in use may be gone. */
  | { type: 'network.changed' }
  | { type: 'hub.offer'; sdp: string }
  | { type: 'hub.allowedRenegotiation' }
  | PeerSessionEvent
  /** The peer session's answers to its commands. */
  | { type: 'peer.offer'; sdp: string }
  | { type: 'peer.answer'; sdp: string }
  | { type: 'peer.answerApplied' }
  | { type: 'peer.error'; message: string }
  /** The peer session sends our camera on a sender whose resolution can be held (resolutionHoldMachine.ts). */
  | { type: 'peer.cameraSending' }
  /** ... and sends it as simulcast layers: the negotiation spawns their watch (sendLayersMachine.ts). */
  | { type: 'peer.cameraLayers' }
  /** An offer/answer exchange of such a session is complete: passed on to the layers' watch. */
  | { type: 'peer.negotiated' }
  /** Raised when the exchange in flight completed: `then` decides what follows. */
  | { type: 'exchange.done' }

/** What the negotiation machine tells its parent (the conference). */
export type NegotiationParentEvent =
  | { type: 'negotiation.connected' }
  | { type: 'negotiation.reconnecting' }
  /** A hub offer is being answered (setRemoteDescription…setLocalDescription); then our answer has left (its PUT on its way, or failed). */
  | { type: 'negotiation.answering' }
  | { type: 'negotiation.answered' }
  | { type: 'negotiation.failed'; message: string }
