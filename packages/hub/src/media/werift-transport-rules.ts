// How the hub's werift peers run their ICE and DTLS transports where werift's defaults cost a join or a
// restart (WeriftPeer: its constructor, and its answer to a client's first offer). No STUN server of
// werift's own choosing: `gatherWithoutDefaultStun`, @parley/werift-config (Node participants use it too).
import type { RTCPeerConnection } from 'werift'
import { answerLiteralsAtOnce } from './udp-literal-lookup.js'

/**
 * werift 0.25.2 takes new ICE credentials in a client offer for a "renomination", not an ICE restart, while
 * the remote description has any `inactive` m-line (`sdpManager.inactiveRemoteMedia`, ice.js
 * `setRemoteParams`): it keeps its own credentials and the restart never completes. A client's answer has
 * one whenever a receive slot is empty (or a device-less client's recvonly m-line), and its ICE restart then
 * left the call's video dead both ways (web e2e network-change, 3 of 3 with an empty slot). New credentials
 * always mean a restart (RFC 8445 §9); the hub never renominates.
 */
export function restartIceOnNewCredentials(pc: RTCPeerConnection): void {
  const sdpManager = (pc as unknown as { sdpManager?: object }).sdpManager
  if (sdpManager && 'inactiveRemoteMedia' in sdpManager) Object.defineProperty(sdpManager, 'inactiveRemoteMedia', { get: () => undefined })
}

/**
 * Answer an `actpass` offer with `a=setup:passive`, so that the client is the DTLS client. werift as DTLS
 * client waits a fixed 100 ms after ICE connects before its ClientHello (0.25.2, transport/dtls.js
 * `start`); as DTLS server it answers the browser's ClientHello at once. Only a transport whose role
 * is still `auto` (the first offer) is changed; later offers keep the negotiated roles.
 */
export function preferDtlsServer(pc: RTCPeerConnection): void {
  for (const transport of pc.dtlsTransports) if (transport.role === 'auto') transport.role = 'server'
}

/**
 * Let every UDP socket of the peer's ICE agent send to an IP literal in the tick it is asked to (the
 * lookup answered at once, `udp-literal-lookup.ts`), from the first STUN response and DTLS flight on, not
 * only once the fast send first forwards on it. Node's dgram answers an IP literal's lookup with
 * `process.nextTick`, and a tick queued inside a promise job runs only once the whole microtask queue has
 * drained: werift sends its DTLS flights from promise jobs, and the hub's own work chained on the same
 * events ran first. In the join bench's packet capture (stop 45) the hub's last flight (ChangeCipherSpec,
 * Finished) left 70 ms after werift had logged `dtls connected` (the hub was creating the publisher's offer
 * meanwhile), after the browser had resent its own flight.
 */
export function sendIceDatagramsAtOnce(pc: RTCPeerConnection): void {
  for (const transport of pc.iceTransports) {
    const connection = transport.connection as unknown as { protocols?: readonly { transport?: { socket?: object } }[] }
    for (const protocol of connection.protocols ?? []) {
      const socket = protocol.transport?.socket
      if (socket) answerLiteralsAtOnce(socket)
    }
  }
}
