// The werift plane's answer to a subscriber NACK for a packet the hub never had (lost on the way from the
// publisher, and werift's own NACK burst to the publisher, 11 NACKs within ≈ 50 ms, over before the resend
// came). The hub relays such a NACK to the publisher (libwebrtc keeps ≥ 1 s of sent packets for resends),
// and asks for a keyframe only when the packet is still missing NACK_RECOVERY_MS after the subscriber first
// NACKed it. A keyframe asked at the second NACK (≈ 100 ms, nack.ts, still the node-datachannel plane's
// rule) was measured on the ramp bench's constrained link: 6 PLIs in 1.6 s into an 80 kbit/s encoder, whose
// rate control then dropped frames for ≈ 1 s (loadtest README, stop 29). The caller also keeps NACK-caused
// keyframes NACK_KEYFRAME_INTERVAL_MS apart. The relays are coalesced per source (RelayedNacks): several
// subscribers NACK the same lost packet, and each one repeats its NACK about every round trip it measures,
// so without it the publisher got one NACK per subscriber per repeat.

/** How long a NACKed packet may stay missing (resends relayed) before a keyframe replaces it. */
export const NACK_RECOVERY_MS = 500
/** At most one keyframe request for unanswerable NACKs per track in this window (after any request). */
export const NACK_KEYFRAME_INTERVAL_MS = 1000
import { RTP_HISTORY_SIZE } from './werift-fast-send.js'

/**
 * One relay per missing packet (per source, in the publisher's numbering) in this window. A relay's answer
 * takes the publisher's round trip, which the hub cannot measure (it only receives that publisher's
 * reports); libwebrtc assumes 100 ms before it has a measure, and its sender refuses a second resend of a
 * packet within its round trip anyway.
 */
export const NACK_RELAY_WINDOW_MS = 100
/** Slots of RelayedNacks (a power of two): seq & (slots - 1); a collision at worst relays once more. */
const RELAY_SLOTS = 256

/** A source's recently relayed sequence numbers, shared by its subscribers; allocated on its first relay. */
export class RelayedNacks {
  #seqs: Int32Array | undefined
  #at: Float64Array | undefined

  /** True (and `seq` counts as relayed at `now`) unless `seq` was relayed less than NACK_RELAY_WINDOW_MS ago. */
  claim(seq: number, now: number): boolean {
    const seqs = (this.#seqs ??= new Int32Array(RELAY_SLOTS).fill(-1))
    const at = (this.#at ??= new Float64Array(RELAY_SLOTS))
    const slot = seq & (RELAY_SLOTS - 1)
    if (seqs[slot] === seq && now - at[slot]! < NACK_RELAY_WINDOW_MS) return false
    seqs[slot] = seq
    at[slot] = now
    return true
  }
}

/** How many missing sequence numbers one subscription remembers (losses are rarely more at once). */
const REMEMBERED = 32

/** One subscription's NACKed sequence numbers (its own numbering) that the sender's history did not hold. */
export class NackRecovery {
  readonly #seqs = new Int32Array(REMEMBERED).fill(-1)
  readonly #firstAt = new Float64Array(REMEMBERED)
  #next = 0

  /**
   * One NACK's sequence numbers `lost` (pid + 1..16 may pass 0xffff, as werift parses them) against the
   * sender's history (`held`): each one missing there goes to `relay`; true when one has been missing for
   * NACK_RECOVERY_MS and `keyframeAllowed` (then every remembered number is forgotten: the keyframe
   * replaces them all). When not allowed they stay, and a later NACK asks again.
   */
  nacked(held: (seq: number) => boolean, lost: readonly number[], now: number, keyframeAllowed: boolean, relay: (seq: number) => void): boolean {
    let keyframeDue = false
    for (const raw of lost) {
      const seq = raw & 0xffff
      if (held(seq)) continue
      relay(seq)
      const index = this.#seqs.indexOf(seq)
      if (index >= 0) {
        if (now - this.#firstAt[index]! >= NACK_RECOVERY_MS) keyframeDue = true
      } else {
        this.#seqs[this.#next] = seq
        this.#firstAt[this.#next] = now
        this.#next = (this.#next + 1) % REMEMBERED
      }
    }
    if (!keyframeDue || !keyframeAllowed) return false
    this.#seqs.fill(-1)
    return true
  }
}

/** The part of werift's RTCRtpSender a NACK is checked against: its resend history and its sequence offset. */
interface WeriftNackSender {
  readonly rtpCache?: readonly ({ header: { sequenceNumber: number } } | undefined)[]
  /** The subscriber's numbering is the publisher's plus this (werift's sendRtp and the fast send alike). */
  readonly seqOffset?: number
}

/**
 * A subscriber's NACK against its werift sender: what to relay (the publisher's numbering, less what the
 * source relayed within the window: `coalesced`) and whether a keyframe is due (per subscription, as before).
 * `published` maps a number back for a forwarding whose offset changes (simulcast); else the sender's offset does.
 */
export function nackAgainstHistory(
  recovery: NackRecovery,
  relays: RelayedNacks,
  sender: object,
  lost: readonly number[],
  now: number,
  keyframeAllowed: boolean,
  published?: (seq: number) => number | undefined,
): { relayed: number[]; coalesced: number; keyframeDue: boolean } {
  const { rtpCache, seqOffset = 0 } = sender as WeriftNackSender
  const relayed: number[] = []
  let coalesced = 0
  const keyframeDue = recovery.nacked(
    (seq) => rtpCache?.[seq % RTP_HISTORY_SIZE]?.header.sequenceNumber === seq,
    lost,
    now,
    keyframeAllowed,
    (seq) => {
      // A simulcast forwarding maps it back through the offset it was numbered under (renumbering.ts):
      // undefined for another layer's number, or one forgotten.
      const publisherSeq = published ? published(seq) : (seq - seqOffset) & 0xffff
      if (publisherSeq === undefined) return
      if (relays.claim(publisherSeq, now)) relayed.push(publisherSeq)
      else coalesced++
    },
  )
  return { relayed, coalesced, keyframeDue }
}
