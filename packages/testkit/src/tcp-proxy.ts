// A TCP proxy on loopback for fault injection: it forwards every connection to a target port, and on
// demand resets every open connection (RST, as a dropped network does) or stalls them (bytes stop
// flowing both ways but the sockets stay open, as a silently dead path does), or resets one the moment
// the target writes a chunk that matches (the chunk is dropped: written by the server, never received).
// New connections after a fault work normally; `matching` limits a fault to connections whose latest
// HTTP request line matches (e.g. the SSE stream's `GET /v1/rooms/…/events/…`; a keep-alive connection
// carries several requests, and the last one is what it is doing now).
import { createServer, connect, type Server, type Socket } from 'node:net'

interface Pair {
  client: Socket
  upstream: Socket
  /** The latest HTTP request line the client sent on this connection, once known. */
  firstLine: string
  stalled: boolean
}

interface Trap {
  matching: RegExp | undefined
  data: RegExp
  sprung(): void
}

const REQUEST_LINE = /^(?:GET|POST|PUT|DELETE|OPTIONS|HEAD|PATCH) \S+ HTTP\/1\.[01]$/

export interface TcpProxy {
  readonly port: number
  readonly url: string
  /** Connections currently open (optionally those whose first request line matches). */
  open(matching?: RegExp): number
  /** Resets (RST) every open connection that matches; returns how many. */
  reset(matching?: RegExp): number
  /** Stops forwarding on every open connection that matches, leaving the sockets open; returns how many. */
  stall(matching?: RegExp): number
  /**
   * Resets the first matching connection on which the target next writes a chunk matching `data`; that
   * chunk is dropped. Resolves once it happened.
   */
  resetOnWrite(matching: RegExp | undefined, data: RegExp): Promise<void>
  close(): Promise<void>
}

export async function startTcpProxy(target: { host?: string; port: number }, listenPort = 0): Promise<TcpProxy> {
  const host = target.host ?? '127.0.0.1'
  const pairs = new Set<Pair>()
  const traps: Trap[] = []
  const resetPair = (pair: Pair) => {
    pairs.delete(pair)
    pair.client.resetAndDestroy()
    pair.upstream.destroy()
  }
  const sprungTrap = (pair: Pair, chunk: Buffer): boolean => {
    const index = traps.findIndex((trap) => (!trap.matching || trap.matching.test(pair.firstLine)) && trap.data.test(chunk.toString('utf8')))
    if (index < 0) return false
    const [trap] = traps.splice(index, 1)
    resetPair(pair)
    trap!.sprung()
    return true
  }
  const server: Server = createServer((client) => {
    const upstream = connect({ host, port: target.port })
    const pair: Pair = { client, upstream, firstLine: '', stalled: false }
    pairs.add(pair)
    client.on('data', (chunk: Buffer) => {
      const line = chunk.toString('latin1', 0, Math.min(chunk.length, 2048)).split('\r\n', 1)[0] ?? ''
      if (REQUEST_LINE.test(line)) pair.firstLine = line
      if (!pair.stalled) upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      if (pair.stalled || (traps.length > 0 && sprungTrap(pair, chunk))) return
      client.write(chunk)
    })
    const drop = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('close', drop)
    upstream.on('close', drop)
    client.on('error', drop)
    upstream.on('error', drop)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(listenPort, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as { port: number }).port
  const selected = (matching?: RegExp) => [...pairs].filter((pair) => !matching || matching.test(pair.firstLine))
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    open: (matching) => selected(matching).length,
    reset(matching) {
      const chosen = selected(matching)
      for (const pair of chosen) resetPair(pair)
      return chosen.length
    },
    resetOnWrite: (matching, data) => new Promise<void>((sprung) => void traps.push({ matching, data, sprung })),
    stall(matching) {
      const chosen = selected(matching).filter((pair) => !pair.stalled)
      for (const pair of chosen) pair.stalled = true
      return chosen.length
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) {
          pair.client.destroy()
          pair.upstream.destroy()
        }
        pairs.clear()
        server.close(() => resolve())
      }),
  }
}
