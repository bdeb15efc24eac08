import { describe, expect, it } from 'vitest'
import { pollUntil } from './poll.js'

describe('pollUntil', () => {
  it('returns the first value that is neither undefined nor false, probing again until then', async () => {
    let calls = 0
    const value = await pollUntil(() => (++calls >= 3 ? { calls } : calls === 1 ? undefined : false), { intervalMs: 1 })
    expect(value).toEqual({ calls: 3 })
  })

  it('counts 0 and an empty string as values (only undefined and false mean "not yet")', async () => {
    expect(await pollUntil(() => 0, { intervalMs: 1 })).toBe(0)
    expect(await pollUntil(() => '', { intervalMs: 1 })).toBe('')
  })

  it('rides out a probe that throws, and returns once it answers', async () => {
    let calls = 0
    const value = await pollUntil(
      () => {
        calls += 1
        if (calls < 3) throw new Error('page navigating')
        return 'ready'
      },
      { intervalMs: 1 },
    )
    expect(value).toBe('ready')
  })

  it('times out naming what it waited for, what it last saw and the last error', async () => {
    let last = { tiles: 0 }
    let calls = 0
    const waiting = pollUntil(
      () => {
        calls += 1
        last = { tiles: calls }
        if (calls === 1) throw new Error('not loaded')
        return undefined
      },
      { timeoutMs: 30, intervalMs: 5, description: 'two tiles', seen: () => last },
    )
    await expect(waiting).rejects.toThrow(/^Timed out after 30 ms waiting for two tiles; last seen: \{"tiles":\d+\} \(last error: not loaded\)$/)
  })

  it('prints a string as it is, and says so when what was seen cannot be read', async () => {
    await expect(pollUntil(() => undefined, { timeoutMs: 10, intervalMs: 5, seen: () => 'status joining' })).rejects.toThrow(/waiting for a condition; last seen: status joining$/)
    const unreadable = () => {
      throw new Error('page closed')
    }
    await expect(pollUntil(() => false, { timeoutMs: 10, intervalMs: 5, seen: unreadable })).rejects.toThrow(/last seen: \(unreadable: page closed\)$/)
  })
})
