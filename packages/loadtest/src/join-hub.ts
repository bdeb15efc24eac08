// The hub a join trial runs against: the bench's own (in this process, `startTestHub`) or one in a child
// process (join-hub-child.ts, `--compare-hub-nice`). The trial needs its URL, its join-trace lines, and when
// its room has emptied.
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { TestHub } from '@parley/hub/testing'
import type { JoinHubAsk, JoinHubReply } from './join-hub-child.js'
import type { HubEntry } from './join-hub-trace.js'
import { type ThreadSched, threadSched } from './thread-sched.js'

export interface JoinHub {
  readonly url: string
  /** Clients still in the room (0 once it is gone). */
  clientCount(roomId: string): Promise<number>
  /** Resolves once every trace line the hub logged before has reached `entries`. */
  flush(): Promise<void>
  /** The hub's main thread (API, event streams, room logic) so far: on a core and waiting for one. */
  sched(): Promise<ThreadSched | undefined>
  close(): Promise<void>
}

/** The bench's own hub: its trace lines go straight to the entries it was started with. */
export function inProcessHub(testHub: TestHub): JoinHub {
  return {
    url: testHub.url,
    clientCount: async (roomId) => {
      try {
        return testHub.hub.room(roomId).clientIds.length
      } catch {
        return 0 // the room is gone
      }
    },
    flush: async () => undefined,
    sched: async () => threadSched(),
    close: () => testHub.close(),
  }
}

const CHILD = fileURLToPath(new URL('./join-hub-child.ts', import.meta.url))
const LOADER = fileURLToPath(new URL('../scripts/ts-loader.mjs', import.meta.url))

/** A hub of this checkout in its own process, its main thread at `nice` (undefined: as started), its trace lines pushed into `entries`. */
export async function startJoinHubProcess(options: { staticDir: string; entries: HubEntry[]; nice?: number; mediaWorkers?: number }): Promise<JoinHub> {
  const child = fork(CHILD, [], {
    execArgv: ['--conditions=parley-source', '--import', LOADER],
    env: {
      ...process.env,
      PARLEY_JOIN_HUB_STATIC: options.staticDir,
      PARLEY_JOIN_HUB_MEDIA_WORKERS: String(options.mediaWorkers ?? 1),
      ...(options.nice === undefined ? {} : { PARLEY_JOIN_HUB_NICE: String(options.nice) }),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const pending = new Map<number, (reply: JoinHubReply) => void>()
  let nextId = 1
  child.on('message', (reply: JoinHubReply) => {
    if (reply.type === 'entry') options.entries.push(reply.entry)
    else if ('id' in reply) {
      pending.get(reply.id)?.(reply)
      pending.delete(reply.id)
    }
  })
  const ask = (request: JoinHubAsk): Promise<JoinHubReply> =>
    new Promise((resolve, reject) => {
      if (!child.connected) return reject(new Error('the join hub process has ended'))
      const id = nextId++
      pending.set(id, resolve)
      child.send({ ...request, id })
    })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('join hub process: not ready in 60 s')), 60_000)
    child.on('message', (reply: JoinHubReply) => {
      if (reply.type !== 'ready') return
      clearTimeout(timer)
      resolve(reply.url.replace(/\/+$/, ''))
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`join hub process exited (code ${code}, signal ${signal})`))
    })
  })
  return {
    url,
    clientCount: async (roomId) => {
      const reply = await ask({ type: 'clients', roomId })
      return reply.type === 'clients' ? reply.count : 0
    },
    flush: async () => {
      await ask({ type: 'flush' })
    },
    sched: async () => {
      const reply = await ask({ type: 'sched' })
      return reply.type === 'sched' ? reply.sched : undefined
    },
    close: async () => {
      if (!child.connected) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      await ask({ type: 'close' }).catch(() => undefined)
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}
