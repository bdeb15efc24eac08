// The API load of the api-load benchmark and its fast case, typed: runs generator.mjs in a worker
// thread (its fetches off the receiving participant's event loop) and summarises what it posts back.
import { Worker } from 'node:worker_threads'

/** `get`: GETs of one room (the cheapest request); `mix`: the generator's MIX against rooms of its own. */
export type ApiLoadShape = 'get' | 'mix'

export interface ApiLoadInput {
  /** The hub's origin; the API is under /v1. */
  base: string
  /** The room the `get` shape reads. */
  roomId?: string
  mix: ApiLoadShape
  /** Requests per second, open loop. */
  rate: number
  durationMs: number
  /** > 0: at most this many keep-alive connections (requests queue for one); 0 or absent: fetch, a connection per request in flight. */
  connections?: number
}

export interface ApiLoadOutput {
  sent: number
  /** ms of each answered request, whatever its status. */
  latencies: number[]
  /** Answered requests by HTTP status. */
  statuses: Record<string, number>
  /** ms of each answered request, by kind of request. */
  byKind: Record<string, number[]>
  /** Requests that failed without an answer (connection refused or reset). */
  failed: number
  /** Requests not answered within the generator's hang bound (10 s). */
  hung: number
}

export function runApiLoad(input: ApiLoadInput): Promise<ApiLoadOutput> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./generator.mjs', import.meta.url), { workerData: input })
    worker.once('message', (output: ApiLoadOutput) => resolve(output))
    worker.once('error', reject)
    worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`API load generator exited with ${code}`))))
  })
}

export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN

/** Counts of answers by class: 2xx, 4xx, 5xx (and anything else under its own status). */
export function statusClasses(statuses: Record<string, number>): Record<string, number> {
  const classes: Record<string, number> = {}
  for (const [status, count] of Object.entries(statuses)) {
    const key = /^[245]\d\d$/.test(status) ? `${status[0]}xx` : status
    classes[key] = (classes[key] ?? 0) + count
  }
  return classes
}
