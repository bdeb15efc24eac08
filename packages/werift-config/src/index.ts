// The RTCPeerConnection configuration of every Parley werift peer: the hub's SFU peers
// (`weriftPeerConfig`) and Node participants in loopback tests (`loopbackWeriftConfig`), so both sides
// of a test call negotiate exactly what the hub negotiates with Chromium
// (see shared/reference/werift-sfu-notes.md, "Key werift calls").
import { OPUS_PAYLOAD_TYPE, VP8_PAYLOAD_TYPE } from '@parley/protocol'
import { useAbsSendTime, useAudioLevelIndication, useNACK, useOPUS, usePLI, useREMB, useSdesMid, useTransportWideCC, useVP8 } from 'werift'
import type { RTCPeerConnectionConfig } from 'werift'

export { guardDtlsClient, guardDtlsClients, ignoreRepeatedHelloVerify } from './dtls-client-guard.js'
export { gatherWithoutDefaultStun, ParticipantPeerConnection } from './default-stun.js'
export { catchDataChannelReceive, guardSctpTransport, holdEarlyInit, type SctpAssociation, type SctpReceiving } from './sctp-init-guard.js'

/** ICE settings of a werift peer. Loopback-only by default; see the hub README for LAN/public use. */
export interface IceConfig {
  /** Addresses to bind and advertise as host candidates. Default ['127.0.0.1']. */
  hostAddresses: string[]
  /** Remote candidates outside these addresses are ignored. Default: same as hostAddresses. Empty = accept any. */
  allowedRemoteAddresses: string[]
  /** STUN/TURN servers (none by default: no traffic off the machine). */
  iceServers: { urls: string; username?: string; credential?: string }[]
  /** UDP port range for ICE, optional. */
  portRange?: [number, number]
}

export const LOOPBACK_ADDRESS = '127.0.0.1'

export function resolveIceConfig(ice: Partial<IceConfig> | undefined): IceConfig {
  const hostAddresses = ice?.hostAddresses?.length ? [...ice.hostAddresses] : [LOOPBACK_ADDRESS]
  const resolved: IceConfig = {
    hostAddresses,
    allowedRemoteAddresses: ice?.allowedRemoteAddresses ? [...ice.allowedRemoteAddresses] : [...hostAddresses],
    iceServers: ice?.iceServers ? ice.iceServers.map((server) => ({ ...server })) : [],
  }
  if (ice?.portRange) {
    const [min, max] = ice.portRange
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || min >= max) {
      throw new Error(`ICE port range must be two ports min < max, got [${min}, ${max}]`)
    }
    resolved.portRange = [min, max]
  }
  return resolved
}

/**
 * The werift peer configuration: no STUN unless configured (werift's default is a public server: the hub
 * and `ParticipantPeerConnection` also clear it on each peer, `gatherWithoutDefaultStun`), host candidates on `hostAddresses` only, candidate pairs and STUN answers only toward allowed
 * addresses, max-bundle, VP8 + opus at Chrome's payload types (pinned, or werift numbers its own offers
 * OPUS=96/VP8=97 against Chrome's VP8=96 in one BUNDLE), sdes:mid, and abs-send-time on video: the
 * publisher's send time for the hub's delay estimate, and with it libwebrtc sends probe clusters (padding,
 * `RTPSender::SupportsPadding`) that the hub measures at the start. The hub's own offers to subscribers
 * list sdes:mid only (its fast send writes no other extension).
 * transport-cc (`options.transportCc`, default on): the transport-wide sequence number extension on audio
 * and video, so that a publisher's answer has it (werift echoes the offered `a=rtcp-fb:… transport-cc`
 * lines by itself); the hub answers with its own feedback (packages/hub, src/media/transport-cc.ts), never
 * werift's ReceiverTWCC (per m-line, it reports the other m-line's packets as lost; it lowered Chrome's
 * bitrate in measurements), and the publisher's own send-side estimator runs. Audio too: the sequence is
 * transport-wide, and libwebrtc counts audio in its estimate when the extension is negotiated on it.
 * No RTX, no simulcast; VP8 keeps NACK and PLI feedback (werift retransmits from its send cache;
 * PLI drives keyframes) and adds goog-remb: the hub tells each publisher its bounds (and, without
 * transport-cc, its estimate) by REMB.
 */
export function weriftPeerConfig(ice: IceConfig, options: { transportCc?: boolean } = {}): RTCPeerConnectionConfig {
  const allowed = new Set(ice.allowedRemoteAddresses)
  const [singleHost] = ice.hostAddresses
  const config: RTCPeerConnectionConfig = {
    iceServers: ice.iceServers.map((server) => ({ ...server })),
    // No host address from the machine's interfaces: werift 0.25.2 lists them all whenever none of them is
    // the bound address (loopback never is), which advertised every interface's address (e.g. 192.0.2.2 beside
    // 127.0.0.1) with a second socket per peer, bound to the loopback address all the same. The sockets' family
    // comes from each address, not from these flags.
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceUseTcp: false,
    // The host candidates: exactly these addresses.
    iceAdditionalHostAddresses: [...ice.hostAddresses],
    // Binding to one address keeps the socket off other interfaces; with several host addresses
    // werift binds each candidate socket to the wildcard address instead.
    iceInterfaceAddresses: ice.hostAddresses.length === 1 && singleHost ? { udp4: singleHost } : undefined,
    iceFilterCandidatePair: allowed.size === 0 ? undefined : (pair) => allowed.has(pair.remoteCandidate.host),
    iceFilterStunResponse: allowed.size === 0 ? undefined : (_message, address) => allowed.has(address[0]),
    bundlePolicy: 'max-bundle',
    codecs: {
      audio: [useOPUS({ payloadType: OPUS_PAYLOAD_TYPE })],
      video: [useVP8({ payloadType: VP8_PAYLOAD_TYPE, rtcpFeedback: [useNACK(), usePLI(), useREMB()] })],
    },
    // Separate objects per kind: werift renumbers the configured extensions in place. The audio level
    // (RFC 6464) is what the hub's voice detection reads (hub media/vad.ts).
    headerExtensions:
      options.transportCc === false
        ? { audio: [useSdesMid(), useAudioLevelIndication()], video: [useSdesMid(), useAbsSendTime()] }
        : { audio: [useSdesMid(), useAudioLevelIndication(), useTransportWideCC()], video: [useSdesMid(), useAbsSendTime(), useTransportWideCC()] },
  }
  if (ice.portRange) config.icePortRange = [...ice.portRange]
  return config
}

export interface LoopbackWeriftOptions {
  /** The one loopback address used for binding, advertising and filtering. Default 127.0.0.1. */
  address?: string
}

/**
 * The hub's configuration on one loopback address, for a Node participant in loopback-only tests: no
 * STUN/TURN, IPv4 UDP on that address only, pairs and STUN answers only with it. Without abs-send-time:
 * werift 0.25.2 stamps it from its ntpTime, whose fraction is the decimal digits of the seconds read as an
 * integer, so a werift sender's send times jump about; the hub then reads that participant's delay from
 * its RTP timestamps, as before. Without transport-cc: a werift sender neither needs the feedback nor
 * paces by it, so such a participant stays on the hub's REMB estimate (the path without transport-cc).
 */
export function loopbackWeriftConfig(options: LoopbackWeriftOptions = {}): RTCPeerConnectionConfig {
  const address = options.address ?? LOOPBACK_ADDRESS
  const config = weriftPeerConfig(resolveIceConfig({ hostAddresses: [address] }))
  config.headerExtensions = { audio: [useSdesMid()], video: [useSdesMid()] }
  return config
}
