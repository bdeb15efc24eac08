// No STUN server of werift's own choosing, for every werift peer of ours: the hub's (WeriftPeer calls
// `gatherWithoutDefaultStun` before each setLocalDescription) and Node participants' (`ParticipantPeerConnection`).
import { RTCPeerConnection, type RTCLocalSessionDescriptionInit, type SessionDescription } from 'werift'
import { guardDtlsClients } from './dtls-client-guard.js'

/**
 * Gather no server-reflexive candidate when no STUN server is configured. werift 0.25.2 then asks its own
 * default, stun.l.google.com:19302 (ice.js `DEFAULT_STUN_SERVER`; `iceServers: []` does not turn it off), and
 * setLocalDescription awaits that gathering: every answer and first offer waited for a DNS lookup of that name
 * and, where it resolves, a STUN round trip off the machine (up to `iceStunGatherTimeout`, 5 s, unanswered).
 * Call it before each setLocalDescription (gathering happens there), once the description's transports exist.
 */
export function gatherWithoutDefaultStun(pc: RTCPeerConnection): void {
  for (const transport of pc.iceTransports) {
    const connection = transport.connection as unknown as { stunServer?: unknown; options?: { stunServer?: unknown } }
    if (connection.options && connection.options.stunServer === undefined) connection.stunServer = undefined
  }
}

/**
 * werift's RTCPeerConnection as a Node participant of ours runs it (`@parley/core/node`'s ports, the load
 * bench's participants, the e2e specs'): its DTLS client guarded (`guardDtlsClients`), and each local
 * description gathered without werift's default STUN server (the core calls setLocalDescription with the
 * description it made, once its transports exist).
 */
export class ParticipantPeerConnection extends RTCPeerConnection {
  constructor(config?: ConstructorParameters<typeof RTCPeerConnection>[0]) {
    super(config)
    guardDtlsClients(this)
  }

  override setLocalDescription(description: { type: 'rollback' }): Promise<void>
  override setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<SessionDescription>
  override setLocalDescription(description?: RTCLocalSessionDescriptionInit | { type: 'rollback' }): Promise<SessionDescription | void> {
    gatherWithoutDefaultStun(this)
    return super.setLocalDescription(description as RTCLocalSessionDescriptionInit)
  }
}
