// The device's network as the `network` port reports it: a test says when it changes.
import type { NetworkWatch } from '../ports.js'

export class FakeNetwork {
  private readonly listeners = new Set<() => void>()

  readonly watch: NetworkWatch = (listener) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Listeners still subscribed (none once the conference has stopped). */
  get watcherCount(): number {
    return this.listeners.size
  }

  /** Back online, or another connection (Wi-Fi to mobile). */
  change(): void {
    for (const listener of [...this.listeners]) listener()
  }
}
