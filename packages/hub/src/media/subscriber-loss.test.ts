// The loss a subscriber reports, from its receiver reports' cumulative counters, and the slow-subscriber rule.
import { describe, expect, it } from 'vitest'
import { SLOW_SUBSCRIBER_MS, SubscriberLoss } from './subscriber-loss.js'
import { receiverReporter } from '../test-support/receiverReports.js'

describe('SubscriberLoss', () => {

  it('measures loss over the tick from the cumulative counters, not from one short report', () => {
    const loss = new SubscriberLoss()
    const report = receiverReporter(loss)
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

  it('after a restart, starts the count again at the first report that covers newer packets', () => {
    const loss = new SubscriberLoss()
    const report = receiverReporter(loss)
    report(40, 4)
    loss.restart()
    // Reports without newer packets (a paused forwarding) leave the restart pending.
    report(0, -1)
    expect(loss.take(0)).toBeCloseTo(0.1)
    // The resume's first report: 8 packets dropped before the pause are counted only now; not a figure.
    report(20, 8)
    expect(loss.take(250)).toBeCloseTo(0.1)
    expect(loss.packets).toBe(0)
    report(40, 2)
    expect(loss.take(500)).toBeCloseTo(0.05)
    expect(loss.packets).toBe(40)
  })

  it('counts a lossy subscriber for SLOW_SUBSCRIBER_MS, then no more until it recovers', () => {
    const loss = new SubscriberLoss()
    const report = receiverReporter(loss)
    report(100, 30)
    expect(loss.take(0)).toBe(0.3)
    expect(loss.take(SLOW_SUBSCRIBER_MS)).toBe(0.3)
    expect(loss.take(SLOW_SUBSCRIBER_MS + 1)).toBe(0)
    report(100, 5)
    expect(loss.take(SLOW_SUBSCRIBER_MS + 2)).toBe(0.05)
    report(100, 30)
    expect(loss.take(SLOW_SUBSCRIBER_MS + 4)).toBe(0.3)
  })
})
