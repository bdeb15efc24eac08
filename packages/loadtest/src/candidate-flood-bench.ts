// `pnpm --filter @parley/loadtest run candidate-flood`: the faults benchmark's 20,000-candidate row on
// its own, repeated (CANDIDATE_FLOOD_RUNS, 3), each against a fresh hub process: what a GET of another
// room waited meanwhile (p50/p99/max, every 20 ms), the flooder's answers, and the load average.
// The hub is the loadtest's hub child (hub-child.ts, default limits): PARLEY_LOAD_CPU_PROF=<dir> writes its
// V8 CPU profile there. A benchmark: it asserts nothing.
// Refuses to run outside a loopback-only network namespace.
import { cpus, loadavg } from 'node:os'
import { assertLoopbackOnly } from '@parley/testkit'
import { measureCandidateFlood } from './faults/floods.js'
import { startHubProcess } from './hub-process.js'

assertLoopbackOnly()
const RUNS = Number(process.env.CANDIDATE_FLOOD_RUNS ?? 3)
const COUNT = 20_000
const ms = (value: number) => `${Math.round(value)} ms`
const rows: string[] = []
const loadBefore = loadavg()[0]!.toFixed(2)
for (let run = 1; run <= RUNS; run += 1) {
  const hub = await startHubProcess()
  try {
    const figures = await measureCandidateFlood(hub.url, COUNT)
    const statuses = Object.entries(figures.statuses).map(([status, count]) => `${count}× ${status}`).join(', ')
    rows.push(`| ${run} | ${statuses} | ${ms(figures.otherRoomP50Ms)} / ${ms(figures.otherRoomP99Ms)} / ${ms(figures.otherRoomMaxMs)} (${figures.probes} GETs) | ${loadavg()[0]!.toFixed(2)} |`)
  } finally {
    await hub.close()
  }
}
console.log(`\nParley: ${COUNT.toLocaleString('en')} candidates from one client (16 at a time) before an offer, the hub as its own process; ${cpus().length} cores; load average ${loadBefore} before\n`)
console.log('| run | flooder answered | other room GET p50 / p99 / max | load avg |')
console.log('|---|---|---|---|')
for (const row of rows) console.log(row)
process.exit(0)
