import { describe, expect, it } from 'vitest'
import { startsVp8Keyframe } from './vp8.js'

describe('startsVp8Keyframe', () => {
  it('reads the frame header after the descriptor with a 15-bit picture id', () => {
    // X=1, S=1, PID=0; I=1; picture id 0x8123 (M set: two bytes); frame header P=0.
    expect(startsVp8Keyframe(Uint8Array.of(0x90, 0x80, 0x81, 0x23, 0x10, 0x02, 0x00))).toBe(true)
    expect(startsVp8Keyframe(Uint8Array.of(0x90, 0x80, 0x81, 0x23, 0x11, 0x02, 0x00))).toBe(false)
  })

  it('skips TL0PICIDX and TID bytes, and a one-byte picture id', () => {
    expect(startsVp8Keyframe(Uint8Array.of(0x90, 0xe0, 0x12, 0x05, 0x40, 0x50))).toBe(true)
  })

  it('is false for a packet that does not start partition 0, and for an empty payload', () => {
    expect(startsVp8Keyframe(Uint8Array.of(0x80, 0x80, 0x12, 0x10))).toBe(false)
    expect(startsVp8Keyframe(Uint8Array.of(0x11, 0x10))).toBe(false)
    expect(startsVp8Keyframe(new Uint8Array(0))).toBe(false)
  })

  it('reads a descriptor without the extension byte', () => {
    expect(startsVp8Keyframe(Uint8Array.of(0x10, 0x9c))).toBe(true)
  })
})
