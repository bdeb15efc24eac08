// The small objects a replay hands the machines (replayPorts.ts): tracks, streams, the event source,
// data channels and the tab channel, each driven by what the trace says happened to it.
import type {
  DataChannelLike,
  MediaStreamLike,
  MediaStreamTrackLike,
} from '../ports.js'
import type { TraceError } from './format.js'

export interface Pending<T> {
  resolve(value: T): void
  reject(error: unknown): void
}

export function pending<T>(): { promise: Promise<T>; handle: Pending<T> } {
  let handle!: Pending<T>
  const promise = new Promise<T>((resolve, reject) => (handle = { resolve, reject }))
  // The machine may have moved on (aborted): an unobserved rejection is not an error of the replay.
  promise.catch(() => undefined)
  return { promise, handle }
}

export const toError = (error: TraceError) => Object.assign(new Error(error.message), { name: error.name })

export class ReplayTrack extends EventTarget implements MediaStreamTrackLike {
  enabled = true
  readyState: 'live' | 'ended' = 'live'
  constructor(readonly id: string, readonly kind: string) {
    super()
  }
  stop(): void {
    this.readyState = 'ended'
  }
  end(): void {
    this.readyState = 'ended'
    this.dispatchEvent(new Event('ended'))
  }
}

export class ReplayStream extends EventTarget implements MediaStreamLike {
  constructor(readonly id: string, private readonly tracks: ReplayTrack[] = []) {
    super()
  }
  getTracks(): ReplayTrack[] {
    return [...this.tracks]
  }
  add(track: ReplayTrack): void {
    if (!this.tracks.includes(track)) this.tracks.push(track)
  }
  remove(track: ReplayTrack): void {
    const index = this.tracks.indexOf(track)
    if (index < 0) return
    this.tracks.splice(index, 1)
    this.dispatchEvent(new Event('removetrack'))
  }
}

export class ReplayEventSource extends EventTarget {
  readyState = 0
  closed = false
  close(): void {
    this.readyState = 2
    this.closed = true
  }
  deliver(name: string, data: string | undefined): void {
    if (this.closed) return
    if (name === 'open') this.readyState = 1
    const event = Object.assign(new Event(name), data === undefined ? {} : { data })
    this.dispatchEvent(event)
  }
}

/** A data channel the hub opened: its state moves as the trace says; what is sent goes nowhere. */
export class ReplayDataChannel implements DataChannelLike {
  private readonly target = new EventTarget()
  constructor(readonly label: string, public readyState: string) {}
  send(): void {
    // As a real channel does when it is not open (the core then keeps the message).
    if (this.readyState !== 'open') throw new Error(`data channel ${this.label} is ${this.readyState}`)
  }
  close(): void {
    this.readyState = 'closed'
  }
  deliver(type: string, readyState: string, data: string | undefined): void {
    this.readyState = readyState
    this.target.dispatchEvent(Object.assign(new Event(type), data === undefined ? {} : { data }))
  }
  addEventListener(type: 'open' | 'close' | 'message', listener: (event: { data?: unknown }) => void): void {
    this.target.addEventListener(type, listener as (event: Event) => void)
  }
  removeEventListener(type: 'open' | 'close' | 'message', listener: (event: { data?: unknown }) => void): void {
    this.target.removeEventListener(type, listener as (event: Event) => void)
  }
}

export type StatsReportLike = { forEach(callback: (stat: unknown) => void): void }

/**
 * The peer connection's optional members the recorded stack had, as far as the trace shows (a call of
 * each): the core takes another way without them (no stats, no removeTrack), so the replay must match.
 */
export interface ReplayOptionalMembers {
  getStats: boolean
  removeTrack: boolean
  createDataChannel: boolean
  /** The recorded senders had getParameters (a browser's; the camera's resolution hold and its timer depend on it). */
  senderParameters?: boolean
  /** The recording had the `tabs` port (a browser with BroadcastChannel). */
  tabs?: boolean
}

/** The broadcast channel between tabs in a replay: ours posts nowhere; the other tabs' messages are fed. */
export class ReplayTabChannel {
  private readonly listeners = new Set<(event: { data?: unknown }) => void>()
  postMessage(): void {}
  addEventListener(_type: 'message', listener: (event: { data?: unknown }) => void): void {
    this.listeners.add(listener)
  }
  removeEventListener(_type: 'message', listener: (event: { data?: unknown }) => void): void {
    this.listeners.delete(listener)
  }
  close(): void {
    this.listeners.clear()
  }
  deliver(data: unknown): void {
    for (const listener of [...this.listeners]) listener({ data })
  }
}

/** The core's own data channel in a replay: it never carries anything (the bootstrap channel). */
export function inertDataChannel(label: string): DataChannelLike {
  return { label, readyState: 'connecting', send: () => undefined, close: () => undefined, addEventListener: () => undefined, removeEventListener: () => undefined }
}
