// A source's keyframe requests as one state (werift-keyframe-requests.ts): each transition, on the
// injected Clock (fake timers drive the system clock), with a send that can be refused.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../clock.js'
import { KEYFRAME_REQUEST_INTERVAL_MS, KeyframeRequests } from './werift-keyframe-requests.js'

const tick = () => Promise.resolve()

function setUp() {
  const sent: number[] = []
  const link = { up: true }
  const requests = new KeyframeRequests(systemClock, () => {
    if (!link.up) return false
    sent.push(Date.now())
    return true
  })
  return { requests, sent, link }
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('KeyframeRequests', () => {
  it('idle → queued → awaiting on the tick, one PLI for the asks of the tick; the keyframe makes it idle', async () => {
    const { requests, sent } = setUp()
    expect(requests.state).toEqual({ is: 'idle' })
    requests.ask()
    requests.ask()
    expect(requests.state).toEqual({ is: 'queued', awaiting: undefined })
    await tick()
    const sentAt = Date.now()
    expect(requests.state).toEqual({ is: 'awaiting', sentAt })
    expect(sent).toEqual([sentAt])
    vi.advanceTimersByTime(40)
    expect(requests.awaitingKeyframe).toBe(true)
    expect(requests.keyframeArrived()).toBe(40)
    expect(requests.state).toEqual({ is: 'idle' })
    // A second keyframe answers nothing.
    expect(requests.keyframeArrived()).toBeUndefined()
  })

  it('an ask within the interval trails on the Clock; a keyframe meanwhile answers the first PLI and the trailing one still goes', async () => {
    const { requests, sent } = setUp()
    requests.ask()
    await tick()
    const first = Date.now()
    vi.advanceTimersByTime(100)
    requests.ask()
    await tick()
    expect(requests.state).toMatchObject({ is: 'trailing', awaiting: first })
    // Further asks are covered by the trailing PLI.
    requests.ask()
    await tick()
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(20)
    expect(requests.keyframeArrived()).toBe(120)
    expect(requests.state).toMatchObject({ is: 'trailing', awaiting: undefined })
    vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS - 120 - 1)
    expect(sent).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(sent).toEqual([first, first + KEYFRAME_REQUEST_INTERVAL_MS])
    expect(requests.state).toEqual({ is: 'awaiting', sentAt: first + KEYFRAME_REQUEST_INTERVAL_MS })
    expect(requests.lastSentAt).toBe(first + KEYFRAME_REQUEST_INTERVAL_MS)
  })

  it('a PLI that cannot go is pending until retry, keeping the unanswered one; retry does nothing in any other state', async () => {
    const { requests, sent, link } = setUp()
    requests.retry()
    await tick()
    expect(requests.state).toEqual({ is: 'idle' })
    requests.ask()
    await tick()
    const first = Date.now()
    link.up = false
    vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS)
    requests.ask()
    await tick()
    expect(requests.state).toEqual({ is: 'pending', awaiting: first })
    requests.retry()
    await tick()
    expect(requests.state).toEqual({ is: 'pending', awaiting: first })
    link.up = true
    requests.retry()
    expect(requests.state).toEqual({ is: 'queued', awaiting: first })
    await tick()
    expect(sent).toEqual([first, first + KEYFRAME_REQUEST_INTERVAL_MS])
    expect(requests.state).toEqual({ is: 'awaiting', sentAt: first + KEYFRAME_REQUEST_INTERVAL_MS })
    requests.retry()
    await tick()
    expect(sent).toHaveLength(2)
  })

  it('a trailing PLI that cannot go when its timer fires is pending', async () => {
    const { requests, sent, link } = setUp()
    requests.ask()
    await tick()
    requests.ask()
    await tick()
    link.up = false
    vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS)
    expect(requests.state.is).toBe('pending')
    expect(sent).toHaveLength(1)
  })

  it('ended: the trailing timer is cancelled, a queued ask finds it ended, and later asks are ignored', async () => {
    const trailing = setUp()
    trailing.requests.ask()
    await tick()
    trailing.requests.ask()
    await tick()
    expect(vi.getTimerCount()).toBe(1)
    trailing.requests.end()
    expect(vi.getTimerCount()).toBe(0)
    expect(trailing.requests.state).toEqual({ is: 'ended' })

    const queued = setUp()
    queued.requests.ask()
    queued.requests.end()
    await tick()
    queued.requests.ask()
    queued.requests.retry()
    await tick()
    vi.advanceTimersByTime(10 * KEYFRAME_REQUEST_INTERVAL_MS)
    expect(queued.sent).toEqual([])
    expect(trailing.sent).toHaveLength(1)
    expect(queued.requests.state).toEqual({ is: 'ended' })
  })
})
