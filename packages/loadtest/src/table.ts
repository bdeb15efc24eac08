// The figures of one room size and the one table a run prints. Pure: run.ts measures, this computes.
import type { HubWindowSample } from './hub-protocol.js'

/** What was counted over one measurement window of a room of `size`. */
export interface WindowCounts {
  size: number
  seconds: number
  /** Σ over subscribers of the packets the other N−1 publishers sent in the window. */
  expectedPackets: number
  /** Packets publishers resent on the hub's NACKs (the hub lost the original on its way in). */
  retransmittedPackets: number
  /** Σ over subscribers of the RTP packets that reached them in the window. */
  receivedPackets: number
  freezes: number
  longestGapMs: number
  hub: HubWindowSample
  /** The generator's own CPU (all its participants) and event-loop p99 over the window. */
  generatorCpuMicros: number
  generatorEventLoopP99Ms: number
  /** Datagrams the kernel dropped at the generator's sockets (receive buffer full) over the window and its drain. */
  generatorDrops: number
  /** os.loadavg()[0] at the end of the window. */
  loadAverage: number
}

export interface Row {
  /** Which hub (in a `--compare` or `--media-workers` run): werift's sendRtp or the fast send, or `workers <n>`. */
  send?: string
  size: number
  expectedPps: number
  /** Packets the hub forwarded that reached a subscriber, per second. */
  forwardedPps: number
  deliveryPercent: number
  /** Publisher retransmissions on the hub's NACKs, per second. */
  retransmittedPps: number
  hubCpuPercent: number
  /** Hub CPU per forwarded packet, averaged over everything the hub did in the window. */
  microsPerPacket: number
  /** Extra hub CPU per extra forwarded packet against the previous row (or the idle hub for the first). */
  marginalMicrosPerPacket: number
  rssMb: number
  eventLoopP50Ms: number
  eventLoopP99Ms: number
  eventLoopMaxMs: number
  gcMaxMs: number
  freezes: number
  longestGapMs: number
  generatorCpuPercent: number
  /** Generator CPU per packet its subscribers received (its publishers' sending included). */
  generatorMicrosPerPacket: number
  generatorEventLoopP99Ms: number
  generatorDrops: number
  loadAverage: number
}

/** The rows of one hub of a `--compare` run (all rows when there is one hub). */
export function rowsOf(rows: readonly Row[], send: string | undefined): Row[] {
  return rows.filter((row) => row.send === send)
}

/** The idle hub's CPU use (µs of CPU per second of wall time), the origin of the first marginal figure. */
export interface Baseline {
  cpuMicrosPerSecond: number
}

export function toRow(counts: WindowCounts, previous: Row | Baseline): Row {
  const wallSeconds = counts.hub.wallMs / 1000
  const forwardedPps = counts.receivedPackets / counts.seconds
  const cpuMicrosPerSecond = counts.hub.cpuMicros / wallSeconds
  const [previousCpu, previousPps] =
    'size' in previous ? [(previous.hubCpuPercent / 100) * 1e6, previous.forwardedPps] : [previous.cpuMicrosPerSecond, 0]
  return {
    size: counts.size,
    expectedPps: counts.expectedPackets / counts.seconds,
    forwardedPps,
    deliveryPercent: counts.expectedPackets > 0 ? (100 * counts.receivedPackets) / counts.expectedPackets : 0,
    retransmittedPps: counts.retransmittedPackets / counts.seconds,
    hubCpuPercent: cpuMicrosPerSecond / 1e4,
    microsPerPacket: forwardedPps > 0 ? cpuMicrosPerSecond / forwardedPps : Number.POSITIVE_INFINITY,
    marginalMicrosPerPacket: forwardedPps !== previousPps ? (cpuMicrosPerSecond - previousCpu) / (forwardedPps - previousPps) : Number.NaN,
    rssMb: counts.hub.rssBytes / 2 ** 20,
    eventLoopP50Ms: counts.hub.eventLoop.p50Ms,
    eventLoopP99Ms: counts.hub.eventLoop.p99Ms,
    eventLoopMaxMs: counts.hub.eventLoop.maxMs,
    gcMaxMs: counts.hub.gc.maxMs,
    freezes: counts.freezes,
    longestGapMs: counts.longestGapMs,
    generatorCpuPercent: counts.generatorCpuMicros / counts.seconds / 1e4,
    generatorMicrosPerPacket: counts.receivedPackets > 0 ? counts.generatorCpuMicros / counts.receivedPackets : Number.POSITIVE_INFINITY,
    generatorEventLoopP99Ms: counts.generatorEventLoopP99Ms,
    generatorDrops: counts.generatorDrops,
    loadAverage: counts.loadAverage,
  }
}

/**
 * When the hub has given up: it burns every core it can use (`cores`: 1, or one per media worker), or a
 * quarter of the packets are lost, or its loop stalls for a second.
 */
export function hubCollapsed(row: Row, cores = 1): boolean {
  return row.hubCpuPercent >= 98 * cores || row.deliveryPercent < 75 || row.eventLoopP99Ms >= 1000
}

/**
 * µs of hub CPU per extra forwarded packet as the least-squares slope over the rows that delivered at
 * least 99 % (a collapsing hub's figures are not a per-packet cost). Undefined with fewer than 2 such rows.
 */
export function fittedMicrosPerPacket(rows: readonly Row[]): number | undefined {
  const points = rows.filter((row) => row.deliveryPercent >= 99).map((row) => [row.forwardedPps, row.hubCpuPercent * 1e4] as const)
  if (points.length < 2) return undefined
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / points.length
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0)
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0)
  return variance > 0 ? covariance / variance : undefined
}

const COLUMNS: { title: string; value: (row: Row) => number; digits: number }[] = [
  { title: 'N', value: (r) => r.size, digits: 0 },
  { title: 'expected pkt/s', value: (r) => r.expectedPps, digits: 0 },
  { title: 'forwarded pkt/s', value: (r) => r.forwardedPps, digits: 0 },
  { title: 'delivery %', value: (r) => r.deliveryPercent, digits: 2 },
  { title: 'resent pkt/s', value: (r) => r.retransmittedPps, digits: 1 },
  { title: 'hub CPU %', value: (r) => r.hubCpuPercent, digits: 1 },
  { title: 'µs/pkt avg', value: (r) => r.microsPerPacket, digits: 1 },
  { title: 'µs/pkt marginal', value: (r) => r.marginalMicrosPerPacket, digits: 1 },
  { title: 'hub RSS MB', value: (r) => r.rssMb, digits: 0 },
  { title: 'loop p50 ms', value: (r) => r.eventLoopP50Ms, digits: 1 },
  { title: 'loop p99 ms', value: (r) => r.eventLoopP99Ms, digits: 1 },
  { title: 'loop max ms', value: (r) => r.eventLoopMaxMs, digits: 0 },
  { title: 'GC max ms', value: (r) => r.gcMaxMs, digits: 1 },
  { title: 'freezes', value: (r) => r.freezes, digits: 0 },
  { title: 'longest video gap ms', value: (r) => r.longestGapMs, digits: 0 },
  { title: 'gen CPU %', value: (r) => r.generatorCpuPercent, digits: 1 },
  { title: 'gen µs/pkt', value: (r) => r.generatorMicrosPerPacket, digits: 1 },
  { title: 'gen loop p99 ms', value: (r) => r.generatorEventLoopP99Ms, digits: 1 },
  { title: 'gen drops', value: (r) => r.generatorDrops, digits: 0 },
  { title: 'load avg', value: (r) => r.loadAverage, digits: 2 },
]

/** Every column of a row as a number, by title (what the smoke test checks is finite). */
export function rowValues(row: Row): Record<string, number> {
  return Object.fromEntries(COLUMNS.map((column) => [column.title, column.value(row)]))
}

/** The table as a Markdown pipe table (with a first column, titled `labelTitle`, naming the hub when rows carry one). */
export function formatTable(rows: readonly Row[], labelTitle = 'send'): string {
  const labelled = rows.some((row) => row.send !== undefined)
  const lines = [
    `| ${labelled ? `${labelTitle} | ` : ''}${COLUMNS.map((c) => c.title).join(' | ')} |`,
    `|${labelled ? ':---|' : ''}${COLUMNS.map(() => '---:').join('|')}|`,
    ...rows.map((row) => `| ${labelled ? `${row.send ?? ''} | ` : ''}${COLUMNS.map((c) => formatNumber(c.value(row), c.digits)).join(' | ')} |`),
  ]
  return lines.join('\n')
}

function formatNumber(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value)
}
