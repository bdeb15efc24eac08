// The werift RTCPeerConnection configuration for a Node participant in loopback-only tests, matching
// what the hub's werift plane negotiates with Chromium (werift-sfu-notes.md "Key werift calls"):
// no STUN/TURN (werift's default includes a public STUN server), IPv4 UDP on 127.0.0.1 only, host
// candidates that include loopback (normally excluded), pairs and STUN answers only with 127.0.0.1,
// max-bundle, VP8 = 96 and opus = 111 (Chrome's payload types), and only the sdes:mid extension.
import { useOPUS, useSdesMid, useVP8, type PeerConfig } from 'werift'

export const LOOPBACK_ADDRESS = '127.0.0.1'

export interface LoopbackWeriftOptions {
  /** The one loopback address used for binding, advertising and filtering. Default 127.0.0.1. */
  address?: string
}

export function loopbackWeriftConfig(options: LoopbackWeriftOptions = {}): Partial<PeerConfig> {
  const address = options.address ?? LOOPBACK_ADDRESS
  return {
    iceServers: [],
    iceTransportPolicy: 'all',
    iceUseIpv4: true,
    iceUseIpv6: false,
    iceUseTcp: false,
    iceInterfaceAddresses: { udp4: address },
    iceAdditionalHostAddresses: [address],
    iceFilterCandidatePair: (pair) => pair.remoteCandidate.host === address,
    iceFilterStunResponse: (_message, remote) => remote[0] === address,
    bundlePolicy: 'max-bundle',
    codecs: {
      audio: [useOPUS({ payloadType: 111 })],
      video: [useVP8({ payloadType: 96 })],
    },
    headerExtensions: {
      audio: [useSdesMid()],
      video: [useSdesMid()],
    },
  }
}
