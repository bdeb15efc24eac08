import { describe, expect, it } from 'vitest'
import { audioShare, type SlowSample, type SlowSubscriberSecond, slowRow, summarise, summaryRow } from './ramp-slowsub-table.js'

const second = (overrides: Partial<SlowSubscriberSecond>): SlowSubscriberSecond => ({ kbps: 1500, fps: 30, lossPercent: 0, resolution: '640x480', freezes: 0, freezeMs: 0, longestGapMs: 40, currentGapMs: 10, audio: { packetsLost: 0, packetsReceived: 0, concealedSamples: 0, totalSamplesReceived: 0, concealmentEvents: 0 }, audioSecond: { lossPercent: null, concealedPercent: null, concealmentEvents: 0 }, videoLost: 0, videoNacks: 0, ...overrides })

function sample(atS: number, good: Partial<SlowSubscriberSecond>, slow: Partial<SlowSubscriberSecond> | null, rembKbps = 1700): SlowSample {
  return { atS, load: 1.5, availableKbps: null, sentKbps: good.kbps ?? 1500, resolution: '640x480', rembKbps, hubLossPercent: 0, good: second(good), slow: slow ? second(slow) : null, counters: { keyframeRequestsSent: 2, nacksRelayed: null } }
}

describe('summarise', () => {
  it('measures the good subscriber against its rate before the join, and the slow one from its join on', () => {
    const samples: SlowSample[] = []
    for (let atS = 1; atS <= 4; atS++) samples.push(sample(atS, { kbps: atS === 1 ? 300 : 1500 }, null))
    // Joined after s 4: dragged to 500 kbit/s in s 6–8 (+2…+4 s), back to full from s 9.
    samples.push(sample(5, { kbps: 1400 }, { kbps: 300, fps: 0, lossPercent: 60 }))
    for (let atS = 6; atS <= 8; atS++) samples.push(sample(atS, { kbps: 500, freezes: 1 }, { kbps: 280, fps: 5, lossPercent: 20, freezes: 2, freezeMs: 900, longestGapMs: 1200 }, 400))
    for (let atS = 9; atS <= 14; atS++) samples.push(sample(atS, { kbps: 1500, freezes: 1, longestGapMs: 90 }, { kbps: 290, fps: 8, lossPercent: 40, freezes: 3, freezeMs: 1500, longestGapMs: 1200 }))
    const summary = summarise(samples, 4)
    expect(summary).toMatchObject({ fullKbps: 1500, draggedSeconds: 3, draggedFrom: 2, draggedUntil: 4, endKbps: 1500, lowestRembKbps: 400, goodFreezesAfterJoin: 1, goodLongestGapMs: 90 })
    expect(summary).toMatchObject({ slowFreezes: 3, slowFreezeMs: 1500, slowLongestGapMs: 1200, slowMedianFps: 8, slowMedianLossPercent: 40 })
  })

  it('reports no dragged second when the good subscriber keeps its rate', () => {
    const samples = [1, 2, 3, 4, 5, 6].map((atS) => sample(atS, {}, atS > 4 ? {} : null))
    expect(summarise(samples, 4)).toMatchObject({ draggedSeconds: 0, draggedFrom: null, draggedUntil: null })
  })
})

describe('slowRow', () => {
  it('prints "-" for the slow subscriber before its join and for a counter the hub lacks', () => {
    const row = slowRow('current r1', 'chromium tutorial', '300kbit', sample(2, {}, null))
    expect(row).toBe('| current r1 | chromium tutorial | 300kbit | 2 | - | 1500 | 640x480 | 1700 | 0.0 | 1500 | 30 | 0.0 | 640x480 | 0 / 0 | 40 | - / - | - / - | 0 | - | - | - | - | - | - | - | - | - | 2 | - | - | 1.50 |')
  })

  it("prints each subscriber's audio over the second and since its join", () => {
    const audio = { packetsLost: 30, packetsReceived: 270, concealedSamples: 96_000, totalSamplesReceived: 480_000, concealmentEvents: 12 }
    const slow = { audio, audioSecond: { lossPercent: 50, concealedPercent: 62.5, concealmentEvents: 3 } }
    const row = slowRow('before r1', 'chromium tutorial', '300kbit', sample(20, {}, slow))
    expect(row).toContain('| 1500 | 30 | 0.0 | 640x480 | 0 / 0 | 40 | 50.0 / 10.0 | 62.5 / 20.0 | 12 | 2 | - | - | 1.50 |')
  })
})

describe('audioShare', () => {
  it('takes loss of expected packets and concealed of received samples between two readings', () => {
    const from = { packetsLost: 10, packetsReceived: 90, concealedSamples: 4_800, totalSamplesReceived: 96_000, concealmentEvents: 2 }
    const to = { packetsLost: 40, packetsReceived: 160, concealedSamples: 28_800, totalSamplesReceived: 144_000, concealmentEvents: 7 }
    expect(audioShare(from, to)).toEqual({ lossPercent: 30, concealedPercent: 50, concealmentEvents: 5 })
  })

  it('reports "not measured" without packets, and without concealment figures (a browser that has none)', () => {
    const none = { packetsLost: 0, packetsReceived: 0, concealedSamples: null, totalSamplesReceived: null, concealmentEvents: null }
    expect(audioShare(undefined, none)).toEqual({ lossPercent: null, concealedPercent: null, concealmentEvents: null })
  })
})

describe('summaryRow', () => {
  it("sums up each subscriber's audio over the run's last 15 s", () => {
    const samples: SlowSample[] = []
    const heard = (atS: number, lostPerS: number) => ({ packetsLost: lostPerS * atS, packetsReceived: (50 - lostPerS) * atS, concealedSamples: lostPerS * 960 * atS, totalSamplesReceived: 48_000 * atS, concealmentEvents: lostPerS > 0 ? atS : 0 })
    for (let atS = 1; atS <= 25; atS++) samples.push(sample(atS, { audio: heard(atS, 0) }, atS > 4 ? { audio: heard(atS - 4, 10) } : null))
    const summary = summarise(samples, 4)
    expect(summary.goodAudio).toEqual({ lossPercent: 0, concealedPercent: 0, concealmentEvents: 0 })
    expect(summary.slowAudio).toEqual({ lossPercent: 20, concealedPercent: 20, concealmentEvents: 15 })
    expect(summaryRow('after r1', 'chromium tutorial', '300kbit', summary, 2.5)).toMatch(/\| 0\.0 \/ 0\.0 \| 20\.0 \/ 20\.0 \| 15 \| 2\.50 \|$/)
  })

  it('prints "-" for the slow subscriber\'s audio when the run is shorter than the window after its join', () => {
    const samples = [1, 2, 3, 4, 5, 6].map((atS) => sample(atS, {}, atS > 4 ? {} : null))
    expect(summarise(samples, 4)).toMatchObject({ goodAudio: null, slowAudio: null })
  })
})
