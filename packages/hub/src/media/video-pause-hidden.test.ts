// A single-stream video the subscriber does not show (video-pause.ts hide/show, from a 0×0 video_size):
// nothing forwarded, no probe and no timer while hidden, resumed from a keyframe asked for when a size
// comes again. Fake timers drive the system clock.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../clock.js'
import { SLOW_SUBSCRIBER_MS } from './subscriber-loss.js'
import { FIRST_BACKOFF_MS, JUDGE_MIN_PACKETS, KEYFRAME_WAIT_MS, MAX_BACKOFF_MS, TRIAL_MS, VideoPause } from './video-pause.js'

const TICK = 250

function setUp() {
  const told: boolean[] = []
  let keyframesWanted = 0
  const pause = new VideoPause(systemClock, { changed: (paused) => void told.push(paused), keyframeWanted: () => void keyframesWanted++ })
  const ticks = (ms: number, fraction: number) => {
    for (let at = 0; at < ms; at += TICK) {
      vi.advanceTimersByTime(TICK)
      pause.judge(fraction, JUDGE_MIN_PACKETS, true)
    }
  }
  return { pause, told, ticks, keyframes: () => keyframesWanted }
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('VideoPause: a hidden tile', () => {
  it('live → hidden: nothing forwarded, no probe, left out of the estimate, not told', () => {
    const run = setUp()
    run.pause.hide()
    expect(run.pause).toMatchObject({ state: 'hidden', forwards: false, fine: false })
    expect(run.pause.judge(0, 100, true)).toBe(false)
    vi.advanceTimersByTime(10 * MAX_BACKOFF_MS)
    expect(run.pause.state).toBe('hidden')
    expect(run.keyframes()).toBe(0)
    expect(run.told).toEqual([])
  })

  it('shown again: a keyframe is asked for, and again each KEYFRAME_WAIT_MS until it comes; from it live again, not told', () => {
    const run = setUp()
    run.pause.hide()
    run.pause.show()
    expect(run.pause).toMatchObject({ state: 'resuming', forwards: false })
    expect(run.keyframes()).toBe(1)
    vi.advanceTimersByTime(2 * KEYFRAME_WAIT_MS)
    expect(run.pause.state).toBe('resuming')
    expect(run.keyframes()).toBe(3)
    run.pause.keyframeForwarded()
    expect(run.pause).toMatchObject({ state: 'live', forwards: true })
    expect(run.told).toEqual([])
  })

  it('paused for bandwidth, hidden, shown: resumes into a trial and says so', () => {
    const run = setUp()
    run.ticks(SLOW_SUBSCRIBER_MS + 2 * TICK, 0.4)
    expect(run.pause.state).toBe('paused')
    expect(run.told).toEqual([true])
    run.pause.hide()
    // The pause's own probe is off while hidden.
    vi.advanceTimersByTime(2 * FIRST_BACKOFF_MS)
    expect(run.pause.state).toBe('hidden')
    run.pause.show()
    run.pause.keyframeForwarded()
    expect(run.pause.state).toBe('trial')
    expect(run.told).toEqual([true, false])
    vi.advanceTimersByTime(TRIAL_MS)
    expect(run.pause.state).toBe('live')
  })

  it('show without hide, hide twice, hide after the end: nothing', () => {
    const run = setUp()
    run.pause.show()
    expect(run.pause.state).toBe('live')
    run.pause.hide()
    run.pause.hide()
    expect(run.pause.state).toBe('hidden')
    run.pause.end()
    run.pause.hide()
    run.pause.show()
    expect(run.pause.state).toBe('ended')
    expect(run.keyframes()).toBe(0)
  })
})
