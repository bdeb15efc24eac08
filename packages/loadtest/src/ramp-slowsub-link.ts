// What the slow subscriber's rate class does second by second (`--trace`, slow-subscriber link): tc's
// counters of its queue (`40:`) read every QUEUE_POLL_MS, summed per second: what passed (kbit/s on the wire,
// packets), what the full queue dropped, and the deepest backlog seen. Found with it (stop 34): whether the
// hub offers more than the link's rate on the lowest simulcast layer, or the queue drops at a rate under it.
import { execFile } from 'node:child_process'
import { parseQdiscCounters, type QdiscCounters } from '@parley/testkit'

/** How often the queue's counters are read (asynchronously: the hub shares this process). */
export const QUEUE_POLL_MS = 50

/** One second of the queue: passed kbit/s and packets, dropped packets, and the deepest backlog read. */
export interface QueueSecond {
  kbps: number
  packets: number
  dropped: number
  maxBacklog: number
}

/** Sums readings into seconds: `second()` closes the current one. */
export class QueueSeconds {
  #first: QdiscCounters | undefined
  #last: QdiscCounters | undefined
  #maxBacklog = 0

  add(reading: QdiscCounters): void {
    this.#first ??= reading
    this.#last = reading
    this.#maxBacklog = Math.max(this.#maxBacklog, reading.backlogPackets)
  }

  second(seconds: number): QueueSecond | undefined {
    const [first, last] = [this.#first, this.#last]
    if (!first || !last) return undefined
    const result = {
      kbps: Math.round(((last.sentBytes - first.sentBytes) * 8) / seconds / 1000),
      packets: last.sentPackets - first.sentPackets,
      dropped: last.dropped - first.dropped,
      maxBacklog: this.#maxBacklog,
    }
    this.#first = last
    this.#maxBacklog = last.backlogPackets
    return result
  }
}

/** Reads the slow queue every QUEUE_POLL_MS until stopped; `second()` gives the last second's sums. */
export function watchSlowQueue(handle = '40'): { second(seconds: number): QueueSecond | undefined; stop(): void } {
  const seconds = new QueueSeconds()
  // Asynchronous: the hub runs in this process, and a synchronous tc every 50 ms would stall its loop.
  let reading = false
  const read = () => {
    if (reading) return
    reading = true
    execFile('tc', ['-s', 'qdisc', 'show', 'dev', 'lo'], { encoding: 'utf8' }, (error, stdout) => {
      reading = false
      const counters = error ? undefined : parseQdiscCounters(stdout).get(handle)
      if (counters) seconds.add(counters)
    })
  }
  read()
  const timer = setInterval(read, QUEUE_POLL_MS) // the bench's own sampling, not the hub's
  return { second: (s) => seconds.second(s), stop: () => clearInterval(timer) }
}
