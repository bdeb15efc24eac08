// One client's Server-Sent Events channel. Events are numbered 1, 2, 3... and kept (bounded) whether or
// not they were written, so a client that resumes from the last id it PROCESSED gets everything after it,
// once and in order, even what the hub wrote to a socket that was already dead; a resume point the
// channel no longer holds is reported, never papered over. A second stream replaces the first.
// Wire format (hub-api-v1.md §3): `id:` first (for Last-Event-ID), then exactly one `event:` line and
// exactly one single-line JSON `data:` line; `ping` has no id and announces the interval.
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

/**
 * A response body written through the returned sink, for a stream that is not a client's channel (the
 * lobby's knock): what is written before the response is returned waits in the body, and `cancelled`
 * runs when the reader goes away first.
 */
export function eventStreamBody(cancelled: () => void): { body: ReadableStream<Uint8Array>; sink: SseSink } {
  const encoder = new TextEncoder()
  let open = true
  let controller!: ReadableStreamDefaultController<Uint8Array>
  // `start` runs in the constructor: the controller is there before anything is written.
  const body = new ReadableStream<Uint8Array>({
    start: (started) => {
      controller = started
    },
    cancel: () => {
      open = false
      cancelled()
    },
  })
  const sink: SseSink = {
    write: (text) => {
      if (open) controller.enqueue(encoder.encode(text))
    },
    close: () => {
      if (!open) return
      open = false
      controller.close()
    },
  }
  return { body, sink }
}

/** A ping: no id (it must not move the client's resume point), the interval in its data (protocol `resume.ts`). */
export function formatPing(intervalMs: number): string {
  return formatSseEvent('ping', { interval_ms: intervalMs })
}

interface StoredEvent {
  readonly id: number
  readonly text: string
  /** When it was sent (the Clock's ms). */
  readonly at: number
}

export interface SseChannelOptions {
  clock: Clock
  /** Interval of `ping` events on an open stream (one is also sent when a stream opens). */
  pingIntervalMs: number
  /** The open stream went away without the hub closing it. */
  onDisconnect(): void
  /** Events kept for resuming (written or not); the oldest are dropped beyond this. */
  keepLimit?: number
  /**
   * Characters of kept events (a metadata value alone may be 256 KiB, and every client holds its own
   * copy); the oldest are dropped beyond this.
   */
  keepCharsLimit?: number
  /**
   * Events written to a stream are dropped once older than this (ms): no resume that is still allowed
   * can need them (a dead stream is detected within 2 pings, and a closed one is given the reconnect
   * grace). Without it a long-lived client holds up to the count and character limits for good.
   * Events never written are kept within those limits however old. Default: no age limit.
   */
  keepWrittenForMs?: number
}

/** How `attach` went: resumed (maybe with nothing to replay), or the resume point is no longer held. */
export type AttachResult = { readonly resumed: true; readonly replayed: number } | { readonly resumed: false; readonly from: number; readonly oldestKept: number }

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

  /** The events after `id`, oldest first: found by position, since ids have no gaps. */
  *after(id: number): Generator<StoredEvent> {
    const first = this.oldest()
    if (!first) return
    for (let index = this.#head + Math.max(0, id + 1 - first.id); index < this.#items.length; index++) yield this.#items[index]!
  }
}

export class SseChannel {
  #nextId = 1
  /** Every event still kept, written or not, oldest first; ids without gaps. */
  readonly #kept = new EventQueue()
  #keptChars = 0
  /** The last id written to a stream (it may have died with it). */
  #writtenId = 0
  #sink: SseSink | undefined
  #closed = false
  readonly #ping: Timer
  readonly #pingText: string
  readonly #options: Required<SseChannelOptions>

  constructor(options: SseChannelOptions) {
    this.#options = { keepLimit: 5000, keepCharsLimit: 4 * 1024 * 1024, keepWrittenForMs: Number.POSITIVE_INFINITY, ...options }
    this.#ping = new Timer(options.clock)
    this.#pingText = formatPing(options.pingIntervalMs)
  }

  get connected(): boolean {
    return this.#sink !== undefined
  }

  get closed(): boolean {
    return this.#closed
  }

  /** The id the next event gets (ids issued so far: 1 to this minus 1). */
  get nextId(): number {
    return this.#nextId
  }

  send(event: SseEventName, data: unknown): void {
    if (this.#closed) return
    const id = this.#nextId++
    const stored = { id, text: formatSseEvent(event, data, id), at: this.#options.clock.now() }
    this.#kept.push(stored)
    this.#keptChars += stored.text.length
    if (this.#sink) {
      this.#sink.write(stored.text)
      this.#writtenId = id
    }
    this.#trim()
  }

  /**
   * Makes `sink` the client's stream (the previous one is closed): a ping first, then every event after
   * the resume point. The resume point is `lastEventId` (what the client processed last), or else the
   * last event written (a client that sends none, e.g. the first connect). When events after it are no
   * longer kept, nothing is replayed and the caller decides (the client is removed: `events_lost`).
   */
  attach(sink: SseSink, lastEventId?: string): AttachResult {
    if (this.#closed) {
      sink.close()
      return { resumed: true, replayed: 0 }
    }
    const previous = this.#sink
    this.#sink = sink
    previous?.close()
    sink.write(this.#pingText)
    this.#schedulePing()
    const from = this.#resumePoint(lastEventId)
    const oldestKept = this.#kept.oldest()?.id ?? this.#nextId
    if (from + 1 < oldestKept) return { resumed: false, from, oldestKept }
    let replayed = 0
    for (const event of this.#kept.after(from)) {
      sink.write(event.text)
      replayed++
    }
    this.#writtenId = this.#nextId - 1
    return { resumed: true, replayed }
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
      // An id this channel never issued (another registration's, e.g. from before a hub restart) says
      // nothing about this one.
      if (id < this.#nextId) return id
    }
    return this.#writtenId
  }

  #schedulePing(): void {
    this.#ping.start(this.#options.pingIntervalMs, () => {
      if (!this.#sink) return
      this.#sink.write(this.#pingText)
      this.#schedulePing()
    })
  }

  /** Amortised O(1) per send: only what goes over a limit is looked at. */
  #trim(): void {
    const { keepLimit, keepCharsLimit, keepWrittenForMs, clock } = this.#options
    const writtenBefore = clock.now() - keepWrittenForMs
    const tooOld = (event: StoredEvent) => event.id <= this.#writtenId && event.at < writtenBefore
    // The newest event is always kept, however large.
    while (this.#kept.length > 1 && (this.#kept.length > keepLimit || this.#keptChars > keepCharsLimit || tooOld(this.#kept.oldest()!))) {
      this.#keptChars -= this.#kept.oldest()!.text.length
      this.#kept.dropOldest()
    }
  }
}
