// Connection statistics for one room session: every `statsInterval` read the peer connection's
// getStats (the `readStats` actor, through PeerStats), analyse it against the previous sample
// (stats/analysis.ts: audio levels, who speaks, quality, paused video) and tell the conference
// (`stats.updated`). The interval is a named delay, so `.provide({ delays })` changes it and the
// actor system's clock (a fake one in tests) drives it. A failed read is skipped, never fatal.
import { assign, sendParent, setup } from 'xstate'
import { analyse, emptyStatsMemory, type StatsMemory, type StatsSummary } from '../stats/analysis.js'
import { readSample } from '../stats/report.js'
import type { StatsActors } from './statsActors.js'
import { notProvided } from './notProvided.js'

export const STATS_INTERVAL_MS = 1000

/** What the stats machine tells its parent. */
export type StatsParentEvent = { type: 'stats.updated'; summary: StatsSummary }

export const statsMachine = setup({
  types: {} as { context: StatsMemory },
  actors: {
    readStats: notProvided<StatsActors['readStats']>('readStats'),
  },
  delays: {
    statsInterval: STATS_INTERVAL_MS,
  },
  actions: {
    storeSample: assign(({ context }, sample: Parameters<typeof analyse>[1]) => analyse(context, sample)),
    reportSummary: sendParent(({ context }): StatsParentEvent => ({ type: 'stats.updated', summary: context.summary })),
  },
}).createMachine({
  id: 'stats',
  context: emptyStatsMemory,
  initial: 'waiting',
  states: {
    waiting: {
      after: { statsInterval: 'reading' },
    },
    reading: {
      invoke: {
        id: 'readStats',
        src: 'readStats',
        onDone: {
          target: 'waiting',
          actions: [{ type: 'storeSample', params: ({ event }) => readSample(event.output.stats, event.output.atMs) }, 'reportSummary'],
        },
        onError: 'waiting',
      },
    },
  },
})

export type StatsMachine = typeof statsMachine
