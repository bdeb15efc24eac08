// The room data channels of one werift peer: server-created channels by label, when they may be
// created (only once the client's first offer is applied), SCTP start-up, and incoming messages.
import type { RTCDataChannel, RTCPeerConnection } from 'werift'
import { messageOf } from '@parley/protocol'
import { guardSctpTransport } from '@parley/werift-config'
import type { LogFields, LogLevel } from '../log.js'
import { hasApplicationSection } from './werift-sdp.js'

interface ServerChannel {
  readonly ordered: boolean
  channel: RTCDataChannel | undefined
  /** Rides on the next server offer that goes anyway: asks for none itself (WeriftChannels.open). */
  readonly withNextOffer: boolean
}

export interface WeriftChannelEvents {
  /** A channel needs a server offer to reach the client (it has no m=application yet). */
  negotiationNeeded(): void
  message(label: string, data: string | Uint8Array): void
}

export class WeriftChannels {
  readonly #pc: RTCPeerConnection
  readonly #events: WeriftChannelEvents
  readonly #log: (level: LogLevel, msg: string, fields?: LogFields) => void
  readonly #channels = new Map<string, ServerChannel>()
  readonly #disposers: (() => void)[] = []

  constructor(pc: RTCPeerConnection, events: WeriftChannelEvents, log: (level: LogLevel, msg: string, fields?: LogFields) => void) {
    this.#pc = pc
    this.#events = events
    this.#log = log
    this.#disposers.push(
      pc.onDataChannel.subscribe((channel) => {
        try {
          // A client-created channel with a label the room hosts carries room messages too.
          if (this.#channels.has(channel.label)) this.#listen(channel.label, channel)
          else this.#log('debug', 'ignoring a client data channel with an unknown label', { label: channel.label })
        } catch (error) {
          this.#log('error', 'onDataChannel failed', { error: messageOf(error) })
        }
      }).unSubscribe,
    )
  }

  /**
   * Opens a channel with this label (idempotent). Before the client's first offer it only waits for it.
   * `withNextOffer`: when the client has no m=application, the channel waits for a server offer made for
   * something else.
   */
  open(label: string, ordered: boolean, withNextOffer = false): void {
    if (this.#channels.has(label)) return
    this.#channels.set(label, { ordered, channel: undefined, withNextOffer })
    this.materialize()
    this.startSctpIfNeeded()
    if (!withNextOffer && this.#pc.remoteDescription && !hasApplicationSection(this.#pc.localDescription?.sdp)) this.#events.negotiationNeeded()
  }

  send(label: string, data: string | Uint8Array): void {
    const channel = this.#channels.get(label)?.channel
    if (!channel || channel.readyState !== 'open') {
      this.#log('debug', 'data channel not open; message dropped', { label })
      return
    }
    channel.send(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength))
  }

  /**
   * Server channels are created once the client's first offer is applied: before it, werift would
   * build a DTLS transport outside the client's BUNDLE. When that offer had no m=application, the
   * channel rides on the next server offer (see `unnegotiated`).
   */
  materialize(): void {
    if (!this.#pc.remoteDescription) return
    for (const [label, entry] of this.#channels) {
      if (entry.channel) continue
      entry.channel = this.#pc.createDataChannel(label, { ordered: entry.ordered })
      this.#listen(label, entry.channel)
    }
    // A client's INIT can come before its answer gives the SCTP port, and a DCEP message werift cannot take
    // (an ACK for no channel) must not end the process (werift-config's sctp-init-guard.ts).
    guardSctpTransport(this.#pc.sctpTransport, (error) => this.#log('warn', 'data channel message dropped', { error: messageOf(error) }))
  }

  /** Channels exist but the local description has no m=application: only a server offer can carry them. */
  get unnegotiated(): boolean {
    return [...this.#channels.values()].some((entry) => !entry.withNextOffer) && !hasApplicationSection(this.#pc.localDescription?.sdp)
  }

  /**
   * werift starts SCTP only while connecting its transports; an m=application added by a later
   * offer/answer on an already connected transport needs the start here.
   */
  startSctpIfNeeded(): void {
    const sctp = this.#pc.sctpTransport
    const remotePort = this.#pc.sctpRemotePort
    if (!sctp || !remotePort || sctp.dtlsTransport?.state !== 'connected') return
    sctp.start(remotePort).catch((error: unknown) => {
      this.#log('warn', 'starting SCTP failed', { error: messageOf(error) })
    })
  }

  close(): void {
    for (const dispose of this.#disposers.splice(0)) dispose()
  }

  #listen(label: string, channel: RTCDataChannel): void {
    this.#disposers.push(
      channel.onMessage.subscribe((data) => {
        this.#events.message(label, typeof data === 'string' ? data : Uint8Array.from(data))
      }).unSubscribe,
    )
  }
}
