import { describe, expect, it } from 'vitest'
import { BASELINE_MS, QueueBaseline, STEP_FROM_MS, STEP_MS, STEP_TOLERANCE_MS } from './queue-baseline.js'

const WINDOW_MS = 250

/** Feeds window minima (transit, ms) and returns each window's result. */
function feed(baseline: QueueBaseline, transits: number[], trendGrowing = false): { queueDelayMs: number; rebasedMs: number }[] {
  return transits.map((transit) => baseline.push(transit, WINDOW_MS, trendGrowing))
}

describe('QueueBaseline', () => {
  it('reads the window minimum against the lowest of the last BASELINE_MS', () => {
    const baseline = new QueueBaseline(WINDOW_MS)
    feed(baseline, [20, 20, 25])
    expect(baseline.push(140, WINDOW_MS, false).queueDelayMs).toBe(120)
    expect(baseline.push(Number.POSITIVE_INFINITY, WINDOW_MS, false)).toEqual({ queueDelayMs: 0, rebasedMs: 0 })
  })

  it('takes a flat step in the path delay as the new baseline within STEP_MS, and says by how much', () => {
    const baseline = new QueueBaseline(WINDOW_MS)
    feed(baseline, Array.from({ length: 20 }, () => 20))
    // +100 ms from here on, with a few ms of jitter: no window of it grows or drains beyond the tolerance.
    const step = feed(baseline, Array.from({ length: 20 }, (_, i) => 120 + (i % 3) * 4))
    const rebasedAt = step.findIndex((window) => window.rebasedMs > 0)
    expect(rebasedAt).toBeGreaterThanOrEqual(0)
    expect((rebasedAt + 1) * WINDOW_MS).toBeLessThanOrEqual(STEP_MS)
    expect(step[rebasedAt]!.rebasedMs).toBe(100)
    expect(step.slice(0, rebasedAt).every((window) => window.queueDelayMs >= 100)).toBe(true)
    // From the rebase on, the step is path delay: no queue, well before BASELINE_MS would have forgotten it.
    expect(step.slice(rebasedAt).every((window) => window.queueDelayMs <= 8)).toBe(true)
    expect((rebasedAt + 1) * WINDOW_MS).toBeLessThan(BASELINE_MS)
  })

  it('does not rebase a queue that grows or drains (a bottleneck before and after the sender is cut)', () => {
    const baseline = new QueueBaseline(WINDOW_MS)
    feed(baseline, Array.from({ length: 20 }, () => 20))
    // Grows 40 ms a window up to ~1.2 s (a full 100-packet queue at 800 kbit/s), then drains 30 ms a window.
    const growing = Array.from({ length: 30 }, (_, i) => 20 + 40 * (i + 1))
    const draining = Array.from({ length: 40 }, (_, i) => 1220 - 30 * (i + 1))
    const windows = feed(baseline, [...growing, ...draining])
    expect(windows.every((window) => window.rebasedMs === 0)).toBe(true)
    expect(windows.at(-1)!.queueDelayMs).toBe(0)
  })

  it('does not rebase while the delay trend reads growth, nor a queue under STEP_FROM_MS', () => {
    const growing = new QueueBaseline(WINDOW_MS)
    feed(growing, [20, 20])
    const whileGrowing = feed(growing, Array.from({ length: 20 }, () => 120), true)
    expect(whileGrowing.every((window) => window.rebasedMs === 0 && window.queueDelayMs === 100)).toBe(true)
    const small = new QueueBaseline(WINDOW_MS)
    feed(small, [20, 20])
    const underStep = feed(small, Array.from({ length: 20 }, () => 20 + STEP_FROM_MS))
    expect(underStep.every((window) => window.rebasedMs === 0 && window.queueDelayMs === STEP_FROM_MS)).toBe(true)
  })

  it('restarts the flat run when the queue moves beyond STEP_TOLERANCE_MS', () => {
    const baseline = new QueueBaseline(WINDOW_MS)
    feed(baseline, [20, 20])
    const runWindows = STEP_MS / WINDOW_MS
    // One window short of a rebase, then a jump: the run starts again from the jump.
    const windows = feed(baseline, [...Array.from({ length: runWindows - 1 }, () => 120), 120 + STEP_TOLERANCE_MS + 5, ...Array.from({ length: runWindows - 2 }, () => 120 + STEP_TOLERANCE_MS + 5)])
    expect(windows.every((window) => window.rebasedMs === 0)).toBe(true)
    expect(baseline.push(120 + STEP_TOLERANCE_MS + 5, WINDOW_MS, false).rebasedMs).toBe(100 + STEP_TOLERANCE_MS + 5)
  })
})
