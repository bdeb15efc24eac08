// `pnpm --filter @parley/loadtest run api-load`: a live call beside API load (issue 11, "media keeps its
// own time"). The hub runs as its own process; two Node participants (public core, werift) hold a call
// at 640x480@30; a worker thread sends GET /rooms/:id of another room, open loop, at 1,000 req/s in the
// loaded windows and 20 req/s in the quiet ones, alternating in the same run. Printed per window: the
// API's p50/p99/max, the frames per second the viewer received of the publisher's camera (RTP marker
// bits at the receive tap), its longest gap between video packets and the freezes (> 500 ms), with the
// load average. A benchmark, not a test: it asserts nothing. Refuses to run outside a loopback-only
// network namespace.
import { cpus, loadavg } from 'node:os'
import { Worker } from 'node:worker_threads'
import { assertLoopbackOnly } from '@parley/testkit'
import { createRoom, startFaultHub } from './faults/hub.js'
import { defaultVideoKbps, type VideoShape } from './media-source.js'
import { createLoadParticipant, type LoadParticipant } from './participant.js'

assertLoopbackOnly()
const WINDOW_MS = Number(process.env.API_LOAD_WINDOW_MS ?? 8_000)
const LOADED_RATE = Number(process.env.API_LOAD_RATE ?? 1_000)
const QUIET_RATE = 20
const VIDEO: VideoShape = { width: 640, height: 480, fps: 30, kbps: defaultVideoKbps(640, 480, 30) }
const log = (line: string) => console.error(`[api-load] ${line}`)

/** What the generator worker (api-load/generator.mjs) takes and posts back. */
interface GeneratorInput {
  url: string
  rate: number
  durationMs: number
}
interface GeneratorOutput {
  /** Latency of each request answered 200, ms. */
  latencies: number[]
  errors: number
  sent: number
}

function generate(input: GeneratorInput): Promise<GeneratorOutput> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./api-load/generator.mjs', import.meta.url), { workerData: input })
    worker.once('message', (output: GeneratorOutput) => resolve(output))
    worker.once('error', reject)
    worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`generator exited with ${code}`))))
  })
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const started = performance.now()
  while (!check()) {
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN
const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : '—')

const hub = await startFaultHub([])
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
  for (const rate of [QUIET_RATE, LOADED_RATE, QUIET_RATE, LOADED_RATE, QUIET_RATE, LOADED_RATE]) {
    log(`window at ${rate} req/s`)
    const framesBefore = viewer.received.videoFrames
    viewer.received.startWindow()
    const started = performance.now()
    const api = await generate({ url: `${hub.url}/v1/rooms/${otherRoom}`, rate, durationMs: WINDOW_MS })
    const elapsedS = (performance.now() - started) / 1000
    viewer.received.endWindow()
    const sorted = [...api.latencies].sort((a, b) => a - b)
    rows.push([
      `${rate} req/s`,
      `${api.sent} sent, ${api.errors} failed; p50 ${ms(percentile(sorted, 0.5))}, p99 ${ms(percentile(sorted, 0.99))}, max ${ms(sorted.at(-1) ?? NaN)}`,
      `${((viewer.received.videoFrames - framesBefore) / elapsedS).toFixed(1)} fps (sent ${VIDEO.fps})`,
      `${ms(viewer.received.longestGapMs)}, ${viewer.received.freezes} over 500 ms`,
      loadavg()[0]!.toFixed(2),
    ])
  }
  console.log(`\nParley API load beside a live call: the hub as its own process, 2 Node participants (public core, werift) at ${VIDEO.width}x${VIDEO.height}@${VIDEO.fps}, ${WINDOW_MS / 1000} s windows alternating; ${cpus().length} cores; load average ${loadBefore} before the windows\n`)
  console.log('| API load (GET another room, open loop) | API answers | viewer\'s video from the publisher | longest video gap, freezes | load avg |')
  console.log('|---|---|---|---|---|')
  for (const row of rows) console.log(`| ${row.join(' | ')} |`)
} finally {
  for (const participant of participants) participant.leave()
  await new Promise((resolve) => setTimeout(resolve, 300))
  for (const participant of participants) participant.stop()
  await hub.close()
}
process.exit(0)
