import { describe, expect, it } from 'vitest'
import { parseSchedstat, schedSince, threadSched } from './thread-sched.js'

describe('thread scheduling figures', () => {
  it('reads ms on a CPU and ms waiting for one from a schedstat line', () => {
    expect(parseSchedstat('2500000000 125000000 812\n')).toEqual({ runMs: 2500, waitMs: 125 })
    expect(() => parseSchedstat('')).toThrow(/not a schedstat line/)
  })

  it('subtracts two readings, and gives nothing when either is missing', () => {
    expect(schedSince({ runMs: 10, waitMs: 4 }, { runMs: 25, waitMs: 9 })).toEqual({ runMs: 15, waitMs: 5 })
    expect(schedSince(undefined, { runMs: 1, waitMs: 1 })).toBeUndefined()
  })

  it.runIf(process.platform === 'linux')('a spinning thread is on a core or waiting for one the whole time', () => {
    const start = threadSched()
    const until = performance.now() + 30
    while (performance.now() < until);
    const spent = schedSince(start, threadSched())
    // A busy box gives it a fraction of the 30 ms (that fraction is what the bench measures); the rest it waited.
    expect(spent!.runMs).toBeGreaterThan(0)
    expect(spent!.runMs + spent!.waitMs).toBeGreaterThan(25)
    expect(threadSched('/proc/no-such-file')).toBeUndefined()
  })
})
