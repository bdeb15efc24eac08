// A real Redis for tests: Debian's redis-server as a child process on a free 127.0.0.1 port, in its own
// temporary directory, never a system service. `npm test` installs redis-server when it is missing
// (scripts/parley.mjs), as it does Chromium. Stopped (and its directory removed) by `close()`; `kill` and
// `restart` are for fault tests (with `appendOnly`, what it acknowledged survives the restart).
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './hub-process.js'
import { type ServerProcess, startServerProcess } from './server-process.js'

export const REDIS_SERVER = process.env.PARLEY_REDIS_SERVER ?? '/usr/bin/redis-server'

export interface RedisServerOptions {
  /** Keep an append-only file (fsync every write), so a killed and restarted server has every acknowledged write. */
  appendOnly?: boolean
  startTimeoutMs?: number
}

export interface RedisServer extends ServerProcess {
  readonly port: number
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** Stops it and removes its directory. Idempotent. (`kill` keeps the port and directory for `restart`.) */
  close(): Promise<void>
}

/** Answers whether a Redis on this port replies PONG to PING (raw RESP; the testkit needs no Redis client). */
export function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    let reply = ''
    const done = (answer: boolean) => {
      socket.destroy()
      resolve(answer)
    }
    socket.setTimeout(1_000, () => done(false))
    socket.on('error', () => done(false))
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1')
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'))
    })
  })
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  if (!existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} not found: install Debian's redis-server (apt-get install -y redis-server; npm test does it)`)
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'parley-redis-'))
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--save', '',
    '--daemonize', 'no',
    '--protected-mode', 'yes',
    '--loglevel', 'warning',
    ...(options.appendOnly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
  ]
  const server = await startServerProcess(() => spawn(REDIS_SERVER, args, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] }), {
    answers: () => redisAnswers(port),
    what: `redis-server on port ${port}`,
    timeoutMs: options.startTimeoutMs ?? 10_000,
    intervalMs: 20,
  })
  let closed = false
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return server.pid
    },
    kill: server.kill,
    restart: server.restart,
    async close() {
      if (closed) return
      closed = true
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
