// A virtual X display (Debian's Xvfb) for a browser that must not run headless: headless Firefox on Linux
// has no WebGL at all (its GPU probe, glxtest, needs a display; without one every GL path is blocked), and
// Xvfb gives it Mesa's llvmpipe (software GL). `npm test` installs xvfb when it is missing
// (scripts/parley.mjs). Xvfb picks a free display number itself and writes it to a pipe when it is ready
// (`-displayfd`), so nothing here guesses numbers or polls for the socket. No TCP listener: only the unix
// socket under /tmp/.X11-unix.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import type { Readable } from 'node:stream'

export const XVFB = process.env.PARLEY_XVFB ?? '/usr/bin/Xvfb'

export interface VirtualDisplay {
  /** For `DISPLAY`, e.g. `:99`. */
  readonly display: string
  /** Stops the server (SIGTERM, then waits for it to exit). Idempotent. */
  close(): Promise<void>
}

/** The display number Xvfb writes to its `-displayfd` once it accepts connections (a line: `99\n`). */
export function displayFromFd(output: string): string | undefined {
  const line = output.split('\n')[0]?.trim()
  return line !== undefined && /^\d+$/.test(line) && output.includes('\n') ? `:${line}` : undefined
}

export async function startVirtualDisplay(options: { width?: number; height?: number; startTimeoutMs?: number } = {}): Promise<VirtualDisplay> {
  if (!existsSync(XVFB)) throw new Error(`${XVFB} not found: install Debian's xvfb (apt-get install -y xvfb; npm test does it)`)
  const screen = `${options.width ?? 1280}x${options.height ?? 800}x24`
  const child = spawn(XVFB, ['-displayfd', '3', '-screen', '0', screen, '-nolisten', 'tcp', '-noreset'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
  try {
    const display = await readDisplay(child, child.stdio[3] as Readable, options.startTimeoutMs ?? 10_000, () => stderr)
    return { display, close }
  } catch (error) {
    await close()
    throw error
  }
}

function readDisplay(child: ChildProcess, fd: Readable, timeoutMs: number, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => fail(`did not report a display within ${timeoutMs} ms`), timeoutMs)
    const fail = (why: string) => {
      clearTimeout(timer)
      reject(new Error(`Xvfb ${why}: ${stderr().trim().slice(-500)}`))
    }
    fd.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const display = displayFromFd(output)
      if (display) {
        clearTimeout(timer)
        resolve(display)
      }
    })
    child.once('exit', (code, signal) => fail(`exited (${signal ?? code}) before it reported a display`))
    child.once('error', (error) => fail(error.message))
  })
}
