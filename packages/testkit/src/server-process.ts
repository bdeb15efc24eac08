// A server as a child process that a fault test can signal, wait for, start again and stop: what the hub
// process and the Redis server helpers share.
import type { ChildProcess } from 'node:child_process'

export interface ServerProcess {
  readonly pid: number
  /** Sends a signal and waits for the process to exit. */
  kill(signal: NodeJS.Signals): Promise<void>
  /** Starts it again (same port, same arguments) and waits until it is ready. */
  restart(): Promise<void>
  /** Stops it (SIGTERM, then SIGKILL after 5 s). Idempotent. */
  close(): Promise<void>
}

export interface Readiness {
  /** Whether the server answers yet (polled). */
  answers(): Promise<boolean>
  /** e.g. `hub at http://127.0.0.1:1234`, for the errors. */
  what: string
  timeoutMs: number
  intervalMs: number
}

/** Runs `spawnServer` and polls until it answers (failing when it exits first or on the deadline); again on `restart`. */
export async function startServerProcess(spawnServer: () => ChildProcess, readiness: Readiness): Promise<ServerProcess> {
  let child: ChildProcess
  const hasExited = () => child.exitCode !== null || child.signalCode !== null
  const exited = () => new Promise<void>((resolve) => (hasExited() ? resolve() : child.once('exit', () => resolve())))
  const launch = async () => {
    child = spawnServer()
    const deadline = Date.now() + readiness.timeoutMs
    while (!(await readiness.answers())) {
      if (hasExited()) throw new Error(`${readiness.what} exited before it answered (code ${child.exitCode}, signal ${child.signalCode})`)
      if (Date.now() > deadline) throw new Error(`${readiness.what} did not answer within ${readiness.timeoutMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, readiness.intervalMs))
    }
  }
  await launch()
  return {
    get pid() {
      return child.pid ?? -1
    },
    async kill(signal) {
      child.kill(signal)
      await exited()
    },
    restart: launch,
    async close() {
      if (hasExited()) return
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      child.kill('SIGTERM')
      await exited()
      clearTimeout(timer)
    },
  }
}
