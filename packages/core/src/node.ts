// Ports for Node (tests, bots): the caller passes the constructors (werift's RTCPeerConnection, the
// `eventsource` package's EventSource, a MediaDevicesLike), so the core's runtime code imports none
// of them. werift's peer connection is close to the browser's; the adapter below covers the gaps.
import type {
  ClockLike,
  DataChannelLike,
  EventSourceLike,
  MediaDevicesLike,
  MediaStreamLike,
  MediaStreamTrackLike,
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

/**
 * werift fires one `track` event per transceiver, each with a NEW MediaStream object holding only
 * that track (same id), and its MediaStream has no events. Browsers hand out one MediaStream per id.
 * The adapter does what browsers do: one stream per id per peer connection, gaining each track.
 */
class MergedStream implements MediaStreamLike {
  private readonly tracks: MediaStreamTrackLike[] = []
  private readonly target = new EventTarget()

  constructor(readonly id: string) {}

  getTracks(): MediaStreamTrackLike[] {
    return [...this.tracks]
  }

  addTrack(track: MediaStreamTrackLike): void {
    if (this.tracks.includes(track)) return
    this.tracks.push(track)
    this.target.dispatchEvent(new Event('addtrack'))
  }

  removeTrack(track: MediaStreamTrackLike): void {
    const index = this.tracks.indexOf(track)
    if (index < 0) return
    this.tracks.splice(index, 1)
    this.target.dispatchEvent(new Event('removetrack'))
  }

  addEventListener(type: 'addtrack' | 'removetrack', listener: () => void): void {
    this.target.addEventListener(type, listener)
  }

  removeEventListener(type: 'addtrack' | 'removetrack', listener: () => void): void {
    this.target.removeEventListener(type, listener)
  }
}

/**
 * werift's RTCDataChannel emits `open` and `close` as events but hands messages only to `onMessage`
 * (and `onmessage`), not to `message` listeners: this adapter turns those into `message` events.
 */
export function adaptDataChannel(channel: unknown): DataChannelLike {
  const native = channel as DataChannelLike & { onMessage?: { subscribe(fn: (data: unknown) => void): { unSubscribe(): void } } }
  if (!native.onMessage) return native
  const subscriptions = new Map<unknown, { unSubscribe(): void }>()
  return {
    get label() { return native.label },
    get readyState() { return native.readyState },
    send: (data) => native.send(data),
    close: () => native.close(),
    addEventListener: (type, listener) => {
      if (type !== 'message') return native.addEventListener(type, listener)
      subscriptions.set(listener, native.onMessage!.subscribe((data) => listener({ data })))
    },
    removeEventListener: (type, listener) => {
      if (type !== 'message') return native.removeEventListener(type, listener)
      subscriptions.get(listener)?.unSubscribe()
      subscriptions.delete(listener)
    },
  }
}

/** Wraps a werift (or W3C) peer connection so it satisfies PeerConnectionLike exactly. */
export function adaptPeerConnection(pc: unknown): PeerConnectionLike {
  const target = pc as PeerConnectionLike & PeerConnectionObject
  const wrapped = new Map<unknown, Listener>()
  const streams = new Map<string, MediaStreamLike>()
  const streamOf = (stream: MediaStreamLike, track: MediaStreamTrackLike): MediaStreamLike => {
    const native = stream as Partial<MediaStreamLike>
    // A W3C stream (with events) is used as it is.
    if (typeof native.addEventListener === 'function') return stream
    let merged = streams.get(stream.id) as MergedStream | undefined
    if (!merged) streams.set(stream.id, (merged = new MergedStream(stream.id)))
    merged.addTrack(track)
    return merged
  }
  // One adapter per channel, whoever listens: a channel is one object to every listener (and to a trace).
  const channels = new WeakMap<object, DataChannelLike>()
  const channelOf = (native: unknown): DataChannelLike => {
    let adapted = channels.get(native as object)
    if (!adapted) channels.set(native as object, (adapted = adaptDataChannel(native)))
    return adapted
  }
  const wrap = (type: string, listener: unknown): Listener => {
    if (type === 'datachannel') {
      let adapted = wrapped.get(listener)
      if (!adapted) {
        adapted = ((event: { channel: unknown }) => (listener as (event: { channel: DataChannelLike }) => void)({ channel: channelOf(event.channel) })) as Listener
        wrapped.set(listener, adapted)
      }
      return adapted
    }
    if (type !== 'track') return listener as Listener
    let adapted = wrapped.get(listener)
    if (!adapted) {
      adapted = ((event: TrackEventLike) =>
        (listener as (event: TrackEventLike) => void)({
          track: event.track,
          transceiver: event.transceiver,
          streams: event.streams.map((stream) => streamOf(stream, event.track)),
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
    // werift encodes nothing: the app writes one RTP stream into a track, so the camera's simulcast
    // layers are not asked for (werift would offer rids that stream never carries).
    addTransceiver: (trackOrKind, init) => {
      const { sendEncodings: _layers, ...oneStream } = init ?? {}
      return target.addTransceiver(trackOrKind, oneStream)
    },
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
  const createDataChannel = target.createDataChannel?.bind(target)
  if (createDataChannel) adapter.createDataChannel = (label, init) => channelOf(createDataChannel(label, init))
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
