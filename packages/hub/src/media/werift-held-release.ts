// When a subscriber's held keyframes (receive slots, werift-subscriptions.ts) may go: from the hub's DTLS
// up, at the client's first packet, which it sends only once its own SRTP is up. Sent at our DTLS up,
// they reached a browser still finishing its handshake and were dropped (its PLI came 200–300 ms later,
// join bench, stop 44). A client that sends nothing (receive-only, no RTCP yet) gets them after a fallback.
import type { Clock, TimerHandle } from '../clock.js'

/** The wait for a client that sends nothing after DTLS. */
export const HELD_RELEASE_FALLBACK_MS = 50

export class HeldRelease {
  #state: { readonly name: 'idle' } | { readonly name: 'waiting'; readonly timer: TimerHandle } = { name: 'idle' }

  constructor(
    private readonly clock: Clock,
    private readonly release: () => void,
  ) {}

  get waiting(): boolean {
    return this.#state.name === 'waiting'
  }

  /** The hub's DTLS is up: wait for the client's first packet (or the fallback). */
  dtlsUp(): void {
    if (this.#state.name === 'waiting') return
    this.#state = { name: 'waiting', timer: this.clock.setTimeout(() => this.#fire(), HELD_RELEASE_FALLBACK_MS) }
  }

  /** An RTP or RTCP packet from the client (per packet: one comparison while idle). */
  packet(): void {
    if (this.#state.name === 'waiting') this.#fire()
  }

  cancel(): void {
    if (this.#state.name === 'waiting') this.clock.clearTimeout(this.#state.timer)
    this.#state = { name: 'idle' }
  }

  #fire(): void {
    this.cancel()
    this.release()
  }
}
