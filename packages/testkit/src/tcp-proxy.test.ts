// The proxy's faults on loopback TCP, against a server that writes what it is told to.
import { createServer, connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A server that keeps its sockets so the test can write to them. */
async function startServer(): Promise<{ port: number; sockets: Socket[] }> {
  const sockets: Socket[] = []
  const server = createServer((socket) => void sockets.push(socket.on('error', () => undefined)))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  cleanups.push(() => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy()
    server.close(() => resolve())
  }))
  return { port: (server.address() as { port: number }).port, sockets }
}

async function client(proxy: TcpProxy, requestLine: string): Promise<{ received: string[]; closed: Promise<string> }> {
  const socket = connect({ host: '127.0.0.1', port: proxy.port })
  const received: string[] = []
  socket.on('data', (chunk: Buffer) => void received.push(chunk.toString()))
  const closed = new Promise<string>((resolve) => {
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
    socket.on('close', () => resolve('closed'))
  })
  cleanups.push(() => void socket.destroy())
  await new Promise<void>((resolve) => socket.on('connect', () => resolve()))
  socket.write(`${requestLine}\r\nhost: x\r\n\r\n`)
  return { received, closed }
}

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5))
}

describe('startTcpProxy', () => {
  it('resets a matching connection the moment a matching chunk is written, dropping that chunk', async () => {
    const server = await startServer()
    const proxy = await startTcpProxy({ port: server.port })
    cleanups.push(() => proxy.close())
    const other = await client(proxy, 'POST /v1/rooms/r/setmeta HTTP/1.1')
    const stream = await client(proxy, 'GET /v1/rooms/r/events/c HTTP/1.1')
    await until(() => server.sockets.length === 2 && proxy.open(/events/) === 1)
    const [otherSide, streamSide] = server.sockets
    const sprung = proxy.resetOnWrite(/^GET .*\/events\//, /event: offer/)
    otherSide!.write('event: offer\n') // not the matching connection: forwarded
    streamSide!.write('event: ping\n')
    await until(() => stream.received.join('').includes('ping') && other.received.join('').includes('offer'))
    streamSide!.write('event: offer\n')
    await sprung
    expect(await stream.closed).toBe('ECONNRESET')
    expect(stream.received.join('')).not.toContain('offer')
    expect(proxy.open()).toBe(1)
  })

  it('stalls without closing, and a stall takes only the connections not stalled before', async () => {
    const server = await startServer()
    const proxy = await startTcpProxy({ port: server.port })
    cleanups.push(() => proxy.close())
    const first = await client(proxy, 'GET /v1/rooms/r/events/c HTTP/1.1')
    await until(() => server.sockets.length === 1)
    expect(proxy.stall(/events/)).toBe(1)
    server.sockets[0]!.write('event: lost\n')
    await client(proxy, 'GET /v1/rooms/r/events/c?lastEventId=1 HTTP/1.1')
    await until(() => server.sockets.length === 2)
    expect(proxy.open(/events/)).toBe(2)
    expect(proxy.stall(/events/)).toBe(1)
    expect(first.received).toEqual([])
  })
})
