// Starts child.ts (from source, through the package's ts-loader) and hands out its client id and pid.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url))
const LOADER = fileURLToPath(new URL('../../scripts/ts-loader.mjs', import.meta.url))

export interface ChildParticipant {
  readonly clientId: string
  readonly pid: number
  /** Sends a signal; for SIGKILL/SIGTERM waits until the process is gone. */
  signal(signal: NodeJS.Signals): Promise<void>
  /** Gone for sure (SIGCONT first, in case it is stopped, then SIGKILL). */
  close(): Promise<void>
}

export async function startChildParticipant(hubUrl: string, roomId: string, name: string, timeoutMs = 60_000): Promise<ChildParticipant> {
  const child: ChildProcess = spawn(process.execPath, ['--conditions=parley-source', '--import', LOADER, CHILD, hubUrl, roomId, name], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const isGone = () => child.exitCode !== null || child.signalCode !== null
  const clientId = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`${name}: not connected within ${timeoutMs} ms`)), timeoutMs)
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const line = out.split('\n').find((text) => text.startsWith('{'))
      if (!line) return
      clearTimeout(timer)
      resolve((JSON.parse(line) as { clientId: string }).clientId)
    })
    void exited.then(() => {
      clearTimeout(timer)
      reject(new Error(`${name}: the participant process exited before it connected`))
    })
  })
  return {
    clientId,
    pid: child.pid ?? -1,
    async signal(signal) {
      if (isGone()) return
      child.kill(signal)
      if (signal === 'SIGKILL' || signal === 'SIGTERM') await exited
    },
    async close() {
      if (isGone()) return
      child.kill('SIGCONT')
      child.kill('SIGKILL')
      await exited
    },
  }
}
