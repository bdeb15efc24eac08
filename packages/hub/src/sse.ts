// One client's Server-Sent Events channel. Events are numbered and kept until delivered, so nothing
// is lost before the client's stream connects or while it reconnects; a second stream replaces the
// first. Wire format (hub-api-v1.md §3): `id:` first (for Last-Event-ID), then exactly one `event:`
// line and exactly one single-line JSON `data:` line.
import type { SseEventName } from '@parley/protocol'
import { type Clock, Timer } from './clock.js'

/** Where a channel writes: one open HTTP response. */
export interface SseSink {
  write(text: string): void
  /** Ends the HTTP response (after what was written). */
  close(): void
}

export function formatSseEvent(event: string, data: unknown, id?: number): string {
  // JSON.stringify never emits a raw newline, so the data is always exactly one line.
  const json = JSON.stringify(data === undefined ? null : data)
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${json}\n\n`
}

export const PING_TEXT = formatSseEvent('ping', {})

interface StoredEvent {
  readonly id: number
  readonly text: string
}

export interface SseChannelOptions {
  clock: Clock
  /** Interval of `ping` events on an open stream. */
  pingIntervalMs: number
  /** The open stream went away without the hub closing it. */
  onDisconnect(): void
  /** Delivered events kept for Last-Event-ID replay. */
  historyLimit?: number
  /** Undelivered events kept for a client that never connects; the oldest are dropped beyond this. */
  backlogLimit?: number
  /**
   * Characters of undelivered events kept (a metadata value alone may be 256 KiB, and every client
   * holds its own copy); the oldest are dropped beyond this.
   */
  backlogCharsLimit?: number
}

/** Oldest first; dropping the oldest is amortised O(1) (a send must not cost O(backlog)). */
class EventQueue {
  #items: StoredEvent[] = []
  #head = 0

  get length(): number {
    return this.#items.length - this.#head
  }

  push(event: StoredEvent): void {
    this.#items.push(event)
  }

  oldest(): StoredEvent | undefined {
    return this.#items[this.#head]
  }

  dropOldest(): void {
    this.#head++
    if (this.#head > 64 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
  }

  *[Symbol.iterator](): Iterator<StoredEvent> {
    for (let index = this.#head; index < this.#items.length; index++) yield this.#items[index]!
  }

  takeAll(): StoredEvent[] {
    const all = this.#items.slice(this.#head)
    this.#items = []
    this.#head = 0
    return all
  }
}

export class SseChannel {
  #nextId = 1
  /** Delivered events kept for Last-Event-ID replay, oldest first. */
  readonly #history = new EventQueue()
  /** Undelivered events, oldest first (all newer than the history). */
  readonly #backlog = new EventQueue()
  #deliveredId = 0
  /** Characters of the undelivered events (those after `#deliveredId`). */
  #backlogChars = 0
  #sink: SseSink | undefined
  #closed = false
  readonly #ping: Timer
  readonly #options: Required<SseChannelOptions>

  constructor(options: SseChannelOptions) {
    this.#options = { historyLimit: 64, backlogLimit: 5000, backlogCharsLimit: 4 * 1024 * 1024, ...options }
    this.#ping = new Timer(options.clock)
  }

  get connected(): boolean {
    return this.#sink !== undefined
  }

  get closed(): boolean {
    return this.#closed
  }

  send(event: SseEventName, data: unknown): void {
    if (this.#closed) return
    const stored = { id: this.#nextId++, text: formatSseEvent(event, data, this.#nextId - 1) }
    if (this.#sink) {
      this.#sink.write(stored.text)
      this.#deliveredId = stored.id
      this.#history.push(stored)
    } else {
      this.#backlog.push(stored)
      this.#backlogChars += stored.text.length
    }
    this.#trim()
  }

  /**
   * Makes `sink` the client's stream: the previous one is closed, and every event after
   * `lastEventId` (the browser's Last-Event-ID) or else after the last one written is replayed.
   */
  attach(sink: SseSink, lastEventId?: string): void {
    if (this.#closed) {
      sink.close()
      return
    }
    const previous = this.#sink
    this.#sink = sink
    previous?.close()
    const resumeAfter = this.#resumePoint(lastEventId)
    for (const event of this.#history) {
      if (event.id > resumeAfter) sink.write(event.text)
    }
    for (const event of this.#backlog.takeAll()) {
      if (event.id > resumeAfter) sink.write(event.text)
      this.#history.push(event)
    }
    this.#deliveredId = this.#nextId - 1
    this.#backlogChars = 0
    this.#trim()
    this.#schedulePing()
  }

  /** The stream behind `sink` ended from the client side. Ignored for streams already replaced. */
  detach(sink: SseSink): void {
    if (this.#sink !== sink) return
    this.#sink = undefined
    this.#ping.cancel()
    if (!this.#closed) this.#options.onDisconnect()
  }

  /** Sends a last event (if any), then ends the stream for good. */
  close(lastEvent?: { event: SseEventName; data: unknown }): void {
    if (this.#closed) return
    if (lastEvent) this.send(lastEvent.event, lastEvent.data)
    this.#closed = true
    this.#ping.cancel()
    const sink = this.#sink
    this.#sink = undefined
    sink?.close()
  }

  #resumePoint(lastEventId: string | undefined): number {
    if (lastEventId !== undefined && /^\d+$/.test(lastEventId.trim())) {
      const id = Number(lastEventId.trim())
      // An id this channel never issued (e.g. from before a hub restart) says nothing; ignore it.
      if (id < this.#nextId) return id
    }
    return this.#deliveredId
  }

  #schedulePing(): void {
    this.#ping.start(this.#options.pingIntervalMs, () => {
      if (!this.#sink) return
      this.#sink.write(PING_TEXT)
      this.#schedulePing()
    })
  }

  /** Amortised O(1) per send: only what goes over a limit is looked at. */
  #trim(): void {
    const { historyLimit, backlogLimit, backlogCharsLimit } = this.#options
    while (this.#history.length > historyLimit) this.#history.dropOldest()
    while (this.#backlog.length > 0 && (this.#backlog.length > backlogLimit || this.#backlogChars > backlogCharsLimit)) {
      this.#backlogChars -= this.#backlog.oldest()!.text.length
      this.#backlog.dropOldest()
    }
  }
}
