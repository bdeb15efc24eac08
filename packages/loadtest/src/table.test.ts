import { describe, expect, it } from 'vitest'
import { fittedMicrosPerPacket, formatTable, hubCollapsed, rowsOf, rowValues, toRow, type WindowCounts } from './table.js'

function counts(overrides: Partial<WindowCounts> = {}): WindowCounts {
  return {
    size: 4,
    seconds: 10,
    expectedPackets: 10_000,
    receivedPackets: 9_900,
    retransmittedPackets: 0,
    freezes: 0,
    longestGapMs: 60,
    hub: { cpuMicros: 2_000_000, wallMs: 10_000, rssBytes: 200 * 2 ** 20, eventLoop: { p50Ms: 0.1, p99Ms: 4, maxMs: 12 }, gc: { pauses: 3, totalMs: 6, maxMs: 3 } },
    generatorCpuMicros: 1_000_000,
    generatorEventLoopP99Ms: 2,
    generatorDrops: 0,
    loadAverage: 1.5,
    ...overrides,
  }
}

describe('toRow', () => {
  it('derives rates, CPU share, µs per forwarded packet and delivery', () => {
    const row = toRow(counts(), { cpuMicrosPerSecond: 10_000 })
    expect(row.expectedPps).toBe(1_000)
    expect(row.forwardedPps).toBe(990)
    expect(row.deliveryPercent).toBeCloseTo(99, 6)
    expect(row.hubCpuPercent).toBeCloseTo(20, 6)
    expect(row.microsPerPacket).toBeCloseTo(200_000 / 990, 6)
    // Against the idle hub (1 % of a core at 0 packets/s).
    expect(row.marginalMicrosPerPacket).toBeCloseTo((200_000 - 10_000) / 990, 6)
    expect(row.rssMb).toBe(200)
    expect(row.generatorCpuPercent).toBeCloseTo(10, 6)
    expect(row.generatorMicrosPerPacket).toBeCloseTo(1_000_000 / 9_900, 6)
  })

  it('takes the marginal cost as the slope against the previous size', () => {
    const small = toRow(counts(), { cpuMicrosPerSecond: 0 })
    const large = toRow(counts({ size: 8, receivedPackets: 49_500, expectedPackets: 50_000, hub: { ...counts().hub, cpuMicros: 4_000_000 } }), small)
    // 20 % → 40 % of a core for 990 → 4950 packets/s.
    expect(large.marginalMicrosPerPacket).toBeCloseTo(200_000 / 3_960, 6)
  })
})

describe('hubCollapsed', () => {
  it('is true when the hub burns a core, loses a quarter of the packets or stalls a second', () => {
    const base = counts()
    expect(hubCollapsed(toRow(base, { cpuMicrosPerSecond: 0 }))).toBe(false)
    expect(hubCollapsed(toRow(counts({ hub: { ...base.hub, cpuMicros: 9_900_000 } }), { cpuMicrosPerSecond: 0 }))).toBe(true)
    expect(hubCollapsed(toRow(counts({ receivedPackets: 7_000 }), { cpuMicrosPerSecond: 0 }))).toBe(true)
    expect(hubCollapsed(toRow(counts({ hub: { ...base.hub, eventLoop: { p50Ms: 1, p99Ms: 1_200, maxMs: 2_000 } } }), { cpuMicrosPerSecond: 0 }))).toBe(true)
  })
})

describe('formatTable', () => {
  it('prints a header and one line per row with every column', () => {
    const row = toRow(counts(), { cpuMicrosPerSecond: 0 })
    const lines = formatTable([row]).split('\n')
    const columns = Object.keys(rowValues(row))
    expect(lines).toHaveLength(3)
    expect(lines[0]).toBe(`| ${columns.join(' | ')} |`)
    expect(lines[2]!.split('|').slice(1, -1).map((cell) => cell.trim())).toHaveLength(columns.length)
    expect(lines[2]).toContain('| 99.00 |')
  })

  it('names the hub of each row in a first column when rows carry one (a --compare run)', () => {
    const row = toRow(counts(), { cpuMicrosPerSecond: 0 })
    const lines = formatTable([{ ...row, send: 'werift' }, { ...row, send: 'fast' }]).split('\n')
    expect(lines[0]!.startsWith('| send | N |')).toBe(true)
    expect(lines[2]!.startsWith('| werift | ')).toBe(true)
    expect(lines[3]!.startsWith('| fast | ')).toBe(true)
    expect(rowsOf([{ ...row, send: 'werift' }, { ...row, send: 'fast' }], 'fast')).toHaveLength(1)
  })

  it('titles that column as asked (a --media-workers run: hub)', () => {
    const row = toRow(counts(), { cpuMicrosPerSecond: 0 })
    expect(formatTable([{ ...row, send: 'workers 2' }], 'hub').split('\n')[0]!.startsWith('| hub | N |')).toBe(true)
  })
})

describe('hubCollapsed with media workers', () => {
  it('takes 98 % of every core the hub can use as the CPU limit', () => {
    const row = toRow(counts({ hub: { ...counts().hub, cpuMicros: 15_000_000 } }), { cpuMicrosPerSecond: 0 })
    expect(row.hubCpuPercent).toBe(150)
    expect(hubCollapsed(row)).toBe(true)
    expect(hubCollapsed(row, 2)).toBe(false)
  })
})

describe('fittedMicrosPerPacket', () => {
  it('is the least-squares slope of hub CPU over forwarded packets, leaving out rows below 99 % delivery', () => {
    const at = (size: number, pps: number, cpuPercent: number, delivered = pps) =>
      toRow(
        counts({ size, seconds: 1, receivedPackets: delivered, expectedPackets: pps, hub: { ...counts().hub, wallMs: 1000, cpuMicros: cpuPercent * 1e4 } }),
        { cpuMicrosPerSecond: 0 },
      )
    // 10 % fixed + 40 µs per packet, then a collapsing row that must not pull the slope.
    const rows = [at(2, 1000, 14), at(4, 5000, 30), at(8, 10_000, 50), at(16, 20_000, 100, 15_000)]
    expect(fittedMicrosPerPacket(rows)).toBeCloseTo(40, 6)
    expect(fittedMicrosPerPacket(rows.slice(0, 1))).toBeUndefined()
  })
})
