// `pnpm --filter @parley/loadtest run faults`: injects each fault of issue 11 that Node participants can
// show (the faults suite's scenarios, src/faults/) and prints one table: the fault, the measured
// recovery figure, the goal, and the load average when it was measured. A benchmark, not a test: it
// asserts nothing. The frozen participant runs twice, alternating, against a hub without the
// connection-problem mark (`--problem-after 0`, as before it) and one with it.
// Refuses to run outside a loopback-only network namespace.
import { cpus, loadavg } from 'node:os'
import { assertLoopbackOnly, type HubProcess } from '@parley/testkit'
import { measureFrozenParticipant, measureKilledParticipant } from './faults/departure.js'
import { measureCandidateFlood, measureMalformedSdps, measureMetaFlood, measureTrackFlood, type FloodFigures } from './faults/floods.js'
import { startFaultHub } from './faults/hub.js'
import { measureMediaCuts } from './faults/media-cut.js'
import { measureStreamResets, measureStreamStalls } from './faults/stream.js'

assertLoopbackOnly()
const PING_INTERVAL_MS = 500
const rows: string[][] = []
const log = (line: string) => console.error(`[faults] ${line}`)
const ms = (value: number | undefined) => (value === undefined ? '—' : `${Math.round(value)} ms`)
const load = () => loadavg()[0]!.toFixed(2)
const other = (figures: FloodFigures) => `other room p99 ${ms(figures.otherRoomP99Ms)}, max ${ms(figures.otherRoomMaxMs)} (${figures.probes} GETs)`
const statuses = (figures: FloodFigures) => Object.entries(figures.statuses).map(([status, count]) => `${count}× ${status}`).join(', ')

async function withHub(args: string[], run: (hub: HubProcess) => Promise<void>): Promise<void> {
  const hub = await startFaultHub(args)
  try {
    await run(hub)
  } finally {
    await hub.close()
  }
}

const loadBefore = load()
await withHub(['--ping-interval', String(PING_INTERVAL_MS)], async (hub) => {
  log('events stream reset at a write')
  const resets = await measureStreamResets(hub, 8)
  rows.push(['events stream reset at the moment an event is written (8 cuts)', `${resets.lost} of ${resets.written} lost, ${resets.duplicates} twice; back in ${ms(Math.min(...resets.recoveriesMs))}–${ms(Math.max(...resets.recoveriesMs))}`, '0 lost', load()])
  log('events stream stalled')
  const stalls = await measureStreamStalls(hub, PING_INTERVAL_MS, 3)
  rows.push([
    `events stream silently stalled, then reset (3 stalls, ping ${PING_INTERVAL_MS} ms)`,
    `${stalls.lost} of ${stalls.written} lost; dead stream detected after ${stalls.detectionsMs.map((d) => ms(d)).join(', ')}; all events in ${ms(Math.max(...stalls.recoveriesMs))}`,
    `0 lost; detected ≤ ${2 * PING_INTERVAL_MS} ms`,
    load(),
  ])
})

await withHub([], async (hub) => {
  log('participant killed')
  const killed = await measureKilledParticipant(hub.url)
  rows.push(['participant process killed (SIGKILL, no leave)', `gone for the others after ${ms(killed.goneMs)}`, '≤ 5000 ms', load()])
})

// Before and after the connection-problem mark, alternating in this run.
for (const [label, args] of [
  ['without the mark (--problem-after 0)', ['--problem-after', '0']],
  ['with the mark', []],
] as const) {
  await withHub([...args], async (hub) => {
    log(`participant frozen, ${label}`)
    const frozen = await measureFrozenParticipant(hub.url, { resume: false, markExpected: args.length === 0 })
    rows.push([`participant frozen (SIGSTOP), ${label}`, `marked after ${ms(frozen.markedMs)}, removed after ${ms(frozen.goneMs)}`, 'marked ≤ 2000 ms, removed ≤ 10000 ms', load()])
  })
}

await withHub([], async (hub) => {
  log('media path cut through a TURN relay')
  const cut = await measureMediaCuts(hub.url, 1_500)
  rows.push([
    `media path blacked out 1.5 s (all media through a TURN relay, events stream kept; ${cut.relayedPackets} packets relayed before)`,
    `marked: ${cut.blipMarkedMs === undefined ? 'no' : `after ${ms(cut.blipMarkedMs)}, cleared ${ms(cut.blipClearedMs)} after the blip`}; media back ${ms(cut.blipMediaBackMs)} after it; stayed: ${cut.blipStayed ? 'yes' : 'NO'}`,
    'not removed; back by itself',
    load(),
  ])
  rows.push(['media path cut for good (same relay)', `marked after ${ms(cut.cutMarkedMs)}, removed after ${ms(cut.cutGoneMs)}`, 'marked ≤ 2000 ms, removed ≤ 10000 ms', load()])
})

await withHub([], async (hub) => {
  log('participant frozen, then continued')
  const back = await measureFrozenParticipant(hub.url, { resume: true })
  rows.push(['participant frozen, SIGCONT after the mark', `marked after ${ms(back.markedMs)}; mark cleared ${ms(back.backMs)} after SIGCONT; same registration, still in the room: ${back.stayed ? 'yes' : 'NO'}`, 'back by itself', load()])

  log('20,000 candidates')
  const candidates = await measureCandidateFlood(hub.url, 20_000)
  rows.push(['20,000 candidates before an offer', `${statuses(candidates)}; ${other(candidates)}`, '429 past the cap; other room < 100 ms', load()])

  log('setmeta floods')
  const meta = await measureMetaFlood(hub.url, 15_000, 50)
  rows.push(['setmeta with 15,000 keys (3 requests), 50 clients in the room', `${statuses(meta.huge)}; ${other(meta.huge)}`, '4xx naming the cap; other room responsive', load()])
  rows.push(['setmeta with 100 keys (the cap; 5 requests), 50 clients in the room', `${statuses(meta.allowed)}, slowest ${ms(meta.allowed.requestMs)}; ${other(meta.allowed)}`, 'fan-out small and linear', load()])

  log('300 m-lines')
  const tracks = await measureTrackFlood(hub.url, 300)
  rows.push(['an offer with 300 m-lines', `${tracks.status} "${tracks.message}" (offer ${tracks.size} characters)`, '4xx naming the track cap', load()])

  log('malformed SDPs')
  const malformed = await measureMalformedSdps(hub.url)
  rows.push(['malformed SDPs (garbage fingerprint, setup:bogus, SSRC overflow)', Object.entries(malformed.answers).map(([variant, answer]) => `${variant}: ${answer.status}`).join('; '), '400 that says why', load()])
})

const escape = (cell: string) => cell.replaceAll('|', '\\|')
console.log(`\nParley faults: the hub as its own process, Node participants (public core, werift); ${cpus().length} cores; load average ${loadBefore} before the run\n`)
console.log('| fault | measured | goal | load avg |')
console.log('|---|---|---|---|')
for (const row of rows) console.log(`| ${row.map(escape).join(' | ')} |`)
