// The stats machine on a fake clock, reading the recorded Chromium reports through PeerStats.
import { describe, expect, it } from 'vitest'
import { createActor, createMachine, fromPromise } from 'xstate'
import type { PeerConnectionLike } from '../ports.js'
import type { StatsSummary } from '../stats/analysis.js'
import { combinedReport, recordedSamples, recordedTrackIds } from '../stats/fixtures.js'
import { PeerStats } from '../stats/peerStats.js'
import type { StatLike } from '../stats/report.js'
import { CoverageRecorder } from '../test-support/coverage.js'
import { ManualClock } from '../test-support/manualClock.js'
import { statsActors } from './statsActors.js'
import { STATS_INTERVAL_MS, statsMachine } from './statsMachine.js'

/** A peer connection that answers getStats with the given reports in turn (the last one again at the end). */
function replayingPeer(reports: StatLike[][]): PeerConnectionLike {
  let next = 0
  return {
    getStats: async () => {
      const report = reports[Math.min(next++, reports.length - 1)]!
      return { forEach: (callback: (stat: unknown) => void) => report.forEach((stat) => callback(stat)) }
    },
  } as unknown as PeerConnectionLike
}

function start(machine: typeof statsMachine, clock: ManualClock, coverage?: CoverageRecorder) {
  const summaries: StatsSummary[] = []
  const parent = createMachine({
    invoke: { id: 'stats', src: machine },
    // Collects what the child sends its parent.
    on: { 'stats.updated': { actions: ({ event }) => summaries.push((event as unknown as { summary: StatsSummary }).summary) } },
  })
  const actor = createActor(parent, { clock, ...(coverage ? { inspect: coverage.inspector('stats') } : {}) }).start()
  return { actor, summaries }
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

describe('stats machine', () => {
  const coverage = new CoverageRecorder()

  it('reads getStats every interval and reports the analysis: the recorded frozen video is paused after 2 s', async () => {
    const clock = new ManualClock()
    const samples = recordedSamples('frozen')
    const peerStats = new PeerStats()
    peerStats.attach(replayingPeer(samples.map(combinedReport)))
    const { actor, summaries } = start(statsMachine.provide({ actors: statsActors({ peerStats, clock }) }), clock, coverage)
    expect(clock.scheduledDelays()).toEqual([STATS_INTERVAL_MS])
    // The recording, then its last report once more: on exact 1 s ticks the frame count stops at the
    // second reading, so the video is paused at the fifth (3 s without a frame).
    for (let i = 0; i <= samples.length; i++) {
      clock.advance(STATS_INTERVAL_MS)
      await flush()
    }
    const { video, audio } = recordedTrackIds(samples[0]!)
    expect(summaries.map((s) => s.tracks[video]?.paused)).toEqual([false, false, false, false, true])
    expect(summaries[samples.length - 1]!.tracks[audio]).toMatchObject({ speaking: true, quality: 'excellent' })
    // The repeated report carries no new audio packet: that interval the audio is lost.
    expect(summaries.at(-1)!.tracks[audio]!.quality).toBe('lost')
    actor.stop()
    expect(clock.pendingTimers).toBe(0)
  })

  it('`.provide({ delays })` changes the interval; a failed read is skipped and reading goes on', async () => {
    const clock = new ManualClock()
    let reads = 0
    const machine = statsMachine.provide({
      actors: {
        readStats: fromPromise(async () => {
          reads++
          if (reads === 1) throw new Error('getStats failed')
          return { stats: combinedReport(recordedSamples('good')[0]!), atMs: clock.now() }
        }),
      },
      delays: { statsInterval: 250 },
    })
    const { actor, summaries } = start(machine, clock, coverage)
    expect(clock.scheduledDelays()).toEqual([250])
    clock.advance(250)
    await flush()
    expect(summaries).toHaveLength(0)
    clock.advance(250)
    await flush()
    expect(reads).toBe(2)
    expect(summaries).toHaveLength(1)
    actor.stop()
  })

  it('without a peer connection there is simply nothing to report', async () => {
    const clock = new ManualClock()
    const { actor, summaries } = start(statsMachine.provide({ actors: statsActors({ peerStats: new PeerStats(), clock }) }), clock)
    clock.advance(STATS_INTERVAL_MS)
    await flush()
    expect(summaries.at(-1)).toMatchObject({ tracks: {}, activeSpeaker: null })
    actor.stop()
  })

  it('covers every state and transition of the stats machine', () => {
    const report = coverage.report(statsMachine)
    expect(report.states.missing).toEqual([])
    expect(report.transitions.missing).toEqual([])
  })
})

