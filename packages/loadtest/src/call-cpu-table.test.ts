import { describe, expect, it } from 'vitest'
import { callCpuTable, pageCost, parseCallCpuArgs } from './call-cpu-table.js'

describe('parseCallCpuArgs', () => {
  it('defaults to a call of three pages of each client, two rounds', () => {
    expect(parseCallCpuArgs([])).toEqual({ clients: ['parley', 'sdk', 'tutorial'], size: 3, seconds: 15, settleSeconds: 5, rounds: 2 })
  })

  it('reads its flags, after the `--` npm passes on', () => {
    expect(parseCallCpuArgs(['--', '--clients', 'parley,sdk', '--size', '4', '--seconds', '20', '--settle', '0', '--rounds', '3'])).toEqual({ clients: ['parley', 'sdk'], size: 4, seconds: 20, settleSeconds: 0, rounds: 3 })
  })

  it('refuses a call larger than the box holds at 640x480, and an unknown client', () => {
    expect(() => parseCallCpuArgs(['--size', '5'])).toThrow(/--size 2\.\.4/)
    expect(() => parseCallCpuArgs(['--clients', 'parley,jitsi'])).toThrow(/unknown or bad option --clients/)
  })
})

describe('pageCost', () => {
  it('gives each time as a share of one core over the window', () => {
    const before = { Timestamp: 100, ProcessTime: 2, ThreadTime: 1, ScriptDuration: 0.5, RecalcStyleDuration: 0.1, LayoutDuration: 0.1 }
    const after = { Timestamp: 110, ProcessTime: 4.5, ThreadTime: 1.2, ScriptDuration: 0.55, RecalcStyleDuration: 0.12, LayoutDuration: 0.13 }
    const cost = pageCost(before, after, 2)
    expect(cost.processPercent).toBeCloseTo(25)
    expect(cost.mainPercent).toBeCloseTo(2)
    expect(cost.scriptPercent).toBeCloseTo(0.5)
    expect(cost.styleLayoutPercent).toBeCloseTo(0.5)
    expect(cost.videosSeen).toBe(2)
  })

  it('says so when the browser reports no process or thread time, instead of printing zeros', () => {
    expect(() => pageCost({ Timestamp: 1 }, { Timestamp: 2 }, 2)).toThrow(/no ProcessTime, ThreadTime/)
  })
})

describe('callCpuTable', () => {
  it('prints the median over every page of every round, the renderer range and each round’s load', () => {
    const page = (processPercent: number, mainPercent: number) => ({ processPercent, mainPercent, scriptPercent: 0.4, styleLayoutPercent: 0, videosSeen: 2 })
    const table = callCpuTable(parseCallCpuArgs([]), [
      { label: 'Parley web app', runs: [{ costs: [page(20, 2), page(30, 3)], load: 4 }, { costs: [page(24, 1)], load: 5.5 }] },
      { label: 'tutorial client', runs: [] },
    ])
    expect(table).toContain('| Parley web app | 24.0 (20.0–30.0) | 2.0 | 0.4 | 0.0 | 2–2 | 4.00, 5.50 |')
    expect(table).not.toContain('tutorial client')
  })
})
