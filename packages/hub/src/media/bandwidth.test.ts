// The hub's bandwidth estimate (REMB): bounds from the room's bitrates, the inbound window's loss and
// queue delay, the loss-and-delay rule, the probes at the start and REMB's bitrate encoding (remb.ts).
import { ReceiverEstimatedMaxBitrate, RtcpPayloadSpecificFeedback } from 'werift'
import { describe, expect, it } from 'vitest'
import { DEFAULT_BITRATES } from '../roomOptions.js'
import {
  ADDITIVE_BPS_PER_S,
  BETA,
  BandwidthEstimator,
  DRAIN_MS,
  MULTIPLICATIVE_PER_S,
  InboundWindow,
  QUEUE_GROWTH_MS,
  QUEUE_OVERUSE_MS,
  TICK_MS,
  bandwidthLimits,
} from './bandwidth.js'
import { STEP_MS } from './queue-baseline.js'
import { rembBytes, rembMantissaExponent } from './remb.js'

describe('bandwidthLimits', () => {
  it("starts at the room's initial_bandwidth, floors at video_low + audio, tops at twice initial_bandwidth", () => {
    expect(bandwidthLimits(DEFAULT_BITRATES)).toEqual({ floorBps: 165_000, startBps: 1_000_000, ceilingBps: 2_000_000 })
  })
  it('lets video_high raise the ceiling', () => {
    expect(bandwidthLimits({ ...DEFAULT_BITRATES, video_high: 3_000_000 }).ceilingBps).toBe(3_075_000)
  })
})

describe('InboundWindow', () => {
  it('measures bitrate and loss from sequence gaps, across the 16-bit wrap', () => {
    const window = new InboundWindow()
    for (const seq of [65_533, 65_534, 0, 1, 3]) window.onPacket(seq, 0, 1_000, 0)
    const figures = window.take(TICK_MS)
    expect(figures.receivedBps).toBe((5 * 1_000 * 8 * 1000) / TICK_MS)
    // 65533..3 is 7 packets, 5 arrived.
    expect(figures.lossFraction).toBeCloseTo(2 / 7)
    window.onPacket(4, 0, 1_000, 0)
    expect(window.take(TICK_MS).lossFraction).toBe(0)
  })

  it('sees a queue building as arrival time running ahead of capture time', () => {
    const window = new InboundWindow()
    // 20 fps at 90 kHz; arrival = capture + 10 ms.
    for (let frame = 0; frame < 10; frame++) window.onPacket(frame, frame * 4_500, 1_000, frame * 50 + 10)
    expect(window.take(TICK_MS).queueDelayMs).toBe(0)
    // Next window: each packet 120 ms later than its capture time would allow.
    for (let frame = 10; frame < 20; frame++) window.onPacket(frame, frame * 4_500, 1_000, frame * 50 + 130)
    expect(window.take(TICK_MS).queueDelayMs).toBe(120)
  })

  it('reads no queue and no delay growth from resent packets (a sequence number not ahead of the highest)', () => {
    const window = new InboundWindow()
    for (let frame = 0; frame < 10; frame++) window.onPacket(frame, frame * 4_500, 1_000, frame * 50 + 10)
    expect(window.take(TICK_MS).queueDelayMs).toBe(0)
    // A window in which only resends of frames 2..5 came, 600 ms after their capture (a NACK's round trip), counted as received.
    for (const seq of [2, 3, 4, 5]) window.onPacket(seq, seq * 4_500, 1_000, 10 * 50 + 350)
    const figures = window.take(TICK_MS)
    expect(figures.queueDelayMs).toBe(0)
    expect(figures.receivedBps).toBe((4 * 1_000 * 8 * 1000) / TICK_MS)
    expect(figures.usage).toBe('normal')
    expect(window.trend.trend).toBe(0)
  })

  it('counts padding-only packets (probes) in the bitrate and the sequence, not in the queue or the delay trend', () => {
    const window = new InboundWindow()
    for (let frame = 0; frame < 10; frame++) window.onPacket(frame, frame * 4_500, 1_000, frame * 50 + 10)
    window.take(TICK_MS)
    // Padding stamped with frame 9's RTP time, 300 ms after it: not a queue.
    for (const seq of [10, 11, 12]) window.onPacket(seq, 9 * 4_500, 240, 9 * 50 + 310, true)
    const figures = window.take(TICK_MS)
    expect(figures.receivedBps).toBe((3 * 240 * 8 * 1000) / TICK_MS)
    expect(figures.lossFraction).toBe(0)
    expect(figures.queueDelayMs).toBe(0)
    expect(window.trend.trend).toBe(0)
  })

  it('measures the queue from abs-send-time when the track has it: an encoder that is late is no queue', () => {
    const ast = (ms: number) => Math.round((ms * (1 << 18)) / 1000) & 0xffffff
    const bySend = new InboundWindow()
    const byCapture = new InboundWindow()
    bySend.take(TICK_MS)
    byCapture.take(TICK_MS)
    // Frame 0 encoded at once, frames 1..9 leave the encoder 60 ms after capture; the path adds 10 ms. Send times wrap (64 s).
    for (let frame = 0; frame < 10; frame++) {
      const sendMs = 63_900 + frame * 33 + (frame === 0 ? 0 : 60)
      bySend.onPacket(frame, frame * 3_000, 1_000, sendMs + 10, false, ast(sendMs))
      byCapture.onPacket(frame, frame * 3_000, 1_000, sendMs + 10)
    }
    bySend.take(TICK_MS)
    byCapture.take(TICK_MS)
    for (let frame = 10; frame < 20; frame++) {
      const sendMs = 63_900 + frame * 33 + 60
      bySend.onPacket(frame, frame * 3_000, 1_000, sendMs + 10, false, ast(sendMs))
      byCapture.onPacket(frame, frame * 3_000, 1_000, sendMs + 10)
    }
    expect(bySend.take(TICK_MS).queueDelayMs).toBeCloseTo(0, 0)
    expect(byCapture.take(TICK_MS).queueDelayMs).toBeGreaterThan(50)
  })

  it('reads a queue over QUEUE_OVERUSE_MS that grew from over half of it as overuse, one window of it (a stall) not', () => {
    const window = new InboundWindow()
    let frame = 0
    /** One window of 10 frames at 20 fps, each `queueMs` late. */
    const windowWith = (queueMs: number) => {
      for (let end = frame + 10; frame < end; frame++) window.onPacket(frame, frame * 4_500, 1_000, frame * 50 + 10 + queueMs)
      return window.take(TICK_MS)
    }
    windowWith(0)
    expect(windowWith(QUEUE_OVERUSE_MS + 50).usage).not.toBe('overusing')
    expect(windowWith(0).usage).not.toBe('overusing')
    expect(windowWith(QUEUE_OVERUSE_MS * 0.6).usage).not.toBe('overusing')
    expect(windowWith(QUEUE_OVERUSE_MS * 1.2).usage).toBe('overusing')
    // Over QUEUE_OVERUSE_MS but grown by less than QUEUE_GROWTH_MS: the arrival times' jitter, not growth.
    for (let i = 0; i < 4; i++) windowWith(QUEUE_OVERUSE_MS * 1.2)
    expect(windowWith(QUEUE_OVERUSE_MS * 1.2 + QUEUE_GROWTH_MS - 1).usage).not.toBe('overusing')
  })
})

describe('BandwidthEstimator', () => {
  const limits = { floorBps: 100_000, startBps: 1_000_000, ceilingBps: 2_000_000 }
  const clean = { receivedBps: 500_000, lossFraction: 0, packets: 50, queueDelayMs: 0, usage: 'normal' as const }

  it('caps the start at what a probe held at a bottleneck delivered, and grows additively near it', () => {
    const estimator = new BandwidthEstimator(limits)
    expect(estimator.probed({ sendBps: 1_800_000, receiveBps: 600_000, packets: 12 })).toBe(true)
    expect(estimator.estimateBps).toBe(600_000)
    // A later cluster that passed does not raise it again, nor one held above it; a lower held one lowers it.
    expect(estimator.probed({ sendBps: 1_800_000, receiveBps: 700_000, packets: 6 })).toBe(false)
    expect(estimator.probed({ sendBps: 900_000, receiveBps: 900_000, packets: 6 })).toBe(false)
    expect(estimator.probed({ sendBps: 900_000, receiveBps: 400_000, packets: 6 })).toBe(true)
    expect(estimator.estimateBps).toBe(400_000)
    // What arrives stays near that capacity: additive growth, not 16 % a second.
    expect(estimator.update({ ...clean, receivedBps: 380_000 })).toBe(400_000 + (ADDITIVE_BPS_PER_S * TICK_MS) / 1000)
    // Never below the floor.
    const other = new BandwidthEstimator(limits)
    other.probed({ sendBps: 900_000, receiveBps: 10_000, packets: 6 })
    expect(other.estimateBps).toBe(limits.floorBps)
  })

  it('is not raised by a probe that passed, nor by one held above it, nor by any after the delay rule cut', () => {
    const estimator = new BandwidthEstimator(limits)
    // A shaper's burst allowance lets a cluster through at any rate: no evidence of capacity.
    expect(estimator.probed({ sendBps: 2_600_000, receiveBps: 2_600_000, packets: 8 })).toBe(false)
    expect(estimator.probed({ sendBps: 1_659_000, receiveBps: 1_165_000, packets: 8 })).toBe(false)
    expect(estimator.estimateBps).toBe(1_000_000)
    estimator.update({ ...clean, receivedBps: 1_000_000, usage: 'overusing' })
    expect(estimator.probed({ sendBps: 1_800_000, receiveBps: 300_000, packets: 8 })).toBe(false)
    expect(estimator.estimateBps).toBe(850_000)
  })

  it('grows 16 % a second while nothing overuses, up to the ceiling', () => {
    const estimator = new BandwidthEstimator(limits)
    for (let tick = 0; tick < 1_000 / TICK_MS; tick++) estimator.update(clean)
    expect(estimator.estimateBps).toBe(1_160_000)
    for (let tick = 0; tick < 40; tick++) estimator.update(clean)
    expect(estimator.estimateBps).toBe(2_000_000)
  })

  it('falls to 0.85 × what arrived on overuse, further with a standing queue, at most once per DECREASE_INTERVAL_MS', () => {
    const estimator = new BandwidthEstimator(limits)
    estimator.update({ ...clean, receivedBps: 600_000 })
    expect(estimator.update({ ...clean, receivedBps: 600_000, usage: 'overusing' })).toBe(510_000)
    // Overuse again within DECREASE_INTERVAL_MS: no second cut yet.
    expect(estimator.update({ ...clean, receivedBps: 600_000, usage: 'overusing' })).toBe(510_000)
    // A queue of DRAIN_MS: half of what arrived.
    expect(estimator.update({ ...clean, receivedBps: 400_000, queueDelayMs: DRAIN_MS, usage: 'overusing' })).toBe(250_000)
    // The queue drains (underuse): hold; then normal: hold one tick more; then, the queue gone, back to
    // BETA × the capacity seen at the cuts (500 kbit/s, the second forgot the first, less 3σ)...
    expect(estimator.update({ ...clean, receivedBps: 250_000, usage: 'underusing' })).toBe(250_000)
    expect(estimator.update({ ...clean, receivedBps: 250_000 })).toBe(250_000)
    const restored = estimator.update({ ...clean, receivedBps: 250_000 })
    expect(restored).toBe(Math.round(BETA * (500 - 3 * Math.sqrt(0.4 * 500)) * 1000))
    // ...and grow slowly from there, near the capacity seen.
    expect(estimator.update({ ...clean, receivedBps: 380_000 })).toBe(restored + (ADDITIVE_BPS_PER_S * TICK_MS) / 1000)
  })

  it('drops no further than BETA × what arrived when no queue stands, and then grows from there', () => {
    const estimator = new BandwidthEstimator(limits)
    expect(estimator.update({ ...clean, receivedBps: 600_000, usage: 'overusing' })).toBe(510_000)
    estimator.update({ ...clean, receivedBps: 500_000 })
    expect(estimator.update({ ...clean, receivedBps: 500_000 })).toBe(510_000 + (ADDITIVE_BPS_PER_S * TICK_MS) / 1000)
  })

  it('grows multiplicatively again once what arrives leaves the capacity seen at the cuts behind', () => {
    const estimator = new BandwidthEstimator(limits)
    estimator.update({ ...clean, receivedBps: 300_000, usage: 'overusing' })
    estimator.update({ ...clean, receivedBps: 300_000 })
    const near = estimator.update({ ...clean, receivedBps: 300_000 })
    const additive = estimator.update({ ...clean, receivedBps: 300_000 }) - near
    const before = estimator.estimateBps
    // 400 kbit/s is far above 300 ± 3σ: the capacity seen is forgotten.
    const multiplicative = estimator.update({ ...clean, receivedBps: 500_000 }) - before
    expect(additive).toBe((ADDITIVE_BPS_PER_S * TICK_MS) / 1000)
    expect(multiplicative).toBeCloseTo(before * (MULTIPLICATIVE_PER_S ** (TICK_MS / 1000) - 1), 0)
  })

  it('judges loss over LOSS_MIN_PACKETS: cuts by half of it over 10 %, holds at 2–10 % while a queue stands, never below the floor', () => {
    const estimator = new BandwidthEstimator(limits)
    const queued = { ...clean, queueDelayMs: 80 }
    // 6 % with a queue standing: the estimate holds.
    for (let tick = 0; tick < 4; tick++) estimator.update({ ...queued, lossFraction: 0.06 })
    const held = estimator.estimateBps
    for (let tick = 0; tick < 8; tick++) estimator.update({ ...queued, lossFraction: 0.06 })
    expect(estimator.estimateBps).toBe(held)
    // 6 % with no queue: the link's own loss, not congestion; it grows.
    for (let tick = 0; tick < 4; tick++) estimator.update({ ...clean, lossFraction: 0.06 })
    expect(estimator.estimateBps).toBeGreaterThan(held)
    for (let tick = 0; tick < 16; tick++) estimator.update({ ...clean, lossFraction: 0.3 })
    expect(estimator.estimateBps).toBeLessThan(500_000)
    for (let tick = 0; tick < 80; tick++) estimator.update({ ...clean, receivedBps: 0, lossFraction: 0.5 })
    expect(estimator.estimateBps).toBe(100_000)
  })

  it('does not read one lost packet of a few as a loss rate: it waits for LOSS_MIN_PACKETS', () => {
    const estimator = new BandwidthEstimator(limits)
    const few = { ...clean, receivedBps: 120_000, packets: 4, queueDelayMs: 80 }
    // One of 4 lost (25 %), then 3 clean ticks of 4 and so on: 1 in 16 is 6 %, a hold, never a cut.
    for (let tick = 0; tick < 40; tick++) estimator.update({ ...few, lossFraction: tick % 4 === 0 ? 0.25 : 0 })
    expect(estimator.estimateBps).toBeGreaterThanOrEqual(1_000_000)
  })

  it('undoes the cuts made for a queue found to be a path-delay step (rebasedMs), not those for a queue that drained', () => {
    const step = new BandwidthEstimator(limits)
    for (let i = 0; i < 8; i++) step.update({ ...clean, receivedBps: 1_000_000 })
    const before = step.estimateBps
    step.update({ ...clean, receivedBps: 1_000_000, queueDelayMs: 100, usage: 'overusing' })
    expect(step.estimateBps).toBeLessThan(before)
    for (let t = TICK_MS; t < STEP_MS; t += TICK_MS) step.update({ ...clean, receivedBps: 850_000, queueDelayMs: 100 })
    expect(step.update({ ...clean, receivedBps: 850_000, rebasedMs: 100 })).toBeGreaterThanOrEqual(before)
    // A queue that drains after the cut is never rebased: the cut stands, growth is additive from there.
    const queue = new BandwidthEstimator(limits)
    for (let i = 0; i < 8; i++) queue.update({ ...clean, receivedBps: 1_000_000 })
    const cut = queue.update({ ...clean, receivedBps: 1_000_000, queueDelayMs: 100, usage: 'overusing' })
    for (let t = TICK_MS, q = 90; t < STEP_MS; t += TICK_MS, q -= 30) queue.update({ ...clean, receivedBps: 800_000, queueDelayMs: Math.max(0, q), usage: q > 0 ? 'underusing' : 'normal' })
    expect(queue.estimateBps).toBeLessThan(cut + (ADDITIVE_BPS_PER_S * STEP_MS) / 1000)
    // A rebase long after the cut (a later step) does not bring back a rate from before an old bottleneck.
    for (let t = 0; t < 4 * STEP_MS; t += TICK_MS) queue.update({ ...clean, receivedBps: 800_000 })
    const settled = queue.estimateBps
    expect(queue.update({ ...clean, receivedBps: 800_000, rebasedMs: 100 })).toBeLessThanOrEqual(settled + (ADDITIVE_BPS_PER_S * TICK_MS) / 1000)
  })
})

describe('rembMantissaExponent', () => {
  it('encodes a bitrate in an 18-bit mantissa and an exponent', () => {
    expect(rembMantissaExponent(100_000)).toEqual({ mantissa: 100_000, exponent: 0 })
    const { mantissa, exponent } = rembMantissaExponent(2_000_000)
    expect(mantissa).toBeLessThan(1 << 18)
    expect(mantissa * 2 ** exponent).toBeLessThanOrEqual(2_000_000)
    expect(mantissa * 2 ** exponent).toBeGreaterThan(2_000_000 - 2 ** exponent)
  })
})

describe('rembBytes', () => {
  it("is the packet werift serializes for the same REMB", () => {
    const ssrcs = [0x1234_5678, 0xfedc_ba98]
    const { mantissa, exponent } = rembMantissaExponent(1_500_000)
    const remb = new ReceiverEstimatedMaxBitrate({ senderSsrc: 7, mediaSsrc: 0, ssrcNum: 2, brMantissa: mantissa, brExp: exponent, bitrate: BigInt(mantissa) << BigInt(exponent), ssrcFeedbacks: ssrcs })
    expect(rembBytes(7, ssrcs, 1_500_000)).toEqual(new RtcpPayloadSpecificFeedback({ feedback: remb }).serialize())
  })
})
