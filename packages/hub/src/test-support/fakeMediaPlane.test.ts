// The fake plane passes the same conformance suite as the werift plane, so the hub's unit tests run
// against a double that keeps the interface's contract.
import { type Answer, type IceCandidate, type Offer, OPUS_PAYLOAD_TYPE, VP8_PAYLOAD_TYPE } from '@parley/protocol'
import { parseMediaSections, isSendingSection } from '../media/werift-sdp.js'
import type { MediaPeer } from '../media/types.js'
import { FakeMediaPeer, FakeMediaPlane, REJECTED_SDP_MARKER } from './fakeMediaPlane.js'
import { type ConformanceClient, describeMediaPlaneConformance, type TrackKind } from './mediaPlaneConformance.js'

const KINDS: readonly TrackKind[] = ['audio', 'video']

/** A client that writes just enough SDP for the fake plane, and plays the rest through the fake peer. */
class FakeClient implements ConformanceClient {
  readonly streamId: string
  readonly #peer: FakeMediaPeer
  readonly #everSent = new Set<TrackKind>()
  #application = false
  #lastServerOffer = ''
  readonly candidates: IceCandidate[] = []

  constructor(peer: FakeMediaPeer) {
    this.#peer = peer
    this.streamId = `stream-${peer.clientId}`
  }

  trackId(kind: TrackKind): string {
    return `${this.#peer.clientId}-${kind}`
  }

  async offer(publish: readonly TrackKind[], options: { dataChannel?: boolean } = {}): Promise<Offer> {
    for (const kind of publish) this.#everSent.add(kind)
    this.#application ||= options.dataChannel === true
    const lines = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=fake-client-offer']
    KINDS.forEach((kind, mid) => {
      if (!this.#everSent.has(kind)) return
      lines.push(`m=${kind} 9 UDP/TLS/RTP/SAVPF ${kind === 'audio' ? OPUS_PAYLOAD_TYPE : VP8_PAYLOAD_TYPE}`, `a=mid:${mid}`)
      lines.push(...(publish.includes(kind) ? ['a=sendonly', `a=msid:${this.streamId} ${this.trackId(kind)}`] : ['a=inactive']))
    })
    if (this.#application) lines.push('m=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'a=mid:2')
    return { type: 'offer', sdp: `${lines.join('\r\n')}\r\n` }
  }

  async accept(_answer: Answer): Promise<void> {}

  async answer(offer: Offer): Promise<Answer> {
    this.#lastServerOffer = offer.sdp
    return { type: 'answer', sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=fake-client-answer\r\n' }
  }

  async addCandidate(candidate: IceCandidate): Promise<void> {
    this.candidates.push(candidate)
  }

  connect(): Promise<void> {
    return this.#peer.setConnectionState('connected')
  }

  receiving(): string[] {
    return parseMediaSections(this.#lastServerOffer)
      .filter((section) => isSendingSection(section) && section.msid)
      .map((section) => section.msid!.trackId)
  }

  async send(label: string, data: string): Promise<void> {
    if (!this.#peer.dataChannels.has(label)) throw new Error(`no open data channel "${label}"`)
    await this.#peer.receiveMessage(label, data)
  }

  received(label: string): string[] {
    return this.#peer.sentMessages.filter((message) => message.label === label).map((message) => String(message.data))
  }

  unusableOffer(): Offer {
    return { type: 'offer', sdp: `v=0\r\n${REJECTED_SDP_MARKER}\r\n` }
  }

  async close(): Promise<void> {}
}

describeMediaPlaneConformance('the fake plane', () => ({
  createPlane: () => new FakeMediaPlane(),
  createClient: async (peer: MediaPeer) => {
    if (!(peer instanceof FakeMediaPeer)) throw new Error('the fake testbed needs fake peers')
    return new FakeClient(peer)
  },
  timeoutMs: 2_000,
}))
