import { describe, expect, it } from 'vitest'
import { redisAnswers, startRedisServer } from './redis.js'

describe('startRedisServer', () => {
  it('runs a real redis-server on a loopback port, restarts it on the same port, and stops it', async () => {
    const redis = await startRedisServer()
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`)
      expect(await redisAnswers(redis.port)).toBe(true)
      await redis.kill('SIGKILL')
      expect(await redisAnswers(redis.port)).toBe(false)
      await redis.restart()
      expect(await redisAnswers(redis.port)).toBe(true)
    } finally {
      await redis.close()
    }
    expect(await redisAnswers(redis.port)).toBe(false)
  }, 20_000)
})
