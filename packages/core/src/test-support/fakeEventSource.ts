import type { EventSourceFactory, EventSourceLike, SseMessageLike } from '../ports.js'

/** An EventSource the test drives: `open()`, `emit(name, data)`, `fail()`. */
export class FakeEventSource implements EventSourceLike {
  readyState = 0
  closed = false
  private readonly target = new EventTarget()

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: (event: SseMessageLike) => void): void {
    this.target.addEventListener(type, listener as unknown as (event: Event) => void)
  }

  removeEventListener(type: string, listener: (event: SseMessageLike) => void): void {
    this.target.removeEventListener(type, listener as unknown as (event: Event) => void)
  }

  private dispatchEvent(event: Event): void {
    if (!this.closed) this.target.dispatchEvent(event)
  }

  open(): void {
    this.readyState = 1
    this.dispatchEvent(new Event('open'))
  }

  /** Dispatches one SSE event; `id` is its `id:` line (what MessageEvent.lastEventId carries). */
  emit(name: string, data: unknown, id?: string | number): void {
    const init = { data: typeof data === 'string' ? data : JSON.stringify(data), ...(id === undefined ? {} : { lastEventId: String(id) }) }
    this.dispatchEvent(new MessageEvent(name, init))
  }

  fail(): void {
    this.readyState = 0
    this.dispatchEvent(new Event('error'))
  }

  /** The hub refused the stream (a 4xx): an EventSource then gives up, CLOSED, and says only `error`. */
  refuse(): void {
    this.readyState = 2
    this.dispatchEvent(new Event('error'))
  }

  close(): void {
    this.readyState = 2
    this.closed = true
  }
}

export class FakeEventSources {
  readonly all: FakeEventSource[] = []
  readonly factory: EventSourceFactory = (url) => {
    const source = new FakeEventSource(url)
    this.all.push(source)
    return source
  }

  get openCount(): number {
    return this.all.filter((s) => !s.closed).length
  }

  /** The newest stream (the one a reconnect opened). */
  latest(): FakeEventSource {
    const source = this.all.at(-1)
    if (!source) throw new Error('no EventSource was opened')
    return source
  }
}
