// A second media plane on node-datachannel (libdatachannel, native, prebuilt binary from the npm
// package @node-datachannel/linux-x64-gnu: no build or download at install or run time), behind the same
// MediaPlane interface as werift and passing the same conformance suite
// (e2e/media-plane-conformance.spec.ts). Selected with the hub's `--media-plane ndc`.
//
// Where each job lives:
//   ndc-plane.ts       the plane: libdatachannel's configuration, peers, the shared fan-out, close
//   ndc-peer.ts        one client's peer connection: signaling, candidates, publications, subscriptions, data channels
//   ndc-forwarding.ts  the fan-out of each published track, the keyframe rule (werift's window), the RTCP
//                      to publishers (receiver reports, NACK, PLI, REMB from the shared estimate: feedback.ts)
//   ndc-keyframe-requests.ts  a source's keyframe requests, one state per track (idle, trailing, pending, ended)
//   ndc-rtcp.ts        RTCP bytes: the hub's packets to publishers, subscribers' reports/PLI/FIR/NACK read
//   ndc-sdp.ts         answered codecs and the in-place edits of a forwarded RTP packet
//
// What differs from the werift plane (see the hub README, "The media plane"): libdatachannel does
// ICE, DTLS, SRTP and the UDP sends on its own threads; each RTP packet crosses into JavaScript once
// (Track.onMessage) and back once per subscriber (sendMessageBinary). Each forwarded track carries
// libdatachannel's RtcpSrReporter (sender reports) and, for video, RtcpNackResponder (NACKs answered from
// its last packets, resent on the same SSRC: no RTX); the publishers' tracks carry no handler, so the hub
// writes their RTCP itself (ndc-forwarding.ts). A publisher's REMB follows werift's estimate (bandwidth.ts,
// feedback.ts, fed by arrivals and the subscribers' receiver reports). No transport-cc; header extensions
// are not forwarded.
import type { RtcConfig } from 'node-datachannel'
import type { Bitrates } from '@parley/protocol'
import { type IceConfig, resolveIceConfig } from '@parley/werift-config'
import { type Clock, systemClock } from '../clock.js'
import type { Logger } from '../log.js'
import { DEFAULT_BITRATES } from '../roomOptions.js'
import { type NdcCounters, NdcFanOut } from './ndc-forwarding.js'
import { NdcPeer } from './ndc-peer.js'
import { PeerSet, safeLogger } from './peer-set.js'
import type { MediaPeer, MediaPeerHandlers, MediaPlane } from './types.js'
import { bandwidthLimits } from './bandwidth.js'
import { pixelThresholds } from './viewer-size.js'

export interface NdcMediaPlaneOptions {
  ice?: Partial<IceConfig>
  log?: Logger
  /** Runs the keyframe throttle and stamps when each client last sent a packet. Default: the system clock. */
  clock?: Clock
}

export interface NdcMediaPlane extends MediaPlane {
  stats(): { peers: number; publishedTracks: number; subscriptions: number } & NdcCounters
}

/**
 * libdatachannel's configuration from the hub's ICE settings: the first host address bound (it gathers
 * host candidates on that address only), no STUN/TURN unless configured, automatic negotiation off.
 */
export function ndcRtcConfig(ice: IceConfig): RtcConfig {
  const config: RtcConfig = {
    iceServers: ice.iceServers.map((server) => server.urls),
    disableAutoNegotiation: true,
    enableIceTcp: false,
  }
  const [bindAddress] = ice.hostAddresses
  if (bindAddress) config.bindAddress = bindAddress
  if (ice.portRange) {
    config.portRangeBegin = ice.portRange[0]
    config.portRangeEnd = ice.portRange[1]
  }
  return config
}

class NdcPlane implements NdcMediaPlane {
  readonly simulcast = false
  readonly fillsReceiveSlots = false
  readonly #peers = new PeerSet<NdcPeer>()
  readonly #fanOut: NdcFanOut
  readonly #clock: Clock
  readonly #ice: IceConfig
  readonly #log: Logger

  constructor(options: NdcMediaPlaneOptions) {
    this.#ice = resolveIceConfig(options.ice)
    this.#log = safeLogger(options.log ?? (() => undefined))
    this.#clock = options.clock ?? systemClock
    this.#fanOut = new NdcFanOut(this.#clock, this.#log)
  }

  createPeer(init: { roomId: string; clientId: string; handlers: MediaPeerHandlers; bitrates?: Bitrates }): MediaPeer {
    return this.#peers.add((released) => new NdcPeer(
      {
        config: ndcRtcConfig(this.#ice),
        allowedRemoteAddresses: new Set(this.#ice.allowedRemoteAddresses),
        fanOut: this.#fanOut,
        log: this.#log,
        now: () => this.#clock.now(),
        limits: bandwidthLimits(init.bitrates ?? DEFAULT_BITRATES),
        viewerPixels: pixelThresholds(init.bitrates),
        released,
      },
      init.roomId,
      init.clientId,
      init.handlers,
    ))
  }

  async close(): Promise<void> {
    await this.#peers.closeAll()
  }

  packetsForwarded(): number {
    return this.#fanOut.counters.packetsForwarded
  }

  stats(): ReturnType<NdcMediaPlane['stats']> {
    let subscriptions = 0
    for (const source of this.#fanOut.sources.values()) subscriptions += source.subscriptions.size
    return { peers: this.#peers.size, publishedTracks: this.#fanOut.sources.size, subscriptions, ...this.#fanOut.counters }
  }
}

export function createNdcMediaPlane(options: NdcMediaPlaneOptions = {}): NdcMediaPlane {
  return new NdcPlane(options)
}
