import { describe, expect, it } from 'vitest'
import { createTestApp } from '../testing/testApp'
import { useAutoplayStore } from './autoplay'

describe('autoplay store', () => {
  it('tracks blocked autoplay and resumes every media element on request', async () => {
    createTestApp()
    const autoplay = useAutoplayStore()
    let refuse = true
    let plays = 0
    const element = {
      play: () => {
        plays++
        return refuse ? Promise.reject(Object.assign(new Error('x'), { name: 'NotAllowedError' })) : Promise.resolve()
      },
    }
    autoplay.register(element)
    await autoplay.play(element)
    expect(autoplay.audioBlocked).toBe(true)
    refuse = false
    await autoplay.resumeAudio()
    expect(autoplay.audioBlocked).toBe(false)
    expect(plays).toBe(2)
    autoplay.unregister(element)
  })
})
