// How large a subscriber shows each video it receives (the `video_size` frames of its `internal` data
// channel, hub-api-v1.md §5), and what that allows of a simulcast source: shared by the media planes.
//
// The ceiling rule (the hosted hub's, by the room's `bitrates` `video_*_pixels` options): the tile's area
// in CSS pixels, width × height, picks a quality; at most `video_low_pixels` (default 16 200, e.g.
// 180×90) → low, at most `video_mid_pixels` (default 64 800, e.g. 360×180) → mid, above → high. A
// quality counts down from the widest layer the publisher sends now: high = the widest, mid = one
// under it, low = two under it, never under the narrowest (Chromium sends only two layers of a 640×480
// camera, 640 and 320 wide: mid and low are then both the 320 one). With the SDK's layers (full, 1/2 and
// 1/4 of the camera's size) the layer picked is about twice the tile's width (a 160×120 tile of a
// 640×480 camera gets the 320×240 layer): what a HiDPI screen (device pixel ratio 2) shows sharply; the
// hub cannot know the ratio, the SDK sends CSS pixels.
// 0 × anything (Parley's "off screen") → hidden: no video forwarded until a nonzero size comes.
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
 * pushes out its own). A track that leaves the room has its size forgotten (`ViewerSizes.forget`).
 */
export const MAX_VIEWER_SIZES = 256

/** The room's thresholds; 0 or absent (the protocol's "use default") reads as the hub's default. */
export function pixelThresholds(bitrates: Partial<Pick<Bitrates, 'video_low_pixels' | 'video_mid_pixels'>> | undefined): PixelThresholds {
  const low = bitrates?.video_low_pixels || DEFAULT_BITRATES.video_low_pixels
  const mid = bitrates?.video_mid_pixels || DEFAULT_BITRATES.video_mid_pixels
  return { lowPixels: low, midPixels: Math.max(low, mid) }
}

/** How many layers under the widest sending one a tile of `size` needs; 'hidden' for a tile not shown. */
export function layersUnderWidest(size: ViewerSize, thresholds: PixelThresholds): number | 'hidden' {
  if (size.width <= 0 || size.height <= 0) return 'hidden'
  const area = size.width * size.height
  return area <= thresholds.lowPixels ? 2 : area <= thresholds.midPixels ? 1 : 0
}

/** The widest level (1 = the narrowest sending layer … `sending`) a tile needs; 0 for a hidden one. */
export function ceilingLevel(under: number | 'hidden', sending: number): number {
  return under === 'hidden' ? 0 : Math.max(1, sending - under)
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

  /** The track left the room: a track published again under its id starts from no size. */
  forget(trackId: string): void {
    this.#sizes.delete(trackId)
  }
}

/** What a subscription offers to a tile size: its pause, and for a simulcast source its layer switch. */
export interface SizedSubscription {
  readonly pause: VideoPause | LayerChoice | undefined
  readonly layers?: { viewer(under: number | 'hidden'): void } | undefined
}

/**
 * A subscription gets the tile's size: a simulcast switch its ceiling (hidden at 0), a single stream's
 * pause hidden at 0 and shown otherwise; without a pause (no estimate) nothing changes.
 */
export function applyViewerSize(subscription: SizedSubscription, size: ViewerSize, thresholds: PixelThresholds): void {
  const under = layersUnderWidest(size, thresholds)
  if (subscription.layers) subscription.layers.viewer(under)
  else if (subscription.pause instanceof VideoPause) {
    if (under === 'hidden') subscription.pause.hide()
    else subscription.pause.show()
  }
}
