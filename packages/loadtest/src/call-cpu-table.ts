// The call-cpu bench's flags, a page's cost from two metric readings, and its table (pure, tested without a browser).
import { KIND_NAMES, type KindName } from './join-clients.js'

/** Pages in the call: at most 4 Chromium pages sending 640x480 on the 2-core box. */
export const MAX_CALL_SIZE = 4

export interface CallCpuOptions {
  clients: KindName[]
  size: number
  /** The measured window. */
  seconds: number
  /** Between everyone seeing everyone and the window: the publishers' ramp and the first renders are the join's. */
  settleSeconds: number
  rounds: number
}

export function parseCallCpuArgs(argv: readonly string[]): CallCpuOptions {
  const options: CallCpuOptions = { clients: ['parley', 'sdk', 'tutorial'], size: 3, seconds: 15, settleSeconds: 5, rounds: 2 }
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index]
    const raw = argv[index + 1] ?? ''
    const value = Number(raw)
    if (flag === '--') continue
    if (flag === '--size' && Number.isInteger(value) && value >= 2 && value <= MAX_CALL_SIZE) options.size = value
    else if (flag === '--seconds' && Number.isFinite(value) && value > 0) options.seconds = value
    else if (flag === '--settle' && Number.isFinite(value) && value >= 0) options.settleSeconds = value
    else if (flag === '--rounds' && Number.isInteger(value) && value > 0) options.rounds = value
    else if (flag === '--clients' && raw && raw.split(',').every((name) => KIND_NAMES.includes(name as KindName))) options.clients = raw.split(',') as KindName[]
    else throw new Error(`unknown or bad option ${flag} (use --clients ${KIND_NAMES.join(',')} --size 2..${MAX_CALL_SIZE} --seconds S --settle S --rounds N)`)
    index++
  }
  return options
}

/** CDP `Performance.getMetrics`, by name: the durations and times in seconds. */
export type Metrics = Readonly<Record<string, number>>

export interface PageCost {
  /** The renderer process's CPU (all its threads), % of one core. */
  processPercent: number
  /** Its main thread's CPU, % of one core. */
  mainPercent: number
  scriptPercent: number
  styleLayoutPercent: number
  /** Remote videos decoding at the window's end. */
  videosSeen: number
}

export function pageCost(before: Metrics, after: Metrics, videosSeen: number): PageCost {
  const wall = (after.Timestamp ?? 0) - (before.Timestamp ?? 0)
  if (!(wall > 0)) throw new Error('call-cpu: the metrics have no Timestamp to measure the window by')
  const percent = (name: string) => (((after[name] ?? 0) - (before[name] ?? 0)) / wall) * 100
  const missing = ['ProcessTime', 'ThreadTime'].filter((name) => after[name] === undefined)
  if (missing.length > 0) throw new Error(`call-cpu: this Chromium reports no ${missing.join(', ')}`)
  return {
    processPercent: percent('ProcessTime'),
    mainPercent: percent('ThreadTime'),
    scriptPercent: percent('ScriptDuration'),
    styleLayoutPercent: percent('RecalcStyleDuration') + percent('LayoutDuration'),
    videosSeen,
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

export interface CallCpuRow {
  label: string
  runs: readonly { costs: readonly PageCost[]; load: number }[]
}

/** One row per client: medians over every page of every round, with the range of the renderer's figure. */
export function callCpuTable(options: CallCpuOptions, rows: readonly CallCpuRow[]): string {
  const lines = [
    `Calls of ${options.size} pages, ${options.rounds} round(s) each, a ${options.seconds} s window after ${options.settleSeconds} s of settling; median over the pages (% of one core)`,
    '',
    '| client | renderer CPU % (min–max) | main thread % | script % | style + layout % | remote videos seen | load avg |',
    '|:---|---:|---:|---:|---:|---:|---:|',
  ]
  for (const { label, runs } of rows) {
    const costs = runs.flatMap((run) => run.costs)
    if (costs.length === 0) continue
    const of = (pick: (cost: PageCost) => number) => median(costs.map(pick)).toFixed(1)
    const process = costs.map((cost) => cost.processPercent)
    lines.push(`| ${label} | ${of((cost) => cost.processPercent)} (${Math.min(...process).toFixed(1)}–${Math.max(...process).toFixed(1)}) | ${of((cost) => cost.mainPercent)} | ${of((cost) => cost.scriptPercent)} | ${of((cost) => cost.styleLayoutPercent)} | ${Math.min(...costs.map((cost) => cost.videosSeen))}–${Math.max(...costs.map((cost) => cost.videosSeen))} | ${runs.map((run) => run.load.toFixed(2)).join(', ')} |`)
  }
  return lines.join('\n')
}
