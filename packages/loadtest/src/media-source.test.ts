import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RtpPacket } from 'werift'
import { isVp8KeyFramePayload, type SyntheticMediaStreamTrack } from '@parley/testkit'
import { AUDIO_PACKETS_PER_SECOND, MAX_VIDEO_PAYLOAD_BYTES, createSyntheticCamera, defaultVideoKbps, packetizeVp8Frame, publisherPacketsPerSecond } from './media-source.js'

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

describe('the camera\'s fast send', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('hands each packet to fastSend, and to werift\'s writeRtp only when fastSend does not send it', async () => {
    vi.useFakeTimers()
    const camera = createSyntheticCamera({ width: 320, height: 240, fps: 20, kbps: 300 })
    const [track] = (await camera.getUserMedia({ audio: true })).getTracks() as SyntheticMediaStreamTrack[]
    const written: RtpPacket[] = []
    track!.onReceiveRtp.subscribe((packet) => written.push(packet))
    const fast: RtpPacket[] = []
    camera.fastSend = (sent, packet) => {
      expect(sent).toBe(track)
      fast.push(packet)
      return true
    }
    vi.advanceTimersByTime(100) // 5 opus packets
    expect(fast).toHaveLength(5)
    expect(camera.fastPacketsSent).toBe(5)
    expect(written).toHaveLength(0)
    camera.fastSend = () => false // no sender yet, or a path the fast send does not handle
    vi.advanceTimersByTime(100)
    expect(written).toHaveLength(5)
    expect(camera.packetsSent).toBe(10)
    expect(camera.fastPacketsSent).toBe(5)
    camera.stop()
  })
})
