// The hub under load, in its own process so that its CPU, memory and event loop are measured apart
// from the generator. Forked by hub-process.ts with IPC (see there for the messages). Besides the
// hub it runs only the instruments: process.cpuUsage (all threads of the process), RSS, the event
// loop delay histogram (monitorEventLoopDelay) and the GC pauses (PerformanceObserver 'gc').
import { PerformanceObserver } from 'node:perf_hooks'
import { GCProfiler, getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type * as hubHere from '@parley/hub'
import type * as ndcHere from '@parley/hub/ndc'
import type * as weriftHere from '@parley/hub/werift'
import type * as workersHere from '@parley/hub/workers'
import { startEventLoopMonitor } from './event-loop.js'
import { type WindowProfile, startWindowProfile } from './generator-profile.js'
import { importFromHubSource } from './hub-source.js'
import type { HubChildReply, HubChildRequest, HubHeapSample, HubWindowSample, SourceReport } from './hub-protocol.js'

const send = (reply: HubChildReply) => process.send?.(reply)

// PARLEY_LOAD_HUB_SRC=<hub src dir>: another version of the hub (--before-hub, hub-source.ts). Only one
// version is imported: two copies of node-datachannel's native library in one process (this checkout's
// and the other's) left the other version's ndc plane forwarding nothing.
const source = process.env.PARLEY_LOAD_HUB_SRC
const code = source
  ? {
      hub: await importFromHubSource<typeof hubHere>(source, 'index.ts'),
      ndc: await importFromHubSource<typeof ndcHere>(source, 'media/ndc-plane.ts'),
      werift: await importFromHubSource<typeof weriftHere>(source, 'media/werift.ts'),
      workers: await importFromHubSource<typeof workersHere>(source, 'media/worker-plane.ts'),
    }
  : {
      hub: await import('@parley/hub'),
      ndc: await import('@parley/hub/ndc'),
      werift: await import('@parley/hub/werift'),
      workers: await import('@parley/hub/workers'),
    }
const { silentLogger, startHub } = code.hub
const { createNdcMediaPlane } = code.ndc
const { createWeriftMediaPlane } = code.werift
const { createWorkerMediaPlane } = code.workers

// hub-process.ts sets PARLEY_LOAD_HUB_SEND=werift for the side that forwards through werift's sendRtp,
// =ndc for the node-datachannel plane.
const which = process.env.PARLEY_LOAD_HUB_SEND
const fastSend = which !== 'werift'
// PARLEY_LOAD_HUB_MEDIA_WORKERS=n (n > 0): the werift plane in n worker threads, as the hub's --media-workers n.
const workers = Number(process.env.PARLEY_LOAD_HUB_MEDIA_WORKERS ?? '0')
const workerPlane = which !== 'ndc' && workers > 0 ? createWorkerMediaPlane({ workers, log: silentLogger, fastSend }) : undefined
// The idle baseline must not include the workers' start.
await workerPlane?.ready()
const mediaPlane = which === 'ndc' ? createNdcMediaPlane({ log: silentLogger }) : (workerPlane ?? createWeriftMediaPlane({ log: silentLogger, fastSend }))
const hub = await startHub({ host: '127.0.0.1', port: 0, quiet: true, mediaPlane })
const eventLoop = startEventLoopMonitor()

let gc = { pauses: 0, totalMs: 0, maxMs: 0 }
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.pauses += 1
    gc.totalMs += entry.duration
    gc.maxMs = Math.max(gc.maxMs, entry.duration)
  }
}).observe({ entryTypes: ['gc'] })

let windowStart = { cpu: process.cpuUsage(), at: performance.now() }

// PARLEY_LOAD_ALLOC_PROF=1: bytes allocated on the JS heap over the window = what each GC freed plus
// the heap's growth (v8.GCProfiler's before/after figures per GC). Buffer backing stores outside the
// heap are not in it.
const allocProfile = process.env.PARLEY_LOAD_ALLOC_PROF === '1'
let gcProfiler: GCProfiler | undefined
let heapAtStart = 0
function startAllocations(): void {
  if (!allocProfile) return
  gcProfiler?.stop()
  gcProfiler = new GCProfiler()
  heapAtStart = getHeapStatistics().used_heap_size
  gcProfiler.start()
}
function allocatedBytes(): number | undefined {
  if (!gcProfiler) return undefined
  const result = gcProfiler.stop()
  gcProfiler = undefined
  let freed = 0
  for (const entry of result?.statistics ?? []) freed += Math.max(0, entry.beforeGC.heapStatistics.usedHeapSize - entry.afterGC.heapStatistics.usedHeapSize)
  return freed + getHeapStatistics().used_heap_size - heapAtStart
}

// PARLEY_LOAD_HUB_WINDOW_PROF=<dir>: a V8 CPU profile of the hub's main thread over each window only
// (hub-<pid>-N-*.cpuprofile, N counting the windows from 1, the idle one first); PARLEY_LOAD_CPU_PROF has the joins too.
// PARLEY_LOAD_HUB_WINDOW_HEAP_PROF=<dir>: a sampling heap profile over each window instead (what it allocated).
const windowHeapProfile = process.env.PARLEY_LOAD_HUB_WINDOW_HEAP_PROF
const windowProfileDir = windowHeapProfile ?? process.env.PARLEY_LOAD_HUB_WINDOW_PROF
let windowProfile: WindowProfile | undefined
let windowCount = 0

function sample(): HubWindowSample {
  const cpu = process.cpuUsage(windowStart.cpu)
  return {
    cpuMicros: cpu.user + cpu.system,
    wallMs: performance.now() - windowStart.at,
    rssBytes: process.memoryUsage().rss,
    eventLoop: eventLoop.read(),
    gc: { ...gc },
    allocatedBytes: allocatedBytes(),
  }
}

// A full GC on request, for the heap after churn (heap.sample): what the hub still holds, not what it
// has not collected yet.
setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

function heapSample(): HubHeapSample {
  collectGarbage()
  collectGarbage()
  const memory = process.memoryUsage()
  const codeBytes = getHeapSpaceStatistics()
    .filter((space) => space.space_name.startsWith('code_'))
    .reduce((sum, space) => sum + space.space_used_size, 0)
  return { heapUsedBytes: memory.heapUsed, codeBytes, rssBytes: memory.rss }
}

process.on('message', (request: HubChildRequest) => {
  if (request.type === 'window.start') {
    eventLoop.reset()
    gc = { pauses: 0, totalMs: 0, maxMs: 0 }
    windowStart = { cpu: process.cpuUsage(), at: performance.now() }
    startAllocations()
    void (async () => {
      if (windowProfileDir) {
        await windowProfile?.stop(String(windowCount))
        windowProfile = await startWindowProfile(windowProfileDir, `hub-${process.pid}`, windowHeapProfile ? 'heap' : 'cpu')
        windowCount += 1
      }
      send({ type: 'window.started', id: request.id })
    })()
  } else if (request.type === 'window.sample') {
    const reply = sample()
    void (async () => {
      await windowProfile?.stop(String(windowCount))
      windowProfile = undefined
      send({ type: 'window.sample', id: request.id, sample: reply })
    })()
  } else if (request.type === 'heap.sample') {
    send({ type: 'heap.sample', id: request.id, sample: heapSample() })
  } else if (request.type === 'sources.sample') {
    // The werift plane in this thread only (not the ndc plane, nor workers; an older hub may lack it).
    const report = 'sources' in mediaPlane && typeof mediaPlane.sources === 'function' ? (mediaPlane.sources as () => SourceReport[])() : undefined
    send({ type: 'sources.sample', id: request.id, sources: report })
  } else if (request.type === 'close') {
    void hub.close().finally(() => process.exit(0))
  }
})

send({ type: 'ready', url: hub.url })
