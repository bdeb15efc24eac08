import { describe, expect, it } from 'vitest'
import { analyse, emptyStatsMemory, qualityOf, SPEAKER_SWITCH_MS, type StatsMemory } from './analysis.js'
import { combinedReport, recordedSamples, recordedTrackIds, type FixtureName } from './fixtures.js'
import { readSample, type StatsSample } from './report.js'

/** Every recorded sample through the analysis, on the recording's own times. */
function replay(name: FixtureName): StatsMemory[] {
  const steps: StatsMemory[] = []
  let memory = emptyStatsMemory()
  for (const sample of recordedSamples(name)) {
    memory = analyse(memory, readSample(combinedReport(sample), sample.atMs))
    steps.push(memory)
  }
  return steps
}

describe('stats analysis on recorded Chromium reports', () => {
  const ids = recordedTrackIds(recordedSamples('good')[0]!)

  it('good: both tracks excellent, the tone is speech, the video plays, we speak and send excellently', () => {
    const last = replay('good').at(-1)!.summary
    expect(last.tracks[ids.audio]).toMatchObject({ kind: 'audio', quality: 'excellent', lossPercent: 0, speaking: true })
    expect(last.tracks[ids.audio]!.audioLevel).toBeGreaterThan(0.1)
    expect(last.tracks[ids.video]).toMatchObject({ kind: 'video', quality: 'excellent', lossPercent: 0, paused: false, framesPerSecond: 20 })
    expect(last.tracks[ids.video]!.roundTripMs).toBeLessThan(20)
    expect(last.local).toMatchObject({ quality: 'excellent', speaking: true, qualityLimitationReason: 'none' })
    expect(last.activeSpeaker).toBe(ids.audio)
  })

  it('lossy (15 % dropped, 50-110 ms delay): poor, with the loss and round trip in its figures', () => {
    const steps = replay('lossy')
    // The first sample has nothing to compare with: its loss is over the whole call.
    for (const step of steps.slice(1)) {
      const audio = step.summary.tracks[ids.audio]!
      expect(audio.quality).toBe('poor')
      expect(audio.lossPercent).toBeGreaterThan(QUALITY_POOR_LOSS)
    }
    expect(steps.at(-1)!.summary.local.lossPercent).toBeGreaterThan(QUALITY_POOR_LOSS)
    expect(steps.at(-1)!.summary.local.roundTripMs).toBeGreaterThan(50)
  })

  it('frozen: the video is paused once framesDecoded has not grown for more than 2 s, the audio goes on', () => {
    const steps = replay('frozen')
    expect(steps.map((step) => step.summary.tracks[ids.video]!.paused)).toEqual([false, false, false, true])
    expect(steps.at(-1)!.summary.tracks[ids.audio]!.quality).toBe('excellent')
  })
})

const QUALITY_POOR_LOSS = 5

describe('quality words', () => {
  it('each figure has its bands; the worst decides; a limited sender is at best good', () => {
    expect(qualityOf({})).toBe('excellent')
    expect(qualityOf({ lossPercent: 2 })).toBe('good')
    expect(qualityOf({ lossPercent: 5 })).toBe('poor')
    expect(qualityOf({ jitterMs: 40, roundTripMs: 100 })).toBe('good')
    expect(qualityOf({ roundTripMs: 500 })).toBe('poor')
    expect(qualityOf({ framesPerSecond: 10 })).toBe('good')
    expect(qualityOf({ framesPerSecond: 5 })).toBe('poor')
    expect(qualityOf({ qualityLimitationReason: 'bandwidth' })).toBe('good')
    expect(qualityOf({ qualityLimitationReason: 'none' })).toBe('excellent')
  })

  it('a track that received nothing over an interval is lost', () => {
    const sample = (atMs: number): StatsSample => ({ atMs, inbound: { a: { kind: 'audio', packetsReceived: 100, packetsLost: 0 } }, outbound: {} })
    const memory = analyse(analyse(emptyStatsMemory(), sample(0)), sample(1000))
    expect(memory.summary.tracks.a!.quality).toBe('lost')
  })
})

describe('who is speaking', () => {
  /** A sample where each track has this momentary level. */
  const levels = (atMs: number, byTrack: Record<string, number>, local = 0): StatsSample => ({
    atMs,
    inbound: Object.fromEntries(Object.entries(byTrack).map(([id, audioLevel], i) => [id, { kind: 'audio' as const, packetsReceived: atMs + i + 1, packetsLost: 0, audioLevel }])),
    outbound: { audioLevel: local },
  })
  const run = (samples: StatsSample[]) => samples.reduce((memory, sample) => analyse(memory, sample), emptyStatsMemory())

  it('the active speaker holds the floor: a louder voice takes it only after SPEAKER_SWITCH_MS', () => {
    let memory = run([levels(0, { ann: 0.3, bo: 0 }), levels(500, { ann: 0.3, bo: 0 })])
    expect(memory.summary.activeSpeaker).toBe('ann')
    memory = analyse(memory, levels(1000, { ann: 0.2, bo: 0.5 }))
    expect(memory.summary.activeSpeaker).toBe('ann')
    memory = analyse(memory, levels(1000 + SPEAKER_SWITCH_MS / 2, { ann: 0.2, bo: 0.5 }))
    expect(memory.summary.activeSpeaker).toBe('ann')
    memory = analyse(memory, levels(1000 + SPEAKER_SWITCH_MS, { ann: 0.2, bo: 0.5 }))
    expect(memory.summary.activeSpeaker).toBe('bo')
  })

  it('when the speaker fell silent past the hold, the next voice takes over at once; silence keeps the last speaker', () => {
    let memory = run([levels(0, { ann: 0.3, bo: 0 }), levels(1500, { ann: 0, bo: 0 })])
    expect(memory.summary.activeSpeaker).toBe('ann')
    expect(memory.summary.tracks.ann!.speaking).toBe(false)
    memory = analyse(memory, levels(2000, { ann: 0, bo: 0.1 }))
    expect(memory.summary.activeSpeaker).toBe('bo')
  })

  it('speaking is held for a second after the last loud interval, so the outline does not flicker between words', () => {
    const memory = run([levels(0, { ann: 0.3 }), levels(500, { ann: 0 })])
    expect(memory.summary.tracks.ann!.speaking).toBe(true)
    expect(analyse(memory, levels(1500, { ann: 0 })).summary.tracks.ann!.speaking).toBe(false)
  })

  it('our own microphone can be the active speaker', () => {
    expect(run([levels(0, { ann: 0 }, 0.4)]).summary).toMatchObject({ activeSpeaker: 'local', local: { speaking: true, audioLevel: 0.4 } })
  })
})
