// Ports: the narrowest structural types of everything the core reaches outside itself. Nothing here
// reads a global; browser defaults are bound in browser.ts, Node ones are passed in (node.ts).
// A browser's own objects satisfy these types, and so do werift's (with the adapter in node.ts).

/** Stripped-down `fetch`: only what the hub client uses. */
export type FetchLike = (
  url: string,
  init: {
    method: string
    headers?: Record<string, string>
    body?: string
    signal?: AbortSignal
    keepalive?: boolean
  },
) => Promise<FetchResponseLike>

export interface FetchResponseLike {
  readonly ok: boolean
  readonly status: number
  readonly headers: { get(name: string): string | null }
  text(): Promise<string>
}

/** A `MessageEvent`-like SSE event: only `data` is read. */
export interface SseMessageLike {
  readonly data: string
  /** The event's `id:` (MessageEvent.lastEventId); '' or absent when the hub sent none (pings). */
  readonly lastEventId?: string
}

export interface EventSourceLike {
  readonly readyState: number
  addEventListener(type: string, listener: (event: SseMessageLike) => void): void
  removeEventListener(type: string, listener: (event: SseMessageLike) => void): void
  close(): void
}

export type EventSourceFactory = (url: string) => EventSourceLike

// --- WebRTC ----------------------------------------------------------------------------------

export interface SessionDescriptionLike {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback'
  sdp?: string
}

export interface IceCandidateInitLike {
  candidate?: string
  sdpMid?: string | null
  sdpMLineIndex?: number | null
  usernameFragment?: string | null
}

export interface MediaStreamTrackLike {
  readonly id: string
  readonly kind: string
  enabled: boolean
  readonly readyState: 'live' | 'ended'
  stop(): void
  addEventListener(type: 'ended' | 'mute' | 'unmute', listener: () => void): void
  removeEventListener(type: 'ended' | 'mute' | 'unmute', listener: () => void): void
}

export interface MediaStreamLike {
  readonly id: string
  getTracks(): MediaStreamTrackLike[]
  addEventListener(type: 'addtrack' | 'removetrack', listener: () => void): void
  removeEventListener(type: 'addtrack' | 'removetrack', listener: () => void): void
}

/** A stream whose tracks can change (a browser's MediaStream): a device switch swaps a track in place, keeping the stream id. */
export interface EditableMediaStreamLike extends MediaStreamLike {
  addTrack(track: MediaStreamTrackLike): void
  removeTrack(track: MediaStreamTrackLike): void
}

export function isEditableStream(stream: MediaStreamLike): stream is EditableMediaStreamLike {
  const candidate = stream as Partial<EditableMediaStreamLike>
  return typeof candidate.addTrack === 'function' && typeof candidate.removeTrack === 'function'
}

export interface RtpSenderLike {
  readonly track: MediaStreamTrackLike | null
  replaceTrack(track: MediaStreamTrackLike | null): Promise<void>
  /** Optional: a browser's sender has them (sendResolution.ts), the trace replay's has not; werift's setParameters returns nothing. */
  getParameters?(): { degradationPreference?: string; [parameter: string]: unknown }
  setParameters?(parameters: object): Promise<void> | void
}

/** One layer a sender encodes (an RTCRtpEncodingParameters, as far as the core sets one: the camera's simulcast, peerSession.ts). */
export interface SendEncodingLike {
  rid?: string
  scaleResolutionDownBy?: number
  maxBitrate?: number
}

export interface RtpTransceiverLike {
  readonly mid: string | null
  readonly sender: RtpSenderLike
  readonly receiver: { readonly track: MediaStreamTrackLike }
  direction: string
  readonly currentDirection?: string | null
}

export interface TrackEventLike {
  readonly track: MediaStreamTrackLike
  readonly streams: readonly MediaStreamLike[]
  readonly transceiver: RtpTransceiverLike
}

export interface IceCandidateEventLike {
  readonly candidate: { toJSON(): IceCandidateInitLike } | IceCandidateInitLike | null
}

/** An RTCDataChannel, as far as the core uses one (the hub creates the room channels; we receive them). */
export interface DataChannelLike {
  readonly label: string
  readonly readyState: string
  send(data: string): void
  close(): void
  addEventListener(type: 'open' | 'close' | 'message', listener: (event: { data?: unknown }) => void): void
  removeEventListener(type: 'open' | 'close' | 'message', listener: (event: { data?: unknown }) => void): void
}

export interface PeerConnectionEventMap {
  icecandidate: IceCandidateEventLike
  track: TrackEventLike
  /** A data channel the hub opened (room channels: `channel/create`). */
  datachannel: { channel: DataChannelLike }
  connectionstatechange: unknown
  iceconnectionstatechange: unknown
  signalingstatechange: unknown
  negotiationneeded: unknown
}

export interface PeerConnectionLike {
  readonly connectionState: string
  readonly iceConnectionState: string
  readonly signalingState: string
  readonly localDescription: SessionDescriptionLike | null
  readonly remoteDescription: SessionDescriptionLike | null
  addTransceiver(
    trackOrKind: MediaStreamTrackLike | 'audio' | 'video',
    init?: { direction?: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'; streams?: MediaStreamLike[]; sendEncodings?: readonly SendEncodingLike[] },
  ): RtpTransceiverLike
  getTransceivers(): RtpTransceiverLike[]
  /** Stops sending a track (its m-line stops sending at the next offer); absent on some non-browser stacks. */
  removeTrack?(sender: RtpSenderLike): void
  /**
   * Opens a data channel of ours. The peer session opens one before its first offer, so that offer
   * carries m=application and SCTP comes up with the first connection (see PeerSession); without it
   * the room channels wait for a hub offer that adds m=application later.
   */
  createDataChannel?(label: string, init?: { ordered?: boolean; negotiated?: boolean; id?: number }): DataChannelLike
  createOffer(options?: { iceRestart?: boolean }): Promise<SessionDescriptionLike>
  createAnswer(): Promise<SessionDescriptionLike>
  setLocalDescription(description: SessionDescriptionLike): Promise<void>
  setRemoteDescription(description: SessionDescriptionLike): Promise<void>
  addIceCandidate(candidate: IceCandidateInitLike): Promise<void>
  restartIce?(): void
  /** The stats report (an RTCStatsReport is iterated with forEach); optional: without it there are no stats. */
  getStats?(): Promise<{ forEach(callback: (stat: unknown) => void): void }>
  addEventListener<K extends keyof PeerConnectionEventMap>(type: K, listener: (event: PeerConnectionEventMap[K]) => void): void
  removeEventListener<K extends keyof PeerConnectionEventMap>(type: K, listener: (event: PeerConnectionEventMap[K]) => void): void
  close(): void
}

export interface PeerConnectionConfig {
  iceServers?: { urls: string | string[]; username?: string; credential?: string }[]
  bundlePolicy?: 'max-bundle' | 'balanced' | 'max-compat'
  /** 'relay': only TURN candidates (media through a relay of `iceServers`). */
  iceTransportPolicy?: 'all' | 'relay'
}

export type PeerConnectionFactory = (config: PeerConnectionConfig) => PeerConnectionLike

// --- Media devices ---------------------------------------------------------------------------

export interface MediaConstraintsLike {
  audio: boolean | Record<string, unknown>
  video: boolean | Record<string, unknown>
}

export interface MediaDeviceInfoLike {
  readonly deviceId: string
  readonly kind: string
  readonly label: string
}

/** How an open is meant. `probe`: only to learn whether the device opens (its tracks are stopped at once), so a wrapper that processes the camera (the web app's background blur) leaves it as it is. */
export interface MediaOpenOptions {
  probe?: boolean
}

export interface MediaDevicesLike {
  getUserMedia(constraints: MediaConstraintsLike, options?: MediaOpenOptions): Promise<MediaStreamLike>
  /** Screen capture; absent where the platform has none (Node, old browsers): screen sharing is then unavailable. */
  getDisplayMedia?(constraints: { video: boolean; audio?: boolean }): Promise<MediaStreamLike>
  enumerateDevices(): Promise<MediaDeviceInfoLike[]>
  /** `devicechange` (a device plugged in or out); returns the unsubscribe. Absent where there is none: lists are then read once. */
  onDeviceChange?(listener: () => void): () => void
}

// --- Time and page lifecycle -----------------------------------------------------------------

/** Timers the machines' delays and reconnect back-off use (XState's clock shape). */
export interface ClockLike {
  setTimeout(fn: (...args: unknown[]) => void, ms: number): unknown
  clearTimeout(id: unknown): void
  now(): number
}

/** `navigator.sendBeacon`: a leave that survives page unload. */
export type BeaconLike = (url: string) => boolean

/**
 * A same-origin broadcast channel (`BroadcastChannel`): the tabs of one browser profile tell each other
 * which room each is in, so a second tab in the same room is offered to take the call over. A message
 * reaches every other channel of that name, never the one that posted it.
 */
export interface TabChannelLike {
  postMessage(message: unknown): void
  addEventListener(type: 'message', listener: (event: { data?: unknown }) => void): void
  removeEventListener(type: 'message', listener: (event: { data?: unknown }) => void): void
  close(): void
}

export type TabChannelFactory = (name: string) => TabChannelLike

/**
 * The device's network changed: back online, or another connection (Wi-Fi to mobile). Calls the
 * listener at each change; returns the unsubscribe. The peer connection's candidates gathered before
 * it may name an address that is gone: the pre-join gathers again and a call restarts ICE at once,
 * rather than waiting for the browser to call ICE failed (Chromium: seconds; video back in 0.8 s
 * instead of 7.4 s, apps/web/e2e/network-change.spec.ts).
 */
export type NetworkWatch = (listener: () => void) => () => void

export interface Ports {
  fetch: FetchLike
  eventSource: EventSourceFactory
  peerConnection: PeerConnectionFactory
  media: MediaDevicesLike
  clock: ClockLike
  beacon?: BeaconLike
  /** Absent where there are no tabs (Node): a second tab is then never detected. */
  tabs?: TabChannelFactory
  /** Absent where the platform tells nothing (Node): stale candidates are then found by ICE failing. */
  network?: NetworkWatch
}
