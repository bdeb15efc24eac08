// How large a subscriber shows each video it receives (the `video_size` frames of its `internal` data
// channel, hub-api-v1.md §5), and what that allows of a simulcast source: shared by the media planes.
//
// The ceiling rule (the hosted hub's, by the room's `bitrates` `video_*_pixels` options): the tile's area
// in CSS pixels, width × height, picks a quality; at most `video_low_pixels` (default 16 200, e.g.
// 180×90) → low, at most `video_mid_pixels` (default 64 800, e.g. 360×180) → mid, above → high. A
// quality is a level counted from the widest layer down (high = the widest, mid = one under it, low =
// two under it, never under the narrowest), so a source with fewer layers keeps its widest for the
// largest tiles. With the SDK's layers (1/4, 1/2 and full size of the camera) the layer picked is about
// twice the tile's width (a 160×120 tile of a 640×480 camera gets the 320×240 layer): what a HiDPI
// screen (device pixel ratio 2) shows sharply; the hub cannot know the ratio, the SDK sends CSS pixels.
// 0 × anything (Parley's "off screen") → 0: hidden, no video forwarded until a nonzero size comes.
import type { Bitrates } from '@parley/protocol'
import { DEFAULT_BITRATES } from '../roomOptions.js'
import type { LayerChoice } from './layer-choice.js'
import { VideoPause } from './video-pause.js'

export interface ViewerSize {
  readonly width: number
  readonly height: number
}

export interface PixelThresholds {
  readonly lowPixels: number
  readonly midPixels: number
}

/**
 * Sizes kept per subscriber: a track id it reports that matches no subscription (yet) is kept for when
 * one comes, up to this many, the oldest report dropped first (a client sending ids at random only
 * pushes out its own).
 */
export const MAX_VIEWER_SIZES = 256

/** The room's thresholds; 0 or absent (the protocol's "use default") reads as the hub's default. */
export function pixelThresholds(bitrates: Partial<Pick<Bitrates, 'video_low_pixels' | 'video_mid_pixels'>> | undefined): PixelThresholds {
  const low = bitrates?.video_low_pixels || DEFAULT_BITRATES.video_low_pixels
  const mid = bitrates?.video_mid_pixels || DEFAULT_BITRATES.video_mid_pixels
  return { lowPixels: low, midPixels: Math.max(low, mid) }
}

/** The widest level (1 = the narrowest layer … layerCount) a tile of `size` needs; 0 for a hidden tile. */
export function ceilingLevel(size: ViewerSize, layerCount: number, thresholds: PixelThresholds): number {
  if (size.width <= 0 || size.height <= 0) return 0
  const area = size.width * size.height
  const under = area <= thresholds.lowPixels ? 2 : area <= thresholds.midPixels ? 1 : 0
  return Math.max(1, layerCount - under)
}

/** One subscriber's latest size per track id, bounded (MAX_VIEWER_SIZES). */
export class ViewerSizes {
  readonly #sizes = new Map<string, ViewerSize>()
  readonly #max: number

  constructor(max = MAX_VIEWER_SIZES) {
    this.#max = max
  }

  get size(): number {
    return this.#sizes.size
  }

  /** Keeps the latest size of `trackId`; false when it did not change. */
  set(trackId: string, size: ViewerSize): boolean {
    const known = this.#sizes.get(trackId)
    if (known && known.width === size.width && known.height === size.height) return false
    // Re-inserted: the map's order is the reports' age.
    this.#sizes.delete(trackId)
    this.#sizes.set(trackId, { width: size.width, height: size.height })
    while (this.#sizes.size > this.#max) this.#sizes.delete(this.#sizes.keys().next().value!)
    return true
  }

  get(trackId: string): ViewerSize | undefined {
    return this.#sizes.get(trackId)
  }
}

/**
 * A subscription's pause gets the tile's size: a simulcast choice its ceiling (hidden at 0), a single
 * stream's pause hidden at 0 and shown otherwise; without a pause (no estimate) nothing changes.
 */
export function applyViewerSize(pause: VideoPause | LayerChoice | undefined, size: ViewerSize, thresholds: PixelThresholds): void {
  if (pause instanceof VideoPause) {
    if (size.width <= 0 || size.height <= 0) pause.hide()
    else pause.show()
  } else if (pause) {
    pause.setCeiling(ceilingLevel(size, pause.layerCount, thresholds))
  }
}
