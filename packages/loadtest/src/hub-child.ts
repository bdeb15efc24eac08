// The hub under load, in its own process so that its CPU, memory and event loop are measured apart
// from the generator. Forked by hub-process.ts with IPC (see there for the messages). Besides the
// hub it runs only the instruments: process.cpuUsage (all threads of the process), RSS, the event
// loop delay histogram (monitorEventLoopDelay) and the GC pauses (PerformanceObserver 'gc').
import { PerformanceObserver } from 'node:perf_hooks'
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { silentLogger, startHub } from '@parley/hub'
import { createNdcMediaPlane } from '@parley/hub/ndc'
import { createWeriftMediaPlane } from '@parley/hub/werift'
import { createWorkerMediaPlane } from '@parley/hub/workers'
import { startEventLoopMonitor } from './event-loop.js'
import type { HubChildReply, HubChildRequest, HubHeapSample, HubWindowSample } from './hub-protocol.js'

const send = (reply: HubChildReply) => process.send?.(reply)

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

function sample(): HubWindowSample {
  const cpu = process.cpuUsage(windowStart.cpu)
  return {
    cpuMicros: cpu.user + cpu.system,
    wallMs: performance.now() - windowStart.at,
    rssBytes: process.memoryUsage().rss,
    eventLoop: eventLoop.read(),
    gc: { ...gc },
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
    send({ type: 'window.started', id: request.id })
  } else if (request.type === 'window.sample') {
    send({ type: 'window.sample', id: request.id, sample: sample() })
  } else if (request.type === 'heap.sample') {
    send({ type: 'heap.sample', id: request.id, sample: heapSample() })
  } else if (request.type === 'close') {
    void hub.close().finally(() => process.exit(0))
  }
})

send({ type: 'ready', url: hub.url })
