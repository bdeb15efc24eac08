import { describe, expect, it } from 'vitest'
import { createSerialQueue } from './serialQueue.js'

describe('createSerialQueue', () => {
  it('starts each operation only after the previous one settled, even when it failed', async () => {
    const serial = createSerialQueue()
    const steps: string[] = []
    let releaseFirst!: () => void
    const first = serial(async () => {
      steps.push('first started')
      await new Promise<void>((resolve) => {
        releaseFirst = resolve
      })
      steps.push('first failed')
      throw new Error('first')
    })
    const second = serial(async () => {
      steps.push('second started')
      return 2
    })
    await Promise.resolve()
    expect(steps).toEqual(['first started'])
    releaseFirst()
    await expect(first).rejects.toThrow('first')
    await expect(second).resolves.toBe(2)
    expect(steps).toEqual(['first started', 'first failed', 'second started'])
  })
})
