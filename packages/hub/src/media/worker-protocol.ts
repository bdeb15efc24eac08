// The messages between the worker plane's main side (worker-plane.ts) and a media worker
// (worker-host.ts). Everything is structured-clone data: SDP, candidates, tracks, states, and
// data-channel payloads (a Uint8Array is copied). Media itself never crosses: a room's peers all live
// in one worker and forward to each other there.
import type { Answer, Bitrates, IceCandidate, Offer } from '@parley/protocol'
import type { LogFields, LogLevel } from '../log.js'
import type { HubOffer, IceConfig, PeerConnectionState, PublishedTrack, SignalingState, VoiceActivity } from './types.js'

/** What a worker is started with (`workerData`). */
export interface MediaWorkerData {
  ice: Partial<IceConfig>
  fastSend: boolean
  /** How often the worker posts the peers' `lastReceivedAt` that changed (ms). */
  receivedIntervalMs: number
  /** The nice value the worker's thread asks for (thread-priority.ts); null: left as it is. */
  nice: number | null
}

/** The async methods of a peer, with their argument and result. */
export interface PeerCalls {
  handleOffer: { arg: Offer; result: Answer }
  createOffer: { arg: undefined; result: HubOffer }
  handleAnswer: { arg: Answer; result: undefined }
  addIceCandidate: { arg: IceCandidate; result: undefined }
  close: { arg: undefined; result: undefined }
}
export type PeerCallName = keyof PeerCalls

/** The fire-and-forget methods of a peer. */
export type PeerCommand =
  | { method: 'subscribe'; track: PublishedTrack }
  | { method: 'unsubscribe'; track: PublishedTrack }
  | { method: 'openDataChannel'; label: string; ordered: boolean; withNextOffer?: boolean }
  | { method: 'viewerSize'; trackId: string; width: number; height: number }
  | { method: 'publisherLayers'; trackId: string; active: string[] }
  | { method: 'sendDataChannelMessage'; label: string; data: string | Uint8Array }

export type ToWorker =
  /** `voiceActivity`: the room gave the peer an onVoiceActivity handler (a client registered with enable_vad). */
  | { type: 'peer.create'; peerId: number; roomId: string; clientId: string; bitrates?: Bitrates; voiceActivity?: boolean }
  | { type: 'peer.call'; callId: number; peerId: number; method: PeerCallName; arg?: unknown }
  | ({ type: 'peer.command'; peerId: number } & PeerCommand)
  | { type: 'plane.close'; callId: number }
  /** Fault injection (tests, the faults benchmark): the worker throws an uncaught exception. */
  | { type: 'fault.crash' }

/** A peer's handler call, as data. */
export type PeerEvent =
  | { event: 'iceCandidate'; candidate: IceCandidate }
  | { event: 'trackPublished'; track: PublishedTrack }
  | { event: 'trackUnpublished'; track: PublishedTrack }
  | { event: 'connectionState'; state: PeerConnectionState }
  | { event: 'negotiationNeeded'; change: number }
  | { event: 'dataChannelMessage'; label: string; data: string | Uint8Array }
  | { event: 'videoPaused'; track: PublishedTrack; paused: boolean }
  | { event: 'voiceActivity'; track: PublishedTrack; activity: VoiceActivity }

/** The synchronous getters' values after a call or a state change. */
export interface PeerStates {
  connectionState: PeerConnectionState
  signalingState: SignalingState
}

export type FromWorker =
  | { type: 'ready' }
  | ({ type: 'peer.event'; peerId: number; states: PeerStates } & PeerEvent)
  | { type: 'call.result'; callId: number; peerId?: number; states?: PeerStates; ok: true; value: unknown }
  | { type: 'call.result'; callId: number; peerId?: number; states?: PeerStates; ok: false; error: string }
  /**
   * Every `receivedIntervalMs`: `lastReceivedAt` of the peers whose value changed since the last tick
   * ([peerId, ms since the epoch]) and the worker's forwarded-packet count so far.
   */
  | { type: 'tick'; stamps: [number, number][]; packetsForwarded: number }
  | { type: 'log'; level: LogLevel; msg: string; fields?: LogFields }
