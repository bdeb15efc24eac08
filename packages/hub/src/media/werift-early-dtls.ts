// The client's first DTLS flight, kept when it reaches the hub before werift listens for it.
//
// A browser (ICE controlling, DTLS client: the hub answers `a=setup:passive`) sends its ClientHello the
// moment its own ICE check succeeds. The hub's werift agent is controlled: it counts ICE as connected,
// and starts its DTLS server (`RTCDtlsTransport.start`, which is what subscribes to the ICE
// connection's data), only after its own check of the pair has succeeded too, 5–20 ms later on
// loopback. A ClientHello that arrives in between is dropped by werift 0.25.2, and the browser resends
// it only after its retransmission timer (50 ms, then 100, 200… in libwebrtc): the join bench saw it in
// most joins. Here the newest ClientHello that came before the transport started is held (all its
// datagrams: Chromium's, with its post-quantum key share, is two fragments) and handed to werift's DTLS
// server as soon as that exists: one microtask after the transport says `connecting` (`start` sets the
// state, then builds the server synchronously).

/** The part of werift's `Event` used here. */
interface Signal<T extends unknown[]> {
  subscribe(run: (...args: T) => void): { unSubscribe: () => void }
  execute(...args: T): void
}

/** The part of werift's `RTCDtlsTransport` used here. */
export interface EarlyDtlsTransport {
  readonly state: string
  readonly iceTransport: { readonly connection: { readonly onData: Signal<[Buffer]> } }
  readonly onStateChange: Signal<[string]>
}

/** A DTLS record's first byte is its content type, 20–63 (RFC 7983's demultiplexing range). */
export function isDtlsRecord(data: Buffer): boolean {
  const first = data[0]
  return first !== undefined && first >= 20 && first <= 63
}

/** The datagram opens a ClientHello: a handshake record (22) whose message is a client_hello (1) at fragment offset 0 (RFC 6347 4.2.2: 13-byte record header, then type, length, message_seq, fragment_offset). */
export function startsClientHello(data: Buffer): boolean {
  return data.length >= 25 && data[0] === 22 && data[13] === 1 && data.readUIntBE(19, 3) === 0
}

/** At most this many datagrams held (a ClientHello is one or two). */
const HELD_MAX = 8

export interface EarlyDtlsWatch {
  /** Called with every DTLS datagram that arrives until the handshake is over (the join bench's `dtls record in` line). */
  record?: (data: Buffer, state: string, replayed: boolean) => void
}

/**
 * Hold the datagrams of the newest ClientHello that arrive on `transport`'s ICE connection while the
 * transport is still `new`, and replay them in order on that connection once the transport is
 * `connecting` (werift's DTLS server then exists). Stops watching once the transport is connected,
 * failed or closed. Returns the disposer.
 */
export function replayEarlyDtls(transport: EarlyDtlsTransport, watch: EarlyDtlsWatch = {}): () => void {
  const connection = transport.iceTransport.connection
  let held: Buffer[] = []
  let replaying = false
  let done = false
  const data = connection.onData.subscribe((datagram: Buffer) => {
    if (done || !isDtlsRecord(datagram)) return
    watch.record?.(datagram, transport.state, replaying)
    if (transport.state !== 'new') return
    // A resent ClientHello starts the list again: its fragments are the ones to hand on, not a mix.
    if (startsClientHello(datagram)) held = [datagram]
    else if (held.length > 0 && held.length < HELD_MAX) held.push(datagram)
  })
  const state = transport.onStateChange.subscribe((next: string) => {
    if (next === 'connecting' && held.length > 0) {
      const datagrams = held
      held = []
      queueMicrotask(() => {
        if (done || transport.state !== 'connecting') return
        replaying = true
        try {
          for (const datagram of datagrams) connection.onData.execute(datagram)
        } finally {
          replaying = false
        }
      })
    }
    if (next === 'connected' || next === 'failed' || next === 'closed') stop()
  })
  function stop(): void {
    if (done) return
    done = true
    held = []
    data.unSubscribe()
    state.unSubscribe()
  }
  return stop
}
