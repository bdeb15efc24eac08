// The hub as a real child process (from its TypeScript source, through the loadtest's ts-loader), so a
// fault test can kill it with a signal and start it again on the same port (and data file, when the
// hub keeps one). Loopback only: it listens on 127.0.0.1.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { type ServerProcess, startServerProcess } from './server-process.js'

const MAIN = fileURLToPath(new URL('../../hub/src/main.ts', import.meta.url))
const LOADER = fileURLToPath(new URL('../../loadtest/scripts/ts-loader.mjs', import.meta.url))

export interface HubProcessOptions {
  /** Extra hub arguments (e.g. `--ping-interval 1000`, a data file). */
  args?: string[]
  /** Port to listen on; a free one when absent (kept across restarts). */
  port?: number
  startTimeoutMs?: number
  /** Serve this built web app at / (default: none, `--no-static`). */
  staticDir?: string
}

export interface HubProcess extends ServerProcess {
  readonly port: number
  readonly url: string
}

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export async function startHubProcess(options: HubProcessOptions = {}): Promise<HubProcess> {
  const port = options.port ?? (await freePort())
  const url = `http://127.0.0.1:${port}`
  const staticArgs = options.staticDir ? ['--static-dir', options.staticDir] : ['--no-static']
  const args = ['--host', '127.0.0.1', '--port', String(port), ...staticArgs, '--quiet', ...(options.args ?? [])]
  const server = await startServerProcess(
    () => spawn(process.execPath, ['--conditions=parley-source', '--import', LOADER, MAIN, ...args], { stdio: ['ignore', 'ignore', 'inherit'] }),
    {
      // Any answer will do (a 404, or a cluster node's 503 while it joins).
      answers: () => fetch(`${url}/v1/rooms/none`).then(() => true, () => false),
      what: `hub at ${url}`,
      timeoutMs: options.startTimeoutMs ?? 30_000,
      intervalMs: 25,
    },
  )
  return {
    port,
    url,
    get pid() {
      return server.pid
    },
    kill: server.kill,
    restart: server.restart,
    close: server.close,
  }
}
