import { describe, expect, it } from 'vitest'
import { isVp8KeyFramePayload } from '@parley/testkit'
import { AUDIO_PACKETS_PER_SECOND, MAX_VIDEO_PAYLOAD_BYTES, defaultVideoKbps, packetizeVp8Frame, publisherPacketsPerSecond } from './media-source.js'

describe('packetizeVp8Frame', () => {
  it('splits a frame into even packets no larger than the maximum, start-of-partition on the first only', () => {
    const packets = packetizeVp8Frame({ keyFrame: true, width: 320, height: 240, bytes: 2_500 })
    expect(packets).toHaveLength(3)
    for (const packet of packets) expect(packet.length).toBeLessThanOrEqual(MAX_VIDEO_PAYLOAD_BYTES)
    expect(packets.reduce((sum, p) => sum + p.length, 0)).toBe(2_500) // a continuation's descriptor replaces a filler byte
    expect(isVp8KeyFramePayload(packets[0]!)).toBe(true)
    expect(packets.slice(1).map((p) => p[0]! & 0x10)).toEqual([0, 0])
  })

  it('keeps a small frame in one packet', () => {
    expect(packetizeVp8Frame({ keyFrame: false, width: 320, height: 240, bytes: 500 })).toHaveLength(1)
  })
})

describe('publisher packet rate', () => {
  it('is 50 audio packets plus the video packets of delta and key frames per second', () => {
    // 300 kbit/s at 20 fps: 1875 B delta frames (2 packets), key frames 3x (6 packets) every 40 frames.
    const shape = { width: 320, height: 240, fps: 20, kbps: defaultVideoKbps(320, 240, 20) }
    expect(shape.kbps).toBe(300)
    expect(publisherPacketsPerSecond(shape)).toBeCloseTo(AUDIO_PACKETS_PER_SECOND + 20 * ((6 + 39 * 2) / 40), 6)
  })

  it('scales the default bitrate with pixels and frame rate', () => {
    expect(defaultVideoKbps(640, 480, 20)).toBe(1200)
    expect(defaultVideoKbps(320, 240, 10)).toBe(150)
  })
})
