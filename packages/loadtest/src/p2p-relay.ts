// The join bench's `p2p` pages talk through this relay and nothing else: two Chromium pages, a peer
// connection straight between them, no hub. It is the floor a hub's join is measured against on the
// same box and load (join-clients/p2p.js). One mailbox per room and kind (offer, answer): a POST leaves
// the description, a GET waits for it (long poll) and takes it. Cross-origin from the page, so every
// answer allows any origin; the pages POST text/plain, which needs no preflight.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface P2pRelay {
  readonly url: string
  close(): Promise<void>
}

const KINDS = new Set(['offer', 'answer'])
/** A GET that finds nothing waits this long, then answers 204 (the page asks again). */
export const LONG_POLL_MS = 10_000
/** A description larger than any offer of two tracks (Chromium's are ≈ 3–6 KB) is refused. */
const MAX_BODY_BYTES = 64 * 1024

/** Starts the relay on 127.0.0.1 (an ephemeral port); `url` has no trailing slash. */
export async function startP2pRelay(): Promise<P2pRelay> {
  const mailboxes = new Map<string, string>()
  const waiting = new Map<string, Set<ServerResponse>>()

  const deliver = (key: string, body: string) => {
    const waiters = waiting.get(key)
    const waiter = waiters?.values().next().value
    if (waiters && waiter) {
      waiters.delete(waiter)
      waiter.writeHead(200, { 'content-type': 'text/plain' }).end(body)
      return
    }
    mailboxes.set(key, body)
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    response.setHeader('access-control-allow-origin', '*')
    const match = /^\/rooms\/([^/]+)\/([a-z]+)$/.exec(new URL(request.url ?? '/', 'http://127.0.0.1').pathname)
    if (!match || !KINDS.has(match[2]!)) {
      response.writeHead(404).end('not found: use /rooms/<id>/offer or /rooms/<id>/answer')
      return
    }
    const key = `${decodeURIComponent(match[1]!)}/${match[2]}`
    if (request.method === 'POST') {
      const chunks: Buffer[] = []
      let size = 0
      request.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size <= MAX_BODY_BYTES) chunks.push(chunk)
      })
      request.on('end', () => {
        if (size > MAX_BODY_BYTES || size === 0) {
          response.writeHead(size === 0 ? 400 : 413).end(size === 0 ? 'empty description' : 'description too large')
          return
        }
        deliver(key, Buffer.concat(chunks).toString('utf8'))
        response.writeHead(204).end()
      })
      return
    }
    if (request.method !== 'GET') {
      response.writeHead(405).end()
      return
    }
    const body = mailboxes.get(key)
    if (body !== undefined) {
      mailboxes.delete(key)
      response.writeHead(200, { 'content-type': 'text/plain' }).end(body)
      return
    }
    const set = waiting.get(key) ?? new Set<ServerResponse>()
    waiting.set(key, set)
    set.add(response)
    const timer = setTimeout(() => {
      if (set.delete(response)) response.writeHead(204).end()
    }, LONG_POLL_MS)
    response.on('close', () => {
      clearTimeout(timer)
      set.delete(response)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const set of waiting.values()) for (const response of set) response.writeHead(204).end()
        waiting.clear()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
