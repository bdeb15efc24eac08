// werift 0.25.2's SCTP answers an INIT only once it knows the peer's SCTP port, which it takes from the SDP
// when the hub starts the transport. A client that gets its m=application in a hub offer (the official SDK,
// the seed tutorial's client) starts SCTP as soon as it applies its answer, over a DTLS transport already up,
// and its INIT outruns the answer's HTTP PUT: werift fails its INIT-ACK ("invalid remote port") and the client
// resends the INIT only 1–3 s later, so the hub's `internal` channel opened that much late (stop 40's trace of
// the ramp bench). The INIT is held instead and handled as soon as the port is set.
import type { RTCSctpTransport } from 'werift'

/** SCTP's chunk type of an INIT (RFC 9260 3.3.2), the first chunk after the 12-byte common header. */
const INIT_CHUNK = 1
const COMMON_HEADER_BYTES = 12

/** What the guard uses of werift's SCTP association (`RTCSctpTransport.sctp`). */
export interface SctpAssociation {
  remotePort?: number
  setRemotePort(port: number): void
  handleData(data: Buffer): Promise<void>
}

const guarded = new WeakSet<object>()

/** Holds the latest INIT that arrives before the peer's port is known, and hands it over once it is (idempotent). */
export function holdEarlyInit(sctp: SctpAssociation): void {
  if (guarded.has(sctp)) return
  guarded.add(sctp)
  let held: Buffer | undefined
  const handle = sctp.handleData.bind(sctp)
  const setRemotePort = sctp.setRemotePort.bind(sctp)
  sctp.handleData = (data) => {
    if (sctp.remotePort === undefined && data.length > COMMON_HEADER_BYTES && data[COMMON_HEADER_BYTES] === INIT_CHUNK) {
      held = data
      return Promise.resolve()
    }
    return handle(data)
  }
  sctp.setRemotePort = (port) => {
    setRemotePort(port)
    const init = held
    held = undefined
    // werift's own receive path does not await it either (its transport's onData).
    if (init) handle(init).catch(() => undefined)
  }
}

/** What the catch below uses of werift's SCTP transport: its receive handler and the event it is subscribed to. */
export interface SctpReceiving {
  datachannelReceive: (...args: unknown[]) => unknown
  sctp: { onReceive: { event: { stack: { execute: (...args: unknown[]) => unknown }[] } } }
}

const caught = new WeakSet<object>()

/**
 * werift 0.25.2's `datachannelReceive` is async and throws "channel not found" for a DCEP ACK on a stream
 * with no channel (a late or repeated ACK, e.g. resent on a lossy link, or any peer sending one); its event
 * calls it without looking at the promise, so the rejection went unhandled and ended the hub's process (seen
 * in the ramp bench with Firefox on the 800 kbit/s link, stop 55). The handler's promise is caught here:
 * the message is dropped and `onDropped` told; the association and every other channel go on.
 */
export function catchDataChannelReceive(transport: SctpReceiving, onDropped: (error: unknown) => void): void {
  if (caught.has(transport)) return
  caught.add(transport)
  const receive = transport.datachannelReceive
  for (const subscription of transport.sctp.onReceive.event.stack) {
    if (subscription.execute !== receive) continue
    subscription.execute = (...args) => {
      const result = receive(...args)
      if (result instanceof Promise) result.catch(onDropped)
      return result
    }
  }
}

/** Guards a peer connection's SCTP transport once it exists; `onDropped` hears a data channel message werift could not take. */
export function guardSctpTransport(transport: RTCSctpTransport | undefined, onDropped: (error: unknown) => void = () => undefined): void {
  if (!transport) return
  holdEarlyInit(transport.sctp as unknown as SctpAssociation)
  catchDataChannelReceive(transport as unknown as SctpReceiving, onDropped)
}
