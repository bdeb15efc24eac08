// What this client asks the hub to send of each remote video, from how large it is drawn and the
// user's choice of incoming video (`user.setIncomingVideo`): all of it as drawn (`auto`), the narrowest
// layer of every camera (`low`, to save data), or no camera at all (`off`, audio only). A shared screen
// is sent as drawn in every mode: it is what the meeting is looking at, and it has no layers.
// Pure: the video size machine frames its reports with it, and the view says which cameras are off.

export const INCOMING_VIDEO_MODES = ['auto', 'low', 'off'] as const
export type IncomingVideo = (typeof INCOMING_VIDEO_MODES)[number]

export interface DrawnSize {
  width: number
  height: number
}

/**
 * A camera's size under `low`: scaled down (same shape) to this area at most. The hub picks a layer by a
 * tile's area (hub README: `video_low_pixels`, 16 200 by default, the hosted hub's rule too): under it,
 * the narrowest layer the publisher sends.
 */
export const LOW_VIDEO_PIXELS = 16_000

export function isIncomingVideo(value: unknown): value is IncomingVideo {
  return typeof value === 'string' && (INCOMING_VIDEO_MODES as readonly string[]).includes(value)
}

/** The size told to the hub for a video drawn at `drawn` (0×0: not drawn, so none is sent). */
export function askedSize(mode: IncomingVideo, drawn: DrawnSize, screen: boolean): DrawnSize {
  if (screen || mode === 'auto' || drawn.width <= 0 || drawn.height <= 0) return drawn
  if (mode === 'off') return { width: 0, height: 0 }
  const area = drawn.width * drawn.height
  if (area <= LOW_VIDEO_PIXELS) return drawn
  const scale = Math.sqrt(LOW_VIDEO_PIXELS / area)
  return { width: Math.floor(drawn.width * scale), height: Math.floor(drawn.height * scale) }
}
