// Node's dgram resolves the address of every send on an unconnected socket through its lookup (dns.lookup),
// and dns.lookup answers even an IP literal on the next tick: per forwarded packet a lookup call, closures
// and a queued tick before the datagram leaves. ICE forbids connecting the socket (one socket, several
// remote candidates) and werift creates it, so its lookup is replaced on the handle: an IP literal (all the
// fast send sends to, werift-fast-send.ts checks it) is answered at once, anything else goes to the old one.
// Reads Node 20's dgram internals (the socket's 'state symbol', its handle's lookup(address, callback));
// when they are not there the socket is left as it is. udp-literal-lookup.test.ts checks them. This module
// alone remembers which sockets it has seen (several subscriber senders share one socket, and a second
// patch would wrap the first): callers ask per send, at the cost of one WeakMap read.
import { isIP } from 'node:net'

type Lookup = (address: string, callback: (error: Error | null, address?: string) => void) => void
interface StateInternals {
  handle?: { lookup?: Lookup } | null
}

/** Each socket seen, and whether its lookup was replaced. */
const seen = new WeakMap<object, boolean>()

/** Whether `socket`'s sends to IP literals skip the lookup's tick from now on (once per socket; idempotent). */
export function answerLiteralsAtOnce(socket: object): boolean {
  const known = seen.get(socket)
  if (known !== undefined) return known
  const answers = replaceLookup(socket)
  seen.set(socket, answers)
  return answers
}

function replaceLookup(socket: object): boolean {
  const stateKey = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'state symbol')
  const handle = stateKey ? (socket as Record<symbol, StateInternals | undefined>)[stateKey]?.handle : undefined
  const lookup = handle?.lookup
  if (!handle || typeof lookup !== 'function') return false
  // The fast send sends to one address per socket: its check (a regular expression) is not repeated per packet.
  let literal: string | undefined
  handle.lookup = (address, callback) => {
    if (address === literal) callback(null, address)
    else if (isIP(address) !== 0) callback(null, (literal = address))
    else lookup(address, callback)
  }
  return true
}
