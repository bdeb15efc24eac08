// LayerSwitch's numbering of a late packet (renumbering.ts): sent under its own segment's offset, the
// sender's numbering put back afterwards, even when the caller forgot to say it was sent.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { RtpHeader } from 'werift'
import { systemClock } from '../clock.js'
import { LayerSwitch } from './werift-layer-switch.js'
import { SimulcastLayers, type Layer } from './werift-simulcast.js'
import { vp8Payload } from '../test-support/vp8Packets.js'

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

const SSRC = 7
const OFFSET = 1000

/** One layer forwarded to a sender numbering as werift does (publisher number + seqOffset, its last number and time kept). */
function forwarding() {
  const layers = new SimulcastLayers(['high'], systemClock, () => true)
  const [high] = layers.layers as [Layer]
  const sw = new LayerSwitch(systemClock, 1, { paused: () => undefined, targetChanged: () => undefined }, layers)
  const sender = { replaceRTP: vi.fn(), seqOffset: OFFSET, sequenceNumber: 0, timestamp: 0, rtpTimestamp: 0, ntpTimestamp: 0n }
  /** Publisher packet `seq` reaching the switch: admitted and numbered or not; when numbered, `send` says whether werift sends it. */
  const packet = (seq: number, { keyframe = false, send = true } = {}) => {
    const at = Date.now()
    const header = new RtpHeader({ ssrc: SSRC, sequenceNumber: seq, timestamp: seq * 3000, payloadType: 96 })
    const payload = vp8Payload({ pictureId: seq, tl0: 1, keyframeWidth: keyframe ? 640 : undefined })
    layers.onPacket(high, SSRC, payload, at, keyframe, header.timestamp, seq)
    if (!sw.admit(layers, high, { header, payload }, keyframe, at, sender)) return undefined
    if (!sw.sends({ header, payload }, sender)) return undefined
    if (send) {
      sender.sequenceNumber = (seq + sender.seqOffset) & 0xffff
      sender.timestamp = header.timestamp
      sender.rtpTimestamp = header.timestamp
      sender.ntpTimestamp = BigInt(at)
    }
    return sender.sequenceNumber
  }
  return { layers, sw, sender, packet }
}

describe('LayerSwitch numbering a late packet', () => {
  it("puts the sender's numbering back after a late packet, at `sent` or, if that was not called, before the next packet", () => {
    const { layers, sw, sender, packet } = forwarding()
    expect(packet(10, { keyframe: true })).toBe(10 + OFFSET)
    // 11 lost on its way to the hub; 12 numbered on.
    expect(packet(12)).toBe(12 + OFFSET)
    const newest = { ...sender }
    // 11's resend comes late: numbered in its gap, then put back at `sent`.
    expect(packet(11)).toBe(11 + OFFSET)
    sw.sent()
    expect(sender).toEqual(newest)
    // Another late packet (a duplicate resend) whose `sent` the caller forgets: the next packet puts it back first.
    expect(packet(11)).toBe(11 + OFFSET)
    expect(sender.sequenceNumber).toBe(11 + OFFSET)
    expect(packet(13, { send: false })).toBe(12 + OFFSET)
    expect(sender).toEqual(newest)
    sw.choice.end()
    layers.end()
  })
})
