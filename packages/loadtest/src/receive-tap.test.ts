import { describe, expect, it } from 'vitest'
import { RtpHeader, RtpPacket } from 'werift'
import { OPUS_PAYLOAD_TYPE, VP8_PAYLOAD_TYPE } from '@parley/testkit'
import { FREEZE_GAP_MS, ReceiveCounter } from './receive-tap.js'

function rtp(payloadType: number, ssrc: number, sequenceNumber: number): Buffer {
  return new RtpPacket(new RtpHeader({ payloadType, ssrc, sequenceNumber, timestamp: 0 }), Buffer.alloc(20)).serialize()
}

function counterWithClock() {
  const clock = { now: 0 }
  return { clock, counter: new ReceiveCounter(() => clock.now) }
}

describe('ReceiveCounter', () => {
  it('counts packets per SSRC and tells video (VP8) from audio by payload type', () => {
    const { counter } = counterWithClock()
    counter.onRtp(rtp(VP8_PAYLOAD_TYPE, 1, 1))
    counter.onRtp(rtp(VP8_PAYLOAD_TYPE, 1, 2))
    counter.onRtp(rtp(OPUS_PAYLOAD_TYPE, 2, 1))
    expect(counter.packets).toBe(3)
    expect(counter.count('video')).toBe(1)
    expect(counter.count('audio')).toBe(1)
    expect(counter.count('video', 3)).toBe(0)
    expect(counter.streams.get(1)?.packets).toBe(2)
  })

  it('ignores what is too short to be RTP', () => {
    const { counter } = counterWithClock()
    counter.onRtp(Buffer.alloc(11))
    expect(counter.packets).toBe(0)
  })

  it('counts a video gap longer than the freeze threshold inside the window only', () => {
    const { clock, counter } = counterWithClock()
    counter.onRtp(rtp(VP8_PAYLOAD_TYPE, 7, 1))
    clock.now = 2_000 // a gap before the window is not a freeze of the window
    counter.startWindow()
    counter.onRtp(rtp(VP8_PAYLOAD_TYPE, 7, 2))
    clock.now += FREEZE_GAP_MS + 1
    counter.onRtp(rtp(VP8_PAYLOAD_TYPE, 7, 3))
    clock.now += 100
    counter.onRtp(rtp(VP8_PAYLOAD_TYPE, 7, 4))
    counter.endWindow()
    expect(counter.freezes).toBe(1)
    expect(counter.longestGapMs).toBe(FREEZE_GAP_MS + 1)
  })

  it('counts a video stream that went silent until the end of the window as a freeze, and audio gaps never', () => {
    const { clock, counter } = counterWithClock()
    counter.onRtp(rtp(VP8_PAYLOAD_TYPE, 7, 1))
    counter.onRtp(rtp(OPUS_PAYLOAD_TYPE, 8, 1))
    counter.startWindow()
    clock.now += 3_000
    counter.endWindow()
    expect(counter.freezes).toBe(1)
  })
})
