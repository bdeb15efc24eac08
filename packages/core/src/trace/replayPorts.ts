// Ports fed from a trace: every request, peer-connection call, media request and timer the machines
// make waits until the replay delivers what the trace says came back. Objects are matched to the
// recorded ones by creation order (the nth request made is the trace's request n), as the recording
// decorators number them.
import type {
  ClockLike,
  DataChannelLike,
  FetchLike,
  FetchResponseLike,
  IceCandidateInitLike,
  MediaDeviceInfoLike,
  MediaStreamLike,
  MediaStreamTrackLike,
  PeerConnectionEventMap,
  PeerConnectionLike,
  Ports,
  RtpTransceiverLike,
  SendEncodingLike,
  SessionDescriptionLike,
  SseMessageLike,
} from '../ports.js'
import type { PeerStates, TraceDevice, TraceError, TraceStream } from './format.js'
import {
  inertDataChannel,
  pending,
  ReplayDataChannel,
  ReplayEventSource,
  ReplayStream,
  ReplayTabChannel,
  ReplayTrack,
  toError,
  type Pending,
  type ReplayOptionalMembers,
  type StatsReportLike,
} from './replayObjects.js'

class ReplayPeerConnection implements PeerConnectionLike {
  connectionState = 'new'
  iceConnectionState = 'new'
  signalingState = 'stable'
  localDescription: SessionDescriptionLike | null = null
  remoteDescription: SessionDescriptionLike | null = null
  readonly calls = new Map<number, Pending<unknown>>()
  private callCount = 0
  private readonly transceivers: RtpTransceiverLike[] = []
  private readonly target = new EventTarget()
  readonly tracks = new Map<string, ReplayTrack>()
  readonly streams = new Map<string, ReplayStream>()
  /** Data channels by their number in the trace (`pc.event` 'datachannel'). */
  readonly channels = new Map<number, ReplayDataChannel>()

  private call<T>(apply: (value: unknown) => T): Promise<T> {
    const { promise, handle } = pending<T>()
    this.calls.set(++this.callCount, {
      resolve: (value) => handle.resolve(apply(value)),
      reject: handle.reject,
    })
    return promise
  }

  addTransceiver(trackOrKind: MediaStreamTrackLike | 'audio' | 'video', init?: { direction?: string; sendEncodings?: readonly SendEncodingLike[] }): RtpTransceiverLike {
    this.callCount++
    const kind = typeof trackOrKind === 'string' ? trackOrKind : trackOrKind.kind
    const transceiver: RtpTransceiverLike = {
      mid: String(this.transceivers.length),
      sender: {
        track: typeof trackOrKind === 'string' ? null : trackOrKind,
        replaceTrack: async () => undefined,
        // What the recorded browser answered is not kept; only its encodings count (as asked at addTransceiver,
        // as a browser answers): the layers' watch runs for a sender of more than one (PeerSession.layered).
        ...(this.optional.senderParameters ? { getParameters: () => ({ encodings: [...(init?.sendEncodings ?? [{}])] }), setParameters: async () => undefined } : {}),
      },
      receiver: { track: new ReplayTrack(`receiver-${this.transceivers.length}`, kind) },
      direction: init?.direction ?? 'sendrecv',
      currentDirection: null,
    }
    this.transceivers.push(transceiver)
    return transceiver
  }
  getTransceivers(): RtpTransceiverLike[] {
    return [...this.transceivers]
  }
  createOffer(): Promise<SessionDescriptionLike> {
    return this.call((value) => value as SessionDescriptionLike)
  }
  createAnswer(): Promise<SessionDescriptionLike> {
    return this.call((value) => value as SessionDescriptionLike)
  }
  setLocalDescription(description: SessionDescriptionLike): Promise<void> {
    return this.call((held) => {
      // The recorded result is the description the connection held afterwards, when it differed.
      this.localDescription = (held as SessionDescriptionLike | undefined) ?? description
    })
  }
  setRemoteDescription(description: SessionDescriptionLike): Promise<void> {
    return this.call(() => {
      this.remoteDescription = description
    })
  }
  addIceCandidate(_candidate: IceCandidateInitLike): Promise<void> {
    return this.call(() => undefined)
  }
  /** Present as on the recorded stack (a browser's, not werift's): answered with the figures the trace kept. */
  getStats?: () => Promise<StatsReportLike>
  removeTrack?: (sender: RtpTransceiverLike['sender']) => void
  createDataChannel?: (label: string) => DataChannelLike

  constructor(private readonly optional: ReplayOptionalMembers) {
    if (optional.getStats) {
      this.getStats = () =>
        this.call((value) => {
          const stats = (value as { stats?: unknown[] } | undefined)?.stats ?? []
          return { forEach: (callback: (stat: unknown) => void) => stats.forEach((stat) => callback(stat)) }
        })
    }
    if (optional.createDataChannel) {
      this.createDataChannel = (label) => {
        this.callCount++
        return inertDataChannel(label)
      }
    }
    if (optional.removeTrack) {
      this.removeTrack = (sender) => {
        this.callCount++
        const transceiver = this.transceivers.find((t) => t.sender === sender)
        if (transceiver) transceiver.direction = transceiver.direction === 'sendrecv' ? 'recvonly' : 'inactive'
      }
    }
  }
  addEventListener<K extends keyof PeerConnectionEventMap>(type: K, listener: (event: PeerConnectionEventMap[K]) => void): void {
    this.target.addEventListener(type, listener as unknown as (event: Event) => void)
  }
  removeEventListener<K extends keyof PeerConnectionEventMap>(type: K, listener: (event: PeerConnectionEventMap[K]) => void): void {
    this.target.removeEventListener(type, listener as unknown as (event: Event) => void)
  }
  close(): void {
    this.connectionState = 'closed'
  }

  /** What the trace says happened to the connection, with its states at that moment. */
  deliver(type: string, states: PeerStates, data: unknown): void {
    this.iceConnectionState = states.ice
    this.connectionState = states.connection
    this.signalingState = states.signaling
    if (type === 'trackended') {
      const id = (data as { track: { id: string } }).track.id
      const track = this.tracks.get(id)
      if (!track) return
      for (const stream of this.streams.values()) stream.remove(track)
      track.end()
      return
    }
    const event = new Event(type)
    if (type === 'datachannel') {
      const info = data as { channel: number; label: string; readyState: string }
      const channel = new ReplayDataChannel(info.label, info.readyState)
      this.channels.set(info.channel, channel)
      Object.assign(event, { channel })
    }
    if (type === 'icecandidate') Object.assign(event, { candidate: data as IceCandidateInitLike | null })
    if (type === 'track') {
      const { track: info, streams } = data as { track: { id: string; kind: string }; streams: string[] }
      let track = this.tracks.get(info.id)
      if (!track) this.tracks.set(info.id, (track = new ReplayTrack(info.id, info.kind)))
      const owned = track
      const delivered = streams.map((id) => {
        let stream = this.streams.get(id)
        if (!stream) this.streams.set(id, (stream = new ReplayStream(id)))
        stream.add(owned)
        return stream
      })
      Object.assign(event, { track, streams: delivered, transceiver: this.transceivers[0] })
    }
    this.target.dispatchEvent(event)
  }
}

/** What a replay delivers; each returns false when the object it is for was never made (the paths differ). */
export interface ReplayFeed {
  mediaDevices(call: number, devices: TraceDevice[]): boolean
  deviceChange(): boolean
  httpResponse(req: number, status: number, body: string): boolean
  httpError(req: number, error: TraceError, status?: number): boolean
  sseEvent(es: number, name: string, data: string | undefined): boolean
  pcResult(pc: number, call: number, value: unknown): boolean
  pcFailure(pc: number, call: number, error: TraceError): boolean
  pcEvent(pc: number, type: string, states: PeerStates, data: unknown): boolean
  mediaResult(call: number, stream: TraceStream): boolean
  mediaFailure(call: number, error: TraceError): boolean
  /** A track of a granted stream ended. */
  mediaEvent(call: number, type: string, track: { id: string }): boolean
  /** Something happened on a data channel the hub opened. */
  dcEvent(pc: number, channel: number, type: string, readyState: string, data: string | undefined): boolean
  /** Another tab posted on the tabs channel. */
  tabMessage(data: unknown): boolean
  /** The device's network changed. */
  networkChange(): boolean
  fireTimer(timer: number): boolean
  /** Timers still scheduled (for the report). */
  readonly pendingTimers: number
}

export function createReplayPorts(optional: ReplayOptionalMembers = { getStats: true, removeTrack: true, createDataChannel: true }): { ports: Ports; feed: ReplayFeed } {
  const requests: Pending<FetchResponseLike>[] = []
  const sources: ReplayEventSource[] = []
  const pcs: ReplayPeerConnection[] = []
  // getUserMedia, getDisplayMedia and enumerateDevices, numbered in one sequence as the recording numbered them.
  const media: Pending<MediaStreamLike | MediaDeviceInfoLike[]>[] = []
  const deviceChangeListeners = new Set<() => void>()
  const networkListeners = new Set<() => void>()
  const grantedStreams = new Map<number, ReplayStream>()
  const timers = new Map<number, () => void>()
  let timerCount = 0
  const tabChannels: ReplayTabChannel[] = []

  const fetch: FetchLike = () => {
    const { promise, handle } = pending<FetchResponseLike>()
    requests.push(handle)
    return promise
  }
  const clock: ClockLike = {
    setTimeout: (fn) => {
      const id = ++timerCount
      timers.set(id, fn)
      return id
    },
    clearTimeout: (id) => {
      timers.delete(id as number)
    },
    now: () => 0,
  }
  const getMedia = () => {
    const { promise, handle } = pending<MediaStreamLike | MediaDeviceInfoLike[]>()
    media.push(handle)
    return promise as Promise<MediaStreamLike>
  }
  const enumerateDevices = () => getMedia() as unknown as Promise<MediaDeviceInfoLike[]>
  const onDeviceChange = (listener: () => void) => {
    deviceChangeListeners.add(listener)
    return () => deviceChangeListeners.delete(listener)
  }
  const ports: Ports = {
    fetch,
    eventSource: () => {
      const source = new ReplayEventSource()
      sources.push(source)
      return source as unknown as ReturnType<Ports['eventSource']> & { addEventListener(type: string, listener: (event: SseMessageLike) => void): void }
    },
    peerConnection: () => {
      const pc = new ReplayPeerConnection(optional)
      pcs.push(pc)
      return pc
    },
    media: { getUserMedia: getMedia, getDisplayMedia: getMedia, enumerateDevices, onDeviceChange },
    clock,
    beacon: () => true,
    network: (listener) => {
      networkListeners.add(listener)
      return () => networkListeners.delete(listener)
    },
    ...(optional.tabs
      ? {
          tabs: () => {
            const channel = new ReplayTabChannel()
            tabChannels.push(channel)
            return channel
          },
        }
      : {}),
  }
  const response = (status: number, text: () => Promise<string>): FetchResponseLike => ({
    ok: status >= 200 && status < 300,
    status,
    headers: { get: () => null },
    text,
  })
  const pcCall = (pc: number, call: number) => pcs[pc - 1]?.calls.get(call)
  const feed: ReplayFeed = {
    httpResponse(req, status, body) {
      const request = requests[req - 1]
      request?.resolve(response(status, () => Promise.resolve(body)))
      return request !== undefined
    },
    httpError(req, error, status) {
      const request = requests[req - 1]
      if (status === undefined) request?.reject(toError(error))
      else request?.resolve(response(status, () => Promise.reject(toError(error))))
      return request !== undefined
    },
    sseEvent(es, name, data) {
      sources[es - 1]?.deliver(name, data)
      return sources[es - 1] !== undefined
    },
    pcResult(pc, call, value) {
      const pendingCall = pcCall(pc, call)
      pendingCall?.resolve(value)
      return pendingCall !== undefined
    },
    pcFailure(pc, call, error) {
      const pendingCall = pcCall(pc, call)
      pendingCall?.reject(toError(error))
      return pendingCall !== undefined
    },
    pcEvent(pc, type, states, data) {
      pcs[pc - 1]?.deliver(type, states, data)
      return pcs[pc - 1] !== undefined
    },
    mediaResult(call, stream) {
      const request = media[call - 1]
      const granted = new ReplayStream(stream.id, stream.tracks.map((track) => new ReplayTrack(track.id, track.kind)))
      grantedStreams.set(call, granted)
      request?.resolve(granted)
      return request !== undefined
    },
    mediaEvent(call, type, info) {
      const track = grantedStreams.get(call)?.getTracks().find((t) => t.id === info.id)
      if (type === 'trackended') track?.end()
      return track !== undefined
    },
    dcEvent(pc, channel, type, readyState, data) {
      const target = pcs[pc - 1]?.channels.get(channel)
      target?.deliver(type, readyState, data)
      return target !== undefined
    },
    tabMessage(data) {
      const channel = tabChannels.at(-1)
      channel?.deliver(data)
      return channel !== undefined
    },
    mediaDevices(call, devices) {
      const request = media[call - 1]
      request?.resolve(devices)
      return request !== undefined
    },
    deviceChange() {
      for (const listener of [...deviceChangeListeners]) listener()
      return deviceChangeListeners.size > 0
    },
    networkChange() {
      for (const listener of [...networkListeners]) listener()
      return networkListeners.size > 0
    },
    mediaFailure(call, error) {
      const request = media[call - 1]
      request?.reject(toError(error))
      return request !== undefined
    },
    fireTimer(timer) {
      const fn = timers.get(timer)
      if (!fn) return false
      timers.delete(timer)
      fn()
      return true
    },
    get pendingTimers() {
      return timers.size
    },
  }
  return { ports, feed }
}
