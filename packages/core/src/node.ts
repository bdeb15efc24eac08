// Ports for Node (tests, bots): the caller passes the constructors (werift's RTCPeerConnection, the
// `eventsource` package's EventSource, a MediaDevicesLike), so the core's runtime code imports none
// of them. werift's peer connection is close to the browser's; the adapter below covers the gaps.
import type {
  ClockLike,
  EventSourceLike,
  MediaDevicesLike,
  MediaStreamLike,
  PeerConnectionConfig,
  PeerConnectionEventMap,
  PeerConnectionLike,
  Ports,
  FetchLike,
  TrackEventLike,
} from './ports.js'

type Listener = (event: never) => void

/** What the adapter needs of a peer connection object (werift's or any W3C-like one). */
export interface PeerConnectionObject {
  addEventListener(type: string, listener: (event: never) => void): void
  removeEventListener(type: string, listener: (event: never) => void): void
}

export interface NodePortsOptions {
  /** A peer connection class, e.g. werift's `RTCPeerConnection`. */
  RTCPeerConnection?: new (config: never) => unknown
  /**
   * Extra constructor options merged over the core's config, e.g. werift's loopback-only settings
   * (`iceInterfaceAddresses`, `iceAdditionalHostAddresses`, `iceFilterCandidatePair`, ...).
   */
  peerConnectionOptions?: Record<string, unknown>
  /** Or a factory building the peer connection yourself (then RTCPeerConnection is not needed). */
  peerConnection?: (config: PeerConnectionConfig) => unknown
  /** An EventSource class, e.g. the `eventsource` package's. */
  EventSource: new (url: string) => EventSourceLike
  media: MediaDevicesLike
  /** Defaults to Node's global fetch. */
  fetch?: FetchLike
  clock?: ClockLike
}

/** A stream as the core expects it; werift's MediaStream has no events, so it gets inert listeners. */
function adaptStream(stream: unknown): MediaStreamLike {
  const s = stream as Partial<MediaStreamLike> & { id: string; getTracks(): MediaStreamLike['getTracks'] extends () => infer T ? T : never }
  if (typeof s.addEventListener === 'function' && typeof s.removeEventListener === 'function') return s as MediaStreamLike
  return Object.assign(s, {
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
  }) as MediaStreamLike
}

/** Wraps a werift (or W3C) peer connection so it satisfies PeerConnectionLike exactly. */
export function adaptPeerConnection(pc: unknown): PeerConnectionLike {
  const target = pc as PeerConnectionLike & PeerConnectionObject
  const wrapped = new Map<unknown, Listener>()
  const wrap = (type: string, listener: unknown): Listener => {
    if (type !== 'track') return listener as Listener
    let adapted = wrapped.get(listener)
    if (!adapted) {
      adapted = ((event: TrackEventLike) =>
        (listener as (event: TrackEventLike) => void)({
          track: event.track,
          transceiver: event.transceiver,
          streams: event.streams.map(adaptStream),
        })) as Listener
      wrapped.set(listener, adapted)
    }
    return adapted
  }
  const adapter: PeerConnectionLike = {
    get connectionState() { return target.connectionState },
    get iceConnectionState() { return target.iceConnectionState },
    get signalingState() { return target.signalingState },
    get localDescription() { return target.localDescription },
    get remoteDescription() { return target.remoteDescription },
    addTransceiver: (trackOrKind, init) => target.addTransceiver(trackOrKind, init),
    getTransceivers: () => target.getTransceivers(),
    createOffer: (options) => target.createOffer(options),
    createAnswer: () => target.createAnswer(),
    setLocalDescription: async (description) => {
      await target.setLocalDescription(description)
    },
    setRemoteDescription: async (description) => {
      await target.setRemoteDescription(description)
    },
    addIceCandidate: (candidate) => target.addIceCandidate(candidate),
    addEventListener: <K extends keyof PeerConnectionEventMap>(type: K, listener: (event: PeerConnectionEventMap[K]) => void) =>
      target.addEventListener(type, wrap(type, listener)),
    removeEventListener: <K extends keyof PeerConnectionEventMap>(type: K, listener: (event: PeerConnectionEventMap[K]) => void) => {
      target.removeEventListener(type, wrap(type, listener))
      wrapped.delete(listener)
    },
    close: () => target.close(),
  }
  return adapter
}

const nodeClock: ClockLike = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
}

export function nodePorts(options: NodePortsOptions): Ports {
  const build = options.peerConnection
    ?? ((config: PeerConnectionConfig) => {
      if (!options.RTCPeerConnection) throw new Error('nodePorts: pass RTCPeerConnection or a peerConnection factory')
      return new options.RTCPeerConnection({ ...config, ...options.peerConnectionOptions } as never)
    })
  const fetchPort: FetchLike = options.fetch ?? ((url, init) => fetch(url, init))
  return {
    fetch: fetchPort,
    eventSource: (url) => new options.EventSource(url),
    peerConnection: (config) => adaptPeerConnection(build(config)),
    media: options.media,
    clock: options.clock ?? nodeClock,
  }
}

export { createConference } from './conference.js'
