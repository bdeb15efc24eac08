// A subscriber's simulcast layer under the ceiling of its tile (layer-choice.ts setCeiling; the rule is
// viewer-size.ts): falls and rises taken at once, bandwidth below it, a hidden tile paused without a
// probe and resumed from a keyframe. Fake timers drive the system clock.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../clock.js'
import { LayerChoice, STEP_DOWN_MS } from './layer-choice.js'
import { FIRST_BACKOFF_MS, JUDGE_MIN_PACKETS, KEYFRAME_WAIT_MS, MAX_BACKOFF_MS, TRIAL_MS } from './video-pause.js'

const TICK = 250

function setUp(layers = 3) {
  const told: boolean[] = []
  const targets: number[] = []
  const choice = new LayerChoice(systemClock, layers, { paused: (paused) => void told.push(paused), targetChanged: (target) => void targets.push(target) })
  const ticks = (ms: number, fraction: number) => {
    for (let at = 0; at < ms; at += TICK) {
      vi.advanceTimersByTime(TICK)
      choice.judge(fraction, JUDGE_MIN_PACKETS, true)
    }
  }
  return { choice, told, targets, ticks }
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('LayerChoice: the ceiling of the viewer\'s tile', () => {
  it('a ceiling known before the first keyframe starts at it', () => {
    const run = setUp()
    run.choice.setCeiling(2)
    expect(run.choice).toMatchObject({ target: 2, level: 0, ceiling: 2 })
    run.choice.switched(2)
    expect(run.choice).toMatchObject({ state: 'steady', level: 2 })
  })

  it('a small tile\'s first keyframe is of the layer that came first: started on it, down to the ceiling from its keyframe, however long that takes', () => {
    const run = setUp()
    run.choice.setCeiling(2)
    expect(run.choice).toMatchObject({ state: 'starting', level: 0, target: 2, forwards: false })
    run.choice.started(3)
    // Forwarding (the subscriber's PLIs and NACKs answered), still wanting the ceiling's layer; no give-up.
    expect(run.choice).toMatchObject({ state: 'startedAside', level: 3, target: 2, forwards: true })
    vi.advanceTimersByTime(10 * KEYFRAME_WAIT_MS)
    expect(run.choice).toMatchObject({ state: 'startedAside', level: 3, target: 2 })
    run.choice.switched(2)
    expect(run.choice).toMatchObject({ state: 'steady', level: 2, target: 2 })
    expect(run.targets).toEqual([2])
    expect(run.told).toEqual([])
    // Once started, another start is not one.
    run.choice.started(3)
    expect(run.choice.level).toBe(2)
  })

  it('started below the target (the hold kept a narrower layer): up to the target from its keyframe, no trial', () => {
    const run = setUp()
    run.choice.started(2)
    expect(run.choice).toMatchObject({ state: 'startedAside', level: 2, target: 3 })
    run.choice.switched(3)
    expect(run.choice).toMatchObject({ state: 'steady', level: 3 })
    vi.advanceTimersByTime(TRIAL_MS)
    expect(run.choice).toMatchObject({ state: 'steady', level: 3, backoffMs: FIRST_BACKOFF_MS })
  })

  it('a ceiling falling to the layer a start is on: steady there; a rise while started aside keeps the start\'s wait', () => {
    const run = setUp()
    run.choice.started(2)
    run.choice.setCeiling(2)
    expect(run.choice).toMatchObject({ state: 'steady', level: 2, target: 2 })

    const rise = setUp()
    rise.choice.setCeiling(1)
    rise.choice.started(2)
    rise.choice.setCeiling(3)
    expect(rise.choice).toMatchObject({ state: 'startedAside', level: 2, target: 3 })
    vi.advanceTimersByTime(10 * KEYFRAME_WAIT_MS)
    expect(rise.choice).toMatchObject({ state: 'startedAside', level: 2, target: 3 })
  })

  it('a fall switches down at once, from the lower layer\'s keyframe, the old layer kept until then', () => {
    const run = setUp()
    run.choice.switched(3)
    run.choice.setCeiling(1)
    expect(run.choice).toMatchObject({ state: 'switching', level: 3, target: 1 })
    expect(run.targets).toEqual([1])
    // A switch down waits however long its keyframe takes (no give-up timer).
    vi.advanceTimersByTime(10 * KEYFRAME_WAIT_MS)
    expect(run.choice).toMatchObject({ state: 'switching', target: 1 })
    run.choice.switched(1)
    expect(run.choice).toMatchObject({ state: 'steady', level: 1 })
    expect(run.told).toEqual([])
  })

  it('never probes past the ceiling', () => {
    const run = setUp()
    run.choice.setCeiling(2)
    run.choice.switched(2)
    vi.advanceTimersByTime(MAX_BACKOFF_MS * 2)
    expect(run.choice).toMatchObject({ state: 'steady', level: 2, target: 2 })
    expect(run.targets).toEqual([2])
  })

  it('a rise from a level held at the ceiling is taken at once and judged as a trial', () => {
    const run = setUp()
    run.choice.setCeiling(2)
    run.choice.switched(2)
    run.choice.setCeiling(3)
    expect(run.choice).toMatchObject({ state: 'switching', level: 2, target: 3 })
    expect(run.targets).toEqual([2, 3])
    run.choice.switched(3)
    expect(run.choice.state).toBe('trial')
    vi.advanceTimersByTime(TRIAL_MS)
    expect(run.choice).toMatchObject({ state: 'steady', level: 3 })
  })

  it('bandwidth still steps down below the ceiling, and a rise then leaves its level to the probes', () => {
    const run = setUp()
    run.choice.switched(3)
    run.choice.setCeiling(2)
    run.choice.switched(2)
    run.ticks(STEP_DOWN_MS + TICK, 0.3)
    expect(run.choice.target).toBe(1)
    run.choice.switched(1)
    run.choice.setCeiling(3)
    expect(run.choice).toMatchObject({ state: 'steady', level: 1, target: 1 })
    vi.advanceTimersByTime(FIRST_BACKOFF_MS)
    expect(run.choice).toMatchObject({ state: 'switching', target: 2 })
  })

  it('a fall and a rise back before the lower layer\'s keyframe: stays where it is, steady', () => {
    const run = setUp()
    run.choice.switched(3)
    run.choice.setCeiling(2)
    run.choice.setCeiling(3)
    expect(run.choice).toMatchObject({ state: 'steady', level: 3, target: 3 })
  })

  it('a probe up in flight past a lowered ceiling is called off', () => {
    const run = setUp()
    run.choice.switched(3)
    run.ticks(STEP_DOWN_MS + TICK, 0.3)
    run.choice.switched(2)
    vi.advanceTimersByTime(FIRST_BACKOFF_MS)
    expect(run.choice).toMatchObject({ state: 'switching', level: 2, target: 3 })
    run.choice.setCeiling(2)
    expect(run.choice).toMatchObject({ state: 'steady', level: 2, target: 2 })
  })

  it('0 (hidden): nothing forwarded at once, no probe, not told; a size again resumes the level it left, from its keyframe', () => {
    const run = setUp()
    run.choice.setCeiling(2)
    run.choice.switched(2)
    run.choice.setCeiling(0)
    expect(run.choice).toMatchObject({ state: 'hidden', level: 0, target: 0, forwards: false, fine: false })
    expect(run.targets).toEqual([2, 0])
    vi.advanceTimersByTime(10 * MAX_BACKOFF_MS)
    expect(run.choice).toMatchObject({ state: 'hidden', target: 0 })
    expect(run.choice.judge(0.5, 100, true)).toBe(false)
    run.choice.setCeiling(2)
    expect(run.choice).toMatchObject({ state: 'switching', target: 2, level: 0 })
    // However long the keyframe takes.
    vi.advanceTimersByTime(10 * KEYFRAME_WAIT_MS)
    expect(run.choice.target).toBe(2)
    run.choice.switched(2)
    expect(run.choice).toMatchObject({ state: 'steady', level: 2 })
    expect(run.told).toEqual([])
  })

  it('a tile re-drawn larger (hidden, then shown above the ceiling that held its level, as a pin does): the new ceiling at once, no probe backoff', () => {
    const run = setUp()
    run.choice.setCeiling(2)
    run.choice.switched(2)
    run.choice.setCeiling(0)
    run.choice.setCeiling(3)
    expect(run.choice).toMatchObject({ state: 'switching', target: 3, level: 0 })
    expect(run.targets).toEqual([2, 0, 3])
    run.choice.switched(3)
    expect(run.choice).toMatchObject({ state: 'steady', level: 3 })
  })

  it('a level bandwidth held under the ceiling: shown larger, it resumes that level and probes up as before', () => {
    const run = setUp()
    run.choice.switched(3)
    run.ticks(STEP_DOWN_MS + TICK, 0.3)
    expect(run.choice.target).toBe(2)
    run.choice.switched(2)
    run.choice.setCeiling(0)
    run.choice.setCeiling(3)
    expect(run.choice).toMatchObject({ state: 'switching', target: 2 })
    run.choice.switched(2)
    expect(run.choice).toMatchObject({ state: 'steady', level: 2 })
  })

  it('shown again within a lower ceiling resumes at that ceiling', () => {
    const run = setUp()
    run.choice.switched(3)
    run.choice.setCeiling(0)
    run.choice.setCeiling(1)
    expect(run.choice.target).toBe(1)
  })

  it('a video paused for bandwidth, hidden and shown: resumes at the lowest layer and says so', () => {
    const run = setUp(1)
    run.choice.switched(1)
    run.ticks(STEP_DOWN_MS + TICK, 0.3)
    expect(run.choice.level).toBe(0)
    expect(run.told).toEqual([true])
    run.choice.setCeiling(0)
    run.choice.setCeiling(1)
    run.choice.switched(1)
    expect(run.told).toEqual([true, false])
  })

  it('ended: a ceiling changes nothing', () => {
    const run = setUp()
    run.choice.end()
    run.choice.setCeiling(0)
    expect(run.choice.state).toBe('ended')
    expect(run.targets).toEqual([])
  })
})
