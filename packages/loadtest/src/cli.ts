// `pnpm --filter @parley/loadtest run load -- --sizes 2,4,8 --resolution 320x240 --fps 20 --seconds 10`
// Prints one table (Markdown) on stdout; progress on stderr. Refuses to run outside a loopback-only
// network namespace.
import { cpus, loadavg } from 'node:os'
import { assertLoopbackOnly } from '@parley/testkit'
import { parseCliArgs, USAGE } from './args.js'
import { hubSourceDir } from './hub-source.js'
import { runLoad } from './run.js'
import { fittedMicrosPerPacket, formatTable, rowsOf } from './table.js'

const options = parseCliArgs(process.argv.slice(2))
if (options.help) {
  console.log(USAGE)
  process.exit(0)
}
assertLoopbackOnly()

const { video } = options
const loadBefore = loadavg()[0]!.toFixed(2)
const sends = options.compare ? (['werift', 'fast'] as const) : options.comparePlanes ? (['fast', 'ndc'] as const) : options.mediaPlane === 'ndc' ? (['ndc'] as const) : undefined
const mediaWorkers = options.mediaWorkers
const beforeHub = options.beforeHub === undefined ? undefined : hubSourceDir(options.beforeHub)
const result = await runLoad({ ...options, sends, mediaWorkers, beforeHub, log: (line) => console.error(`[load] ${line}`) })
const labels: readonly (string | undefined)[] = mediaWorkers ? mediaWorkers.map((count) => `workers ${count}`) : beforeHub ? ['before', 'after'] : sends && sends.length > 1 ? sends : [undefined]
console.log(
  `\nParley hub load: ${video.width}x${video.height}@${video.fps} video ${video.kbps} kbit/s + opus 32 kbit/s; ` +
    `${result.publisherPps.toFixed(1)} pkt/s per publisher, so a room of N forwards ≈ N·(N−1)·${result.publisherPps.toFixed(1)}; ` +
    `${options.rooms > 1 ? `${options.rooms} rooms of N at once (each row sums them); ` : ''}` +
    `${options.seconds} s per size; ${cpus().length} cores; load average ${loadBefore} before the run\n`,
)
console.log(formatTable(result.rows, mediaWorkers ? 'hub' : 'send'))
for (const send of labels) {
  const fitted = fittedMicrosPerPacket(rowsOf(result.rows, send))
  const plane = options.mediaPlane === 'ndc' ? ', node-datachannel plane' : ''
  const which = mediaWorkers || beforeHub ? (send ? ` (${send}${plane})` : '') : send === 'ndc' ? ' (node-datachannel plane)' : send ? ` (${send} send)` : plane ? ` (${plane.slice(2)})` : ''
  if (fitted !== undefined) console.log(`\nHub CPU per forwarded packet${which}, least-squares slope over the rows with ≥ 99 % delivery: ${fitted.toFixed(1)} µs`)
}
for (const note of result.notes) console.log(`\n- ${note}`)
