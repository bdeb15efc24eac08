// The join's keyframe, asked for with the hub's offer rather than after the subscriber's answer. A new
// video forwarding offered to a subscriber whose DTLS is up asks its publisher for a keyframe at once
// (the usual PLI rules apply), and the source holds that keyframe and every packet after it until the
// subscriber's answer is applied; then the held packets go first, in order, and the forwarding is live.
// So the publisher's capture and encode of the keyframe (≈ 35–80 ms) run while the subscriber answers
// (its setRemoteDescription, createAnswer and the PUT), instead of after it. A forwarding waits in one of:
//   off       forwarded as negotiated (no hold: not video, DTLS not up at the offer, or released)
//   awaiting  offered with the early request; its packets are not sent; no keyframe held yet
//   holding   the source holds a keyframe (and what followed) for it
// A hold that outgrows HELD_PACKETS_MAX (an answer that never comes) is dropped: its forwardings go back
// to `off` and ask again on their answer, as without the hold.
import type { RtpPacket } from 'werift'

/** ≈ 2–4 s of one 640x480 video stream: far beyond an answer's round trip. */
export const HELD_PACKETS_MAX = 256

export type KeyframeHoldState = 'off' | 'awaiting' | 'holding'

export interface HoldingSubscription {
  keyframeHold: KeyframeHoldState
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

  /** The forwarding was just offered: it waits here; returns whether a keyframe is already held for it. */
  await(subscription: S): 'awaiting' | 'holding' {
    const state = this.#held.length > 0 ? 'holding' : 'awaiting'
    subscription.keyframeHold = state
    this.#waiting.add(subscription)
    return state
  }

  /** A packet of the source while some forwarding waits (`keyframeStart`: it begins a keyframe). */
  onPacket(packet: RtpPacket, keyframeStart: boolean, now: number): void {
    if (keyframeStart) {
      // A newer keyframe replaces what was held: the subscriber needs only one.
      this.#held = [packet.clone()]
      this.#heldSince = now
      for (const subscription of this.#waiting) subscription.keyframeHold = 'holding'
      return
    }
    if (this.#held.length === 0) return
    if (this.#held.length >= HELD_PACKETS_MAX) {
      for (const subscription of this.#waiting) subscription.keyframeHold = 'off'
      this.#waiting.clear()
      this.#held = []
      return
    }
    this.#held.push(packet.clone())
  }

  /**
   * The forwarding is negotiated (or ends): it stops waiting. Returns what was held for it (empty unless
   * it was `holding`) and since when, in the order to send them before anything live.
   */
  release(subscription: S): { packets: RtpPacket[]; heldSince: number } {
    const state = subscription.keyframeHold
    subscription.keyframeHold = 'off'
    if (!this.#waiting.delete(subscription)) return { packets: [], heldSince: 0 }
    const packets = state !== 'holding' ? [] : this.#waiting.size === 0 ? this.#held : this.#held.slice()
    const heldSince = this.#heldSince
    if (this.#waiting.size === 0) this.#held = []
    return { packets, heldSince }
  }
}
