// A TCP proxy on loopback for fault injection: it forwards every connection to a target port, and on
// demand resets every open connection (RST, as a dropped network does) or stalls them (bytes stop
// flowing both ways but the sockets stay open, as a silently dead path does). New connections after a
// reset or stall work normally; `matching` limits a fault to connections whose first request line
// matches (e.g. the SSE stream's `GET /v1/rooms/…/events/…`).
import { createServer, connect, type Server, type Socket } from 'node:net'

interface Pair {
  client: Socket
  upstream: Socket
  /** The first line the client sent (an HTTP request line), once known. */
  firstLine: string
  stalled: boolean
}

export interface TcpProxy {
  readonly port: number
  readonly url: string
  /** Connections currently open (optionally those whose first request line matches). */
  open(matching?: RegExp): number
  /** Resets (RST) every open connection that matches; returns how many. */
  reset(matching?: RegExp): number
  /** Stops forwarding on every open connection that matches, leaving the sockets open; returns how many. */
  stall(matching?: RegExp): number
  close(): Promise<void>
}

export async function startTcpProxy(target: { host?: string; port: number }, listenPort = 0): Promise<TcpProxy> {
  const host = target.host ?? '127.0.0.1'
  const pairs = new Set<Pair>()
  const server: Server = createServer((client) => {
    const upstream = connect({ host, port: target.port })
    const pair: Pair = { client, upstream, firstLine: '', stalled: false }
    pairs.add(pair)
    client.on('data', (chunk: Buffer) => {
      if (!pair.firstLine) pair.firstLine = chunk.toString('latin1').split('\r\n', 1)[0] ?? ''
      if (!pair.stalled) upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      if (!pair.stalled) client.write(chunk)
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
      for (const pair of chosen) {
        pairs.delete(pair)
        pair.client.resetAndDestroy()
        pair.upstream.destroy()
      }
      return chosen.length
    },
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
