// Reading the RFC 6464 audio level (audio-level.ts) from parsed extension elements, and its id from a
// negotiated m-line; and through the receive path's parse of a real header (werift-receive-path.ts).
import { describe, expect, it } from 'vitest'
import { AUDIO_LEVEL_URI, audioLevelId, audioLevelIn } from './audio-level.js'
import { parseRtpHeader } from './werift-receive-path.js'

describe('the audio-level extension', () => {
  it('finds its id among the negotiated extensions (null when absent)', () => {
    expect(audioLevelId([{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4 }, { uri: AUDIO_LEVEL_URI, id: 1 }])).toBe(1)
    expect(audioLevelId([{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4 }])).toBeNull()
  })

  it('reads the byte of its element: V bit and level; -1 without the element or with an empty one', () => {
    const mid = { id: 4, payload: Buffer.from('0') }
    expect(audioLevelIn([mid, { id: 1, payload: Buffer.from([0x80 | 42]) }], 1)).toBe(0x80 | 42)
    expect(audioLevelIn([{ id: 1, payload: Buffer.from([127]) }], 1)).toBe(127)
    expect(audioLevelIn([mid], 1)).toBe(-1)
    expect(audioLevelIn([], 1)).toBe(-1)
    expect(audioLevelIn([{ id: 1, payload: Buffer.alloc(0) }], 1)).toBe(-1)
  })

  it('reads it from a Chromium-like packet header as the receive path parses it (one-byte extensions: audio level 1, mid 4)', () => {
    const header = Buffer.from([
      0x90, 111, 0x12, 0x34, 0, 0, 0x03, 0xc0, 0xde, 0xad, 0xbe, 0xef,
      0xbe, 0xde, 0x00, 0x02, // one-byte profile, 2 words
      0x10, 0x80 | 25, // id 1, length 1: V set, level 25
      0x40, 0x30, // id 4, length 1: mid "0"
      0x00, 0x00, 0x00, 0x00, // padding
    ])
    const packet = Buffer.concat([header, Buffer.from([0xfc, 0xff, 0xfe])])
    const parsed = parseRtpHeader(packet)!
    expect(audioLevelIn(parsed.extensions, 1)).toBe(0x80 | 25)
  })
})
