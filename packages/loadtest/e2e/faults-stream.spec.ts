// Faults suite, events stream (issue 11): the core's stream is cut by a TCP proxy at the moment the hub
// writes an event, or silently stalled; the hub runs as its own process with a short ping interval.
// Nothing may be lost or processed twice (counted at the core by the values the events carry), and a
// stalled stream is taken for dead within 2 × the ping interval. Loopback-only namespace required.
import { describe, expect, it } from 'vitest'
import { useFaultHub } from './fault-hub.js'
import { measureStreamResets, measureStreamStalls } from '../src/faults/stream.js'

const PING_INTERVAL_MS = 500
/** How late a timer may fire on two loaded cores (the rule itself is 2 × the ping interval). */
const TIMER_LATENESS_MS = 250

describe('faults: the events stream', () => {
  const hub = useFaultHub(['--ping-interval', String(PING_INTERVAL_MS)])

  it('loses no event when the stream is reset at the moment the hub writes one (5 cuts)', async () => {
    const figures = await measureStreamResets(hub(), 5)
    console.info('[faults stream reset]', JSON.stringify(figures))
    expect(figures.recoveriesMs).toHaveLength(5)
    expect(figures.written).toBeGreaterThan(20)
    expect(figures.lost).toBe(0)
    expect(figures.duplicates).toBe(0)
  })

  it('loses no event when the stream stalls silently, and takes it for dead within 2 × the ping interval (3 stalls)', async () => {
    const figures = await measureStreamStalls(hub(), PING_INTERVAL_MS, 3)
    console.info('[faults stream stall]', JSON.stringify(figures))
    expect(figures.detectionsMs).toHaveLength(3)
    for (const detection of figures.detectionsMs) expect(detection).toBeLessThanOrEqual(2 * PING_INTERVAL_MS + TIMER_LATENESS_MS)
    expect(figures.lost).toBe(0)
    expect(figures.duplicates).toBe(0)
  })
})
