import { describe, expect, it } from 'vitest'
import { DEFAULT_PING_INTERVAL_MS, RECONNECT_LEFT_REASONS, parseSseEvent, pingIntervalOf, withLastEventId } from './index.js'

describe('resuming the events stream', () => {
  it('puts the resume point into the query, after any query already there', () => {
    expect(withLastEventId('http://h/v1/rooms/r/events/c', 41)).toBe('http://h/v1/rooms/r/events/c?lastEventId=41')
    expect(withLastEventId('http://h/e?x=1', 0)).toBe('http://h/e?x=1&lastEventId=0')
    expect(withLastEventId('http://h/e', undefined)).toBe('http://h/e')
  })

  it('reads the ping interval a Parley hub announces, and nothing from another hub', () => {
    expect(pingIntervalOf({ interval_ms: 5000 })).toBe(5000)
    expect(pingIntervalOf({})).toBeUndefined()
    expect(pingIntervalOf('ok')).toBeUndefined()
    expect(pingIntervalOf({ interval_ms: 0 })).toBeUndefined()
    expect(DEFAULT_PING_INTERVAL_MS).toBe(5000)
  })

  it('knows the left reasons that ask for a full reconnect', () => {
    for (const reason of RECONNECT_LEFT_REASONS) {
      const parsed = parseSseEvent('left', JSON.stringify({ reason }))
      expect(parsed.ok && parsed.name === 'left' && parsed.data.reason).toBe(reason)
    }
    expect(parseSseEvent('left', '{"reason":"bogus"}').ok).toBe(false)
  })
})
