// The hub as a real child process (from its TypeScript source, through the loadtest's ts-loader), so a
// fault test can kill it with a signal and start it again on the same port (and data file, when the
// hub keeps one). Loopback only: it listens on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

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

export interface HubProcess {
  readonly port: number
  readonly url: string
  readonly pid: number
  /** Sends a signal and waits for the process to exit. */
  kill(signal: NodeJS.Signals): Promise<void>
  /** Starts the hub again on the same port with the same arguments. */
  restart(): Promise<void>
  /** Stops it (SIGTERM, then SIGKILL after 5 s). */
  close(): Promise<void>
}

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

async function waitForHub(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`hub exited before it answered (code ${child.exitCode}, signal ${child.signalCode})`)
    const answered = await fetch(`${url}/v1/rooms/none`).then(
      () => true,
      () => false,
    )
    if (answered) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`hub at ${url} did not answer within ${timeoutMs} ms`)
}

export async function startHubProcess(options: HubProcessOptions = {}): Promise<HubProcess> {
  const port = options.port ?? (await freePort())
  const url = `http://127.0.0.1:${port}`
  const staticArgs = options.staticDir ? ['--static-dir', options.staticDir] : ['--no-static']
  const args = ['--host', '127.0.0.1', '--port', String(port), ...staticArgs, '--quiet', ...(options.args ?? [])]
  let child: ChildProcess
  const launch = async () => {
    child = spawn(process.execPath, ['--conditions=parley-source', '--import', LOADER, MAIN, ...args], { stdio: ['ignore', 'ignore', 'inherit'] })
    await waitForHub(url, child, options.startTimeoutMs ?? 30_000)
  }
  const exited = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      child.once('exit', () => resolve())
    })
  await launch()
  return {
    port,
    url,
    get pid() {
      return child.pid ?? -1
    },
    async kill(signal) {
      child.kill(signal)
      await exited()
    },
    restart: launch,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      child.kill('SIGTERM')
      await exited()
      clearTimeout(timer)
    },
  }
}
