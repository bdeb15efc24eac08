// REMB (RTCP receiver-estimated maximum bitrate, draft-alvestrand-rmcat-remb-03) on the wire: what the
// estimate (bandwidth.ts) is sent to publishers as.

/** REMB's bitrate encoding: an 18-bit mantissa and a 6-bit exponent. */
export function rembMantissaExponent(bitrate: number): { mantissa: number; exponent: number } {
  let mantissa = Math.max(0, Math.floor(bitrate))
  let exponent = 0
  while (mantissa >= 1 << 18) {
    mantissa = Math.floor(mantissa / 2)
    exponent++
  }
  return { mantissa, exponent }
}

/**
 * The RTCP packet (PSFB, FMT 15, `REMB`) that tells a publisher `bitrate` (bit/s) for its streams `ssrcs`,
 * as bytes (draft-alvestrand-rmcat-remb-03).
 */
export function rembBytes(senderSsrc: number, ssrcs: readonly number[], bitrate: number): Buffer {
  const { mantissa, exponent } = rembMantissaExponent(bitrate)
  const packet = Buffer.alloc(20 + 4 * ssrcs.length)
  packet[0] = 0x80 | 15
  packet[1] = 206
  packet.writeUInt16BE(packet.length / 4 - 1, 2)
  packet.writeUInt32BE(senderSsrc >>> 0, 4)
  // media source SSRC (8..11) stays 0
  packet.write('REMB', 12, 'latin1')
  packet[16] = ssrcs.length
  packet[17] = (exponent << 2) | (mantissa >>> 16)
  packet.writeUInt16BE(mantissa & 0xffff, 18)
  ssrcs.forEach((ssrc, index) => packet.writeUInt32BE(ssrc >>> 0, 20 + 4 * index))
  return packet
}
