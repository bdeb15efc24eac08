// The hub under load, in its own process so that its CPU, memory and event loop are measured apart
// from the generator. Forked by hub-process.ts with IPC (see there for the messages). Besides the
// hub it runs only the instruments: process.cpuUsage (all threads of the process), RSS, the event
// loop delay histogram (monitorEventLoopDelay) and the GC pauses (PerformanceObserver 'gc').
import { PerformanceObserver } from 'node:perf_hooks'
import { silentLogger, startHub } from '@parley/hub'
import { createNdcMediaPlane } from '@parley/hub/ndc'
import { createWeriftMediaPlane } from '@parley/hub/werift'
import { startEventLoopMonitor } from './event-loop.js'
import type { HubChildReply, HubChildRequest, HubWindowSample } from './hub-protocol.js'

const send = (reply: HubChildReply) => process.send?.(reply)

// hub-process.ts sets PARLEY_LOAD_HUB_SEND=werift for the side that forwards through werift's sendRtp,
// =ndc for the node-datachannel plane.
const which = process.env.PARLEY_LOAD_HUB_SEND
const mediaPlane =
  which === 'ndc' ? createNdcMediaPlane({ log: silentLogger }) : createWeriftMediaPlane({ log: silentLogger, fastSend: which !== 'werift' })
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

process.on('message', (request: HubChildRequest) => {
  if (request.type === 'window.start') {
    eventLoop.reset()
    gc = { pauses: 0, totalMs: 0, maxMs: 0 }
    windowStart = { cpu: process.cpuUsage(), at: performance.now() }
    send({ type: 'window.started', id: request.id })
  } else if (request.type === 'window.sample') {
    send({ type: 'window.sample', id: request.id, sample: sample() })
  } else if (request.type === 'close') {
    void hub.close().finally(() => process.exit(0))
  }
})

send({ type: 'ready', url: hub.url })
