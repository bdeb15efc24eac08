// The loss a subscriber reports, from its receiver reports' cumulative counters, and the slow-subscriber rule.
import { describe, expect, it } from 'vitest'
import { RECOVERED_MS, SLOW_SUBSCRIBER_MS, SubscriberLoss } from './subscriber-loss.js'

describe('SubscriberLoss', () => {
  /** Receiver reports that add `expected` packets, `lost` of them lost, to the cumulative counters. */
  function reporter(loss: SubscriberLoss) {
    let lost = 0
    let highest = 70_000
    loss.report(lost, highest)
    return (expected: number, lostNow: number) => {
      highest += expected
      lost += lostNow
      loss.report(lost & 0xffffff, highest)
    }
  }

  it('measures loss over the tick from the cumulative counters, not from one short report', () => {
    const loss = new SubscriberLoss()
    const report = reporter(loss)
    // Chromium's report sent with a NACK right after one loss: 1 of 2 (its fraction lost would say 50 %).
    report(2, 1)
    report(40, 0)
    expect(loss.take(0)).toBeCloseTo(1 / 42)
    expect(loss.packets).toBe(42)
    // The NACK brought it back: the cumulative count falls, and the next tick reads no loss.
    report(30, -1)
    expect(loss.take(500)).toBe(0)
    // No report in a tick: the last figure holds, over no packets (the loss rule does not count it again).
    report(40, 8)
    expect(loss.take(1000)).toBeCloseTo(0.2)
    expect(loss.take(1500)).toBeCloseTo(0.2)
    expect(loss.packets).toBe(0)
  })

  it('counts a lossy subscriber for SLOW_SUBSCRIBER_MS, then no more until it has stayed recovered for RECOVERED_MS', () => {
    const loss = new SubscriberLoss()
    const report = reporter(loss)
    report(100, 30)
    expect(loss.take(0)).toBe(0.3)
    expect(loss.take(SLOW_SUBSCRIBER_MS)).toBe(0.3)
    expect(loss.take(SLOW_SUBSCRIBER_MS + 1)).toBe(0)
    // Recovered: left out still, until RECOVERED_MS at or below 10 %.
    report(100, 5)
    expect(loss.take(SLOW_SUBSCRIBER_MS + 2)).toBe(0)
    report(100, 5)
    expect(loss.take(SLOW_SUBSCRIBER_MS + 2 + RECOVERED_MS)).toBe(0.05)
    // Counted again, with a new SLOW_SUBSCRIBER_MS from its next loss over 10 %.
    const again = SLOW_SUBSCRIBER_MS + 3 + RECOVERED_MS
    report(100, 30)
    expect(loss.take(again)).toBe(0.3)
    report(100, 30)
    expect(loss.take(again + SLOW_SUBSCRIBER_MS)).toBe(0.3)
    report(100, 30)
    expect(loss.take(again + SLOW_SUBSCRIBER_MS + 1)).toBe(0)
  })

  it('is not restarted by the quiet ticks its own cut brings (the ramp bench\'s slow subscriber at 300 kbit/s)', () => {
    const loss = new SubscriberLoss()
    const report = reporter(loss)
    // Over 10 % for 4 s while the publisher is cut, then at or below 10 % at the floor (NACK resends even
    // take the cumulative count down: read as 0), then losing again as the estimate regrows past its link.
    for (let at = 0; at < 4_000; at += 250) {
      report(10, 6)
      expect(loss.take(at)).toBe(0.6)
    }
    for (let at = 4_000; at <= SLOW_SUBSCRIBER_MS; at += 250) {
      report(8, -1)
      expect(loss.take(at)).toBe(0)
    }
    report(8, 0)
    expect(loss.take(SLOW_SUBSCRIBER_MS + 250)).toBe(0)
    // Left out now: the regrowth past its link's rate no longer counts, however long it loses.
    for (let at = SLOW_SUBSCRIBER_MS + 500; at < SLOW_SUBSCRIBER_MS + 4 * RECOVERED_MS; at += 250) {
      report(10, at % 1000 === 0 ? 1 : 5)
      expect(loss.take(at)).toBe(0)
    }
  })

  it('gives a subscriber with one burst of loss the same bounds: counted, then left out until RECOVERED_MS quiet', () => {
    const loss = new SubscriberLoss()
    const report = reporter(loss)
    report(40, 10)
    expect(loss.take(0)).toBe(0.25)
    report(40, 0)
    expect(loss.take(SLOW_SUBSCRIBER_MS)).toBe(0)
    report(40, 2)
    expect(loss.take(SLOW_SUBSCRIBER_MS + 250)).toBe(0)
    report(40, 2)
    expect(loss.take(SLOW_SUBSCRIBER_MS + 250 + RECOVERED_MS)).toBe(0.05)
  })
})
