import { describe, expect, it } from 'vitest'
import { FRAME_MAGIC, decryptFrame, deriveFrameKey, encryptFrame, frameGeneration, safetyCode, type FrameInfo } from './frameCrypto.js'

const key = deriveFrameKey('correct horse battery staple')
const otherKey = deriveFrameKey('correct horse battery stapler')

const AUDIO: FrameInfo = { kind: 'audio', keyframe: false }
const VIDEO_KEY: FrameInfo = { kind: 'video', keyframe: true }
const VIDEO_DELTA: FrameInfo = { kind: 'video', keyframe: false }

/** A frame of `length` bytes, each its index (so no two neighbours are equal). */
function frameOf(length: number): ArrayBuffer {
  return Uint8Array.from({ length }, (_, index) => (index * 7 + 3) & 0xff).buffer
}

const bytes = (buffer: ArrayBuffer) => [...new Uint8Array(buffer)]

describe('encryptFrame / decryptFrame', () => {
  for (const [name, info, prefix] of [
    ['audio', AUDIO, 1],
    ['a video keyframe', VIDEO_KEY, 10],
    ['a video delta frame', VIDEO_DELTA, 3],
  ] as const) {
    it(`${name}: round trip; the first ${prefix} byte(s) stay in the clear, the rest differs, the trailer is IV ‖ generation ‖ magic`, async () => {
      const plain = frameOf(200)
      const sealed = await encryptFrame(await key, plain, info, 7)
      const out = bytes(sealed)
      expect(out.length).toBe(200 + 16 + 12 + 1 + 2)
      expect(out.slice(0, prefix)).toEqual(bytes(plain).slice(0, prefix))
      // The encrypted part matches the plaintext in no more bytes than chance would (1/256 each).
      const same = bytes(plain).slice(prefix).filter((byte, index) => out[prefix + index] === byte).length
      expect(same).toBeLessThan(10)
      expect(out.slice(-3)).toEqual([7, ...FRAME_MAGIC])
      expect(frameGeneration(sealed)).toBe(7)
      expect(await decryptFrame(await key, sealed, info)).toEqual({ kind: 'decrypted', data: plain })
    })
  }

  it('a wrong key → failed', async () => {
    const sealed = await encryptFrame(await key, frameOf(50), VIDEO_DELTA, 0)
    expect(await decryptFrame(await otherKey, sealed, VIDEO_DELTA)).toEqual({ kind: 'failed' })
  })

  it('a tampered clear prefix → failed (it is the additional data)', async () => {
    const sealed = new Uint8Array(await encryptFrame(await key, frameOf(50), VIDEO_KEY, 0))
    sealed[4] = (sealed[4] as number) ^ 0x01
    expect(await decryptFrame(await key, sealed.buffer, VIDEO_KEY)).toEqual({ kind: 'failed' })
  })

  it('a tampered ciphertext or a truncated frame → failed', async () => {
    const sealed = new Uint8Array(await encryptFrame(await key, frameOf(50), AUDIO, 0))
    const flipped = sealed.slice()
    flipped[20] = (flipped[20] as number) ^ 0x80
    expect(await decryptFrame(await key, flipped.buffer, AUDIO)).toEqual({ kind: 'failed' })
    // Only the trailer left: magic present, no tag.
    expect(await decryptFrame(await key, sealed.slice(-15).buffer, AUDIO)).toEqual({ kind: 'failed' })
  })

  it('a frame without the magic trailer → unencrypted', async () => {
    expect(await decryptFrame(await key, frameOf(100), VIDEO_DELTA)).toEqual({ kind: 'unencrypted' })
    expect(await decryptFrame(await key, new ArrayBuffer(0), AUDIO)).toEqual({ kind: 'unencrypted' })
    expect(frameGeneration(frameOf(100))).toBeUndefined()
  })

  it('two encryptions of one frame use different IVs (and so differ entirely after the prefix)', async () => {
    const plain = frameOf(64)
    const first = bytes(await encryptFrame(await key, plain, AUDIO, 0))
    const second = bytes(await encryptFrame(await key, plain, AUDIO, 0))
    expect(first.slice(-15, -3)).not.toEqual(second.slice(-15, -3))
    expect(first.slice(1, -15)).not.toEqual(second.slice(1, -15))
  })

  it('an empty frame and a 1-byte frame round-trip (the prefix is never longer than the frame)', async () => {
    for (const info of [AUDIO, VIDEO_KEY, VIDEO_DELTA]) {
      for (const length of [0, 1, 2]) {
        const plain = frameOf(length)
        const sealed = await encryptFrame(await key, plain, info, 1)
        expect(sealed.byteLength).toBe(length + 16 + 15)
        expect(await decryptFrame(await key, sealed, info)).toEqual({ kind: 'decrypted', data: plain })
      }
    }
  })

  it('keys by generation: the frame names its key; an unknown generation → failed', async () => {
    const sealed = await encryptFrame(await otherKey, frameOf(30), VIDEO_DELTA, 2)
    const ring = new Map([
      [1, await key],
      [2, await otherKey],
    ])
    expect((await decryptFrame(ring, sealed, VIDEO_DELTA)).kind).toBe('decrypted')
    expect(await decryptFrame(new Map([[1, await otherKey]]), sealed, VIDEO_DELTA)).toEqual({ kind: 'failed' })
  })

  it('refuses a generation that does not fit its byte', async () => {
    await expect(encryptFrame(await key, frameOf(5), AUDIO, 256)).rejects.toThrow(RangeError)
  })
})

describe('deriveFrameKey', () => {
  it('an AES-GCM 128-bit key that cannot be extracted', async () => {
    const derived = await key
    expect(derived.algorithm).toEqual({ name: 'AES-GCM', length: 128 })
    expect(derived.extractable).toBe(false)
    expect([...derived.usages].sort()).toEqual(['decrypt', 'encrypt'])
  })

  it('the same passphrase derives the same key (one side decrypts the other), an empty one is refused', async () => {
    const sealed = await encryptFrame(await deriveFrameKey('shared secret'), frameOf(40), VIDEO_KEY, 0)
    expect((await decryptFrame(await deriveFrameKey('shared secret'), sealed, VIDEO_KEY)).kind).toBe('decrypted')
    await expect(deriveFrameKey('')).rejects.toThrow(TypeError)
  })
})

describe('safetyCode', () => {
  it('five groups of four digits; same passphrase → same code, another → another', async () => {
    const code = await safetyCode('correct horse battery staple')
    expect(code).toMatch(/^\d{4} \d{4} \d{4} \d{4} \d{4}$/)
    expect(await safetyCode('correct horse battery staple')).toBe(code)
    expect(await safetyCode('correct horse battery stapler')).not.toBe(code)
  })
})
