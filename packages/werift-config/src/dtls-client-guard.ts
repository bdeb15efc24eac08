// werift 0.25.2's DTLS client fails its handshake on a repeated HelloVerifyRequest. When the hub is slow
// to answer (a loaded box: > 500 ms), the client resends its ClientHello, the hub answers both with a
// HelloVerifyRequest (RFC 6347 4.2.1: stateless, the same cookie each time), and the second one reaches
// werift's Flight3.exec with the flight already at 3: it throws a bare Error, the transport goes `failed`,
// and the participant publishes and receives nothing while the hub's side of the same handshake completes
// (the load run's stop-36 fault). A browser ignores the repeat; so does every Node participant of ours with
// this guard (load participants, test participants): the ClientHello with the cookie is already out, and its
// own retransmission covers its loss.
import { DtlsClient, type RTCDtlsTransport, type RTCPeerConnection } from 'werift'

/** werift's handshake message type of a HelloVerifyRequest. */
const HELLO_VERIFY_REQUEST = 3

interface ClientInternals {
  dtls: { flight: number }
  onHandleHandshakes: (assembled: { msg_type: number }[]) => Promise<void>
}

/** Drops a HelloVerifyRequest that reaches `client` after it answered one (its flight is 3 or later). */
export function ignoreRepeatedHelloVerify(client: DtlsClient): void {
  const internals = client as unknown as ClientInternals
  const handle = internals.onHandleHandshakes
  internals.onHandleHandshakes = (assembled) => {
    const kept = internals.dtls.flight >= 3 ? assembled.filter((handshake) => handshake.msg_type !== HELLO_VERIFY_REQUEST) : assembled
    return kept.length === 0 ? Promise.resolve() : handle(kept)
  }
}

/** Guards the transport's DTLS client, once werift creates it (right after the transport says `connecting`). */
export function guardDtlsClient(transport: RTCDtlsTransport): void {
  const { unSubscribe } = transport.onStateChange.subscribe((state) => {
    if (state !== 'connecting') return
    unSubscribe()
    // start() sets the state, then builds its DtlsClient or DtlsServer in the same call.
    queueMicrotask(() => {
      if (transport.dtls instanceof DtlsClient) ignoreRepeatedHelloVerify(transport.dtls)
    })
  })
}

/** Every DTLS transport of `pc` ignores a repeated HelloVerifyRequest, guarded before it starts. */
export function guardDtlsClients(pc: RTCPeerConnection): void {
  const guarded = new WeakSet<object>()
  pc.signalingStateChange.subscribe(() => {
    for (const transport of pc.dtlsTransports) {
      if (guarded.has(transport)) continue
      guarded.add(transport)
      guardDtlsClient(transport)
    }
  })
}
