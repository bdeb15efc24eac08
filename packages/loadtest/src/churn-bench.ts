// `pnpm --filter @parley/loadtest run churn`: what the hub keeps of participants who came and went
// (issue 11, "leak-free churn": hub heap and RSS flat, ≤ +5 MB after 100 cycles, after GC). The hub
// runs as its own process (hub-child.ts), so its heap is the hub's alone, not the participants'. One
// participant stays in the room; per cycle another one (the public core over werift, audio + video)
// joins, is received by the stayer, and leaves. Every `--every` cycles the hub collects garbage twice
// and reports its heap and RSS. A benchmark, not a test: it prints a table and asserts nothing.
// Refuses to run outside a loopback-only network namespace.
//   pnpm --filter @parley/loadtest run churn -- [--cycles 100] [--every 25]
import { loadavg } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { assertLoopbackOnly } from '@parley/testkit'
import { startHubProcess } from './hub-process.js'
import type { VideoShape } from './media-source.js'
import { createLoadParticipant, type LoadParticipant } from './participant.js'

assertLoopbackOnly()
// pnpm passes the `--` that separates its own options through.
const { values } = parseArgs({ args: process.argv.slice(2).filter((arg) => arg !== '--'), options: { cycles: { type: 'string', default: '100' }, every: { type: 'string', default: '25' } } })
const CYCLES = Number(values.cycles)
const EVERY = Number(values.every)
if (!(CYCLES > 0 && EVERY > 0)) throw new Error('--cycles and --every must be positive numbers')
const VIDEO: VideoShape = { width: 320, height: 240, fps: 20, kbps: 300 }
const JOIN_TIMEOUT_MS = 30_000
const log = (line: string) => console.error(`[churn] ${line}`)
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms`)
    await sleep(20)
  }
}

interface Sample {
  cycle: number
  heapUsedBytes: number
  codeBytes: number
  rssBytes: number
  load: number
}

const hub = await startHubProcess()
const samples: Sample[] = []
let stayer: LoadParticipant | undefined
try {
  stayer = createLoadParticipant({ name: 'stayer', hubUrl: hub.url, video: VIDEO })
  stayer.conference.join({ roomName: 'churn', displayName: 'stayer', media: { audio: true, video: true } })
  const roomId = (await stayer.connected(JOIN_TIMEOUT_MS)).room!.id
  const sample = async (cycle: number) => {
    const heap = await hub.heapAfterGc()
    samples.push({ cycle, ...heap, load: loadavg()[0]! })
    log(`after ${cycle} cycles: hub heap ${mb(heap.heapUsedBytes)} MB (code ${mb(heap.codeBytes)} MB), RSS ${mb(heap.rssBytes)} MB (load ${loadavg()[0]!.toFixed(2)})`)
  }
  for (let cycle = 1; cycle <= CYCLES; cycle += 1) {
    const visitor = createLoadParticipant({ name: `visitor-${cycle}`, hubUrl: hub.url, video: VIDEO })
    const videoBefore = stayer.received.count('video', 5)
    visitor.conference.join({ roomId, displayName: visitor.name, media: { audio: true, video: true } })
    await visitor.connected(JOIN_TIMEOUT_MS)
    // The stayer decodes nothing; a new video stream at its receive tap is what "received" means here.
    await until(`cycle ${cycle}: the stayer receives the visitor`, () => stayer!.received.count('video', 5) > videoBefore, JOIN_TIMEOUT_MS)
    visitor.leave()
    await until(`cycle ${cycle}: the visitor gone for the stayer`, () => stayer!.view().participants.length === 0, JOIN_TIMEOUT_MS)
    visitor.stop()
    // The first cycle warms up the hub's code paths and caches: the baseline is taken after it.
    if (cycle === 1 || cycle % EVERY === 0) await sample(cycle)
  }
} finally {
  stayer?.leave()
  stayer?.stop()
  await hub.close()
}

const base = samples[0]!
const withoutCode = (sample: Sample) => sample.heapUsedBytes - sample.codeBytes
const perCycle = (sample: Sample) =>
  sample.cycle === base.cycle ? '—' : `${((withoutCode(sample) - withoutCode(base)) / (sample.cycle - base.cycle) / 1024).toFixed(1)}`
console.log(`\nHub memory after GC, one stayer and ${CYCLES} visitors who joined (audio + video 320x240@20), were received and left:\n`)
console.log('| after cycle | hub heap MB | since cycle 1 | of it compiled code MB | heap without code, KB per cycle | hub RSS MB | since cycle 1 | load avg |')
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|')
for (const sample of samples) {
  const heapDelta = ((sample.heapUsedBytes - base.heapUsedBytes) / 1024 / 1024).toFixed(2)
  const rssDelta = ((sample.rssBytes - base.rssBytes) / 1024 / 1024).toFixed(1)
  console.log(`| ${sample.cycle} | ${mb(sample.heapUsedBytes)} | ${heapDelta} | ${mb(sample.codeBytes)} | ${perCycle(sample)} | ${mb(sample.rssBytes)} | ${rssDelta} | ${sample.load.toFixed(2)} |`)
}
