// The remote side of one media-plane peer in the conformance suite: a werift participant (synthetic
// audio and video) on loopback, whatever plane the hub side runs (werift in-process or in worker
// threads, node-datachannel).
import type { Answer, IceCandidate, Offer } from '@parley/protocol'
import { pollUntil } from '@parley/testkit'
import type { MediaPeer } from '../../src/media/types.js'
import type { ConformanceClient, TrackKind } from '../../src/test-support/mediaPlaneConformance.js'
import { createParticipant, type Participant } from './werift-participant.js'

/** A werift participant (synthetic audio and video) as the remote side of one plane peer. */
export class WeriftClient implements ConformanceClient {
  readonly #participant: Participant
  readonly #peer: MediaPeer
  #applicationOffered = false
  readonly candidateErrors: unknown[] = []

  constructor(participant: Participant, peer: MediaPeer) {
    this.#participant = participant
    this.#peer = peer
    participant.onCandidate = (candidate) => {
      peer.addIceCandidate(candidate).catch((error: unknown) => this.candidateErrors.push(error))
    }
  }

  get streamId(): string {
    return this.#participant.streamId
  }

  trackId(kind: TrackKind): string {
    return (kind === 'audio' ? this.#participant.audio : this.#participant.video).sender.trackId
  }

  async offer(publish: readonly TrackKind[], options: { dataChannel?: boolean } = {}): Promise<Offer> {
    const { pc, audio, video } = this.#participant
    audio.setDirection(publish.includes('audio') ? 'sendonly' : 'inactive')
    video.setDirection(publish.includes('video') ? 'sendonly' : 'inactive')
    if (options.dataChannel && !this.#applicationOffered) {
      pc.createDataChannel('client-probe')
      this.#applicationOffered = true
    }
    await pc.setLocalDescription(await pc.createOffer())
    return { type: 'offer', sdp: this.#localSdp() }
  }

  async accept(answer: Answer): Promise<void> {
    await this.#participant.pc.setRemoteDescription(answer)
  }

  async answer(offer: Offer): Promise<Answer> {
    const { pc } = this.#participant
    const firstApplication = !this.#applicationOffered && offer.sdp.includes('m=application')
    await pc.setRemoteDescription(offer)
    await pc.setLocalDescription(await pc.createAnswer())
    if (firstApplication) {
      this.#applicationOffered = true
      // werift (as the client here) starts SCTP only while connecting; an m=application that arrives
      // on a connected transport needs the start, as the plane does for itself.
      const sctp = pc.sctpTransport
      const port = pc.sctpRemotePort
      if (sctp && port) await sctp.start(port)
    }
    return { type: 'answer', sdp: this.#localSdp() }
  }

  async addCandidate(candidate: IceCandidate): Promise<void> {
    await this.#participant.pc.addIceCandidate({
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid ?? undefined,
      sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
      usernameFragment: candidate.usernameFragment ?? undefined,
    })
  }

  async connect(): Promise<void> {
    await pollUntil(() => this.#peer.connectionState === 'connected', { description: `${this.#participant.name} connected` })
  }

  receiving(): string[] {
    return this.#participant.pc
      .getTransceivers()
      .filter((t) => !t.stopped && (t.currentDirection === 'recvonly' || t.currentDirection === 'sendrecv'))
      .flatMap((t) => (t.receiver.remoteTrackId ? [t.receiver.remoteTrackId] : []))
  }

  packetsReceived(trackId: string): number {
    // Counted on the track's onReceiveRtp: after SRTP unprotect and the RTP parse.
    return this.#participant.received.filter((track) => track.msidTrackId === trackId).reduce((sum, track) => sum + track.packets, 0)
  }

  async send(label: string, data: string): Promise<void> {
    const channel = await pollUntil(() => {
      const found = this.#participant.channels.get(label)
      return found?.readyState === 'open' ? found : undefined
    }, { description: `${this.#participant.name}'s ${label} channel open` })
    channel.send(data)
  }

  received(label: string): string[] {
    return this.#participant.messages.filter((message) => message.label === label).map((message) => message.data)
  }

  unusableOffer(): Offer {
    return { type: 'offer', sdp: 'v=0\r\nthis is not sdp\r\n' }
  }

  close(): Promise<void> {
    return this.#participant.close()
  }

  #localSdp(): string {
    const local = this.#participant.pc.localDescription
    if (!local) throw new Error('no local description')
    return local.sdp
  }
}

/** A testbed client for `peer`: a fresh werift participant named `name`. */
export async function createWeriftClient(peer: MediaPeer, name: string): Promise<ConformanceClient> {
  return new WeriftClient(await createParticipant(name), peer)
}
