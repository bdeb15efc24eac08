// A forwarding's keyframe, as one state per subscription, and the keyframe a source holds for the
// forwardings offered but not yet answered. A new video forwarding offered to a subscriber whose DTLS is
// up asks its publisher for a keyframe at once (the usual PLI rules apply), and the source holds that
// keyframe and every packet after it until the subscriber's answer is applied; then the held packets go
// first, in order, and the forwarding is live. So the publisher's capture and encode of the keyframe
// (≈ 35–80 ms) run while the subscriber answers (its setRemoteDescription, createAnswer and the PUT),
// instead of after it. A subscription is in one of (every transition is in this file):
//   unanswered  not yet answered with the subscriber's DTLS up: forwarded as negotiated, no hold; the
//               keyframe is asked for on that answer (or with the next offer, when DTLS is up by then)
//   awaiting    offered with the early request out; its packets are not sent; no keyframe held yet
//   holding     the source holds a keyframe (and what followed) for it
//   live        answered with DTLS up: its keyframe was asked for, or the held one sent first
//   ended       detached from its source
// A hold that outgrows HELD_PACKETS_MAX (an answer that never comes) is dropped: its forwardings go back
// to `unanswered` and ask again on their answer, as without the hold.
import type { RtpPacket } from 'werift'

/** ≈ 2–4 s of one 640x480 video stream: far beyond an answer's round trip. */
export const HELD_PACKETS_MAX = 256

export type SubscriptionKeyframeState = 'unanswered' | 'awaiting' | 'holding' | 'live' | 'ended'

export interface HoldingSubscription {
  keyframe: SubscriptionKeyframeState
}

/** What an answer found: the packets to send first (only when it was `holding`), and what it was. */
export type Answered =
  | { readonly was: 'holding'; readonly packets: RtpPacket[]; readonly heldSince: number }
  | { readonly was: 'unanswered' | 'awaiting' | 'live' | 'ended' }

/** Packets of a subscription in this state are sent as they come (the others wait, or have no sender). */
export function forwardsLive(state: SubscriptionKeyframeState): boolean {
  return state === 'unanswered' || state === 'live'
}

/** One source's held packets and the forwardings waiting for them. */
export class KeyframeHold<S extends HoldingSubscription> {
  readonly #waiting = new Set<S>()
  /** From the latest keyframe's first packet on (copies: the receive path owns its packets). */
  #held: RtpPacket[] = []
  /** When the held keyframe arrived (for the join trace). */
  #heldSince = 0

  get active(): boolean {
    return this.#waiting.size > 0
  }

  /**
   * An `unanswered` video forwarding was just offered with DTLS up: it waits here. Returns its new state
   * (`holding`: a keyframe is already held for it, no request needed); any other state is left as it is.
   */
  offered(subscription: S): SubscriptionKeyframeState {
    if (subscription.keyframe !== 'unanswered') return subscription.keyframe
    subscription.keyframe = this.#held.length > 0 ? 'holding' : 'awaiting'
    this.#waiting.add(subscription)
    return subscription.keyframe
  }

  /** A packet of the source while some forwarding waits (`keyframeStart`: it begins a keyframe). */
  onPacket(packet: RtpPacket, keyframeStart: boolean, now: number): void {
    if (keyframeStart) {
      // A newer keyframe replaces what was held: the subscriber needs only one.
      this.#held = [packet.clone()]
      this.#heldSince = now
      for (const subscription of this.#waiting) subscription.keyframe = 'holding'
      return
    }
    if (this.#held.length === 0) return
    if (this.#held.length >= HELD_PACKETS_MAX) {
      for (const subscription of this.#waiting) subscription.keyframe = 'unanswered'
      this.#waiting.clear()
      this.#held = []
      return
    }
    this.#held.push(packet.clone())
  }

  /**
   * The forwarding's answer is applied with DTLS up: it is `live` from now on. Returns what it was, with
   * what was held for it (in the order to send before anything live) when it was `holding`.
   */
  answered(subscription: S): Answered {
    const was = subscription.keyframe
    if (was === 'ended') return { was }
    subscription.keyframe = 'live'
    const packets = this.#leave(subscription, was)
    return was === 'holding' ? { was, packets, heldSince: this.#heldSince } : { was }
  }

  /** The forwarding is detached (unsubscribed, rejected, its subscriber or its publisher gone). */
  ended(subscription: S): void {
    const was = subscription.keyframe
    subscription.keyframe = 'ended'
    this.#leave(subscription, was)
  }

  /** Stops waiting; returns the held packets when it was `holding` (the last waiting one takes the array). */
  #leave(subscription: S, was: SubscriptionKeyframeState): RtpPacket[] {
    if (!this.#waiting.delete(subscription)) return []
    const packets = was !== 'holding' ? [] : this.#waiting.size === 0 ? this.#held : this.#held.slice()
    if (this.#waiting.size === 0) this.#held = []
    return packets
  }
}
