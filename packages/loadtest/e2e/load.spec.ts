// Smoke test of the load generator: the hub in its own process, one room of 2 Node participants for
// ~3 s. It checks that media was delivered and that every column of the table is a finite number, so
// it cannot pass on an empty table or a row of NaNs. It asserts no speed: the figures are the
// benchmark's business (`pnpm --filter @parley/loadtest run load`). Loopback-only namespace required.
import { beforeAll, describe, expect, it } from 'vitest'
import { assertLoopbackOnly } from '@parley/testkit'
import { runLoad } from '../src/run.js'
import { formatTable, rowValues } from '../src/table.js'

describe('load generator against a real hub process', () => {
  beforeAll(() => {
    assertLoopbackOnly()
  })

  it('runs a room of 2 and prints one row of finite figures with media delivered', async () => {
    const result = await runLoad({ sizes: [2], video: { width: 320, height: 240, fps: 20, kbps: 300 }, seconds: 3 })
    console.info(`[loadtest smoke]\n${formatTable(result.rows)}`)
    expect(result.notes).toEqual([])
    expect(result.rows).toHaveLength(1)
    const [row] = result.rows
    expect(row!.size).toBe(2)
    expect(row!.expectedPps).toBeGreaterThan(0)
    expect(row!.forwardedPps).toBeGreaterThan(0)
    expect(row!.deliveryPercent).toBeGreaterThan(0)
    expect(row!.hubCpuPercent).toBeGreaterThan(0)
    const values = rowValues(row!)
    expect(Object.keys(values).length).toBeGreaterThanOrEqual(15)
    for (const [column, value] of Object.entries(values)) expect(Number.isFinite(value), `${column} = ${value}`).toBe(true)
  })
})
