// The browser's BroadcastChannel between tabs of one profile, in memory: every tab gets its own
// factory (`tab()`), and a message posted on a channel reaches every other open channel of that
// name, asynchronously and as a copy, never the one that posted it.
import type { TabChannelFactory, TabChannelLike } from '../ports.js'

type Listener = (event: { data?: unknown }) => void

export class FakeTabChannel implements TabChannelLike {
  closed = false
  private readonly listeners = new Set<Listener>()

  constructor(
    readonly name: string,
    private readonly bus: FakeTabChannels,
  ) {}

  postMessage(message: unknown): void {
    if (this.closed) throw new Error('InvalidStateError: BroadcastChannel is closed')
    this.bus.broadcast(this, message)
  }

  addEventListener(_type: 'message', listener: Listener): void {
    this.listeners.add(listener)
  }

  removeEventListener(_type: 'message', listener: Listener): void {
    this.listeners.delete(listener)
  }

  close(): void {
    this.closed = true
  }

  /** Delivers a message as the browser would (used by the bus). */
  deliver(data: unknown): void {
    if (!this.closed) for (const listener of [...this.listeners]) listener({ data })
  }
}

export class FakeTabChannels {
  private readonly channels: FakeTabChannel[] = []
  /** Every message posted, in order, with the channel's name. */
  readonly posted: { name: string; message: unknown }[] = []

  /** The channel factory of one tab (its `ports.tabs`). */
  tab(): TabChannelFactory {
    return (name) => this.open(name)
  }

  /** A channel opened directly, to play another tab by hand. */
  open(name: string): FakeTabChannel {
    const channel = new FakeTabChannel(name, this)
    this.channels.push(channel)
    return channel
  }

  broadcast(from: FakeTabChannel, message: unknown): void {
    this.posted.push({ name: from.name, message })
    const copy = structuredClone(message)
    for (const channel of this.channels) {
      if (channel !== from && channel.name === from.name && !channel.closed) queueMicrotask(() => channel.deliver(copy))
    }
  }

  /** Channels not closed yet (a conference that stopped closed its own). */
  get openCount(): number {
    return this.channels.filter((channel) => !channel.closed).length
  }
}
