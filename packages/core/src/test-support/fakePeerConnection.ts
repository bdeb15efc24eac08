import type {
  IceCandidateInitLike,
  MediaStreamLike,
  MediaStreamTrackLike,
  PeerConnectionConfig,
  PeerConnectionEventMap,
  PeerConnectionFactory,
  PeerConnectionLike,
  RtpTransceiverLike,
  SendEncodingLike,
  SessionDescriptionLike,
} from '../ports.js'
import type { StatLike } from '../stats/report.js'
import { FakeDataChannel } from './fakeDataChannel.js'
import { FakeMediaStream, FakeMediaStreamTrack } from './fakeMedia.js'
import { PendingCalls } from './pendingCalls.js'

export const FAKE_OFFER_SDP = 'v=0\r\no=fake 1 1 IN IP4 127.0.0.1\r\ns=offer\r\n'
export const FAKE_ANSWER_SDP = 'v=0\r\no=fake 2 2 IN IP4 127.0.0.1\r\ns=answer\r\n'
/** The host candidate a gathering fake peer connection finds. */
export const GATHERED_CANDIDATE = { candidate: 'candidate:9 1 udp 2122260223 127.0.0.1 50009 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'fake' }

/**
 * A peer connection without media: descriptions and states move as the W3C API says, async
 * methods can be held (`calls.gate(...)`) or made to fail (`failNext`), events are fired by hand.
 */
export class FakePeerConnection implements PeerConnectionLike {
  connectionState = 'new'
  iceConnectionState = 'new'
  signalingState = 'stable'
  localDescription: SessionDescriptionLike | null = null
  remoteDescription: SessionDescriptionLike | null = null
  closed = false
  readonly transceivers: RtpTransceiverLike[] = []
  readonly addedCandidates: IceCandidateInitLike[] = []
  /** The data channels opened on our side. */
  readonly dataChannels: FakeDataChannel[] = []
  readonly offers: { iceRestart: boolean }[] = []
  private readonly listeners = new Map<string, Set<(event: never) => void>>()
  private readonly failures = new Map<string, Error>()
  /** Present when the fakes were given a stats report: answers it through `calls` (label `pc.getStats`). */
  getStats?: () => Promise<{ forEach(callback: (stat: unknown) => void): void }>

  constructor(
    readonly config: PeerConnectionConfig,
    readonly calls: PendingCalls,
    /** Like a real one, gather a host candidate for every local description set. */
    private readonly gathers = false,
    /** The report getStats answers with; without one the connection has no getStats. */
    stats?: () => readonly StatLike[],
  ) {
    if (stats) this.getStats = () => this.run('getStats', () => new Map(stats().map((stat, index) => [stat.id ?? String(index), stat])))
  }

  /** The next call of `method` rejects with `error`. */
  failNext(method: 'createOffer' | 'createAnswer' | 'setLocalDescription' | 'setRemoteDescription' | 'addIceCandidate', error = new Error(`${method} failed (fake)`)): void {
    this.failures.set(method, error)
  }

  private run<T>(method: string, produce: () => T): Promise<T> {
    return this.calls.call(`pc.${method}`, (value) => {
      if (value instanceof Error) throw value
      const failure = this.failures.get(method)
      if (failure) {
        this.failures.delete(method)
        throw failure
      }
      if (this.closed) throw new Error(`${method} on a closed peer connection`)
      return produce()
    })
  }

  addTransceiver(
    trackOrKind: MediaStreamTrackLike | 'audio' | 'video',
    init?: { direction?: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'; streams?: MediaStreamLike[]; sendEncodings?: readonly SendEncodingLike[] },
  ): RtpTransceiverLike {
    return this.createTransceiver(trackOrKind, init)
  }

  /** A new transceiver, as addTransceiver or a remote offer (emitTrack) makes one. */
  private createTransceiver(
    trackOrKind: MediaStreamTrackLike | 'audio' | 'video',
    init?: { direction?: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'; streams?: MediaStreamLike[]; sendEncodings?: readonly SendEncodingLike[] },
  ): RtpTransceiverLike {
    const track = typeof trackOrKind === 'string' ? null : trackOrKind
    const kind = typeof trackOrKind === 'string' ? trackOrKind : (trackOrKind.kind as 'audio' | 'video')
    const sender = {
      track,
      replaceTrack: async (next: MediaStreamTrackLike | null) => {
        sender.track = next
      },
      /** What setParameters was last given (a browser's starting parameters before that). */
      // A browser's: one encoding per layer asked for at addTransceiver (simulcast), one without.
      parameters: { transactionId: '1', encodings: (init?.sendEncodings ?? [{}]).map((layer) => ({ active: true, ...layer })) } as Record<string, unknown>,
      getParameters: () => ({ ...sender.parameters }),
      setParameters: async (parameters: object) => {
        sender.parameters = { ...parameters }
      },
    }
    const transceiver: RtpTransceiverLike = {
      mid: String(this.transceivers.length),
      sender,
      receiver: { track: new FakeMediaStreamTrack(kind) },
      direction: init?.direction ?? 'sendrecv',
      currentDirection: null,
    }
    this.transceivers.push(transceiver)
    return transceiver
  }

  /** Like a browser: the sender loses its track and the m-line stops sending. */
  removeTrack(sender: RtpTransceiverLike['sender']): void {
    const transceiver = this.transceivers.find((t) => t.sender === sender)
    if (!transceiver) throw new Error('removeTrack: not a sender of this peer connection')
    ;(sender as { track: MediaStreamTrackLike | null }).track = null
    transceiver.direction = transceiver.direction === 'sendrecv' ? 'recvonly' : transceiver.direction === 'sendonly' ? 'inactive' : transceiver.direction
  }

  createDataChannel(label: string): FakeDataChannel {
    const channel = new FakeDataChannel(label)
    this.dataChannels.push(channel)
    return channel
  }

  getTransceivers(): RtpTransceiverLike[] {
    return [...this.transceivers]
  }

  createOffer(options?: { iceRestart?: boolean }): Promise<SessionDescriptionLike> {
    return this.run('createOffer', () => {
      this.offers.push({ iceRestart: options?.iceRestart === true })
      return { type: 'offer', sdp: FAKE_OFFER_SDP }
    })
  }

  createAnswer(): Promise<SessionDescriptionLike> {
    return this.run('createAnswer', () => ({ type: 'answer', sdp: FAKE_ANSWER_SDP }))
  }

  setLocalDescription(description: SessionDescriptionLike): Promise<void> {
    return this.run('setLocalDescription', () => {
      this.localDescription = description
      this.signalingState = description.type === 'offer' ? 'have-local-offer' : 'stable'
      this.dispatch('signalingstatechange', undefined)
      if (this.gathers) queueMicrotask(() => this.emitIceCandidate(GATHERED_CANDIDATE))
    })
  }

  setRemoteDescription(description: SessionDescriptionLike): Promise<void> {
    return this.run('setRemoteDescription', () => {
      this.remoteDescription = description
      this.signalingState = description.type === 'offer' ? 'have-remote-offer' : 'stable'
      this.dispatch('signalingstatechange', undefined)
    })
  }

  addIceCandidate(candidate: IceCandidateInitLike): Promise<void> {
    return this.run('addIceCandidate', () => {
      if (!this.remoteDescription) throw new Error('addIceCandidate before a remote description')
      this.addedCandidates.push(candidate)
    })
  }

  addEventListener<K extends keyof PeerConnectionEventMap>(type: K, listener: (event: PeerConnectionEventMap[K]) => void): void {
    let set = this.listeners.get(type)
    if (!set) this.listeners.set(type, (set = new Set()))
    set.add(listener as (event: never) => void)
  }

  removeEventListener<K extends keyof PeerConnectionEventMap>(type: K, listener: (event: PeerConnectionEventMap[K]) => void): void {
    this.listeners.get(type)?.delete(listener as (event: never) => void)
  }

  get listenerCount(): number {
    return [...this.listeners.values()].reduce((sum, set) => sum + set.size, 0)
  }

  close(): void {
    this.closed = true
    this.signalingState = 'closed'
    this.connectionState = 'closed'
    this.iceConnectionState = 'closed'
  }

  // --- what the network would do -----------------------------------------------------------

  dispatch<K extends keyof PeerConnectionEventMap>(type: K, event: PeerConnectionEventMap[K]): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) (listener as (event: PeerConnectionEventMap[K]) => void)(event)
  }

  emitIceCandidate(candidate: IceCandidateInitLike): void {
    this.dispatch('icecandidate', { candidate: { toJSON: () => candidate } })
  }

  setIceConnectionState(state: string): void {
    this.iceConnectionState = state
    if (state === 'connected' || state === 'failed') this.connectionState = state
    this.dispatch('iceconnectionstatechange', undefined)
    this.dispatch('connectionstatechange', undefined)
  }

  /** The connection's own state alone (ICE's unchanged), e.g. `failed` for DTLS's failure on a working ICE path. */
  setConnectionState(state: string): void {
    this.connectionState = state
    this.dispatch('connectionstatechange', undefined)
  }

  /** A remote track arrives in `stream` (created when not given). */
  emitTrack(kind: 'audio' | 'video', stream?: FakeMediaStream, track = new FakeMediaStreamTrack(kind)): { track: FakeMediaStreamTrack; stream: FakeMediaStream } {
    const target = stream ?? new FakeMediaStream([track])
    // A remote offer's new m-line: its transceiver is not one of our addTransceiver calls.
    const transceiver = this.createTransceiver(kind, { direction: 'recvonly' })
    this.dispatch('track', { track, streams: [target], transceiver })
    return { track, stream: target }
  }
}

export class FakePeerConnections {
  readonly all: FakePeerConnection[] = []
  readonly calls = new PendingCalls()
  private creationFailure: Error | null = null
  /** New peer connections gather a candidate for each local description (off by default). */
  gatherCandidates = false
  /** New peer connections answer getStats with this report (by default they have no getStats). */
  statsReport: (() => readonly StatLike[]) | null = null
  readonly factory: PeerConnectionFactory = (config) => {
    const failure = this.creationFailure
    if (failure) {
      this.creationFailure = null
      throw failure
    }
    const pc = new FakePeerConnection(config, this.calls, this.gatherCandidates, this.statsReport ?? undefined)
    this.all.push(pc)
    return pc
  }

  /** The next creation throws, as `new RTCPeerConnection()` does where WebRTC is unavailable or disabled. */
  failNextCreation(error = new Error('RTCPeerConnection is not supported (fake)')): void {
    this.creationFailure = error
  }

  get openCount(): number {
    return this.all.filter((pc) => !pc.closed).length
  }

  latest(): FakePeerConnection {
    const pc = this.all.at(-1)
    if (!pc) throw new Error('no peer connection was created')
    return pc
  }
}
