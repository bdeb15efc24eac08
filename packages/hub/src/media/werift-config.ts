// RTCPeerConnection settings of the werift media plane (see shared/reference/werift-sfu-notes.md).
import { useNACK, useOPUS, usePLI, useSdesMid, useVP8 } from 'werift'
import type { RTCPeerConnectionConfig } from 'werift'
import type { IceConfig } from './types.js'

/** Chrome's payload types: pinning them avoids werift numbering OPUS=96/VP8=97 against Chrome's VP8=96 in one BUNDLE. */
export const VP8_PAYLOAD_TYPE = 96
export const OPUS_PAYLOAD_TYPE = 111

export function resolveIceConfig(ice: Partial<IceConfig> | undefined): IceConfig {
  const hostAddresses = ice?.hostAddresses?.length ? [...ice.hostAddresses] : ['127.0.0.1']
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
 * The werift peer configuration: no STUN unless configured (werift's default is a public server), IPv4,
 * host candidates on `hostAddresses` only, candidate pairs and STUN answers only toward allowed
 * addresses, max-bundle, VP8 + opus at Chrome's payload types, sdes:mid as the only header extension.
 * No RTX, no simulcast, no transport-cc (it lowered Chrome's bitrate in measurements); VP8 keeps
 * NACK and PLI feedback (werift retransmits from its send cache; PLI drives keyframes).
 */
export function weriftPeerConfig(ice: IceConfig): RTCPeerConnectionConfig {
  const allowed = new Set(ice.allowedRemoteAddresses)
  const [singleHost] = ice.hostAddresses
  const config: RTCPeerConnectionConfig = {
    iceServers: ice.iceServers.map((server) => ({ ...server })),
    iceUseIpv4: true,
    iceUseIpv6: false,
    iceUseTcp: false,
    // Loopback and other excluded addresses only become host candidates through this list.
    iceAdditionalHostAddresses: [...ice.hostAddresses],
    // Binding to one address keeps the socket off other interfaces; with several host addresses
    // werift binds each candidate socket to the wildcard address instead.
    iceInterfaceAddresses: ice.hostAddresses.length === 1 && singleHost ? { udp4: singleHost } : undefined,
    iceFilterCandidatePair:
      allowed.size === 0 ? undefined : (pair) => allowed.has(pair.remoteCandidate.host),
    iceFilterStunResponse: allowed.size === 0 ? undefined : (_message, address) => allowed.has(address[0]),
    bundlePolicy: 'max-bundle',
    codecs: {
      audio: [useOPUS({ payloadType: OPUS_PAYLOAD_TYPE })],
      video: [useVP8({ payloadType: VP8_PAYLOAD_TYPE, rtcpFeedback: [useNACK(), usePLI()] })],
    },
    // Separate objects per kind: werift renumbers the configured extensions in place.
    headerExtensions: { audio: [useSdesMid()], video: [useSdesMid()] },
  }
  if (ice.portRange) config.icePortRange = [...ice.portRange]
  return config
}

