import { describe, expect, it } from 'vitest'
import { createActor, type AnyActorRef } from 'xstate'
import { flush } from '../test-support/index.js'
import { serialWorker } from './serialWorker.js'

describe('serialWorker', () => {
  it('runs one job at a time in arrival order; a failed job does not stop the next; stop aborts the one in flight', async () => {
    const started: string[] = []
    const finish = new Map<string, { resolve(): void; reject(error: Error): void; signal: AbortSignal }>()
    const worker = serialWorker<{ type: 'job'; name: string }, void>(
      (job, { signal }) =>
        new Promise<void>((resolve, reject) => {
          started.push(job.name)
          finish.set(job.name, { resolve, reject, signal })
        }),
    )
    const actor = createActor(worker).start() as AnyActorRef
    for (const name of ['a', 'b', 'c']) actor.send({ type: 'job', name })
    await flush()
    expect(started).toEqual(['a'])
    finish.get('a')!.reject(new Error('lost'))
    await flush()
    expect(started).toEqual(['a', 'b'])
    actor.stop()
    expect(finish.get('b')!.signal.aborted).toBe(true)
    finish.get('b')!.resolve()
    await flush()
    // Dropped with the worker: nothing runs after stop.
    expect(started).toEqual(['a', 'b'])
  })
})
