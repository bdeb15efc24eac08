// VP8 RTP payloads (RFC 7741) as Chromium's simulcast sends them: the descriptor with a 15-bit PictureID,
// TL0PICIDX and a TID byte, then the frame; a keyframe's first packet carries the frame's size (RFC 6386).

export interface Vp8PacketOptions {
  pictureId: number
  tl0: number
  /** The first packet of a keyframe of this width (height: 9/16 of it). */
  keyframeWidth?: number
  /** The first packet of a frame (S bit); false: a continuation. Default true. */
  start?: boolean
  /** A 7-bit PictureID instead. */
  shortPictureId?: boolean
}

export function vp8Payload(options: Vp8PacketOptions): Buffer {
  const start = options.start ?? true
  const descriptor = options.shortPictureId
    ? [0x80 | (start ? 0x10 : 0), 0xe0, options.pictureId & 0x7f, options.tl0 & 0xff, 0x20]
    : [0x80 | (start ? 0x10 : 0), 0xe0, 0x80 | ((options.pictureId >> 8) & 0x7f), options.pictureId & 0xff, options.tl0 & 0xff, 0x20]
  const width = options.keyframeWidth
  // Frame tag: P bit 0 on a keyframe; then (keyframe) start code and 14-bit width/height, little-endian.
  const frame = width === undefined ? [0x01, 0x00, 0x00, 0xaa, 0xbb] : [0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, width & 0xff, width >> 8, Math.round((width * 9) / 16) & 0xff, Math.round((width * 9) / 16) >> 8]
  return Buffer.from([...descriptor, ...frame, ...new Array<number>(40).fill(7)])
}
