import { describe, expect, it } from 'vitest'
import { MEDIA_WORKER_NICE, raiseThreadPriority } from './worker-priority.js'

describe('raiseThreadPriority', () => {
  it("asks for the nice value on the calling thread (pid 0: Linux's per-thread nice)", () => {
    const calls: [number, number][] = []
    const warnings: string[] = []
    expect(raiseThreadPriority(MEDIA_WORKER_NICE, { setPriority: (pid, nice) => calls.push([pid, nice]), warn: (m) => warnings.push(m) })).toBe(true)
    expect(calls).toEqual([[0, -10]])
    expect(warnings).toEqual([])
  })

  it('leaves the priority alone for null or 0', () => {
    const calls: number[] = []
    const deps = { setPriority: (_pid: number, nice: number) => calls.push(nice), warn: () => undefined }
    expect(raiseThreadPriority(null, deps)).toBe(false)
    expect(raiseThreadPriority(0, deps)).toBe(false)
    expect(calls).toEqual([])
  })

  it('without the right (EACCES) warns once and does not throw', () => {
    const warnings: Record<string, unknown>[] = []
    const deps = {
      setPriority: () => {
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })
      },
      warn: (_message: string, fields: Record<string, unknown>) => warnings.push(fields),
    }
    expect(raiseThreadPriority(-10, deps)).toBe(false)
    expect(warnings).toEqual([{ nice: -10, error: 'EACCES: permission denied' }])
  })
})
