// How many tracks the hub forwards to one subscriber. Each forwarded track is one m-line of the hub's
// offer to it (about 800 characters with werift), and the protocol forbids an SDP over 128 KiB: without
// a cap, a room of 50 publishers × 8 tracks makes that offer unsendable and the subscriber is removed.
// Past the cap a track waits, in the order it was published, and is forwarded as soon as a slot frees
// (a forwarded track ends, or its publisher leaves). The subscriber still hears of it in
// `tracks_available`; its media just does not come, and `subscribetracks` for it answers 429.
import type { Client } from './client.js'
import { limitReached } from './errors.js'
import type { LogFields, LogLevel } from './log.js'
import type { PublishedTrack } from './media/types.js'

interface Slots {
  readonly forwarded: Set<PublishedTrack>
  /** Past the cap, oldest first. */
  readonly waiting: PublishedTrack[]
}

export class SubscriptionSlots {
  readonly #bySubscriber = new Map<Client, Slots>()

  constructor(
    private readonly max: number,
    private readonly log: (level: LogLevel, msg: string, fields?: LogFields) => void,
  ) {}

  /** Rule 1: forwards the track to the subscriber now, or as soon as it has a free slot. */
  offer(subscriber: Client, track: PublishedTrack): void {
    const slots = this.#slots(subscriber)
    if (slots.forwarded.has(track) || slots.waiting.includes(track)) return
    if (slots.forwarded.size < this.max) return this.#forward(subscriber, slots, track)
    if (slots.waiting.length === 0) {
      this.log('warn', 'subscriber at its track cap: further tracks wait for a free slot', { clientId: subscriber.id, max: this.max })
    }
    slots.waiting.push(track)
  }

  /**
   * subscribetracks: checked before anything changes. The tracks not forwarded yet must all fit, or the
   * request answers 429 naming the cap (they still come when slots free).
   */
  ensure(subscriber: Client, tracks: readonly PublishedTrack[]): void {
    const slots = this.#slots(subscriber)
    const fresh = [...new Set(tracks)].filter((track) => !slots.forwarded.has(track))
    if (slots.forwarded.size + fresh.length > this.max) {
      throw limitReached(
        `client "${subscriber.id}" would receive ${slots.forwarded.size + fresh.length} tracks, over the limit of ${this.max} tracks per subscriber (max-subscribed-tracks-per-client)`,
      )
    }
    // Those already forwarded are asked of the plane again too: it restores one the client had rejected.
    for (const track of new Set(tracks)) {
      const index = slots.waiting.indexOf(track)
      if (index >= 0) slots.waiting.splice(index, 1)
      this.#forward(subscriber, slots, track)
    }
  }

  /** The track ended for every subscriber; a slot it held goes to the oldest waiting track. */
  withdraw(track: PublishedTrack): void {
    for (const [subscriber, slots] of this.#bySubscriber) {
      const index = slots.waiting.indexOf(track)
      if (index >= 0) slots.waiting.splice(index, 1)
      if (!slots.forwarded.delete(track)) continue
      subscriber.peer.unsubscribe(track)
      const next = slots.waiting.shift()
      if (next) this.#forward(subscriber, slots, next)
    }
  }

  /** The subscriber is gone. */
  forget(subscriber: Client): void {
    this.#bySubscriber.delete(subscriber)
  }

  /** How many tracks are forwarded to the subscriber and how many wait (for tests and logs). */
  count(subscriber: Client): { forwarded: number; waiting: number } {
    const slots = this.#bySubscriber.get(subscriber)
    return { forwarded: slots?.forwarded.size ?? 0, waiting: slots?.waiting.length ?? 0 }
  }

  #forward(subscriber: Client, slots: Slots, track: PublishedTrack): void {
    slots.forwarded.add(track)
    subscriber.peer.subscribe(track)
  }

  #slots(subscriber: Client): Slots {
    let slots = this.#bySubscriber.get(subscriber)
    if (!slots) {
      slots = { forwarded: new Set(), waiting: [] }
      this.#bySubscriber.set(subscriber, slots)
    }
    return slots
  }
}
