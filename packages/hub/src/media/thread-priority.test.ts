import { setPriority } from 'node:os'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { niceOfThread, threadNice } from '../test-support/threadNice.js'
import { MEDIA_WORKER_NICE, PRIORITY_HOW, raiseThreadPriority } from './thread-priority.js'

describe('raiseThreadPriority', () => {
  it("asks for the nice value on the calling thread (pid 0: Linux's per-thread nice)", () => {
    const calls: [number, number][] = []
    const warnings: string[] = []
    expect(raiseThreadPriority(MEDIA_WORKER_NICE, { platform: 'linux', setPriority: (pid, nice) => calls.push([pid, nice]), warn: (m) => warnings.push(m) })).toBe(true)
    expect(calls).toEqual([[0, -10]])
    expect(warnings).toEqual([])
  })

  it('leaves the priority alone for null or 0', () => {
    const calls: number[] = []
    const deps = { platform: 'linux' as const, setPriority: (_pid: number, nice: number) => calls.push(nice), warn: () => undefined }
    expect(raiseThreadPriority(null, deps)).toBe(false)
    expect(raiseThreadPriority(0, deps)).toBe(false)
    expect(calls).toEqual([])
  })

  it('without the right (EACCES) warns once and does not throw', () => {
    const warnings: Record<string, unknown>[] = []
    const deps = {
      platform: 'linux' as const,
      setPriority: () => {
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })
      },
      warn: (_message: string, fields: Record<string, unknown>) => warnings.push(fields),
    }
    expect(raiseThreadPriority(-10, deps)).toBe(false)
    expect(warnings).toEqual([{ nice: -10, error: 'EACCES: permission denied', how: PRIORITY_HOW }])
  })

  it('names the thread it could not raise', () => {
    const warnings: string[] = []
    const deps = {
      platform: 'linux' as const,
      setPriority: () => {
        throw new Error('EACCES: permission denied')
      },
      warn: (message: string) => warnings.push(message),
    }
    raiseThreadPriority(-10, deps)
    raiseThreadPriority(-10, deps, 'signalling thread')
    expect(warnings).toEqual(['media worker priority not raised', 'signalling thread priority not raised'])
  })

  it("asks nothing on a platform whose priority is the whole process's (macOS, Windows)", () => {
    const calls: number[] = []
    const warnings: string[] = []
    for (const platform of ['darwin', 'win32'] as const) {
      expect(raiseThreadPriority(MEDIA_WORKER_NICE, { platform, setPriority: (_pid, nice) => calls.push(nice), warn: (m) => warnings.push(m) })).toBe(false)
    }
    expect(calls).toEqual([])
    expect(warnings).toEqual([])
  })
})

// The claim the default rests on, on a real thread: Linux's nice is per thread, so a worker that raises its
// own leaves the main thread's (HTTP and signalling) alone. Without the right, the warning path instead.
describe('raiseThreadPriority on a real worker thread', () => {
  it('raises the worker thread to MEDIA_WORKER_NICE and only it, or warns and changes nothing', async () => {
    const niceBefore = threadNice()
    // The same call raiseThreadPriority makes, with node:os's real setPriority (the module itself is TypeScript);
    // the worker posts its thread id (/proc/thread-self is "pid/task/tid") and stays until told to end.
    const source = `
      const { parentPort } = require('node:worker_threads')
      const { setPriority } = require('node:os')
      const { readlinkSync } = require('node:fs')
      let warned = null
      let raised = false
      try { setPriority(0, ${MEDIA_WORKER_NICE}); raised = true } catch (error) { warned = error.message }
      parentPort.postMessage({ raised, warned, tid: Number(readlinkSync('/proc/thread-self').split('/').pop()) })
      parentPort.once('message', () => process.exit(0))
    `
    const worker = new Worker(source, { eval: true })
    const seen = await new Promise<{ raised: boolean; warned: string | null; tid: number }>((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
    const workerNice = niceOfThread(seen.tid)
    worker.postMessage('end')
    await worker.terminate()
    expect(threadNice()).toBe(niceBefore)
    if (seen.raised) expect(workerNice).toBe(MEDIA_WORKER_NICE)
    else {
      expect(seen.warned).toMatch(/EACCES|EPERM|permission/i)
      expect(workerNice).toBe(niceBefore)
      const warnings: unknown[] = []
      expect(raiseThreadPriority(MEDIA_WORKER_NICE, { platform: 'linux', setPriority, warn: (message) => warnings.push(message) })).toBe(false)
      expect(warnings).toEqual(['media worker priority not raised'])
    }
  })
})
