// The tile sizes a subscriber reports (viewer-size.ts): the ceiling rule by the room's pixel options,
// the bounded map, and how a subscription's pause takes a size.
import { describe, expect, it } from 'vitest'
import { systemClock } from '../clock.js'
import { LayerChoice } from './layer-choice.js'
import { VideoPause } from './video-pause.js'
import { MAX_VIEWER_SIZES, ViewerSizes, applyViewerSize, ceilingLevel, pixelThresholds } from './viewer-size.js'

const DEFAULTS = pixelThresholds(undefined)

describe('ceilingLevel', () => {
  it('by area against video_low_pixels and video_mid_pixels: low, mid, high of three layers', () => {
    expect(DEFAULTS).toEqual({ lowPixels: 16_200, midPixels: 64_800 })
    expect(ceilingLevel({ width: 120, height: 90 }, 3, DEFAULTS)).toBe(1)
    expect(ceilingLevel({ width: 180, height: 90 }, 3, DEFAULTS)).toBe(1)
    expect(ceilingLevel({ width: 160, height: 120 }, 3, DEFAULTS)).toBe(2)
    expect(ceilingLevel({ width: 360, height: 180 }, 3, DEFAULTS)).toBe(2)
    expect(ceilingLevel({ width: 640, height: 480 }, 3, DEFAULTS)).toBe(3)
  })

  it('counts from the widest layer down: fewer layers keep their widest for large tiles, never under the narrowest', () => {
    expect(ceilingLevel({ width: 640, height: 480 }, 2, DEFAULTS)).toBe(2)
    expect(ceilingLevel({ width: 160, height: 120 }, 2, DEFAULTS)).toBe(1)
    expect(ceilingLevel({ width: 100, height: 100 }, 2, DEFAULTS)).toBe(1)
    expect(ceilingLevel({ width: 100, height: 100 }, 1, DEFAULTS)).toBe(1)
  })

  it('0 in either dimension: hidden', () => {
    expect(ceilingLevel({ width: 0, height: 0 }, 3, DEFAULTS)).toBe(0)
    expect(ceilingLevel({ width: 640, height: 0 }, 3, DEFAULTS)).toBe(0)
  })

  it('takes the room\'s options; 0 means the default', () => {
    const room = pixelThresholds({ video_low_pixels: 100_000, video_mid_pixels: 0 })
    expect(room).toEqual({ lowPixels: 100_000, midPixels: 100_000 })
    expect(ceilingLevel({ width: 160, height: 120 }, 3, room)).toBe(1)
    expect(ceilingLevel({ width: 640, height: 480 }, 3, room)).toBe(3)
  })
})

describe('ViewerSizes', () => {
  it('keeps the latest size per track id and says when it changed', () => {
    const sizes = new ViewerSizes()
    expect(sizes.set('t', { width: 160, height: 120 })).toBe(true)
    expect(sizes.set('t', { width: 160, height: 120 })).toBe(false)
    expect(sizes.set('t', { width: 0, height: 0 })).toBe(true)
    expect(sizes.get('t')).toEqual({ width: 0, height: 0 })
  })

  it('is bounded: ids at random push out the oldest reports, a refreshed one stays', () => {
    const sizes = new ViewerSizes()
    sizes.set('real', { width: 320, height: 240 })
    for (let i = 0; i < MAX_VIEWER_SIZES - 1; i++) sizes.set(`junk-${i}`, { width: 1, height: 1 })
    sizes.set('real', { width: 640, height: 480 })
    for (let i = 0; i < 10 * MAX_VIEWER_SIZES; i++) sizes.set(`more-${i}`, { width: 2, height: 2 })
    expect(sizes.size).toBe(MAX_VIEWER_SIZES)
    expect(sizes.get('real')).toBeUndefined()
    expect(sizes.get(`more-${10 * MAX_VIEWER_SIZES - 1}`)).toEqual({ width: 2, height: 2 })
    const small = new ViewerSizes(2)
    small.set('a', { width: 1, height: 1 })
    small.set('b', { width: 1, height: 1 })
    small.set('a', { width: 2, height: 2 })
    small.set('c', { width: 1, height: 1 })
    expect([small.get('a'), small.get('b')]).toEqual([{ width: 2, height: 2 }, undefined])
  })
})

describe('applyViewerSize', () => {
  it('a simulcast choice gets its ceiling; a single stream\'s pause hides at 0 and shows otherwise', () => {
    const choice = new LayerChoice(systemClock, 3, { paused: () => undefined, targetChanged: () => undefined })
    applyViewerSize(choice, { width: 160, height: 120 }, DEFAULTS)
    expect(choice.ceiling).toBe(2)
    applyViewerSize(choice, { width: 0, height: 0 }, DEFAULTS)
    expect(choice.state).toBe('hidden')
    const pause = new VideoPause(systemClock, { changed: () => undefined, keyframeWanted: () => undefined })
    applyViewerSize(pause, { width: 0, height: 0 }, DEFAULTS)
    expect(pause.state).toBe('hidden')
    applyViewerSize(pause, { width: 10, height: 10 }, DEFAULTS)
    expect(pause.state).toBe('resuming')
    pause.end()
    choice.end()
    expect(() => applyViewerSize(undefined, { width: 0, height: 0 }, DEFAULTS)).not.toThrow()
  })
})
