// The overuse detector: frames (RTP timestamp groups) whose arrival runs ahead of their capture
// schedule read as overuse, a steady or jittery path as normal, a burst after a stall as nothing.
import { describe, expect, it } from 'vitest'
import { DelayTrend, GAP_MS, type Usage } from './delay-trend.js'

const FRAME_MS = 1000 / 30

/** Frames at 30 fps, `packets` each 1 ms apart, arriving `delayOf(frame)` ms after capture; the usages seen. */
function feed(trend: DelayTrend, frames: number, delayOf: (frame: number) => number, options: { first?: number; packets?: number; timestampBase?: number } = {}): Usage[] {
  const usages: Usage[] = []
  const first = options.first ?? 0
  for (let frame = first; frame < first + frames; frame++) {
    const timestamp = ((options.timestampBase ?? 0) + frame * 3_000) >>> 0
    for (let packet = 0; packet < (options.packets ?? 3); packet++) usages.push(trend.onPacket(timestamp, frame * FRAME_MS + delayOf(frame) + packet))
  }
  return usages
}

describe('DelayTrend', () => {
  it('reads a steady path, and one with a few ms of jitter, as normal', () => {
    const steady = new DelayTrend()
    expect(new Set(feed(steady, 300, () => 10))).toEqual(new Set(['normal']))
    const jittery = new DelayTrend()
    let seed = 1
    const jitter = () => {
      seed = (seed * 16_807) % 2_147_483_647
      return (seed / 2_147_483_647) * 8
    }
    expect(feed(jittery, 300, () => 10 + jitter())).not.toContain('overusing')
  })

  it('sees a queue building at a quarter of a ms per ms within about 20 frames, and it draining as underuse', () => {
    const trend = new DelayTrend()
    feed(trend, 60, () => 10)
    const building = feed(trend, 40, (frame) => 10 + (frame - 60) * FRAME_MS * 0.25, { first: 60 })
    const firstOveruse = building.indexOf('overusing')
    expect(firstOveruse).toBeGreaterThan(0)
    expect(firstOveruse / 3).toBeLessThan(20)
    // The queue (340 ms by now) drains at half a ms per ms.
    const draining = feed(trend, 30, (frame) => Math.max(10, 340 - (frame - 100) * FRAME_MS * 0.5), { first: 100 })
    expect(draining).toContain('underusing')
    expect(draining.at(-1)).not.toBe('overusing')
  })

  it('does not read a stall of the event loop (frames delivered in one burst) as overuse', () => {
    const trend = new DelayTrend()
    feed(trend, 60, () => 10)
    // Frames 60..68 (300 ms) are held and delivered together when the loop wakes, 1 ms apart, then all is steady.
    const usages = feed(trend, 60, (frame) => (frame < 69 ? 10 + (69 - frame) * FRAME_MS : 10), { first: 60, packets: 1 })
    expect(usages).not.toContain('overusing')
  })

  it('clears an overuse and starts the trend again after a gap of over GAP_MS between frames', () => {
    const trend = new DelayTrend()
    feed(trend, 60, () => 10)
    const building = feed(trend, 40, (frame) => 10 + (frame - 60) * FRAME_MS * 0.25, { first: 60 })
    expect(building.at(-1)).toBe('overusing')
    // The camera sends nothing for 1.5 s (45 frames), then frames arrive steadily at a new, lower delay.
    const after = feed(trend, 3, () => 20, { first: 100 + Math.ceil(GAP_MS / FRAME_MS) + 15 })
    expect(after).toEqual(['normal', 'normal', 'normal', 'normal', 'normal', 'normal', 'normal', 'normal', 'normal'])
    expect(trend.trend).toBe(0)
    // And the trend is read afresh: a new queue is still seen.
    feed(trend, 60, () => 20, { first: 148 })
    const again = feed(trend, 40, (frame) => 20 + (frame - 208) * FRAME_MS * 0.25, { first: 208 })
    expect(again).toContain('overusing')
  })

  it('keeps an overuse across a gap shorter than GAP_MS', () => {
    const trend = new DelayTrend()
    feed(trend, 60, () => 10)
    feed(trend, 40, (frame) => 10 + (frame - 60) * FRAME_MS * 0.25, { first: 60 })
    expect(trend.usage).toBe('overusing')
    // 0.5 s without frames, then the next frame's first packet: no group completed, the verdict stands.
    expect(trend.onPacket((115 * 3_000) >>> 0, 115 * FRAME_MS + 360)).toBe('overusing')
  })

  it('follows the RTP timestamp across its 32-bit wrap', () => {
    const trend = new DelayTrend()
    expect(feed(trend, 200, () => 10, { timestampBase: 0x100000000 - 100 * 3_000 })).not.toContain('overusing')
    expect(trend.trend).toBeCloseTo(0, 3)
  })

  it('groups by abs-send-time: packets sent within SEND_GROUP_MS are one group, and a queue building is seen', () => {
    const bySend = new DelayTrend()
    const usages: Usage[] = []
    // Frames every 33 ms, each paced out as 4 packets 1.5 ms apart; the path adds 10 ms, then a growing queue.
    for (let frame = 0; frame < 100; frame++) {
      for (let packet = 0; packet < 4; packet++) {
        const sendMs = 5_000 + frame * FRAME_MS + packet * 1.5
        const queue = frame < 60 ? 0 : (frame - 60) * FRAME_MS * 0.25
        usages.push(bySend.onSendTime(sendMs, sendMs + 10 + queue))
      }
    }
    expect(usages.slice(0, 240)).not.toContain('overusing')
    expect(usages.slice(240)).toContain('overusing')
  })

  it('reads an encoder whose frames leave late (capture time jittery, send time not) as normal by send time', () => {
    const bySend = new DelayTrend()
    const byCapture = new DelayTrend()
    let seed = 7
    const encoderDelay = () => {
      seed = (seed * 16_807) % 2_147_483_647
      return (seed / 2_147_483_647) * 40
    }
    const send: Usage[] = []
    const capture: Usage[] = []
    for (let frame = 0; frame < 300; frame++) {
      const sendMs = frame * FRAME_MS + encoderDelay()
      for (let packet = 0; packet < 3; packet++) {
        send.push(bySend.onSendTime(sendMs + packet, sendMs + packet + 10))
        capture.push(byCapture.onPacket(frame * 3_000, sendMs + packet + 10))
      }
    }
    expect(send).not.toContain('overusing')
    expect(send).not.toContain('underusing')
    expect(bySend.threshold).toBeLessThanOrEqual(byCapture.threshold)
  })
})
