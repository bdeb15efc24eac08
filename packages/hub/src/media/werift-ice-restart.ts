// A werift workaround for every peer of the plane (WeriftPeer's constructor).
import type { RTCPeerConnection } from 'werift'

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
