// A subscriber's simulcast layer (layer-choice.ts): every transition on the injected Clock (fake timers
// drive the system clock).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../clock.js'
import { FIT_MARGIN, LayerChoice, STEP_DOWN_MS } from './layer-choice.js'
import { EARLY_FAIL, FIRST_BACKOFF_MS, JUDGE_MIN_PACKETS, KEYFRAME_WAIT_MS, MAX_BACKOFF_MS, TRIAL_MS, TRIAL_MIN_PACKETS } from './video-pause.js'

const TICK = 250

function setUp(layers = 3) {
  const told: boolean[] = []
  const targets: number[] = []
  const choice = new LayerChoice(systemClock, layers, { paused: (paused) => void told.push(paused), targetChanged: (target) => void targets.push(target) })
  const tick = (fraction: number, packets = JUDGE_MIN_PACKETS) => {
    vi.advanceTimersByTime(TICK)
    return choice.judge(fraction, packets, true)
  }
  const ticks = (ms: number, fraction: number, packets = JUDGE_MIN_PACKETS) => {
    for (let at = 0; at < ms; at += TICK) tick(fraction, packets)
  }
  return { choice, told, targets, tick, ticks }
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('LayerChoice', () => {
  it('starts wanting the highest layer and forwards it from its keyframe; its loss never counts in the estimate', () => {
    const run = setUp()
    expect(run.choice.target).toBe(3)
    expect(run.choice.forwards).toBe(false)
    run.choice.switched(3)
    expect(run.choice).toMatchObject({ level: 3, state: 'steady', forwards: true })
    expect(run.tick(0)).toBe(false)
    expect(run.choice.fine).toBe(true)
    // Not told "resumed": it was never paused.
    expect(run.told).toEqual([])
  })

  it('steps one layer down after STEP_DOWN_MS over LOSSY, keeping the old layer until the new one is switched to', () => {
    const run = setUp()
    run.choice.switched(3)
    run.ticks(STEP_DOWN_MS, 0.3)
    run.tick(0.3)
    expect(run.choice).toMatchObject({ state: 'switching', level: 3, target: 2 })
    expect(run.targets).toEqual([2])
    run.choice.switched(2)
    expect(run.choice).toMatchObject({ state: 'steady', level: 2, target: 2 })
  })

  it('a window at or under LOSSY ends the slow episode; windows gather JUDGE_MIN_PACKETS first', () => {
    const run = setUp()
    run.choice.switched(3)
    run.ticks(STEP_DOWN_MS - TICK, 0.3)
    run.tick(0.05)
    run.ticks(STEP_DOWN_MS - TICK, 0.3)
    expect(run.choice.target).toBe(3)
    // Ticks of 5 packets: one window per 6 ticks; 100 % loss in them still steps down, later.
    run.ticks(STEP_DOWN_MS + 6 * TICK, 1, 5)
    expect(run.choice.target).toBe(2)
  })

  it('pauses at once below the lowest layer (told), and probes the lowest after the backoff (resumed, told)', () => {
    const run = setUp(2)
    run.choice.switched(2)
    run.ticks(STEP_DOWN_MS + TICK, 0.5)
    run.choice.switched(1)
    run.ticks(STEP_DOWN_MS + TICK, 0.5)
    expect(run.choice).toMatchObject({ level: 0, target: 0, forwards: false, state: 'steady' })
    expect(run.told).toEqual([true])
    vi.advanceTimersByTime(FIRST_BACKOFF_MS)
    expect(run.choice).toMatchObject({ state: 'switching', target: 1 })
    run.choice.switched(1)
    expect(run.told).toEqual([true, false])
    expect(run.choice.level).toBe(1)
  })

  it('probes one layer up after the backoff; a trial at or under LOSSY keeps it, with the backoff reset', () => {
    const run = setUp()
    run.choice.switched(3)
    run.ticks(STEP_DOWN_MS + TICK, 0.4)
    run.choice.switched(2)
    vi.advanceTimersByTime(FIRST_BACKOFF_MS)
    expect(run.choice).toMatchObject({ state: 'switching', level: 2, target: 3 })
    run.choice.switched(3)
    expect(run.choice.state).toBe('trial')
    run.ticks(TRIAL_MS, 0.02)
    expect(run.choice).toMatchObject({ state: 'steady', level: 3, backoffMs: FIRST_BACKOFF_MS })
  })

  it('a failed trial steps back down with the backoff doubled, up to MAX_BACKOFF_MS; early past TRIAL_MIN_PACKETS over EARLY_FAIL', () => {
    const run = setUp()
    run.choice.switched(3)
    run.ticks(STEP_DOWN_MS + TICK, 0.4)
    run.choice.switched(2)
    let backoff = FIRST_BACKOFF_MS
    for (let failures = 0; failures < 4; failures++) {
      vi.advanceTimersByTime(backoff)
      run.choice.switched(3)
      const before = Date.now()
      run.tick(EARLY_FAIL + 0.1, TRIAL_MIN_PACKETS)
      expect(Date.now() - before).toBeLessThan(TRIAL_MS)
      backoff = Math.min(MAX_BACKOFF_MS, 2 * backoff)
      expect(run.choice).toMatchObject({ state: 'switching', target: 2, backoffMs: backoff })
      run.choice.switched(2)
    }
    expect(run.choice.backoffMs).toBe(MAX_BACKOFF_MS)
  })

  it("gives a probe up after KEYFRAME_WAIT_MS without the layer's keyframe (it may not be sent)", () => {
    const run = setUp()
    run.choice.switched(3)
    run.ticks(STEP_DOWN_MS + TICK, 0.4)
    run.choice.switched(2)
    vi.advanceTimersByTime(FIRST_BACKOFF_MS)
    expect(run.choice.target).toBe(3)
    vi.advanceTimersByTime(KEYFRAME_WAIT_MS)
    expect(run.choice).toMatchObject({ state: 'steady', level: 2, target: 2, backoffMs: 2 * FIRST_BACKOFF_MS })
    expect(run.targets).toEqual([2, 3, 2])
  })

  it('ignores a switch to anything but its target, and does nothing once ended', () => {
    const run = setUp()
    run.choice.switched(2)
    expect(run.choice.level).toBe(0)
    run.choice.switched(3)
    run.choice.end()
    run.ticks(STEP_DOWN_MS * 2, 0.9)
    vi.advanceTimersByTime(MAX_BACKOFF_MS)
    expect(run.choice).toMatchObject({ state: 'ended', level: 3, target: 3 })
    expect(run.targets).toEqual([])
  })

  describe('stepping down by what the link delivered', () => {
    /** Layers of 100, 300 and 900 kbit/s; `bytesPerTick` forwarded each tick at `fraction` loss for STEP_DOWN_MS. */
    function jump(bytesPerTick: number, fraction: number, bitrates: (number | undefined)[] = [100_000, 300_000, 900_000]) {
      const targets: number[] = []
      const told: boolean[] = []
      const choice = new LayerChoice(systemClock, 3, { paused: (paused) => void told.push(paused), targetChanged: (target) => void targets.push(target) }, 3, { bitrate: (level) => bitrates[level - 1] })
      choice.switched(3)
      for (let at = 0; at <= STEP_DOWN_MS; at += TICK) {
        choice.forwarded(bytesPerTick)
        vi.advanceTimersByTime(TICK)
        choice.judge(fraction, JUDGE_MIN_PACKETS, true)
      }
      return { choice, targets, told }
    }

    it('skips to the widest layer that fits: 900 kbit/s forwarded at 70 % loss delivers 270, only the lowest fits', () => {
      // 28125 bytes a tick of 250 ms is 900 kbit/s.
      const run = jump(28_125, 0.7)
      expect(run.targets).toEqual([1])
      expect(run.choice).toMatchObject({ state: 'switching', level: 3, target: 1 })
      expect(run.told).toEqual([])
    })

    it('stops at the middle layer when it fits with the margin', () => {
      // 900 kbit/s at 50 % loss delivers 450: 300 ≤ 450 × FIT_MARGIN.
      expect(300_000).toBeLessThanOrEqual(450_000 * FIT_MARGIN)
      expect(jump(28_125, 0.5).targets).toEqual([2])
    })

    it('goes to the lowest layer, not to a pause, when even that does not fit; one level when a bitrate is not known', () => {
      const starved = jump(28_125, 0.99)
      expect(starved.targets).toEqual([1])
      expect(starved.told).toEqual([])
      expect(jump(28_125, 0.7, [100_000, undefined, 900_000]).targets).toEqual([2])
    })
  })
})
