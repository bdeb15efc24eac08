// The tile sizes a subscriber reports (viewer-size.ts): the ceiling rule by the room's pixel options,
// the bounded map, and how a subscription's pause takes a size.
import { describe, expect, it } from 'vitest'
import { systemClock } from '../clock.js'
import { LayerChoice } from './layer-choice.js'
import { VideoPause } from './video-pause.js'
import { MAX_VIEWER_SIZES, ViewerSizes, applyViewerSize, ceilingLevel, layersUnderWidest, pixelThresholds } from './viewer-size.js'

const DEFAULTS = pixelThresholds(undefined)

const ceiling = (width: number, height: number, sending: number, thresholds = DEFAULTS) => ceilingLevel(layersUnderWidest({ width, height }, thresholds), sending)

describe('the ceiling rule', () => {
  it('by area against video_low_pixels and video_mid_pixels: low, mid, high of three sending layers', () => {
    expect(DEFAULTS).toEqual({ lowPixels: 16_200, midPixels: 64_800 })
    expect(ceiling(120, 90, 3)).toBe(1)
    expect(ceiling(180, 90, 3)).toBe(1)
    expect(ceiling(160, 120, 3)).toBe(2)
    expect(ceiling(360, 180, 3)).toBe(2)
    expect(ceiling(640, 480, 3)).toBe(3)
  })

  it('counts down from the widest layer sending: with two (a 640x480 camera in Chromium) mid is the narrower, never under the narrowest', () => {
    expect(ceiling(640, 480, 2)).toBe(2)
    expect(ceiling(160, 120, 2)).toBe(1)
    expect(ceiling(100, 100, 2)).toBe(1)
    expect(ceiling(100, 100, 1)).toBe(1)
  })

  it('0 in either dimension: hidden', () => {
    expect(layersUnderWidest({ width: 0, height: 0 }, DEFAULTS)).toBe('hidden')
    expect(layersUnderWidest({ width: 640, height: 0 }, DEFAULTS)).toBe('hidden')
    expect(ceilingLevel('hidden', 3)).toBe(0)
  })

  it('takes the room\'s options; 0 means the default', () => {
    const room = pixelThresholds({ video_low_pixels: 100_000, video_mid_pixels: 0 })
    expect(room).toEqual({ lowPixels: 100_000, midPixels: 100_000 })
    expect(ceiling(160, 120, 3, room)).toBe(1)
    expect(ceiling(640, 480, 3, room)).toBe(3)
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

  it('forgets a track that went: its slot freed, the same size told again is a change', () => {
    const sizes = new ViewerSizes(2)
    sizes.set('gone', { width: 160, height: 120 })
    sizes.set('kept', { width: 320, height: 240 })
    sizes.forget('gone')
    sizes.forget('never')
    expect([sizes.size, sizes.get('gone'), sizes.get('kept')]).toEqual([1, undefined, { width: 320, height: 240 }])
    sizes.set('new', { width: 1, height: 1 })
    expect(sizes.get('kept')).toEqual({ width: 320, height: 240 })
    expect(sizes.set('gone', { width: 160, height: 120 })).toBe(true)
  })
})

describe('applyViewerSize', () => {
  it('a simulcast switch gets the layers under the widest; a single stream\'s pause hides at 0 and shows otherwise', () => {
    const told: (number | 'hidden')[] = []
    const choice = new LayerChoice(systemClock, 3, { paused: () => undefined, targetChanged: () => undefined })
    applyViewerSize({ pause: choice, layers: { viewer: (under) => void told.push(under) } }, { width: 160, height: 120 }, DEFAULTS)
    applyViewerSize({ pause: choice, layers: { viewer: (under) => void told.push(under) } }, { width: 0, height: 0 }, DEFAULTS)
    expect(told).toEqual([1, 'hidden'])
    const pause = new VideoPause(systemClock, { changed: () => undefined, keyframeWanted: () => undefined })
    applyViewerSize({ pause }, { width: 0, height: 0 }, DEFAULTS)
    expect(pause.state).toBe('hidden')
    applyViewerSize({ pause }, { width: 10, height: 10 }, DEFAULTS)
    expect(pause.state).toBe('resuming')
    pause.end()
    choice.end()
  })
})
