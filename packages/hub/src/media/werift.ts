// The hub's media plane on werift (pure TypeScript WebRTC): one RTCPeerConnection per client, RTP of
// each published track forwarded to every subscriber through its own sendonly transceiver.
//
// Where each job lives:
//   werift.ts               the plane: creates peers, shares one Forwarder, counts, closes everything
//   werift-peer.ts          one client's peer connection: signaling, candidates, connection state
//   werift-candidates.ts    the client's ICE candidates: filtered, held until a remote description exists
//   werift-publications.ts  what a client sends: sending m-lines ↔ forwarder sources
//   werift-subscriptions.ts what a client receives: sendonly transceivers under the publisher's MSID
//   werift-forwarder.ts     RTP fan-out and the keyframe rule (PLI throttle on the Clock)
//   werift-source-report.ts per published track: arrivals, and per subscriber sends and what holds them back
//   werift-subscriber-rtcp.ts subscribers' receiver reports, PLI/FIR and NACKs (relayed to the publisher)
//   werift-simulcast.ts     simulcast: a publisher's rid layers, one layer per subscriber and its switches
//   layer-choice.ts         which layer a subscriber gets (step down, pause below the lowest, probe up)
//   nack.ts                 subscriber NACKs the history cannot answer (a repeat asks for a keyframe; shared)
//   feedback.ts             the publishers' bandwidth estimates (shared with the ndc plane; the REMBs leave from the forwarder)
//   werift-fast-send.ts     the per-packet send of the fan-out (header in place, SRTP, UDP), werift's sendRtp as fallback
//   bandwidth.ts            the REMB estimate the forwarder sends each publisher (bounds from the room's bitrates; shared)
//   werift-channels.ts      room data channels
//   werift-voice.ts         voice activity: a detector (vad.ts) per audio track a subscriber with enable_vad receives
//   werift-sdp.ts           the small SDP and candidate readers
//   werift-certificate.ts   the process's DTLS certificate, its fingerprint computed once (werift's re-parses it per m-line)
//   @parley/werift-config   the RTCPeerConnection configuration (shared with Node test participants)
//
// The werift workarounds applied are those measured in shared/reference/werift-sfu-notes.md: loopback
// ICE without STUN, pinned payload types, header-extension IDs copied from a negotiated transceiver and
// incoming extensions stripped before sendRtp, subscriber PLIs read from the DTLS transport (werift
// routes them to the wrong object), and transceiver.stop() to end a forwarding, followed by running the
// sender's DTLS-state disposers that werift's stop() forgets (else every departed publisher's senders stay).
//
// Known limits: werift routes incoming RTP by SSRC only, so a publishing m-line must carry a=ssrc
// (Chrome, Firefox, werift and aiortc do); a client publishes on new m-lines (addTransceiver), not by
// reusing an m-line the hub offered (a simulcast m-line is routed by its rids: werift-simulcast.ts); no RTX. Publishers get transport-wide feedback from the
// hub (transport-cc.ts) where they negotiate it, and a REMB from the hub's own estimate (bandwidth.ts,
// feedback.ts), an upper bound on theirs with transport-cc. ICE restarts are werift's own (a client offer with a new ufrag/pwd);
// e2e/browser-ice-restart.spec.ts measures one from Chromium.
import { type Bitrates, messageOf } from '@parley/protocol'
import { type IceConfig, resolveIceConfig } from '@parley/werift-config'
import { type Clock, systemClock } from '../clock.js'
import type { Logger } from '../log.js'
import { DEFAULT_BITRATES } from '../roomOptions.js'
import type { MediaPeer, MediaPeerHandlers, MediaPlane } from './types.js'
import { bandwidthLimits } from './bandwidth.js'
import type { RembWithTransportCc } from './feedback.js'
import { Forwarder, type ForwarderCounters } from './werift-forwarder.js'
import { WeriftPeer } from './werift-peer.js'
import { fingerprintOnce } from './werift-certificate.js'
import { installReceivePath } from './werift-receive-path.js'
import { PeerSet, safeLogger } from './peer-set.js'
import type { SourceReport } from './werift-source-report.js'
import { pixelThresholds } from './viewer-size.js'

export type { SourceReport, SubscriptionReport } from './werift-source-report.js'
/** The forwarder's send, for the load generator's publishers too (packages/loadtest, media-source.ts). */
export { FastRtpSend } from './werift-fast-send.js'

export interface WeriftMediaPlaneOptions {
  ice?: Partial<IceConfig>
  log?: Logger
  /** Runs the keyframe throttle and stamps when each client last sent a packet. Default: the system clock. */
  clock?: Clock
  /**
   * Forward through werift-fast-send.ts (header written in place, SRTP from the session's keys, straight
   * to the UDP socket) where it applies. Default true; false sends every packet through werift's
   * sendRtp (the loadtest's `--compare` runs both side by side).
   */
  fastSend?: boolean
  /**
   * Parse incoming RTP headers with werift-receive-path.ts (installed process-wide, werift has no
   * per-connection hook). Default: as fastSend, so that `--compare`'s werift side is werift's alone.
   */
  receivePath?: boolean
  /**
   * Negotiate transport-cc with publishers and send them transport-wide feedback (transport-cc.ts), so
   * that their own send-side estimator runs. Default true; false is the REMB-only path of before (the ramp
   * bench's `remb-only` hub).
   */
  transportCc?: boolean
  /** What the REMB says to a publisher with transport-cc (feedback.ts). Default `estimate`. */
  rembWithTransportCc?: RembWithTransportCc
}

/** Counters for tests and diagnostics. */
export interface WeriftPlaneStats extends ForwarderCounters {
  peers: number
  publishedTracks: number
  subscriptions: number
  /** Transceivers of open peers that are neither stopped nor stopping. */
  liveTransceivers: number
  /** Listeners on the DTLS transports' state event of open peers (one per sender, plus werift's own and the hub's first-REMB one per transport). */
  transportStateListeners: number
}

export interface WeriftMediaPlane extends MediaPlane {
  stats(): WeriftPlaneStats
  /** Per published track: what arrived, and per subscriber what left and what holds it back (diagnostics, not per packet). */
  sources(): SourceReport[]
}

const consoleLog: Logger = (level, msg, fields) => {
  if (level === 'warn' || level === 'error') console[level](`[media] ${msg}`, fields ?? '')
}

class WeriftPlane implements WeriftMediaPlane {
  readonly #peers = new PeerSet<WeriftPeer>()
  readonly #forwarder: Forwarder
  readonly #clock: Clock
  readonly #ice: IceConfig
  readonly #log: Logger
  readonly #transportCc: boolean

  constructor(options: WeriftMediaPlaneOptions) {
    this.#transportCc = options.transportCc ?? true
    this.#ice = resolveIceConfig(options.ice)
    this.#log = safeLogger(options.log ?? consoleLog)
    this.#clock = options.clock ?? systemClock
    if (options.receivePath ?? options.fastSend ?? true) installReceivePath()
    // The process's DTLS certificate made now, not in the first join, and its fingerprint computed once.
    fingerprintOnce().catch((error: unknown) => this.#log('warn', 'no DTLS certificate yet', { error: messageOf(error) }))
    this.#forwarder = new Forwarder({ clock: this.#clock, log: this.#log, fastSend: options.fastSend, rembWithTransportCc: options.rembWithTransportCc })
  }

  createPeer(init: { roomId: string; clientId: string; handlers: MediaPeerHandlers; bitrates?: Bitrates }): MediaPeer {
    return this.#peers.add((released) => {
      const context = {
        ice: this.#ice,
        transportCc: this.#transportCc,
        allowedRemoteAddresses: new Set(this.#ice.allowedRemoteAddresses),
        forwarder: this.#forwarder,
        log: this.#log,
        now: () => this.#clock.now(),
        clock: this.#clock,
        released,
        bandwidth: bandwidthLimits(init.bitrates ?? DEFAULT_BITRATES),
        viewerPixels: pixelThresholds(init.bitrates),
      }
      return new WeriftPeer(context, init.roomId, init.clientId, init.handlers)
    })
  }

  async close(): Promise<void> {
    await this.#peers.closeAll()
  }

  packetsForwarded(): number {
    return this.#forwarder.counters.packetsForwarded
  }

  sources(): SourceReport[] {
    return this.#forwarder.report()
  }

  stats(): WeriftPlaneStats {
    let liveTransceivers = 0
    let transportStateListeners = 0
    for (const peer of this.#peers) {
      const holdings = peer.holdings()
      liveTransceivers += holdings.liveTransceivers
      transportStateListeners += holdings.transportStateListeners
    }
    return {
      liveTransceivers,
      transportStateListeners,
      peers: this.#peers.size,
      publishedTracks: this.#forwarder.sourceCount,
      subscriptions: this.#forwarder.subscriptionCount,
      ...this.#forwarder.counters,
    }
  }
}

export function createWeriftMediaPlane(options: WeriftMediaPlaneOptions = {}): WeriftMediaPlane {
  return new WeriftPlane(options)
}
