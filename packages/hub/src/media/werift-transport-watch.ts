// What a werift peer hears from its DTLS transports, one owner for it: each transport watched once (its
// early ClientHello held for werift's DTLS server, werift-early-dtls.ts; its RTP and RTCP stamping the
// last time the client was heard from; its state), and every subscription released together.
import type { RTCDtlsTransport, RTCPeerConnection } from 'werift'
import { replayEarlyDtls, startsClientHello } from './werift-early-dtls.js'
import { sendIceDatagramsAtOnce } from './werift-transport-rules.js'

type RtcpPacket = Parameters<Parameters<RTCDtlsTransport['onRtcp']['subscribe']>[0]>[0]

export interface TransportEvents {
  /** Subscriber RTCP (see Forwarder.subscriberFeedback). */
  rtcp(packet: RtcpPacket): void
  /** Any RTP or RTCP packet from the client. */
  packet(): void
  dtlsState(state: string): void
  /** A DTLS record of the handshake reached the transport (logged at debug for the join bench). */
  dtlsRecord(fields: { dtlsState: string; contentType: number | undefined; clientHello: boolean; replayed: boolean }): void
}

export class TransportWatch {
  readonly #watched = new Set<RTCDtlsTransport>()
  /** ICE connections whose early ClientHello is held: one per connection, however many transports share it. */
  readonly #earlyDtlsConnections = new WeakSet<object>()
  readonly #disposers: (() => void)[] = []
  #lastReceivedAt: number | undefined

  constructor(
    private readonly pc: RTCPeerConnection,
    private readonly now: () => number,
    private readonly events: TransportEvents,
  ) {}

  /** When the client was last heard from (one clock read per packet; the hub's liveness rules use it). */
  get lastReceivedAt(): number | undefined {
    return this.#lastReceivedAt
  }

  /** After each description: the new transports watched (and every ICE socket sending at once). */
  watch(): void {
    sendIceDatagramsAtOnce(this.pc)
    for (const transport of this.pc.dtlsTransports) {
      if (this.#watched.has(transport)) continue
      this.#watched.add(transport)
      const connection = transport.iceTransport.connection
      if (!this.#earlyDtlsConnections.has(connection)) {
        this.#earlyDtlsConnections.add(connection)
        this.#disposers.push(
          replayEarlyDtls(transport, {
            record: (data, dtlsState, replayed) => this.events.dtlsRecord({ dtlsState, contentType: data[0], clientHello: startsClientHello(data), replayed }),
          }),
        )
      }
      this.#disposers.push(
        transport.onRtcp.subscribe((packet) => {
          this.#lastReceivedAt = this.now()
          this.events.packet()
          this.events.rtcp(packet)
        }).unSubscribe,
        transport.onRtp.subscribe(() => {
          this.#lastReceivedAt = this.now()
          this.events.packet()
        }).unSubscribe,
        transport.onStateChange.subscribe((state) => this.events.dtlsState(state)).unSubscribe,
      )
    }
  }

  close(): void {
    for (const dispose of this.#disposers.splice(0)) dispose()
    this.#watched.clear()
  }
}
