import { describe, expect, it } from 'vitest'
import { adaptPeerConnection, nodePorts } from './node.js'
import { FakeMediaDevices, FakeMediaStreamTrack } from './test-support/index.js'
import type { DataChannelLike, MediaStreamLike, TrackEventLike } from './ports.js'

/** The shape werift's RTCPeerConnection has: W3C-ish listeners, streams without events, candidates already JSON. */
class WeriftLikePeer {
  readonly listeners = new Map<string, Set<(event: unknown) => void>>()
  static last: WeriftLikePeer | undefined
  config: unknown
  constructor(config: unknown) {
    this.config = config
    WeriftLikePeer.last = this
  }
  connectionState = 'new'
  iceConnectionState = 'new'
  signalingState = 'stable'
  localDescription = null
  remoteDescription = null
  readonly transceiverInits: unknown[] = []
  addTransceiver(_trackOrKind: unknown, init?: unknown) {
    this.transceiverInits.push(init)
    return {} as never
  }
  getTransceivers() {
    return []
  }
  async createOffer() {
    return { type: 'offer' as const, sdp: 'v=0' }
  }
  async createAnswer() {
    return { type: 'answer' as const, sdp: 'v=0' }
  }
  async setLocalDescription() {
    return { type: 'offer', sdp: 'v=0' }
  }
  async setRemoteDescription() {
    return undefined
  }
  async addIceCandidate() {}
  readonly dataChannels: WeriftLikeChannel[] = []
  createDataChannel(label: string, init?: { ordered?: boolean }) {
    const channel = new WeriftLikeChannel(label, init)
    this.dataChannels.push(channel)
    return channel
  }
  closed = false
  close() {
    this.closed = true
  }
  addEventListener(type: string, listener: (event: unknown) => void) {
    let set = this.listeners.get(type)
    if (!set) this.listeners.set(type, (set = new Set()))
    set.add(listener)
  }
  removeEventListener(type: string, listener: (event: unknown) => void) {
    this.listeners.get(type)?.delete(listener)
  }
  emit(type: string, event: unknown) {
    for (const listener of this.listeners.get(type) ?? []) listener(event)
  }
}

/** werift's RTCDataChannel: open/close as events, messages only through `onMessage`. */
class WeriftLikeChannel {
  readyState = 'connecting'
  readonly sent: unknown[] = []
  private readonly messageHandlers = new Set<(data: unknown) => void>()
  constructor(readonly label: string, readonly init?: { ordered?: boolean }) {}
  readonly onMessage = {
    subscribe: (handler: (data: unknown) => void) => {
      this.messageHandlers.add(handler)
      return { unSubscribe: () => this.messageHandlers.delete(handler) }
    },
  }
  send(data: unknown) {
    this.sent.push(data)
  }
  close() {}
  addEventListener() {}
  removeEventListener() {}
  receive(data: unknown) {
    for (const handler of this.messageHandlers) handler(data)
  }
}

const eventlessStream = (id: string, tracks: FakeMediaStreamTrack[]) => ({ id, getTracks: () => tracks })

describe('nodePorts / adaptPeerConnection', () => {
  it('merges werift’s one-stream-per-track events into one stream per id, with events', () => {
    const peer = new WeriftLikePeer({})
    const pc = adaptPeerConnection(peer)
    const seen: MediaStreamLike[] = []
    const listener = (event: TrackEventLike) => seen.push(event.streams[0]!)
    pc.addEventListener('track', listener)
    const audio = new FakeMediaStreamTrack('audio')
    const video = new FakeMediaStreamTrack('video')
    peer.emit('track', { track: audio, streams: [eventlessStream('s1', [audio])], transceiver: {} })
    peer.emit('track', { track: video, streams: [eventlessStream('s1', [video])], transceiver: {} })
    expect(seen[0]).toBe(seen[1])
    expect(seen[1]!.getTracks()).toEqual([audio, video])
    expect(typeof seen[1]!.addEventListener).toBe('function')
    pc.removeEventListener('track', listener)
    expect(peer.listeners.get('track')?.size).toBe(0)
  })

  it('passes other events and calls through, and builds peers with the caller’s loopback options', async () => {
    const media = new FakeMediaDevices()
    const ports = nodePorts({
      RTCPeerConnection: WeriftLikePeer as never,
      peerConnectionOptions: { iceAdditionalHostAddresses: ['127.0.0.1'] },
      EventSource: class {
        readyState = 0
        constructor(readonly url: string) {}
        addEventListener() {}
        removeEventListener() {}
        close() {}
      },
      media,
      fetch: async () => ({ ok: true, status: 200, headers: { get: () => null }, text: async () => '{}' }),
    })
    const pc = ports.peerConnection({ iceServers: [] })
    expect(WeriftLikePeer.last?.config).toEqual({ iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'] })
    expect(await pc.createOffer()).toEqual({ type: 'offer', sdp: 'v=0' })
    expect(ports.media).toBe(media)
    expect(ports.eventSource('http://127.0.0.1/x')).toMatchObject({ url: 'http://127.0.0.1/x' })
    pc.close()
    expect(WeriftLikePeer.last?.closed).toBe(true)
    expect(typeof ports.clock.setTimeout).toBe('function')
    // The adapter is transparent for the rest.
    expect(pc.signalingState).toBe('stable')
  })

  it("asks werift for no simulcast layers (the app writes one RTP stream into werift's track)", () => {
    const peer = new WeriftLikePeer({})
    const pc = adaptPeerConnection(peer)
    pc.addTransceiver('video', { direction: 'sendonly', sendEncodings: [{ rid: 'high' }, { rid: 'mid', scaleResolutionDownBy: 2 }] })
    pc.addTransceiver('audio', { direction: 'recvonly' })
    expect(peer.transceiverInits).toEqual([{ direction: 'sendonly' }, { direction: 'recvonly' }])
  })

  it('opens our own data channels on the werift peer, their messages heard as message events', () => {
    const peer = new WeriftLikePeer({})
    const pc = adaptPeerConnection(peer)
    const channel = pc.createDataChannel?.('parley.bootstrap', { ordered: true })
    expect(peer.dataChannels.map((c) => [c.label, c.init])).toEqual([['parley.bootstrap', { ordered: true }]])
    const heard: unknown[] = []
    const listener = (event: { data?: unknown }) => heard.push(event.data)
    channel?.addEventListener('message', listener)
    peer.dataChannels[0]!.receive('hello')
    channel?.removeEventListener('message', listener)
    peer.dataChannels[0]!.receive('unheard')
    expect(heard).toEqual(['hello'])
    channel?.send('out')
    expect(peer.dataChannels[0]!.sent).toEqual(['out'])
  })

  it("hands every datachannel listener the same adapter of the hub's channel (one object per channel)", () => {
    const peer = new WeriftLikePeer({})
    const pc = adaptPeerConnection(peer)
    const seen: DataChannelLike[] = []
    pc.addEventListener('datachannel', (event) => seen.push(event.channel))
    pc.addEventListener('datachannel', (event) => seen.push(event.channel))
    const native = new WeriftLikeChannel('parley.chat')
    peer.emit('datachannel', { channel: native })
    peer.emit('datachannel', { channel: native })
    expect(seen).toHaveLength(4)
    expect(new Set(seen).size).toBe(1)
    expect(seen[0]!.label).toBe('parley.chat')
  })

  it('offers no createDataChannel for a peer connection without one', () => {
    const withoutChannels = { addEventListener() {}, removeEventListener() {}, close() {} }
    expect(adaptPeerConnection(withoutChannels).createDataChannel).toBeUndefined()
  })
})
