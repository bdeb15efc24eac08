// The tracks one werift peer publishes: after every applied description, the client's sending m-lines
// are compared with what it published so far, and each difference becomes a forwarder source added or
// removed (with onTrackPublished / onTrackUnpublished to the room).
import type { RTCPeerConnection } from 'werift'
import type { LogFields, LogLevel } from '../log.js'
import type { PublishedTrack } from './types.js'
import type { BandwidthLimits } from './bandwidth.js'
import type { Forwarder, Source } from './werift-forwarder.js'
import { isSendingSection, parseMediaSections, type SdpMediaSection } from './werift-sdp.js'
import type { PausedRids } from './werift-simulcast-pause.js'

export interface PublicationEvents {
  published(track: PublishedTrack): void
  unpublished(track: PublishedTrack): void
}

export class WeriftPublications {
  readonly #clientId: string
  readonly #pc: RTCPeerConnection
  readonly #forwarder: Forwarder
  readonly #events: PublicationEvents
  readonly #bandwidth: BandwidthLimits
  readonly #log: (level: LogLevel, msg: string, fields?: LogFields) => void
  /** Published tracks of this client by MID. */
  readonly #byMid = new Map<string, Source>()

  constructor(init: {
    clientId: string
    pc: RTCPeerConnection
    forwarder: Forwarder
    bandwidth: BandwidthLimits
    events: PublicationEvents
    log: (level: LogLevel, msg: string, fields?: LogFields) => void
  }) {
    this.#clientId = init.clientId
    this.#pc = init.pc
    this.#forwarder = init.forwarder
    this.#events = init.events
    this.#bandwidth = init.bandwidth
    this.#log = init.log
  }

  /** Compares the client's sending m-lines with the tracks it published so far. */
  reconcile(): void {
    const remote = this.#pc.remoteDescription?.sdp
    if (!remote) return
    const sending = new Map<string, SdpMediaSection>()
    for (const section of parseMediaSections(remote)) {
      if (section.mid !== undefined && isSendingSection(section)) sending.set(section.mid, section)
    }
    for (const [mid, source] of [...this.#byMid]) {
      const section = sending.get(mid)
      const transceiver = source.transceiver
      const identity = section ? this.#identity(section) : undefined
      if (
        !section ||
        transceiver.stopped ||
        transceiver.stopping ||
        transceiver.mid !== mid ||
        identity?.trackId !== source.published.trackId ||
        identity?.streamId !== source.published.streamId
      ) {
        this.#byMid.delete(mid)
        this.#forwarder.removeSource(source)
        this.#events.unpublished(source.published)
      }
    }
    for (const [mid, section] of sending) {
      if (this.#byMid.has(mid)) continue
      this.#publish(mid, section)
    }
  }

  /** Per simulcast m-line, the layers the client said it stopped: paused in the hub's next offer (werift-simulcast-pause.ts). */
  stoppedRids(): PausedRids {
    const stopped = new Map<string, ReadonlySet<string>>()
    for (const [mid, source] of this.#byMid) {
      const rids = source.simulcast?.stoppedRids()
      if (rids && rids.length > 0) stopped.set(mid, new Set(rids))
    }
    return stopped
  }

  /** Ends every published track (the peer closes). */
  close(): void {
    for (const source of this.#byMid.values()) this.#forwarder.removeSource(source)
    this.#byMid.clear()
  }

  #publish(mid: string, section: SdpMediaSection): void {
    const transceiver = this.#pc.getTransceivers().find((t) => t.mid === mid && !t.stopped && !t.stopping)
    if (!transceiver) return
    if (transceiver.direction !== 'recvonly' && transceiver.direction !== 'sendrecv') {
      // A client that reuses a server-offered sendonly m-line to send cannot be received by werift
      // (the receiver is only wired on receiving transceivers): publish on new m-lines instead.
      this.#log('warn', 'the client sends on an m-line the server cannot receive on; ignored', { mid })
      return
    }
    // A simulcast m-line has rids instead (werift routes it by the rtp-stream-id extension, then by SSRC).
    if (section.ssrcCount === 0 && !(transceiver.receiver.tracks ?? []).some((track) => track.rid)) {
      this.#log('warn', 'a sending m-line has no a=ssrc; werift routes RTP by SSRC only, so it will not arrive', { mid })
    }
    const identity = this.#identity(section)
    const published: PublishedTrack = {
      trackId: identity.trackId,
      streamId: identity.streamId,
      kind: section.kind === 'audio' ? 'audio' : 'video',
      clientId: this.#clientId,
    }
    const source = this.#forwarder.addSource(this, published, mid, transceiver, this.#bandwidth)
    if (!source) return
    this.#byMid.set(mid, source)
    this.#events.published(published)
  }

  #identity(section: SdpMediaSection): { streamId: string; trackId: string } {
    const msid = section.msid
    return {
      // "-" is the MSID of a track without a stream; the client id then names the stream.
      streamId: msid && msid.streamId !== '-' ? msid.streamId : this.#clientId,
      trackId: msid?.trackId ?? `${this.#clientId}-mid${section.mid ?? section.index}`,
    }
  }
}
