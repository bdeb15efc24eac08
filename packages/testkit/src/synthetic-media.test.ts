import { describe, expect, it } from 'vitest'
import type { MediaStreamTrack, RtpPacket } from 'werift'
import {
  createSyntheticMedia,
  isVp8KeyFramePayload,
  OPUS_PAYLOAD_TYPE,
  RtpSequence,
  VP8_PAYLOAD_TYPE,
  vp8FramePayload,
  type IntervalTimers,
} from './synthetic-media.js'

/** Timers driven by the test: `tick(ms)` fires every interval due within `ms`. */
function manualTimers() {
  let now = 0
  let nextId = 1
  const intervals = new Map<number, { callback: () => void; every: number; due: number }>()
  const timers: IntervalTimers = {
    setInterval(callback, ms) {
      const id = nextId++
      intervals.set(id, { callback, every: ms, due: now + ms })
      return id
    },
    clearInterval(handle) {
      intervals.delete(handle as number)
    },
  }
  const tick = (ms: number) => {
    const end = now + ms
    for (;;) {
      const next = [...intervals.entries()].sort((a, b) => a[1].due - b[1].due)[0]
      if (!next || next[1].due > end) break
      now = next[1].due
      next[1].due += next[1].every
      next[1].callback()
    }
    now = end
  }
  return { timers, tick, get pending() { return intervals.size } }
}

function record(track: MediaStreamTrack): RtpPacket[] {
  const packets: RtpPacket[] = []
  track.onReceiveRtp.subscribe((packet) => packets.push(packet))
  return packets
}

describe('RtpSequence', () => {
  it('steps sequence numbers by one and timestamps by the frame step, wrapping at 16 and 32 bits', () => {
    const sequence = new RtpSequence({ payloadType: 111, ssrc: 7, sequenceNumber: 0xfffe, timestamp: 0xffffffff - 959, timestampStep: 960 })
    const packets = [0, 1, 2].map(() => sequence.next(Buffer.from([1]), { marker: false }))
    expect(packets.map((p) => p.header.sequenceNumber)).toEqual([0xfffe, 0xffff, 0])
    expect(packets.map((p) => p.header.timestamp)).toEqual([0xffffffff - 959, 0, 960])
    expect(packets.every((p) => p.header.ssrc === 7 && p.header.payloadType === 111)).toBe(true)
  })

  it('keeps the timestamp across packets of one frame', () => {
    const sequence = new RtpSequence({ payloadType: 96, ssrc: 1, sequenceNumber: 10, timestamp: 1000, timestampStep: 6000 })
    const first = sequence.next(Buffer.from([0x10]), { marker: false, endsFrame: false })
    const last = sequence.next(Buffer.from([0x00]), { marker: true })
    const nextFrame = sequence.next(Buffer.from([0x10]), { marker: true })
    expect([first.header.timestamp, last.header.timestamp, nextFrame.header.timestamp]).toEqual([1000, 1000, 7000])
    expect([first.header.sequenceNumber, last.header.sequenceNumber, nextFrame.header.sequenceNumber]).toEqual([10, 11, 12])
  })

  it('serialises to a parseable RTP packet', () => {
    const packet = new RtpSequence({ payloadType: 96, ssrc: 42, sequenceNumber: 5, timestamp: 9, timestampStep: 1 }).next(Buffer.from([1, 2, 3]), { marker: true })
    const bytes = packet.serialize()
    expect(bytes[0]! >> 6).toBe(2) // RTP version 2
    expect(bytes[1]).toBe(0x80 | 96) // marker + PT
    expect(bytes.readUInt16BE(2)).toBe(5)
    expect(bytes.readUInt32BE(4)).toBe(9)
    expect(bytes.readUInt32BE(8)).toBe(42)
  })
})

describe('vp8FramePayload', () => {
  it('marks key frames with tag bit 0 = 0, the start code and the size', () => {
    const key = vp8FramePayload({ keyFrame: true, width: 640, height: 480, size: 100 })
    expect(key.length).toBe(100)
    expect(isVp8KeyFramePayload(key)).toBe(true)
    expect([...key.subarray(4, 7)]).toEqual([0x9d, 0x01, 0x2a])
    expect(key.readUInt16LE(7)).toBe(640)
    expect(key.readUInt16LE(9)).toBe(480)
    expect(isVp8KeyFramePayload(vp8FramePayload({ keyFrame: false, width: 640, height: 480, size: 50 }))).toBe(false)
  })
})

describe('createSyntheticMedia', () => {
  it('gives an audio and a video track fed with opus-shaped and VP8-shaped RTP at 50 and 15 packets/s', async () => {
    const clock = manualTimers()
    const media = createSyntheticMedia({ timers: clock.timers, keyFrameEvery: 5 })
    const stream = await media.getUserMedia({ audio: true, video: true })
    const audio = stream.getAudioTracks()[0]!
    const video = stream.getVideoTracks()[0]!
    expect(audio.kind).toBe('audio')
    expect(video.kind).toBe('video')
    expect(audio.id).not.toBe(video.id)
    const audioPackets = record(audio)
    const videoPackets = record(video)

    clock.tick(1000)

    expect(audioPackets.length).toBe(50)
    expect(videoPackets.length).toBe(15)
    const consecutive = (packets: RtpPacket[], step: number) =>
      packets.slice(1).every((p, i) =>
        p.header.sequenceNumber === ((packets[i]!.header.sequenceNumber + 1) & 0xffff) &&
        p.header.timestamp === ((packets[i]!.header.timestamp + step) >>> 0))
    expect(consecutive(audioPackets, 960)).toBe(true)
    expect(consecutive(videoPackets, 6000)).toBe(true)
    expect(audioPackets.every((p) => p.header.payloadType === OPUS_PAYLOAD_TYPE)).toBe(true)
    expect(videoPackets.every((p) => p.header.payloadType === VP8_PAYLOAD_TYPE && p.header.marker)).toBe(true)
    expect(videoPackets.map((p) => isVp8KeyFramePayload(p.payload))).toEqual(
      Array.from({ length: 15 }, (_, i) => i % 5 === 0),
    )
  })

  it('honours the constraints', async () => {
    const clock = manualTimers()
    const media = createSyntheticMedia({ timers: clock.timers })
    const audioOnly = await media.getUserMedia({ audio: true, video: false })
    expect(audioOnly.getTracks().map((t) => t.kind)).toEqual(['audio'])
    await expect(media.getUserMedia({ audio: false, video: false })).rejects.toThrow(TypeError)
    media.stop()
  })

  it('stops a track: ended, no more packets, its timer cleared', async () => {
    const clock = manualTimers()
    const media = createSyntheticMedia({ timers: clock.timers })
    const stream = await media.getUserMedia({ audio: true, video: true })
    const video = stream.getVideoTracks()[0]!
    const packets = record(video)
    let ended = false
    video.addEventListener('ended', () => (ended = true))
    clock.tick(200)
    const before = packets.length
    video.stop()
    clock.tick(1000)
    expect(ended).toBe(true)
    expect(video.readyState).toBe('ended')
    expect(packets.length).toBe(before)
    expect(media.activeTimers).toBe(1)
    expect(clock.pending).toBe(1)
  })

  it('stop() ends every track and leaves no timer behind', async () => {
    const clock = manualTimers()
    const media = createSyntheticMedia({ timers: clock.timers })
    const first = await media.getUserMedia({ audio: true, video: true })
    const second = await media.getUserMedia({ audio: true, video: true })
    expect(media.activeTimers).toBe(4)
    media.stop()
    media.stop()
    expect(media.activeTimers).toBe(0)
    expect(clock.pending).toBe(0)
    expect([...first.getTracks(), ...second.getTracks()].every((t) => t.readyState === 'ended')).toBe(true)
  })

  it('streams fire removetrack like a browser MediaStream', async () => {
    const media = createSyntheticMedia({ timers: manualTimers().timers })
    const stream = await media.getUserMedia({ audio: true, video: true })
    let removed = 0
    stream.addEventListener('removetrack', () => (removed += 1))
    stream.removeTrack(stream.getAudioTracks()[0]!)
    expect(removed).toBe(1)
    expect(stream.getTracks().map((t) => t.kind)).toEqual(['video'])
    media.stop()
  })
})
