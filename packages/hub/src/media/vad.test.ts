// The voice detector of one audio track (vad.ts) on the injected Clock (fake timers drive the system
// clock): when it starts, what each report carries, the hangover, the rate bound, and its end.
import type { AudioLevelSample } from '@parley/protocol'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../clock.js'
import { VAD_HANGOVER_MS, VAD_INTERVAL_MS, VAD_MAX_LEVELS, VAD_THRESHOLD, VoiceDetector } from './vad.js'

const VOICE_BIT = 0x80

function setUp() {
  const reports: (AudioLevelSample[] | null)[] = []
  const detector = new VoiceDetector(systemClock, (levels) => void reports.push(levels))
  let sequenceNo = 65530
  let timestamp = 2 ** 32 - 960
  /** One 20 ms packet at this level byte. */
  const packet = (levelByte: number) => {
    detector.onPacket(sequenceNo, timestamp, levelByte)
    sequenceNo = (sequenceNo + 1) & 0xffff
    timestamp = (timestamp + 960) >>> 0
    vi.advanceTimersByTime(20)
  }
  return { detector, reports, packet }
}

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

describe('the voice detector', () => {
  it('stays quiet below the threshold: no timer, no report', () => {
    const { detector, reports, packet } = setUp()
    for (let i = 0; i < 100; i++) packet(VAD_THRESHOLD)
    for (let i = 0; i < 100; i++) packet(127 | VOICE_BIT)
    expect(detector.state).toBe('quiet')
    expect(vi.getTimerCount()).toBe(0)
    expect(reports).toEqual([])
  })

  it('starts on a loud packet and reports the loud ones of each interval, oldest first, with RTP numbers, level and V bit', () => {
    const { detector, reports, packet } = setUp()
    packet(127)
    packet(10 | VOICE_BIT)
    expect(detector.state).toBe('speaking')
    packet(VAD_THRESHOLD - 1)
    packet(100)
    packet(0)
    expect(reports).toEqual([])
    vi.advanceTimersByTime(VAD_INTERVAL_MS - 60)
    expect(reports).toEqual([
      [
        { sequenceNo: 65531, timestamp: 0, audioLevel: 10, isVoice: true },
        { sequenceNo: 65532, timestamp: 960, audioLevel: VAD_THRESHOLD - 1, isVoice: false },
        { sequenceNo: 65534, timestamp: 2880, audioLevel: 0, isVoice: false },
      ],
    ])
  })

  it('goes on reporting while loud, and ends with null after the hangover without a loud packet', () => {
    const { detector, reports, packet } = setUp()
    for (let i = 0; i < 25; i++) packet(20) // 500 ms of voice
    expect(reports.length).toBe(5)
    expect(reports.every((levels) => levels !== null && levels.length === 5)).toBe(true)
    const lastLoud = Date.now() - 20
    while (detector.state === 'speaking') packet(127)
    expect(reports.at(-1)).toBeNull()
    // Ended at the first interval tick at least the hangover after the last loud packet.
    expect(Date.now() - lastLoud).toBeGreaterThanOrEqual(VAD_HANGOVER_MS)
    expect(Date.now() - lastLoud).toBeLessThan(VAD_HANGOVER_MS + VAD_INTERVAL_MS + 20)
    expect(reports.filter((levels) => levels === null)).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('a short gap within the hangover does not end it', () => {
    const { reports, packet } = setUp()
    packet(20)
    for (let i = 0; i < (VAD_HANGOVER_MS - 60) / 20; i++) packet(127)
    packet(20)
    vi.advanceTimersByTime(VAD_INTERVAL_MS)
    expect(reports).not.toContain(null)
  })

  it('is rate-bounded: a flood of loud packets still gives one report per interval, holding the newest VAD_MAX_LEVELS', () => {
    const { detector, reports } = setUp()
    for (let i = 0; i < 10_000; i++) detector.onPacket(i & 0xffff, i * 10, 5)
    vi.advanceTimersByTime(VAD_INTERVAL_MS)
    expect(reports).toHaveLength(1)
    expect(reports[0]).toHaveLength(VAD_MAX_LEVELS)
    expect(reports[0]![0]!.sequenceNo).toBe(10_000 - VAD_MAX_LEVELS)
    expect(reports[0]!.at(-1)!.sequenceNo).toBe(9_999)
  })

  it('starts again after it ended', () => {
    const { detector, reports, packet } = setUp()
    packet(20)
    vi.advanceTimersByTime(VAD_HANGOVER_MS + VAD_INTERVAL_MS)
    expect(detector.state).toBe('quiet')
    packet(30)
    vi.advanceTimersByTime(VAD_INTERVAL_MS)
    expect(reports.map((levels) => levels?.map((level) => level.audioLevel) ?? null)).toEqual([[20], null, [30]])
  })

  it('end() cancels its timer and ignores later packets', () => {
    const { detector, reports, packet } = setUp()
    packet(20)
    detector.end()
    expect(vi.getTimerCount()).toBe(0)
    packet(20)
    vi.advanceTimersByTime(VAD_HANGOVER_MS * 2)
    expect(detector.state).toBe('ended')
    expect(reports).toEqual([])
  })
})
