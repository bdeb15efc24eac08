// A ndc source's keyframe requests as one state (ndc-keyframe-requests.ts): each transition, on the
// injected Clock (fake timers drive the system clock), with a publisher that may not be able to take a PLI.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../clock.js'
import { NdcKeyframeRequests } from './ndc-keyframe-requests.js'
import { KEYFRAME_REQUEST_INTERVAL_MS } from './werift-keyframe-requests.js'

function setUp() {
  const sent: number[] = []
  const publisher = { open: true }
  const requests = new NdcKeyframeRequests(systemClock, { canSend: () => publisher.open, send: () => sent.push(Date.now()) })
  return { requests, sent, publisher }
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('NdcKeyframeRequests', () => {
  it('sends in the call that asks; an ask within the interval is one trailing PLI at its end, then idle', () => {
    const { requests, sent } = setUp()
    requests.ask()
    const first = Date.now()
    expect(sent).toEqual([first])
    expect(requests.state).toEqual({ is: 'idle' })
    vi.advanceTimersByTime(100)
    requests.ask()
    requests.ask()
    expect(requests.state.is).toBe('trailing')
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS - 100 - 1)
    expect(sent).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(sent).toEqual([first, first + KEYFRAME_REQUEST_INTERVAL_MS])
    expect(requests.state).toEqual({ is: 'idle' })
  })

  it('pending while the publisher cannot take a PLI; retry sends it, and retry without a pending ask sends nothing', () => {
    const { requests, sent, publisher } = setUp()
    requests.retry()
    expect(sent).toEqual([])
    publisher.open = false
    requests.ask()
    expect(requests.state).toEqual({ is: 'pending' })
    requests.retry()
    expect(requests.state).toEqual({ is: 'pending' })
    publisher.open = true
    requests.retry()
    expect(sent).toEqual([Date.now()])
    expect(requests.state).toEqual({ is: 'idle' })
  })

  it('a retry within the interval waits for it like any ask', () => {
    const { requests, sent, publisher } = setUp()
    requests.ask()
    publisher.open = false
    vi.advanceTimersByTime(50)
    requests.ask()
    publisher.open = true
    requests.retry()
    expect(requests.state.is).toBe('trailing')
    vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS - 50)
    expect(sent).toHaveLength(2)
  })

  it('a trailing PLI that finds the publisher unable to take it is pending until retry', () => {
    const { requests, sent, publisher } = setUp()
    requests.ask()
    requests.ask()
    publisher.open = false
    vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS)
    expect(sent).toHaveLength(1)
    expect(requests.state).toEqual({ is: 'pending' })
    publisher.open = true
    requests.retry()
    expect(sent).toHaveLength(2)
  })

  it('ended cancels the trailing PLI and ignores later asks and retries', () => {
    const { requests, sent, publisher } = setUp()
    requests.ask()
    requests.ask()
    requests.end()
    expect(vi.getTimerCount()).toBe(0)
    expect(requests.state).toEqual({ is: 'ended' })
    vi.advanceTimersByTime(10 * KEYFRAME_REQUEST_INTERVAL_MS)
    requests.ask()
    publisher.open = false
    requests.ask()
    requests.retry()
    expect(sent).toHaveLength(1)
    expect(requests.state).toEqual({ is: 'ended' })
    expect(vi.getTimerCount()).toBe(0)
  })
})
