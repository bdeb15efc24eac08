// Receiver reports for SubscriberLoss tests: cumulative counters grown tick by tick, as a browser sends them.
import type { SubscriberLoss } from '../media/subscriber-loss.js'

/**
 * Sends a first report (at `firstHighest`), then returns a function that adds `expected` packets, `lost`
 * of them lost, to the cumulative counters and reports them (packets lost as its 24-bit field carries it).
 */
export function receiverReporter(loss: SubscriberLoss, firstHighest = 70_000): (expected: number, lost: number) => void {
  let lost = 0
  let highest = firstHighest
  loss.report(lost, highest)
  return (expected, lostNow) => {
    highest += expected
    lost += lostNow
    loss.report(lost & 0xffffff, highest)
  }
}
