// The hub's NACKs to a publisher (PublisherNacks) on the injected Clock, driven by fake timers: a gap is
// NACKed at once, retried once after 1.5 round trips (the measured NACK-to-packet time), never in a burst.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../clock.js'
import { NACK_DEFAULT_RTT_MS, NACK_MAX_MISSING, PublisherNacks } from './werift-publisher-nacks.js'

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

function nacker() {
  const sent: number[][] = []
  const nacks = new PublisherNacks({ clock: systemClock, send: (lost) => sent.push([...lost]) })
  return { nacks, sent }
}

describe('PublisherNacks', () => {
  it('NACKs a gap at once, once more after 1.5 × the default round trip, then gives up', () => {
    const { nacks, sent } = nacker()
    for (const seq of [10, 11, 14]) nacks.onPacket(seq)
    expect(sent).toEqual([[12, 13]])
    vi.advanceTimersByTime(1.5 * NACK_DEFAULT_RTT_MS - 1)
    expect(sent).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(sent).toEqual([[12, 13], [12, 13]])
    vi.advanceTimersByTime(10_000)
    expect(sent).toHaveLength(2)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('stops NACKing a packet that arrived, and times its retry from the measured round trip', () => {
    const { nacks, sent } = nacker()
    for (const seq of [65_534, 65_535, 1]) nacks.onPacket(seq)
    expect(sent).toEqual([[0]])
    vi.advanceTimersByTime(40)
    nacks.onPacket(0)
    expect(vi.getTimerCount()).toBe(0)
    expect(nacks.retryMs).toBe(60)
    nacks.onPacket(3)
    vi.advanceTimersByTime(59)
    expect(sent).toEqual([[0], [2]])
    vi.advanceTimersByTime(1)
    expect(sent).toEqual([[0], [2], [2]])
  })

  it('tracks at most NACK_MAX_MISSING packets of a burst, and none across a restart', () => {
    const { nacks, sent } = nacker()
    nacks.onPacket(100)
    nacks.onPacket(100 + NACK_MAX_MISSING + 11)
    expect(sent[0]).toHaveLength(NACK_MAX_MISSING)
    expect(sent[0]![0]).toBe(111)
    nacks.reset()
    nacks.onPacket(5)
    nacks.onPacket(6)
    vi.advanceTimersByTime(10_000)
    expect(sent).toHaveLength(1)
  })
})
