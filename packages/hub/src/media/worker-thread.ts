// One media worker thread seen from the main thread (worker-plane.ts uses it): starts worker-host.ts
// from the built JavaScript or from the TypeScript source, matches requests to their `call.result`,
// delivers events and `lastReceivedAt` ticks to the peers' mirrors, and reports the thread's death once
// (every pending request rejected) unless it was asked to stop.
import { Worker } from 'node:worker_threads'
import type { Logger } from '../log.js'
import type { FromWorker, MediaWorkerData, PeerEvent, PeerStates, ToWorker } from './worker-protocol.js'

const CLOSE_TIMEOUT_MS = 5_000

/** The worker module and the Node options to run it, from the built JavaScript or from the TypeScript source. */
function workerEntry(): { url: URL; execArgv?: string[] } {
  if (import.meta.url.endsWith('.ts')) {
    // From source (tests, benchmarks): the hub's own TypeScript hooks, workspace packages from source.
    return {
      url: new URL('./worker-host.ts', import.meta.url),
      execArgv: ['--conditions=parley-source', '--import', new URL('../../bench/register-ts.mjs', import.meta.url).href],
    }
  }
  return { url: new URL('./worker-host.js', import.meta.url) }
}

/** What the thread delivers to the main side of one of its peers. */
export interface PeerMirror {
  /** A handler call. */
  received(event: PeerEvent, states: PeerStates): void
  /** The peer's states after a call. */
  statesChanged(states: PeerStates): void
  /** When the peer last received a packet (ms since the epoch). */
  stamp(at: number): void
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; peer?: PeerMirror }

/** One worker thread and the peers on it. */
export class MediaWorker<P extends PeerMirror = PeerMirror> {
  readonly index: number
  readonly peers = new Map<number, P>()
  readonly #worker: Worker
  readonly #pending = new Map<number, Pending>()
  readonly #onDeath: (worker: MediaWorker<P>, why: string) => void
  readonly #log: Logger
  #nextCallId = 1
  #markReady!: () => void
  readonly ready = new Promise<void>((resolve) => (this.#markReady = resolve))
  /** It loaded the plane: a worker that dies before this is not restarted at once (a broken install would spin). */
  started = false
  #dead = false
  #stopping = false
  packetsForwarded = 0

  constructor(index: number, data: MediaWorkerData, log: Logger, onDeath: (worker: MediaWorker<P>, why: string) => void) {
    this.index = index
    this.#log = log
    this.#onDeath = onDeath
    const entry = workerEntry()
    this.#worker = new Worker(entry.url, { workerData: data, ...(entry.execArgv ? { execArgv: entry.execArgv } : {}) })
    this.#worker.on('message', (message: FromWorker) => this.#receive(message))
    this.#worker.on('error', (error) => this.#log('error', 'media worker failed', { worker: index, error }))
    this.#worker.on('exit', (code) => this.#died(`exited with code ${code}`))
  }

  get threadId(): number {
    return this.#worker.threadId
  }

  get dead(): boolean {
    return this.#dead
  }

  post(message: ToWorker): void {
    if (this.#dead) return
    this.#worker.postMessage(message)
  }

  /** Sends a request answered by a `call.result`. */
  request(make: (callId: number) => ToWorker, peer?: PeerMirror): Promise<unknown> {
    if (this.#dead) return Promise.reject(new Error('the media worker stopped'))
    const callId = this.#nextCallId++
    return new Promise((resolve, reject) => {
      this.#pending.set(callId, { resolve, reject, peer })
      this.#worker.postMessage(make(callId))
    })
  }

  /** Closes the worker's plane (bounded), then ends the thread. */
  async stop(): Promise<void> {
    this.#stopping = true
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise((resolve) => {
      timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)
      timer.unref()
    })
    await Promise.race([this.request((callId) => ({ type: 'plane.close', callId })).catch(() => undefined), timeout])
    clearTimeout(timer)
    await this.#worker.terminate()
  }

  #receive(message: FromWorker): void {
    switch (message.type) {
      case 'peer.event':
        try {
          this.peers.get(message.peerId)?.received(message, message.states)
        } catch (error) {
          // A room handler that throws must not reach the worker's message loop (the hub's guard catches it first).
          this.#log('error', 'a media handler threw', { worker: this.index, error })
        }
        return
      case 'call.result': {
        const pending = this.#pending.get(message.callId)
        if (!pending) return
        this.#pending.delete(message.callId)
        if (message.states) pending.peer?.statesChanged(message.states)
        if (message.ok) pending.resolve(message.value)
        else pending.reject(new Error(message.error))
        return
      }
      case 'tick':
        for (const [peerId, at] of message.stamps) this.peers.get(peerId)?.stamp(at)
        this.packetsForwarded = message.packetsForwarded
        return
      case 'log':
        this.#log(message.level, message.msg, { worker: this.index, ...message.fields })
        return
      case 'ready':
        this.started = true
        this.#markReady()
        return
    }
  }

  #died(why: string): void {
    if (this.#dead) return
    this.#dead = true
    this.#markReady()
    for (const pending of this.#pending.values()) pending.reject(new Error(`the media worker stopped (${why})`))
    this.#pending.clear()
    if (!this.#stopping) this.#onDeath(this, why)
  }
}
