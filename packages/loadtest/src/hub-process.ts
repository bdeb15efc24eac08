// Starts the hub as a child process (hub-child.ts, from source through scripts/ts-loader.mjs) and
// reads its measurement windows over IPC.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { HubChildReply, HubChildRequest, HubHeapSample, HubWindowSample, SourceReport } from './hub-protocol.js'

const CHILD = fileURLToPath(new URL('./hub-child.ts', import.meta.url))
const LOADER = fileURLToPath(new URL('../scripts/ts-loader.mjs', import.meta.url))

export interface HubProcess {
  readonly url: string
  readonly pid: number
  /** Resets the hub's CPU, event-loop and GC counters. */
  startWindow(): Promise<void>
  /** What the hub did since startWindow. */
  sampleWindow(): Promise<HubWindowSample>
  /** The hub's heap and RSS after two full GCs in the hub process. */
  heapAfterGc(): Promise<HubHeapSample>
  /** The werift plane's per-track report (hub-protocol.ts); undefined where the hub has none. */
  sources(): Promise<SourceReport[] | undefined>
  close(): Promise<void>
}

/**
 * PARLEY_LOAD_CPU_PROF=<dir>: the hub child writes a V8 CPU profile there when it closes.
 * PARLEY_LOAD_HUB_NODE_FLAGS="--max-semi-space-size=32 ...": more Node/V8 flags for the hub child only.
 */
function hubNodeFlags(): string[] {
  const profile = process.env.PARLEY_LOAD_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PARLEY_LOAD_CPU_PROF}`] : []
  return [...profile, ...(process.env.PARLEY_LOAD_HUB_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean)]
}

/**
 * How the hub child forwards: the werift plane's fast send (default), werift's own sendRtp for every
 * packet, or the node-datachannel plane (`ndc`, packages/hub/src/media/ndc-plane.ts).
 */
export type HubSend = 'fast' | 'werift' | 'ndc'

/** `mediaWorkers`: the hub's --media-workers (0, the default here: the media plane in the hub's main thread). */
/** `hubSource`: another version's hub src directory (--before-hub, hub-source.ts) instead of this checkout's. */
export async function startHubProcess(options: { startTimeoutMs?: number; send?: HubSend; mediaWorkers?: number; hubSource?: string } = {}): Promise<HubProcess> {
  const child: ChildProcess = fork(CHILD, [], {
    execArgv: ['--conditions=parley-source', '--import', LOADER, ...hubNodeFlags()],
    env: {
      ...process.env,
      PARLEY_LOAD_HUB_SEND: options.send ?? 'fast',
      PARLEY_LOAD_HUB_MEDIA_WORKERS: String(options.mediaWorkers ?? 0),
      ...(options.hubSource ? { PARLEY_LOAD_HUB_SRC: options.hubSource } : {}),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const pending = new Map<number, (reply: HubChildReply) => void>()
  let nextId = 1
  let exited = false
  child.on('message', (reply: HubChildReply) => {
    if ('id' in reply) {
      pending.get(reply.id)?.(reply)
      pending.delete(reply.id)
    }
  })

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('hub child: not ready in time')), options.startTimeoutMs ?? 60_000)
    child.on('message', (reply: HubChildReply) => {
      if (reply.type !== 'ready') return
      clearTimeout(timer)
      resolve(reply.url.replace(/\/+$/, ''))
    })
    child.once('exit', (code, signal) => {
      exited = true
      clearTimeout(timer)
      reject(new Error(`hub child exited before ready (code ${code}, signal ${signal})`))
    })
  })

  const ask = (request: Exclude<HubChildRequest, { type: 'close' }>['type']) =>
    new Promise<HubChildReply>((resolve, reject) => {
      if (exited) return reject(new Error('hub child has exited'))
      const id = nextId++
      pending.set(id, resolve)
      child.send({ type: request, id } satisfies HubChildRequest)
    })

  return {
    url,
    pid: child.pid ?? -1,
    async startWindow() {
      await ask('window.start')
    },
    async sampleWindow() {
      const reply = await ask('window.sample')
      if (reply.type !== 'window.sample') throw new Error(`hub child: unexpected reply ${reply.type}`)
      return reply.sample
    },
    async heapAfterGc() {
      const reply = await ask('heap.sample')
      if (reply.type !== 'heap.sample') throw new Error(`hub child: unexpected reply ${reply.type}`)
      return reply.sample
    },
    async sources() {
      const reply = await ask('sources.sample')
      if (reply.type !== 'sources.sample') throw new Error(`hub child: unexpected reply ${reply.type}`)
      return reply.sources
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (exited || child.exitCode !== null) return resolve()
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        child.once('exit', () => {
          clearTimeout(timer)
          resolve()
        })
        child.send({ type: 'close' } satisfies HubChildRequest)
      }),
  }
}
