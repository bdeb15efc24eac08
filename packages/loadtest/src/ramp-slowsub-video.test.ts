import { describe, expect, it } from 'vitest'
import type { SlowSample, SlowSubscriberSecond } from './ramp-slowsub-table.js'
import { summariseVideo, videoRow } from './ramp-slowsub-video.js'

const second = (fps: number, kbps = 300, videoLost = 0, videoNacks = 0): SlowSubscriberSecond => ({ kbps, fps, lossPercent: 0, resolution: '640x480', freezes: 0, freezeMs: 0, longestGapMs: 40, currentGapMs: 10, audio: { packetsLost: 0, packetsReceived: 0, concealedSamples: 0, totalSamplesReceived: 0, concealmentEvents: 0 }, audioSecond: { lossPercent: null, concealedPercent: null, concealmentEvents: 0 }, videoLost, videoNacks })

/** `slowLoss`: the slow one's cumulative video packets lost and NACKs at `atS`. */
function samples(count: number, slowFps: (atS: number) => number, slowLoss: (atS: number) => [number, number] = () => [0, 0]): SlowSample[] {
  return Array.from({ length: count }, (_, index) => {
    const atS = index + 1
    return { atS, load: 1, availableKbps: null, sentKbps: 480, resolution: '640x480', rembKbps: 500, hubLossPercent: 0, good: second(30, 500), slow: atS > 10 ? second(slowFps(atS), 300, ...slowLoss(atS)) : null, counters: {} }
  })
}

describe('summariseVideo', () => {
  it('lists pauses and resumes after the join, counts the paused seconds, and takes the fps of the others', () => {
    // Paused at 20.5 s, resumed at 30.2 s (fps 0 in between), live before and after.
    const run = samples(45, (atS) => (atS > 20 && atS <= 30 ? 0 : 25))
    const summary = summariseVideo(run, [{ atS: 20.5, paused: true }, { atS: 30.2, paused: false }], 10, null)
    expect(summary).toMatchObject({ goodKbpsLast15: 500, publisherKbpsLast15: 480, rembKbpsLast15: 500, events: 'P+10.5 R+20.2', pauses: 1, pausedSeconds: 11, liveMedianFps: 25, recoveredAfterS: null, atResumes: '0/0' })
  })

  it('counts the video lost and NACKed from the second before each resume to 3 s after it', () => {
    // Lost 4 and NACKed 6 in second 31 (the resume at 30.2), 100 more lost at 40 (outside its window); a resume at 44.5 runs to the end.
    const loss = (atS: number): [number, number] => [(atS >= 31 ? 4 : 0) + (atS >= 40 ? 100 : 0), atS >= 31 ? 6 : 0]
    const summary = summariseVideo(samples(45, () => 25, loss), [{ atS: 20.5, paused: true }, { atS: 30.2, paused: false }, { atS: 42, paused: true }, { atS: 44.5, paused: false }], 10, null)
    expect(summary.atResumes).toBe('4/6 0/0')
    expect(videoRow('ndc r1', 'chromium tutorial', '300kbit', summary, 10, null, 2)).toContain('| 4/6 0/0 | 2.00 |')
  })

  it('measures the recovery from the unshaping to the last resume not followed by a pause', () => {
    const events = [{ atS: 21, paused: true }, { atS: 31, paused: false }, { atS: 33, paused: true }, { atS: 41.5, paused: false }]
    const summary = summariseVideo(samples(45, () => 20), events, 10, 35)
    expect(summary.recoveredAfterS).toBeCloseTo(6.5)
    expect(videoRow('current r1', 'chromium tutorial', '300kbit', summary, 10, 35, 2)).toContain('| +25 → 6.5 s | 0/0 0/0 | 2.00 |')
    expect(summariseVideo(samples(45, () => 20), events.slice(0, 3), 10, 35).recoveredAfterS).toBeNull()
  })

  it('gives each further good subscriber its own kbps over the last 15 s', () => {
    const run = samples(45, () => 25).map((sample) => ({ ...sample, moreGoodKbps: [sample.atS > 30 ? 400 : 100, 600] }))
    const summary = summariseVideo(run, [], 10, null)
    expect(summary.moreGoodKbpsLast15).toEqual([400, 600])
    expect(videoRow('ndc r1', 'chromium tutorial', '300kbit', summary, 10, null, 2)).toContain('| 300kbit | 500 / 400 / 600 | 480 |')
    expect(summariseVideo(samples(20, () => 5), [], 10, null).moreGoodKbpsLast15).toEqual([])
  })

  it('prints "-" for a hub that logs no pauses', () => {
    const summary = summariseVideo(samples(20, () => 5), [], 10, null)
    expect(summary).toMatchObject({ events: '-', pauses: 0, pausedSeconds: 0, liveMedianFps: 5 })
    expect(videoRow('before r1', 'chromium tutorial', '300kbit', summary, 10, 15, 1)).toContain('| +5 → never paused | - |')
  })
})
