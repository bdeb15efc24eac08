// The hub command's `--nice` on a real process: its main thread (API, event streams, signalling) and its
// media worker run at the asked priority, or — without the right to raise it — it says so and runs as before.
import { type ChildProcess, spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { threadNice } from './test-support/threadNice.js'

const hubDir = fileURLToPath(new URL('..', import.meta.url))
let child: ChildProcess | undefined

afterEach(() => {
  child?.kill('SIGKILL')
  child = undefined
})

/** Starts `src/main.ts` from source and resolves with its pid and stderr once it listens. */
function startHubCommand(args: string[]): Promise<{ pid: number; stderr: () => string }> {
  const process_ = spawn(process.execPath, ['--conditions=parley-source', '--import', './bench/register-ts.mjs', 'src/main.ts', ...args], { cwd: hubDir, stdio: ['ignore', 'pipe', 'pipe'] })
  child = process_
  let stderr = ''
  process_.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve, reject) => {
    let stdout = ''
    process_.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (stdout.includes('listening on')) resolve({ pid: process_.pid!, stderr: () => stderr })
    })
    process_.on('exit', (code) => reject(new Error(`the hub exited (${code}): ${stderr}`)))
  })
}

/** Every thread of `pid` (the main thread's tid is the pid) with its nice value. */
function threadsOf(pid: number): { tid: number; nice: number }[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => ({ tid: Number(tid), nice: Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]) }))
}

describe.runIf(process.platform === 'linux')('parley-hub --nice', () => {
  it('runs its main thread and its media worker at the asked nice value, or warns and leaves them', async () => {
    const before = threadNice()
    const hub = await startHubCommand(['--port', '0', '--quiet', '--no-static', '--registry', 'memory', '--media-workers', '1', '--nice=-3'])
    const threads = threadsOf(hub.pid)
    const main = threads.find((thread) => thread.tid === hub.pid)!
    if (hub.stderr().includes('signalling thread priority not raised')) {
      // No CAP_SYS_NICE here: said once per thread that asked, with how to grant it, and nothing changed.
      expect(hub.stderr()).toMatch(/CAP_SYS_NICE/)
      expect(main.nice).toBe(before)
      return
    }
    expect(main.nice).toBe(-3)
    // The media worker too (it asks, and inherits it anyway); threads Node started before main() ran (V8's
    // platform threads, the module hooks') keep theirs.
    expect(threads.filter((thread) => thread.nice === -3).length).toBeGreaterThanOrEqual(2)
    expect(new Set(threads.map((thread) => thread.nice))).toEqual(new Set([-3, before]))
  }, 60_000)

  it('leaves every thread as started with --nice 0', async () => {
    const before = threadNice()
    const hub = await startHubCommand(['--port', '0', '--quiet', '--no-static', '--registry', 'memory', '--media-workers', '1', '--nice', '0'])
    expect(new Set(threadsOf(hub.pid).map((thread) => thread.nice))).toEqual(new Set([before]))
    expect(hub.stderr()).not.toMatch(/priority not raised/)
  }, 60_000)
})
