// The VP8 payload descriptor (RFC 7741 4.2) of a forwarding that switches between simulcast layers: each
// layer numbers its pictures (PictureID) and base-layer frames (TL0PICIDX) on its own, and a receiver
// that sees them jump may take the new layer's frames for old ones. Rewritten so that the first picture
// after a switch follows the last one forwarded, as the sequence numbers and timestamps are.

/** Where the descriptor's PictureID and TL0PICIDX are in one packet's payload (-1: absent). */
export interface Vp8Fields {
  pictureIdAt: number
  /** 15-bit PictureID (M bit set), else 7-bit. */
  longPictureId: boolean
  pictureId: number
  tl0At: number
  tl0: number
}

/** The descriptor's fields, or undefined when the payload is too short to hold what its flags say. */
export function readVp8Fields(payload: Uint8Array): Vp8Fields | undefined {
  const first = payload[0]
  if (first === undefined) return undefined
  const fields: Vp8Fields = { pictureIdAt: -1, longPictureId: false, pictureId: 0, tl0At: -1, tl0: 0 }
  if ((first & 0x80) === 0) return fields
  const extension = payload[1]
  if (extension === undefined) return undefined
  let offset = 2
  if (extension & 0x80) {
    const high = payload[offset]
    if (high === undefined) return undefined
    fields.pictureIdAt = offset
    if (high & 0x80) {
      const low = payload[offset + 1]
      if (low === undefined) return undefined
      fields.longPictureId = true
      fields.pictureId = ((high & 0x7f) << 8) | low
      offset += 2
    } else {
      fields.pictureId = high & 0x7f
      offset += 1
    }
  }
  if (extension & 0x40) {
    const tl0 = payload[offset]
    if (tl0 === undefined) return undefined
    fields.tl0At = offset
    fields.tl0 = tl0
  }
  return fields
}

/** Width and height of a VP8 keyframe whose first packet `payload` is (RFC 6386 9.1), else undefined. */
export function vp8KeyframeSize(payload: Uint8Array): { width: number; height: number } | undefined {
  const first = payload[0]
  if (first === undefined || (first & 0x10) === 0 || (first & 0x07) !== 0) return undefined
  let offset = 1
  if (first & 0x80) {
    const extension = payload[offset++]
    if (extension === undefined) return undefined
    if (extension & 0x80) offset += (payload[offset] ?? 0) & 0x80 ? 2 : 1
    if (extension & 0x40) offset++
    if (extension & 0x30) offset++
  }
  // Frame tag (3 bytes, P bit 0 on a keyframe), start code 9d 01 2a, then 14-bit width and height (LE).
  if (payload.length < offset + 10 || (payload[offset]! & 0x01) !== 0) return undefined
  if (payload[offset + 3] !== 0x9d || payload[offset + 4] !== 0x01 || payload[offset + 5] !== 0x2a) return undefined
  const width = (payload[offset + 6]! | (payload[offset + 7]! << 8)) & 0x3fff
  const height = (payload[offset + 8]! | (payload[offset + 9]! << 8)) & 0x3fff
  return { width, height }
}

/** One forwarding's PictureID / TL0PICIDX offsets: zero until its first switch (no copy before then). */
export class Vp8Continuity {
  #pictureIdOffset = 0
  #tl0Offset = 0
  /** The last values written (after the offsets); undefined before the first packet with them. */
  #lastPictureId: number | undefined
  #lastTl0: number | undefined

  /** The next packet (`payload`, the first of a keyframe on the new layer) starts a new picture after the last. */
  switchTo(payload: Uint8Array): void {
    const fields = readVp8Fields(payload)
    if (!fields) return
    if (fields.pictureIdAt >= 0 && this.#lastPictureId !== undefined) {
      const modulo = fields.longPictureId ? 0x8000 : 0x80
      this.#pictureIdOffset = (this.#lastPictureId + 1 - fields.pictureId + modulo * 2) % modulo
    }
    if (fields.tl0At >= 0 && this.#lastTl0 !== undefined) this.#tl0Offset = (this.#lastTl0 + 1 - fields.tl0 + 512) % 256
  }

  /** `payload` with the offsets applied: itself when they are zero, else a rewritten copy (it is shared). */
  rewrite(payload: Buffer): Buffer {
    const fields = readVp8Fields(payload)
    if (!fields) return payload
    const modulo = fields.longPictureId ? 0x8000 : 0x80
    const pictureId = (fields.pictureId + this.#pictureIdOffset) % modulo
    const tl0 = (fields.tl0 + this.#tl0Offset) % 256
    if (fields.pictureIdAt >= 0) this.#lastPictureId = pictureId
    if (fields.tl0At >= 0) this.#lastTl0 = tl0
    if ((this.#pictureIdOffset === 0 || fields.pictureIdAt < 0) && (this.#tl0Offset === 0 || fields.tl0At < 0)) return payload
    const out = Buffer.from(payload)
    if (fields.pictureIdAt >= 0) {
      if (fields.longPictureId) out.writeUInt16BE(0x8000 | pictureId, fields.pictureIdAt)
      else out[fields.pictureIdAt] = pictureId
    }
    if (fields.tl0At >= 0) out[fields.tl0At] = tl0
    return out
  }
}
