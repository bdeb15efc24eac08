import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../clock.js'
import { HELD_RELEASE_FALLBACK_MS, HeldRelease } from './werift-held-release.js'

describe('the release of held keyframes after DTLS', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }))
  afterEach(() => void vi.useRealTimers())

  it("releases at the client's first packet after our DTLS is up, once; packets before it release nothing", () => {
    let released = 0
    const release = new HeldRelease(systemClock, () => void released++)
    release.packet()
    expect(released).toBe(0)
    release.dtlsUp()
    expect(release.waiting).toBe(true)
    release.packet()
    release.packet()
    vi.advanceTimersByTime(HELD_RELEASE_FALLBACK_MS * 2)
    expect(released).toBe(1)
    expect(release.waiting).toBe(false)
  })

  it('releases after the fallback when the client sends nothing, and not at all once cancelled (the peer closed)', () => {
    let released = 0
    const release = new HeldRelease(systemClock, () => void released++)
    release.dtlsUp()
    release.dtlsUp()
    vi.advanceTimersByTime(HELD_RELEASE_FALLBACK_MS - 1)
    expect(released).toBe(0)
    vi.advanceTimersByTime(1)
    expect(released).toBe(1)
    release.dtlsUp()
    release.cancel()
    vi.advanceTimersByTime(HELD_RELEASE_FALLBACK_MS)
    release.packet()
    expect(released).toBe(1)
  })
})
