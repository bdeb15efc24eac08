// A keyframe on its way answers a subscriber's recovery request: awaited (up to KEYFRAME_ANSWER_WAIT_MS
// after the request), then arriving until a packet of a later frame comes.
import { describe, expect, it } from 'vitest'
import { KEYFRAME_ANSWER_WAIT_MS, type KeyframeFlight, keyframeOnItsWay, keyframePacket } from './keyframe-flight.js'

const requestedAt = (at: number): KeyframeFlight => ({ lastKeyframeRequestAt: at, keyframeAwaited: true, keyframeDelivering: false, keyframeTimestamp: 0 })

describe('keyframe flight', () => {
  it('is on its way while awaited, until KEYFRAME_ANSWER_WAIT_MS after the request', () => {
    const flight = requestedAt(1000)
    expect(keyframeOnItsWay(flight, 1000 + KEYFRAME_ANSWER_WAIT_MS - 1)).toBe(true)
    expect(keyframeOnItsWay(flight, 1000 + KEYFRAME_ANSWER_WAIT_MS)).toBe(false)
    expect(keyframeOnItsWay({ ...flight, keyframeAwaited: false }, 1001)).toBe(false)
  })

  it("arrives with its first packet and is on its way until a packet of a later frame, however long that takes", () => {
    const flight = requestedAt(0)
    expect(keyframePacket(flight, 90, false)).toBe(false)
    expect(keyframePacket(flight, 3000, true)).toBe(true)
    expect(flight.keyframeAwaited).toBe(false)
    expect(keyframePacket(flight, 3000, false)).toBe(false)
    expect(keyframeOnItsWay(flight, 10 * KEYFRAME_ANSWER_WAIT_MS)).toBe(true)
    keyframePacket(flight, 6000, false)
    expect(keyframeOnItsWay(flight, 10 * KEYFRAME_ANSWER_WAIT_MS)).toBe(false)
  })

  it('a keyframe nobody asked for changes nothing', () => {
    const flight: KeyframeFlight = { lastKeyframeRequestAt: 0, keyframeAwaited: false, keyframeDelivering: false, keyframeTimestamp: 0 }
    expect(keyframePacket(flight, 3000, true)).toBe(false)
    expect(flight.keyframeDelivering).toBe(false)
  })
})
