// `pnpm --filter @parley/loadtest run api-load`: a live call beside API load (issue 11, "media keeps its
// own time"). The hub runs as its own process (hub-child.ts: its event-loop delay read per window); two
// Node participants (public core, werift) hold a call at 640x480@30; a worker thread (api-load/) sends,
// open loop, GETs of another room at 1,000 req/s, or the generator's realistic mix (create and end rooms,
// register, leave, look up, rename, set and read metadata) at 1,000 and 2,700 req/s, in windows
// alternating with quiet ones (20 GET/s) in the same run. Printed per window: what the API answered
// (statuses, p50/p99/max, the slowest kind's p99), the frames per second the viewer received of the
// publisher's camera (RTP marker bits at the receive tap), its longest gap between video packets, the
// hub's event-loop delay p99/max, and the load average. A benchmark, not a test: it asserts nothing.
// API_LOAD_WINDOW_MS (8 s), API_LOAD_ROUNDS (2), API_LOAD_SHAPES; PARLEY_LOAD_CPU_PROF=<dir> profiles the hub.
// Refuses to run outside a loopback-only network namespace.
import { cpus, loadavg } from 'node:os'
import { assertLoopbackOnly } from '@parley/testkit'
import { percentile, runApiLoad, statusClasses, type ApiLoadShape } from './api-load/load.js'
import { createRoom } from './faults/hub.js'
import { startHubProcess } from './hub-process.js'
import { defaultVideoKbps, type VideoShape } from './media-source.js'
import { createLoadParticipant, type LoadParticipant } from './participant.js'

assertLoopbackOnly()
const WINDOW_MS = Number(process.env.API_LOAD_WINDOW_MS ?? 8_000)
const ROUNDS = Number(process.env.API_LOAD_ROUNDS ?? 2)
const QUIET = { mix: 'get', rate: 20, connections: 0 } as const
/** The loaded windows of a round; API_LOAD_SHAPES="mix:2700,get:1000" picks others. */
// A third field caps the generator's connections (keep-alive, node:http): "mix:1000:64".
const LOADED: { mix: ApiLoadShape; rate: number; connections: number }[] = (process.env.API_LOAD_SHAPES ?? 'get:1000,mix:1000:64,mix:2700:64').split(',').map((shape) => {
  const [mix, rate, connections = '0'] = shape.split(':')
  if ((mix !== 'get' && mix !== 'mix') || !(Number(rate) > 0) || !(Number(connections) >= 0)) throw new Error(`API_LOAD_SHAPES: "${shape}" is not get:<rate>[:<connections>] or mix:<rate>[:<connections>]`)
  return { mix, rate: Number(rate), connections: Number(connections) }
})
const VIDEO: VideoShape = { width: 640, height: 480, fps: 30, kbps: defaultVideoKbps(640, 480, 30) }
const log = (line: string) => console.error(`[api-load] ${line}`)

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const started = performance.now()
  while (!check()) {
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : '—')

const hub = await startHubProcess()
const participants: LoadParticipant[] = []
try {
  const [callRoom, otherRoom] = [await createRoom(hub.url, 'api-load-call'), await createRoom(hub.url, 'api-load-other')]
  for (const name of ['ada', 'bo']) {
    const participant = createLoadParticipant({ name, hubUrl: hub.url, video: VIDEO })
    participant.conference.join({ roomId: callRoom, displayName: name, media: { audio: true, video: true } })
    participants.push(participant)
  }
  const [, viewer] = participants as [LoadParticipant, LoadParticipant]
  await Promise.all(participants.map((participant) => participant.connected(30_000)))
  await until('the viewer receives the camera', () => viewer.received.count('video', 60) >= 1, 20_000)
  log('call up; windows start')

  const rows: string[][] = []
  const loadBefore = loadavg()[0]!.toFixed(2)
  const windows = Array.from({ length: ROUNDS }, () => LOADED.flatMap((loaded) => [QUIET, loaded])).flat()
  for (const { mix, rate, connections } of windows) {
    const label = `${mix === 'get' ? 'GET another room' : 'mix'}, ${rate} req/s${connections > 0 ? `, ${connections} connections` : ''}`
    log(`window: ${label}`)
    const framesBefore = viewer.received.videoFrames
    viewer.received.startWindow()
    await hub.startWindow()
    const started = performance.now()
    const api = await runApiLoad({ base: hub.url, roomId: otherRoom, mix, rate, durationMs: WINDOW_MS, connections })
    const elapsedS = (performance.now() - started) / 1000
    viewer.received.endWindow()
    const { eventLoop } = await hub.sampleWindow()
    const sorted = [...api.latencies].sort((a, b) => a - b)
    const slowest = Object.entries(api.byKind)
      .map(([kind, latencies]) => [kind, percentile([...latencies].sort((a, b) => a - b), 0.99)] as const)
      .sort((a, b) => b[1] - a[1])[0]
    const classes = Object.entries(statusClasses(api.statuses)).map(([status, count]) => `${count}× ${status}`).join(', ')
    rows.push([
      label,
      `${api.sent} sent: ${classes}${api.failed + api.hung > 0 ? `, ${api.failed} failed, ${api.hung} hung` : ''}; p50 ${ms(percentile(sorted, 0.5))}, p99 ${ms(percentile(sorted, 0.99))}, max ${ms(sorted.at(-1) ?? NaN)}${mix === 'mix' && slowest ? `; slowest: ${slowest[0]} p99 ${ms(slowest[1])}` : ''}`,
      `${((viewer.received.videoFrames - framesBefore) / elapsedS).toFixed(1)} fps (sent ${VIDEO.fps})`,
      ms(viewer.received.longestGapMs),
      `${ms(eventLoop.p99Ms)} / ${ms(eventLoop.maxMs)}`,
      loadavg()[0]!.toFixed(2),
    ])
  }
  console.log(`\nParley API load beside a live call: the hub as its own process, 2 Node participants (public core, werift) at ${VIDEO.width}x${VIDEO.height}@${VIDEO.fps}, ${WINDOW_MS / 1000} s windows alternating; ${cpus().length} cores; load average ${loadBefore} before the windows\n`)
  console.log("| API load (open loop) | API answers | viewer's video from the publisher | longest video gap | hub event loop p99 / max | load avg |")
  console.log('|---|---|---|---|---|---|')
  for (const row of rows) console.log(`| ${row.join(' | ')} |`)
} finally {
  for (const participant of participants) participant.leave()
  await new Promise((resolve) => setTimeout(resolve, 300))
  for (const participant of participants) participant.stop()
  await hub.close()
}
process.exit(0)
