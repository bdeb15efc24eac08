// VP8 RTP payload (RFC 7741), read only as far as the join trace needs: does this packet start a keyframe?

/** True when `payload` is the first packet of a VP8 keyframe (S=1, partition 0, P bit of the frame header 0). */
export function startsVp8Keyframe(payload: Uint8Array): boolean {
  if (payload.length < 1) return false
  const first = payload[0]!
  // S (start of partition) set and partition index 0.
  if ((first & 0x10) === 0 || (first & 0x07) !== 0) return false
  let offset = 1
  if (first & 0x80) {
    // X: extension byte with I (picture id), L (TL0PICIDX), T/K (TID/KEYIDX).
    const extension = payload[offset++]
    if (extension === undefined) return false
    if (extension & 0x80) offset += (payload[offset] ?? 0) & 0x80 ? 2 : 1
    if (extension & 0x40) offset++
    if (extension & 0x30) offset++
  }
  const header = payload[offset]
  return header !== undefined && (header & 0x01) === 0
}
