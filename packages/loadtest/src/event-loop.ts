// Event-loop delay as the reader means it: how late a timer runs. Node's monitorEventLoopDelay records
// the whole interval between its timer's runs, which includes the sampling resolution itself (an idle
// loop reads ≈ resolution), so the resolution is subtracted from every figure.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'

const RESOLUTION_MS = 5

export interface EventLoopDelay {
  p50Ms: number
  p99Ms: number
  maxMs: number
}

export interface EventLoopMonitor {
  reset(): void
  read(): EventLoopDelay
  stop(): void
}

export function startEventLoopMonitor(): EventLoopMonitor {
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  histogram.enable()
  const lateness = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - RESOLUTION_MS)
  return {
    reset: () => histogram.reset(),
    read: () => ({ p50Ms: lateness(histogram.percentile(50)), p99Ms: lateness(histogram.percentile(99)), maxMs: lateness(histogram.max) }),
    stop: () => histogram.disable(),
  }
}
