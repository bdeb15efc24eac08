// A data channel the tests drive: open it, close it, deliver frames; what was sent is recorded.
import type { DataChannelLike } from '../ports.js'

type Listener = (event: { data?: unknown }) => void

export class FakeDataChannel implements DataChannelLike {
  readyState = 'connecting'
  readonly sent: string[] = []
  private readonly listeners = new Map<string, Set<Listener>>()

  constructor(readonly label: string) {}

  send(data: string): void {
    if (this.readyState !== 'open') throw new Error(`data channel ${this.label} is ${this.readyState}`)
    this.sent.push(data)
  }

  close(): void {
    this.setState('closed')
  }

  addEventListener(type: 'open' | 'close' | 'message', listener: Listener): void {
    let set = this.listeners.get(type)
    if (!set) this.listeners.set(type, (set = new Set()))
    set.add(listener)
  }

  removeEventListener(type: 'open' | 'close' | 'message', listener: Listener): void {
    this.listeners.get(type)?.delete(listener)
  }

  listenerCount(): number {
    return [...this.listeners.values()].reduce((sum, set) => sum + set.size, 0)
  }

  open(): void {
    this.setState('open')
  }

  deliver(data: unknown): void {
    for (const listener of [...(this.listeners.get('message') ?? [])]) listener({ data })
  }

  private setState(state: 'open' | 'closed'): void {
    this.readyState = state
    for (const listener of [...(this.listeners.get(state === 'open' ? 'open' : 'close') ?? [])]) listener({})
  }
}
