// One simulcast forwarding's sequence numbers (werift-layer-switch.ts): the subscriber's number of a
// publisher packet is its number plus an offset, and the offset changes while one layer is forwarded,
// because padding-only packets (Chromium's probes, many a second on the lowest layer) are left out.
// Two rules keep a lossy link recoverable:
//   - a left-out padding packet gives its number to the next packet, and nothing else does: a packet lost
//     on the way from the publisher stays a gap the subscriber NACKs (numbering the next packet right
//     after the last one sent, as before stop 39, closed such gaps: a frame with a packet missing and
//     nothing to NACK);
//   - every offset in force lately is kept (SEGMENTS of them), so a late packet (the publisher's resend
//     of one lost on its way) gets the number its gap has, and a subscriber's NACK for a gap maps back to
//     the publisher's number to be relayed, however many probes came since (before, each renumbering made
//     every earlier NACK unrelayable: measured at 10–30 renumberings a second, a packet lost upstream
//     was never recovered, and the picture froze until a keyframe, 0.8–1.5 s at 100 ms and 2 % loss).
// A switch to another layer (another SSRC and numbering) starts again (`restart`).

/** Offsets kept: 64 segments cover ≥ 2 s at the probe rates measured, more than a NACK's life. */
export const SEGMENTS = 64

const UNKNOWN = -1

/** `a` comes after `b` in 16-bit serial order. */
function after(a: number, b: number): boolean {
  const step = (a - b) & 0xffff
  return step !== 0 && step < 0x8000
}

/** `a` is `b` or after it. */
function atOrAfter(a: number, b: number): boolean {
  return ((a - b) & 0xffff) < 0x8000
}

export class Renumbering {
  /** Each segment: the publisher number of its first packet, and its offset (subscriber = publisher + offset). */
  readonly #from = new Int32Array(SEGMENTS)
  readonly #offset = new Int32Array(SEGMENTS)
  #newest = -1
  #count = 0
  /** The highest publisher number seen (numbered or left out). */
  #highest = 0
  /** The highest publisher number numbered: a subscriber number after its is the next packet's, unknown yet. */
  #highestNumbered = 0
  /** Padding packets left out since the last packet numbered in order: the next one's offset is this much lower. */
  #leftOut = 0

  /**
   * Forwarding (re)starts at the publisher's `first` (a switch's keyframe, or the hold's): every earlier
   * offset is forgotten; this segment's offset is the sender's when its first packet is numbered.
   */
  restart(first: number): void {
    this.#count = 0
    this.#newest = -1
    this.#leftOut = 0
    this.#push(first, UNKNOWN)
    this.#highest = first
    this.#highestNumbered = first
  }

  /** A padding-only packet `seq` was left out: in order, the next packet takes its number. */
  leftOut(seq: number): void {
    if (this.#count === 0 || !after(seq, this.#highest)) return
    this.#highest = seq
    this.#leftOut++
  }

  /**
   * Whether `seq` comes late, behind the highest number seen: its offset is an older segment's, so the
   * sender's numbering is to be put back after it is sent. Asked before `offsetFor` numbers it.
   */
  isLate(seq: number): boolean {
    return this.#count > 0 && !atOrAfter(seq, this.#highest)
  }

  /**
   * The offset to number `seq` with (subscriber = seq + offset), `current` being the sender's offset now;
   * undefined for a late packet from before every kept segment (not to be sent).
   */
  offsetFor(seq: number, current: number): number | undefined {
    if (this.#count === 0) return current
    if (this.#offset[this.#newest] === UNKNOWN) this.#offset[this.#newest] = current
    if (atOrAfter(seq, this.#highest)) {
      this.#highest = seq
      this.#highestNumbered = seq
      if (this.#leftOut > 0) {
        this.#push(seq, (this.#offset[this.#newest]! - this.#leftOut) & 0xffff)
        this.#leftOut = 0
      }
      return this.#offset[this.#newest]!
    }
    const index = this.#segmentOf(seq)
    return index === undefined ? undefined : this.#offset[index]!
  }

  /** The publisher's number of the subscriber's `seq` (a NACK's), or undefined: not numbered here, or forgotten. */
  published(seq: number): number | undefined {
    for (let n = 0, index = this.#newest; n < this.#count; n++, index = (index + SEGMENTS - 1) % SEGMENTS) {
      const offset = this.#offset[index]!
      if (offset === UNKNOWN) return undefined
      if (!atOrAfter(seq, (this.#from[index]! + offset) & 0xffff)) continue
      const publisher = (seq - offset) & 0xffff
      return after(publisher, this.#highestNumbered) ? undefined : publisher
    }
    return undefined
  }

  /** The newest segment whose first packet is at or before `seq`. */
  #segmentOf(seq: number): number | undefined {
    for (let n = 0, index = this.#newest; n < this.#count; n++, index = (index + SEGMENTS - 1) % SEGMENTS) {
      if (atOrAfter(seq, this.#from[index]!)) return this.#offset[index] === UNKNOWN ? undefined : index
    }
    return undefined
  }

  #push(from: number, offset: number): void {
    this.#newest = (this.#newest + 1) % SEGMENTS
    this.#from[this.#newest] = from
    this.#offset[this.#newest] = offset
    this.#count = Math.min(SEGMENTS, this.#count + 1)
  }
}
