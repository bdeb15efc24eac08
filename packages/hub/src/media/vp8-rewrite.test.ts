import { describe, expect, it } from 'vitest'
import { Vp8Continuity, readVp8Fields, vp8KeyframeSize } from './vp8-rewrite.js'
import { startsVp8Keyframe } from './vp8.js'
import { vp8Payload } from '../test-support/vp8Packets.js'

describe('VP8 descriptor fields', () => {
  it('reads the 15-bit and 7-bit PictureID and TL0PICIDX, and a keyframe’s size', () => {
    expect(readVp8Fields(vp8Payload({ pictureId: 0x1234, tl0: 200 }))).toEqual({ pictureIdAt: 2, longPictureId: true, pictureId: 0x1234, tl0At: 4, tl0: 200 })
    expect(readVp8Fields(vp8Payload({ pictureId: 100, tl0: 3, shortPictureId: true }))).toEqual({ pictureIdAt: 2, longPictureId: false, pictureId: 100, tl0At: 3, tl0: 3 })
    const keyframe = vp8Payload({ pictureId: 1, tl0: 1, keyframeWidth: 960 })
    expect(startsVp8Keyframe(keyframe)).toBe(true)
    expect(vp8KeyframeSize(keyframe)).toEqual({ width: 960, height: 540 })
    expect(vp8KeyframeSize(vp8Payload({ pictureId: 1, tl0: 1 }))).toBeUndefined()
    expect(vp8KeyframeSize(vp8Payload({ pictureId: 1, tl0: 1, keyframeWidth: 960, start: false }))).toBeUndefined()
    expect(readVp8Fields(Buffer.from([0x90, 0xc0, 0x80]))).toBeUndefined()
  })
})

describe('Vp8Continuity', () => {
  it('leaves payloads as they are (the same buffer) until a switch', () => {
    const continuity = new Vp8Continuity()
    const payload = vp8Payload({ pictureId: 500, tl0: 9 })
    expect(continuity.rewrite(payload)).toBe(payload)
  })

  it('continues the PictureID and TL0PICIDX after a switch to a layer with other numbers, in a copy', () => {
    const continuity = new Vp8Continuity()
    for (let picture = 0; picture < 3; picture++) continuity.rewrite(vp8Payload({ pictureId: 0x7ffe + picture, tl0: 254 + picture }))
    // Last written: PictureID 0x0000 (wrapped), TL0PICIDX 0 (wrapped).
    const keyframe = vp8Payload({ pictureId: 42, tl0: 17, keyframeWidth: 320 })
    const original = Buffer.from(keyframe)
    continuity.switchTo(keyframe)
    const first = continuity.rewrite(keyframe)
    expect(first).not.toBe(keyframe)
    expect(keyframe.equals(original)).toBe(true)
    expect(readVp8Fields(first)).toMatchObject({ pictureId: 1, tl0: 1 })
    // A continuation of that frame keeps its picture, the next frame follows.
    expect(readVp8Fields(continuity.rewrite(vp8Payload({ pictureId: 42, tl0: 17, start: false })))).toMatchObject({ pictureId: 1, tl0: 1 })
    expect(readVp8Fields(continuity.rewrite(vp8Payload({ pictureId: 43, tl0: 18 })))).toMatchObject({ pictureId: 2, tl0: 2 })
    // The frame body is untouched.
    expect(first.subarray(6).equals(keyframe.subarray(6))).toBe(true)
  })

  it('wraps a 7-bit PictureID at 128', () => {
    const continuity = new Vp8Continuity()
    continuity.rewrite(vp8Payload({ pictureId: 127, tl0: 0, shortPictureId: true }))
    const next = vp8Payload({ pictureId: 5, tl0: 0, shortPictureId: true, keyframeWidth: 320 })
    continuity.switchTo(next)
    expect(readVp8Fields(continuity.rewrite(next))).toMatchObject({ pictureId: 0, tl0: 1 })
  })
})
