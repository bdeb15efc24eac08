// Subscriber NACKs the hub cannot answer: the node-datachannel plane's rule (the werift plane relays them
// to the publisher first, nack-recovery.ts). The hub resends a lost packet from the
// subscriber sender's history (werift's rtpCache, kept by the fast path too; libdatachannel's
// RtcpNackResponder in the ndc plane); a packet that never arrived from the publisher
// (lost upstream and not recovered by werift's short NACK burst) is not there, and Chromium would wait
// ≈ 3 s (its frame-buffer timeout) before asking for a keyframe itself. So when a subscriber NACKs such a
// packet a second time, the forwarder asks the publisher for one (the keyframe rule, werift-forwarder.ts).
// Not at the first NACK: that one usually crosses the publisher's resend of the packet on its way to the
// hub (both come one round trip after the loss), and Chromium repeats a NACK only after its RTT estimate,
// by when that resend is in the history. Loadtest README, "Delay and loss on loopback".
/** How many unanswerable sequence numbers one subscription remembers (losses are rarely more at once). */
const REMEMBERED = 16

/** One subscription's NACKed sequence numbers that the hub's history did not hold. */
export class UnanswerableNacks {
  /** A ring of sequence numbers (subscriber's numbering), -1 for an empty slot. */
  readonly #seqs = new Int32Array(REMEMBERED).fill(-1)
  #next = 0

  /**
   * The NACKed sequence numbers `lost` (pid + 1..16 may pass 0xffff, as werift parses them) against the
   * sender's history (`held`); true when one is missing there and was NACKed missing before (a keyframe is due).
   */
  nacked(held: (seq: number) => boolean, lost: readonly number[]): boolean {
    let keyframeDue = false
    for (const raw of lost) {
      const seq = raw & 0xffff
      if (held(seq)) continue
      const index = this.#seqs.indexOf(seq)
      if (index >= 0) {
        this.#seqs[index] = -1
        keyframeDue = true
      } else {
        this.#seqs[this.#next] = seq
        this.#next = (this.#next + 1) % REMEMBERED
      }
    }
    return keyframeDue
  }
}
