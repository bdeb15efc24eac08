// The stats machine's I/O: one getStats read through the conference's PeerStats.
import { fromPromise } from 'xstate'
import type { ClockLike } from '../ports.js'
import type { PeerStats } from '../stats/peerStats.js'
import type { StatLike } from '../stats/report.js'

export interface StatsDeps {
  peerStats: PeerStats
  clock: Pick<ClockLike, 'now'>
}

export function statsActors({ peerStats, clock }: StatsDeps) {
  return {
    readStats: fromPromise<{ stats: StatLike[]; atMs: number }>(async () => ({ stats: await peerStats.read(), atMs: clock.now() })),
  }
}

export type StatsActors = ReturnType<typeof statsActors>
