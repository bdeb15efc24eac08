// The werift plane's side of transport-cc (transport-cc.ts): one feedback per publisher transport (all
// of a peer's m-lines are bundled on one, and the sequence number is transport-wide), fed by every packet
// of its published tracks that carries the extension, sent on that transport. werift's own ReceiverTWCC
// is switched off on every publisher receiver, with transport-cc negotiated or not: it runs per m-line,
// reports the other m-line's packets as lost, and without the extension it reads undefined numbers.
import type { RTCRtpTransceiver, RtcpPacket } from 'werift'
import type { Clock } from '../clock.js'
import type { Logger } from '../log.js'
import { TransportCcFeedback, type TransportCcStats, transportCcId, transportSequenceIn } from './transport-cc.js'
import { dtlsUp, sendRtcp } from './werift-rtcp.js'

/** A published track's share of its transport's feedback. */
export interface SourceTransportCc {
  /** The extension's id on the track's m-line. */
  readonly id: number
  readonly feedback: TransportCcFeedback
}

/** What this reads of a published track (werift-forwarder-types.ts, Source). */
export interface TransportCcSource {
  readonly publisher: object
  readonly transceiver: RTCRtpTransceiver
  readonly published: { readonly kind: 'audio' | 'video' }
  readonly ssrc: number | undefined
  transportCc: SourceTransportCc | null | undefined
}

interface PublisherTransport {
  readonly feedback: TransportCcFeedback
  readonly sources: Set<TransportCcSource>
}

export class WeriftTransportCc {
  readonly #publishers = new Map<object, PublisherTransport>()
  readonly #clock: Clock
  readonly #log: Logger
  readonly #counters: { transportCcFeedbackSent: number } & TransportCcStats

  constructor(deps: { clock: Clock; log: Logger; counters: { transportCcFeedbackSent: number } & TransportCcStats }) {
    this.#clock = deps.clock
    this.#log = deps.log
    this.#counters = deps.counters
  }

  /** A publisher's receiving transceiver: werift's own transport-cc feedback stays off on it. */
  sourceAdded(source: TransportCcSource): void {
    Object.defineProperty(source.transceiver.receiver, 'twccEnabled', { value: false, configurable: true })
    // Known now when the publisher's description is applied (then the first REMB already keeps to the
    // bounds, feedback.ts); else looked up on the first packet.
    if (transportCcId(source.transceiver.headerExtensions) !== null) source.transportCc = this.#attach(source)
  }

  /** One RTP packet of `source`: its transport-wide sequence number is recorded (the extension's id looked up once). */
  onPacket(source: TransportCcSource, extensions: readonly { id: number; payload: Buffer }[]): void {
    let share = source.transportCc
    if (share === undefined) share = source.transportCc = this.#attach(source)
    if (share === null) return
    const sequence = transportSequenceIn(extensions, share.id)
    if (sequence !== undefined) share.feedback.record(sequence, this.#clock.preciseNow ? this.#clock.preciseNow() : this.#clock.now())
  }

  /** The track ended: its transport's feedback stops with its last track. */
  sourceRemoved(source: TransportCcSource): void {
    const transport = this.#publishers.get(source.publisher)
    if (!transport || !transport.sources.delete(source) || transport.sources.size > 0) return
    transport.feedback.stop()
    this.#publishers.delete(source.publisher)
  }

  #attach(source: TransportCcSource): SourceTransportCc | null {
    const id = transportCcId(source.transceiver.headerExtensions)
    if (id === null) return null
    let transport = this.#publishers.get(source.publisher)
    if (!transport) {
      const sources = new Set<TransportCcSource>()
      const feedback = new TransportCcFeedback({
        clock: this.#clock,
        senderSsrc: () => first(sources)?.transceiver.sender.ssrc ?? 0,
        // Unused by libwebrtc (the feedback is transport-wide); the video SSRC where there is one, as it does.
        mediaSsrc: () => [...sources].find((s) => s.published.kind === 'video' && s.ssrc !== undefined)?.ssrc ?? first(sources)?.ssrc ?? 0,
        send: (packet) => this.#send(sources, packet),
        stats: this.#counters,
      })
      transport = { feedback, sources }
      this.#publishers.set(source.publisher, transport)
    }
    transport.sources.add(source)
    return { id, feedback: transport.feedback }
  }

  #send(sources: Set<TransportCcSource>, packet: Buffer): boolean {
    for (const source of sources) {
      if (!dtlsUp(source.transceiver)) continue
      this.#counters.transportCcFeedbackSent++
      sendRtcp(source.transceiver, [{ serialize: () => packet } as unknown as RtcpPacket], this.#log, 'transport-cc feedback')
      return true
    }
    return false
  }
}

function first<T>(set: Set<T>): T | undefined {
  for (const value of set) return value
  return undefined
}
