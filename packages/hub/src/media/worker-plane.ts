// The media plane spread over worker threads: each room is placed on one worker (worker-placement.ts)
// and all its peers live there, in the werift plane that worker runs (worker-host.ts), so one room's
// forwarding never waits on another's, nor on the HTTP API and the event streams, which stay on the
// main thread with the room logic. This side is a `MediaPlane` whose peers mirror the worker's:
//   - calls and commands become messages (worker-protocol.ts); a call's result carries the peer's
//     states after it, so `signalingState` reads right as soon as the call resolves;
//   - handler calls arrive as messages, hence always later than the call that caused them;
//   - `lastReceivedAt` comes in a batch every `receivedIntervalMs` (100 ms), against the liveness
//     rules' 1.5 s and more (liveness.ts), so it reads at most ~100 ms older than the worker's value;
//   - a worker that dies closes its peers (`onConnectionStateChange('closed')`: the hub removes those
//     clients, who may join again) and is replaced; the other workers' rooms go on.
// The workers' werift planes run on the system clock (Date.now(), the same time base as the main
// thread's), so this plane is for a hub on the system clock; tests with a fake clock use the
// in-process plane.
import type { Answer, Bitrates, IceCandidate, Offer } from '@parley/protocol'
import type { Logger } from '../log.js'
import type { HubOffer, IceConfig, MediaPeer, MediaPeerHandlers, MediaPlane, PeerConnectionState, PublishedTrack, SignalingState } from './types.js'
import { RoomPlacement } from './worker-placement.js'
import type { MediaWorkerData, PeerCallName, PeerCalls, PeerCommand, PeerEvent, PeerStates, ToWorker } from './worker-protocol.js'
import { MediaWorker, type PeerMirror } from './worker-thread.js'
import { MEDIA_WORKER_NICE } from './thread-priority.js'

/** A worker that died before it was ready is started again after this. */
const RESTART_AFTER_FAILED_START_MS = 1_000

export interface WorkerMediaPlaneOptions {
  /** Worker threads (≥ 1). */
  workers: number
  ice?: Partial<IceConfig>
  log?: Logger
  /** The werift plane's fast send in the workers (werift.ts). Default true. */
  fastSend?: boolean
  /** How often each worker reports its peers' `lastReceivedAt` and its forwarded-packet count. Default 100 ms. */
  receivedIntervalMs?: number
  /** The workers' nice value (thread-priority.ts); null leaves it. Default MEDIA_WORKER_NICE (-10). */
  nice?: number | null
}

export interface WorkerMediaPlane extends MediaPlane {
  /** Summed over the workers, as each last reported it (at most `receivedIntervalMs` old). */
  packetsForwarded(): number
  /** The worker index holding `roomId`, while it has peers. */
  workerOf(roomId: string): number | undefined
  /** Per worker: its thread id, peers and rooms, and how many times it was replaced. */
  workers(): { index: number; threadId: number; peers: number; rooms: number; restarts: number }[]
  /** Fault injection (tests, benchmarks): the worker holding `roomId` throws an uncaught exception. */
  crashWorkerOf(roomId: string): boolean
  /** Resolves once every worker has loaded the plane (peers created before are queued, so only benchmarks wait). */
  ready(): Promise<void>
}

/** The main thread's side of one peer in a worker. */
class WorkerPeer implements MediaPeer, PeerMirror {
  readonly clientId: string
  /** The workers run the werift plane (WeriftPeer.receivesInAnswer). */
  readonly receivesInAnswer = true
  readonly roomId: string
  readonly #peerId: number
  readonly #worker: MediaWorker<WorkerPeer>
  readonly #handlers: MediaPeerHandlers
  readonly #released: () => void
  #states: PeerStates = { connectionState: 'new', signalingState: 'stable' }
  #lastReceivedAt: number | undefined
  #closed = false
  #closing: Promise<void> | undefined

  constructor(init: { peerId: number; roomId: string; clientId: string; worker: MediaWorker<WorkerPeer>; handlers: MediaPeerHandlers; released: () => void }) {
    this.#peerId = init.peerId
    this.roomId = init.roomId
    this.clientId = init.clientId
    this.#worker = init.worker
    this.#handlers = init.handlers
    this.#released = init.released
  }

  get connectionState(): PeerConnectionState {
    return this.#states.connectionState
  }

  get signalingState(): SignalingState {
    return this.#states.signalingState
  }

  get lastReceivedAt(): number | undefined {
    return this.#lastReceivedAt
  }

  handleOffer(offer: Offer): Promise<Answer> {
    return this.#call('handleOffer', offer)
  }

  createOffer(): Promise<HubOffer> {
    return this.#call('createOffer', undefined)
  }

  handleAnswer(answer: Answer): Promise<void> {
    return this.#call('handleAnswer', answer)
  }

  addIceCandidate(candidate: IceCandidate): Promise<void> {
    return this.#call('addIceCandidate', candidate)
  }

  subscribe(track: PublishedTrack): void {
    this.#command({ method: 'subscribe', track })
  }

  unsubscribe(track: PublishedTrack): void {
    this.#command({ method: 'unsubscribe', track })
  }

  openDataChannel(label: string, ordered: boolean, withNextOffer?: boolean): void {
    this.#command({ method: 'openDataChannel', label, ordered, ...(withNextOffer ? { withNextOffer } : {}) })
  }

  viewerSize(trackId: string, width: number, height: number): void {
    this.#command({ method: 'viewerSize', trackId, width, height })
  }

  publisherLayers(trackId: string, active: readonly string[]): void {
    this.#command({ method: 'publisherLayers', trackId, active: [...active] })
  }

  sendDataChannelMessage(label: string, data: string | Uint8Array): void {
    this.#command({ method: 'sendDataChannelMessage', label, data })
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#markClosed()
      await this.#worker.request((callId) => ({ type: 'peer.call', callId, peerId: this.#peerId, method: 'close' })).catch(() => undefined)
      this.#worker.peers.delete(this.#peerId)
    })()
    return this.#closing
  }

  /** A handler call from the worker. */
  received(event: PeerEvent, states: PeerStates): void {
    if (this.#closed) return
    this.statesChanged(states)
    const handlers = this.#handlers
    switch (event.event) {
      case 'iceCandidate':
        return handlers.onIceCandidate(event.candidate)
      case 'trackPublished':
        return handlers.onTrackPublished(event.track)
      case 'trackUnpublished':
        return handlers.onTrackUnpublished(event.track)
      case 'connectionState':
        if (event.state === 'closed') this.#markClosed()
        return handlers.onConnectionStateChange(event.state)
      case 'negotiationNeeded':
        return handlers.onNegotiationNeeded(event.change)
      case 'dataChannelMessage':
        return handlers.onDataChannelMessage(event.label, event.data)
      case 'videoPaused':
        return handlers.onVideoPaused(event.track, event.paused)
      case 'voiceActivity':
        return handlers.onVoiceActivity?.(event.track, event.activity)
    }
  }

  statesChanged(states: PeerStates): void {
    if (!this.#closed) this.#states = states
  }

  stamp(at: number): void {
    this.#lastReceivedAt = at
  }

  /** The worker died: the peer is gone for good, and the room hears it once. */
  workerDied(): void {
    if (this.#closed) return
    this.#markClosed()
    this.#handlers.onConnectionStateChange('closed')
  }

  /** The plane closed (the worker's plane closed every peer). */
  planeClosed(): void {
    this.#markClosed()
  }

  #markClosed(): void {
    if (this.#closed) return
    this.#closed = true
    this.#states = { connectionState: 'closed', signalingState: 'closed' }
    this.#released()
  }

  #call<M extends PeerCallName>(method: M, arg: PeerCalls[M]['arg']): Promise<PeerCalls[M]['result']> {
    if (this.#closed) return Promise.reject(new Error('the peer is closed'))
    return this.#worker.request((callId) => ({ type: 'peer.call', callId, peerId: this.#peerId, method, arg }), this) as Promise<PeerCalls[M]['result']>
  }

  #command(command: PeerCommand): void {
    if (this.#closed) return
    this.#worker.post({ type: 'peer.command', peerId: this.#peerId, ...command } as ToWorker)
  }
}

class WorkerPlane implements WorkerMediaPlane {
  readonly #workers: MediaWorker<WorkerPeer>[] = []
  readonly #restarts: number[]
  readonly #placement: RoomPlacement
  readonly #data: MediaWorkerData
  readonly #log: Logger
  /** Packets forwarded by workers that died or were replaced. */
  #retiredPackets = 0
  #nextPeerId = 1
  #closed = false

  constructor(options: WorkerMediaPlaneOptions) {
    this.#placement = new RoomPlacement(options.workers)
    this.#restarts = new Array<number>(options.workers).fill(0)
    this.#data = { ice: options.ice ?? {}, fastSend: options.fastSend ?? true, receivedIntervalMs: options.receivedIntervalMs ?? 100, nice: options.nice === undefined ? MEDIA_WORKER_NICE : options.nice }
    const log = options.log ?? (() => undefined)
    this.#log = (level, msg, fields) => {
      try {
        log(level, msg, fields)
      } catch {
        // a throwing logger must not take the plane down
      }
    }
    for (let index = 0; index < options.workers; index += 1) this.#workers.push(this.#start(index))
  }

  createPeer(init: { roomId: string; clientId: string; handlers: MediaPeerHandlers; bitrates?: Bitrates }): MediaPeer {
    if (this.#closed) throw new Error('the media plane is closed')
    const index = this.#placement.addPeer(init.roomId)
    const worker = this.#workers[index]!
    const peerId = this.#nextPeerId++
    const createdOnDead = worker.dead
    const peer = new WorkerPeer({
      peerId,
      roomId: init.roomId,
      clientId: init.clientId,
      worker,
      handlers: init.handlers,
      // A dead worker's rooms were cleared when it died: only peers counted after that are released.
      released: () => {
        if (createdOnDead || !worker.dead) this.#placement.releasePeer(init.roomId)
      },
    })
    worker.peers.set(peerId, peer)
    worker.post({ type: 'peer.create', peerId, roomId: init.roomId, clientId: init.clientId, bitrates: init.bitrates, voiceActivity: init.handlers.onVoiceActivity !== undefined })
    // A worker waiting to be started again: the peer is gone at once, as its room's peers were.
    if (worker.dead) queueMicrotask(() => peer.workerDied())
    return peer
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.all(
      this.#workers.map(async (worker) => {
        await worker.stop()
        for (const peer of worker.peers.values()) peer.planeClosed()
        worker.peers.clear()
      }),
    )
  }

  packetsForwarded(): number {
    return this.#workers.reduce((sum, worker) => sum + worker.packetsForwarded, this.#retiredPackets)
  }

  workerOf(roomId: string): number | undefined {
    return this.#placement.workerOf(roomId)
  }

  workers(): { index: number; threadId: number; peers: number; rooms: number; restarts: number }[] {
    const load = this.#placement.load()
    return this.#workers.map((worker, index) => ({ index, threadId: worker.threadId, ...load[index]!, restarts: this.#restarts[index]! }))
  }

  async ready(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.ready))
  }

  crashWorkerOf(roomId: string): boolean {
    const index = this.#placement.workerOf(roomId)
    if (index === undefined) return false
    this.#workers[index]!.post({ type: 'fault.crash' })
    return true
  }

  #start(index: number): MediaWorker<WorkerPeer> {
    return new MediaWorker<WorkerPeer>(index, this.#data, this.#log, (worker, why) => this.#replace(worker, why))
  }

  /** A worker died: its peers are closed, its rooms forgotten, and a fresh worker takes its place. */
  #replace(dead: MediaWorker<WorkerPeer>, why: string): void {
    const peers = [...dead.peers.values()]
    this.#log('error', 'media worker died; its peers are closed and it is replaced', { worker: dead.index, why, peers: peers.length })
    this.#placement.clearWorker(dead.index)
    this.#retiredPackets += dead.packetsForwarded
    dead.peers.clear()
    const restart = () => {
      if (this.#closed) return
      this.#workers[dead.index] = this.#start(dead.index)
      this.#restarts[dead.index]! += 1
    }
    if (dead.started) restart()
    else setTimeout(restart, RESTART_AFTER_FAILED_START_MS).unref()
    for (const peer of peers) {
      try {
        peer.workerDied()
      } catch (error) {
        this.#log('error', 'a handler threw on a dead worker', { worker: dead.index, clientId: peer.clientId, error })
      }
    }
  }
}

export function createWorkerMediaPlane(options: WorkerMediaPlaneOptions): WorkerMediaPlane {
  return new WorkerPlane(options)
}
