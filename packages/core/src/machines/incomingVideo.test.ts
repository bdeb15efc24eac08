// The size asked of the hub for a video drawn at some size, by the incoming choice.
import { describe, expect, it } from 'vitest'
import { askedSize, isIncomingVideo, LOW_VIDEO_PIXELS } from './incomingVideo.js'

describe('askedSize', () => {
  const tile = { width: 640, height: 360 }

  it('asks for each video as drawn with `auto`', () => {
    expect(askedSize('auto', tile, false)).toEqual(tile)
  })

  it('asks for no camera with `off`, and for a shared screen as drawn', () => {
    expect(askedSize('off', tile, false)).toEqual({ width: 0, height: 0 })
    expect(askedSize('off', tile, true)).toEqual(tile)
  })

  it("asks for a camera within the data saver's area with `low` (same shape), a smaller tile as drawn, a screen as drawn", () => {
    const asked = askedSize('low', tile, false)
    expect(asked.width * asked.height).toBeLessThanOrEqual(LOW_VIDEO_PIXELS)
    expect(asked.width / asked.height).toBeCloseTo(16 / 9, 1)
    // Under the hub's default low threshold (16 200 px), so the narrowest layer.
    expect(asked.width * asked.height).toBeLessThanOrEqual(16_200)
    expect(askedSize('low', { width: 160, height: 90 }, false)).toEqual({ width: 160, height: 90 })
    expect(askedSize('low', tile, true)).toEqual(tile)
  })

  it('keeps a video drawn nowhere (0×0) at 0×0 in every mode', () => {
    for (const mode of ['auto', 'low', 'off'] as const) expect(askedSize(mode, { width: 0, height: 0 }, false)).toEqual({ width: 0, height: 0 })
  })

  it('knows its modes', () => {
    expect(['auto', 'low', 'off', 'high', '', undefined].map(isIncomingVideo)).toEqual([true, true, true, false, false, false])
  })
})
