// A subscriber's video paused for bandwidth (video-pause.ts): each transition on the injected Clock (fake
// timers drive the system clock), and the estimate's tick over a track's subscriptions.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../clock.js'
import { SLOW_SUBSCRIBER_MS, SubscriberLoss } from './subscriber-loss.js'
import { EARLY_FAIL, FIRST_BACKOFF_MS, JUDGE_MIN_PACKETS, KEYFRAME_WAIT_MS, MAX_BACKOFF_MS, QUIET_MS, TRIAL_MS, TRIAL_MIN_PACKETS, VideoPause, judgeSubscriptions } from './video-pause.js'
import { receiverReporter } from '../test-support/receiverReports.js'

const TICK = 250

function setUp() {
  const told: boolean[] = []
  const why: object[] = []
  let keyframesWanted = 0
  const pause = new VideoPause(systemClock, { changed: (paused, fields) => void (told.push(paused), why.push(fields)), keyframeWanted: () => void keyframesWanted++ })
  /** One tick `TICK` ms after the last: its verdict (counts in the estimate). */
  const tick = (fraction: number, packets: number, othersFine = true) => {
    vi.advanceTimersByTime(TICK)
    return pause.judge(fraction, packets, othersFine)
  }
  /** Ticks for `ms` at this loss. */
  const ticks = (ms: number, fraction: number, packets = JUDGE_MIN_PACKETS, othersFine = true) => {
    for (let at = 0; at < ms; at += TICK) tick(fraction, packets, othersFine)
  }
  return { pause, told, why, tick, ticks, keyframes: () => keyframesWanted }
}

/** From live to paused: SLOW_SUBSCRIBER_MS of loss with another subscriber fine. */
function pauseIt(run: ReturnType<typeof setUp>) {
  run.ticks(SLOW_SUBSCRIBER_MS, 0.4)
  expect(run.tick(0.4, 30)).toBe(false)
  expect(run.pause.state).toBe('paused')
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('VideoPause', () => {
  it('live: counts, and pauses SLOW_SUBSCRIBER_MS after its first lossy tick although the cut it asked for brought quiet ticks between', () => {
    const run = setUp()
    expect(run.tick(0.02, 30)).toBe(true)
    expect(run.pause.fine).toBe(true)
    // 3 s over 10 %, 4 s quiet at the cut, 3 s over again as the estimate regrows past its link.
    run.ticks(3_000, 0.4)
    expect(run.pause.fine).toBe(false)
    run.ticks(4_000, 0.03)
    // The last of these ticks is SLOW_SUBSCRIBER_MS - TICK after the first lossy one.
    run.ticks(SLOW_SUBSCRIBER_MS - 7_000, 0.4)
    expect(run.pause.state).toBe('live')
    expect(run.tick(0.4, 30)).toBe(false)
    expect(run.pause.state).toBe('paused')
    expect(run.pause.forwards).toBe(false)
    expect(run.told).toEqual([true])
  })

  it('ends a slow episode after QUIET_MS without a lossy tick (a burst long ago does not pause later)', () => {
    const run = setUp()
    run.ticks(2_000, 0.4)
    run.ticks(QUIET_MS, 0.01)
    expect(run.pause.fine).toBe(false)
    run.tick(0.01, 30)
    expect(run.pause.fine).toBe(true)
    run.ticks(SLOW_SUBSCRIBER_MS - TICK, 0.4)
    expect(run.pause.state).toBe('live')
  })

  it('judges a live subscription over JUDGE_MIN_PACKETS: one loss in a short tick is no slow episode', () => {
    const run = setUp()
    run.ticks(2_000, 0, 30)
    expect(run.pause.fine).toBe(true)
    // 1 of 8 lost (12.5 %) in one tick, then clean: 1 of 38 over the window.
    run.tick(0.125, 8)
    run.tick(0, 30)
    expect(run.pause.fine).toBe(true)
  })

  it('pauses only on a lossy tick with new reports, and never while no other subscriber is fine (the publisher follows its loss)', () => {
    const run = setUp()
    run.ticks(SLOW_SUBSCRIBER_MS + 2_000, 0.4, 30, false)
    expect(run.pause.state).toBe('live')
    // A tick without reports is no evidence.
    expect(run.tick(0.4, 0, true)).toBe(true)
    expect(run.pause.state).toBe('live')
    expect(run.tick(0.4, 30, true)).toBe(false)
    expect(run.pause.state).toBe('paused')
  })

  it('paused → resuming after the backoff (a keyframe asked) → trial on the keyframe (told) → live after TRIAL_MS at low loss, backoff reset', () => {
    const run = setUp()
    pauseIt(run)
    vi.advanceTimersByTime(FIRST_BACKOFF_MS - 1)
    expect(run.pause.state).toBe('paused')
    expect(run.keyframes()).toBe(0)
    vi.advanceTimersByTime(1)
    expect(run.pause.state).toBe('resuming')
    expect(run.pause.forwards).toBe(false)
    expect(run.keyframes()).toBe(1)
    run.pause.keyframeForwarded()
    expect(run.pause.state).toBe('trial')
    expect(run.pause.forwards).toBe(true)
    expect(run.told).toEqual([true, false])
    // On trial its loss does not count, however low.
    expect(run.tick(0.05, 20)).toBe(false)
    vi.advanceTimersByTime(TRIAL_MS)
    expect(run.pause.state).toBe('live')
    expect(run.pause.backoffMs).toBe(FIRST_BACKOFF_MS)
    expect(run.tick(0.05, 20)).toBe(true)
  })

  it('a failed trial pauses again (told once more) with the backoff doubled up to MAX_BACKOFF_MS', () => {
    const run = setUp()
    pauseIt(run)
    const backoffs: number[] = []
    for (let round = 0; round < 4; round++) {
      backoffs.push(run.pause.backoffMs)
      vi.advanceTimersByTime(run.pause.backoffMs)
      run.pause.keyframeForwarded()
      run.tick(0.3, 10)
      vi.advanceTimersByTime(TRIAL_MS)
      expect(run.pause.state).toBe('paused')
    }
    expect(backoffs).toEqual([FIRST_BACKOFF_MS, 2 * FIRST_BACKOFF_MS, MAX_BACKOFF_MS, MAX_BACKOFF_MS])
    expect(run.told).toEqual([true, false, true, false, true, false, true, false, true])
  })

  it(`ends a trial early over ${EARLY_FAIL * 100} % once ${TRIAL_MIN_PACKETS} packets were reported`, () => {
    const run = setUp()
    pauseIt(run)
    vi.advanceTimersByTime(FIRST_BACKOFF_MS)
    run.pause.keyframeForwarded()
    run.tick(0.5, TRIAL_MIN_PACKETS - 1)
    expect(run.pause.state).toBe('trial')
    run.tick(0.5, 1)
    expect(run.pause.state).toBe('paused')
    expect(run.pause.backoffMs).toBe(2 * FIRST_BACKOFF_MS)
    // The log line of a failed trial says what failed it (the first pause says nothing of a trial).
    expect(run.why.at(-1)).toEqual({ backoffMs: 2 * FIRST_BACKOFF_MS, state: 'paused', trialLossPercent: 50, trialPackets: TRIAL_MIN_PACKETS })
    expect(run.why[0]).toEqual({ backoffMs: FIRST_BACKOFF_MS, state: 'paused' })
  })

  it('a failed trial with nobody else fine goes live (counted), not paused', () => {
    const run = setUp()
    pauseIt(run)
    vi.advanceTimersByTime(FIRST_BACKOFF_MS)
    run.pause.keyframeForwarded()
    run.tick(0.2, 10, false)
    vi.advanceTimersByTime(TRIAL_MS)
    expect(run.pause.state).toBe('live')
    expect(run.tick(0.2, 10, false)).toBe(true)
  })

  it('paused resumes at once when no other subscriber is fine any more (the good one left or became slow)', () => {
    const run = setUp()
    pauseIt(run)
    expect(run.tick(0, 0, true)).toBe(false)
    expect(run.pause.state).toBe('paused')
    run.tick(0, 0, false)
    expect(run.pause.state).toBe('resuming')
    expect(run.keyframes()).toBe(1)
  })

  it('a keyframe that never comes: paused again with the backoff doubled (not told twice), or asked again while nobody else is fine', () => {
    const run = setUp()
    pauseIt(run)
    vi.advanceTimersByTime(FIRST_BACKOFF_MS)
    expect(run.pause.state).toBe('resuming')
    vi.advanceTimersByTime(KEYFRAME_WAIT_MS)
    expect(run.pause.state).toBe('paused')
    expect(run.pause.backoffMs).toBe(2 * FIRST_BACKOFF_MS)
    expect(run.told).toEqual([true])
    run.tick(0, 0, false)
    expect(run.pause.state).toBe('resuming')
    vi.advanceTimersByTime(KEYFRAME_WAIT_MS)
    expect(run.pause.state).toBe('resuming')
    expect(run.keyframes()).toBe(3)
  })

  it('ended (unsubscribed, the track or its publisher gone) in any state: no timer fires, nothing more is told', () => {
    for (const endIn of ['paused', 'resuming', 'trial'] as const) {
      const run = setUp()
      pauseIt(run)
      if (endIn !== 'paused') vi.advanceTimersByTime(FIRST_BACKOFF_MS)
      if (endIn === 'trial') run.pause.keyframeForwarded()
      expect(run.pause.state).toBe(endIn)
      const told = run.told.length
      const keyframes = run.keyframes()
      run.pause.end()
      vi.advanceTimersByTime(MAX_BACKOFF_MS * 4)
      run.pause.keyframeForwarded()
      expect(run.tick(0.5, 50, false)).toBe(false)
      expect(run.pause.state).toBe('ended')
      expect(run.pause.forwards).toBe(false)
      expect(run.told.length).toBe(told)
      expect(run.keyframes()).toBe(keyframes)
    }
  })

  it('a keyframe forwarded while not resuming changes nothing', () => {
    const run = setUp()
    run.pause.keyframeForwarded()
    expect(run.pause.state).toBe('live')
    pauseIt(run)
    run.pause.keyframeForwarded()
    expect(run.pause.state).toBe('paused')
  })
})

describe('judgeSubscriptions', () => {
  function subscription() {
    const loss = new SubscriberLoss()
    const pause = new VideoPause(systemClock, { changed: () => undefined, keyframeWanted: () => undefined })
    return { loss, pause, report: receiverReporter(loss, 1_000) }
  }
  const countedOf = (subscriptions: Iterable<{ loss: SubscriberLoss; pause?: VideoPause }>) => {
    const counted: [number, number][] = []
    vi.advanceTimersByTime(TICK)
    judgeSubscriptions(subscriptions, Date.now(), (fraction, packets) => void counted.push([fraction, packets]))
    return counted
  }

  it('pauses the slow one while the good one is fine, and counts only the good one from then on', () => {
    const good = subscription()
    const slow = subscription()
    for (let at = 0; at <= SLOW_SUBSCRIBER_MS; at += TICK) {
      good.report(40, 0)
      slow.report(40, 16)
      expect(countedOf([good, slow])).toEqual([[0, 40], [0.4, 40]].slice(0, at > SLOW_SUBSCRIBER_MS - TICK ? 1 : 2))
    }
    expect(slow.pause.state).toBe('paused')
    good.report(40, 0)
    expect(countedOf([good, slow])).toEqual([[0, 40]])
  })

  it('passes a trial on a recovered link although the first report after the resume counts packets its queue dropped before the pause', () => {
    const good = subscription()
    const slow = subscription()
    for (let at = 0; at <= SLOW_SUBSCRIBER_MS; at += TICK) {
      good.report(40, 0)
      slow.report(40, 16)
      countedOf([good, slow])
    }
    expect(slow.pause.state).toBe('paused')
    // What the subscriber knows stops where its queue dropped the last 12 packets sent before the pause.
    for (let at = 0; at < FIRST_BACKOFF_MS; at += TICK) {
      good.report(40, 0)
      countedOf([good, slow])
    }
    expect(slow.pause.state).toBe('resuming')
    slow.pause.keyframeForwarded()
    // The link recovered: the resume's first 18 packets arrive, and the report counts the 12 before them as
    // lost (40 % of 30: an early fail, stop 32's open bug); nothing is lost from then on.
    good.report(40, 0)
    slow.report(30, 12)
    countedOf([good, slow])
    expect(slow.pause.state).toBe('trial')
    for (let at = TICK; at <= TRIAL_MS; at += TICK) {
      good.report(40, 0)
      slow.report(20, 0)
      countedOf([good, slow])
    }
    expect(slow.pause.state).toBe('live')
  })

  it('pauses nobody when all are slow (one link for all): their loss keeps counting', () => {
    const a = subscription()
    const b = subscription()
    for (let at = 0; at <= 2 * SLOW_SUBSCRIBER_MS; at += TICK) {
      a.report(40, 16)
      b.report(40, 16)
      countedOf([a, b])
    }
    expect([a.pause.state, b.pause.state]).toEqual(['live', 'live'])
  })

  it('counts a subscription without a pause (audio, a plane that does not pause) as before', () => {
    const loss = new SubscriberLoss()
    const report = receiverReporter(loss, 1_000)
    report(10, 3)
    expect(countedOf([{ loss }])).toEqual([[0.3, 10]])
  })
})
