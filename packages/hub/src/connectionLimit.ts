// A bound on open TCP connections, so that a flood of idle sockets cannot take every file descriptor
// (the media plane's UDP sockets and the registry's file need some) nor make a room's requests wait
// behind it. Node closes connections over `maxConnections` at accept, before any parsing.
import type { Server } from 'node:net'
import type { Clock } from './clock.js'
import type { Logger } from './log.js'

/** Half a typical 20,000 descriptor limit: each client holds an event stream and a request or two. */
export const DEFAULT_MAX_CONNECTIONS = 10_000

/** A refusal is logged at once, then at most one line per this many ms (with the count in between). */
const LOG_EVERY_MS = 10_000

export function limitConnections(server: Server, maxConnections: number, clock: Clock, log: Logger): void {
  server.maxConnections = maxConnections
  let refusedSinceLog = 0
  let lastLogAt: number | undefined
  server.on('drop', () => {
    refusedSinceLog += 1
    const now = clock.now()
    if (lastLogAt !== undefined && now - lastLogAt < LOG_EVERY_MS) return
    log('warn', 'connections refused: the hub is at its bound', { maxConnections, refused: refusedSinceLog })
    lastLogAt = now
    refusedSinceLog = 0
  })
}
