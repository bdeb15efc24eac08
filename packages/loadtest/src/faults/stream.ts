// Events-stream faults, injected by a TCP proxy between the core and the hub: a reset at the very moment
// the hub writes an event (the chunk is dropped: written by the hub, never received), and a silent stall
// (the proxy stops forwarding and keeps both sockets open). A writer sets `fault.<n>` metadata straight
// on the hub, one event per request; the observer's conference must process every n exactly once.
import { pollUntil, startTcpProxy, type HubProcess, type TcpProxy } from '@parley/testkit'
import { call, createRoom } from './hub.js'
import { FAULT_META_PREFIX, joinObserver, type Observer } from './observer.js'

/** The observer's events stream as the proxy sees its request line. */
const EVENTS_STREAM = /^GET \/v1\/rooms\/[^/]+\/events\//

export interface StreamFigures {
  /** Events the hub acknowledged writing for the observer (setmeta answered 200). */
  written: number
  /** Of those, never processed by the observer's conference. */
  lost: number
  /** Processed more than once. */
  duplicates: number
  /** Per fault: from the fault to every event written before it processed, ms. */
  recoveriesMs: number[]
  /** Stall only: from the stall to the core taking the stream for dead, ms. */
  detectionsMs: number[]
}

interface MetaWriter {
  /** setmeta requests answered 200 so far: values 0..written-1. */
  readonly written: number
  stop(): Promise<void>
}

/** Sets `fault.<n % 50>` = n, one request after another, at most one every `paceMs`. */
function startMetaWriter(baseUrl: string, roomId: string, paceMs = 5): MetaWriter {
  let written = 0
  let running = true
  const loop = (async () => {
    while (running) {
      const answered = await call(baseUrl, 'POST', `/rooms/${roomId}/setmeta`, { [`${FAULT_META_PREFIX}${written % 50}`]: written })
      if (answered.status !== 200) throw new Error(`setmeta: ${answered.status} ${answered.body.message}`)
      written += 1
      await new Promise((resolve) => setTimeout(resolve, paceMs))
    }
  })()
  return {
    get written() {
      return written
    },
    async stop() {
      running = false
      await loop
    },
  }
}

const processedAll = (observer: Observer, upTo: number) => {
  const seen = new Set(observer.metaValues)
  for (let n = 0; n < upTo; n += 1) if (!seen.has(n)) return false
  return true
}

async function withStreamFault(hub: HubProcess, name: string, pingIntervalMs: number | undefined, inject: (context: { proxy: TcpProxy; observer: Observer; writer: MetaWriter }) => Promise<Pick<StreamFigures, 'recoveriesMs' | 'detectionsMs'>>): Promise<StreamFigures> {
  const proxy = await startTcpProxy({ port: hub.port })
  const roomId = await createRoom(hub.url, name)
  const observer = await joinObserver(`${name}-observer`, proxy.url, roomId)
  const writer = startMetaWriter(hub.url, roomId)
  try {
    await pollUntil(() => observer.metaValues.length > 20, { description: 'the first events', timeoutMs: 20_000 })
    const figures = await inject({ proxy, observer, writer })
    await writer.stop()
    const written = writer.written
    await pollUntil(() => processedAll(observer, written), { description: `all ${written} events processed`, timeoutMs: 4 * (pingIntervalMs ?? 5_000) + 20_000 })
    const distinct = new Set(observer.metaValues).size
    return { written, lost: written - distinct, duplicates: observer.metaValues.length - distinct, ...figures }
  } finally {
    await writer.stop().catch(() => undefined)
    observer.close()
    await proxy.close()
  }
}

/** `cuts` resets, each at the moment the hub writes a meta_changed to the observer. */
export function measureStreamResets(hub: HubProcess, cuts = 5): Promise<StreamFigures> {
  return withStreamFault(hub, 'faults-reset', undefined, async ({ proxy, observer, writer }) => {
    const recoveriesMs: number[] = []
    for (let cut = 0; cut < cuts; cut += 1) {
      await proxy.resetOnWrite(EVENTS_STREAM, /\nevent: meta_changed\n/)
      const at = performance.now()
      const writtenBefore = writer.written + 1 // the dropped event may be the one being acknowledged now
      await pollUntil(() => processedAll(observer, writtenBefore), { description: `events up to ${writtenBefore} after cut ${cut + 1}`, timeoutMs: 20_000, intervalMs: 10 })
      recoveriesMs.push(performance.now() - at)
    }
    return { recoveriesMs, detectionsMs: [] }
  })
}

/** `stalls` silent stalls of the observer's stream (the hub pings every `pingIntervalMs`, as started). */
export function measureStreamStalls(hub: HubProcess, pingIntervalMs: number, stalls = 3): Promise<StreamFigures> {
  return withStreamFault(hub, 'faults-stall', pingIntervalMs, async ({ proxy, observer, writer }) => {
    const recoveriesMs: number[] = []
    const detectionsMs: number[] = []
    for (let stall = 0; stall < stalls; stall += 1) {
      const at = performance.now()
      // Only the stream in use is stalled (stall skips pairs stalled before, which the proxy keeps open).
      if (proxy.stall(EVENTS_STREAM) !== 1) throw new Error('expected to stall exactly one events stream')
      const writtenBefore = writer.written + 1
      const detectedAt = await pollUntil(() => observer.streamChecks.find((t) => t > at), { description: 'the dead stream detected', timeoutMs: 4 * pingIntervalMs + 10_000, intervalMs: 10 })
      detectionsMs.push(detectedAt - at)
      await pollUntil(() => processedAll(observer, writtenBefore), { description: `events up to ${writtenBefore} after stall ${stall + 1}`, timeoutMs: 20_000, intervalMs: 10 })
      recoveriesMs.push(performance.now() - at)
    }
    return { recoveriesMs, detectionsMs }
  })
}
