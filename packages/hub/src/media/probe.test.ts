import { describe, expect, it } from 'vitest'
import { PROBE_HELD } from './bandwidth.js'
import { ABS_SEND_TIME_URI, CLUSTER_GAP_MS, MIN_CLUSTER_PACKETS, PROBE_WINDOW_MS, ProbeMeter, absSendTimeId, absSendTimeIn, readAbsSendTime } from './probe.js'

/** abs-send-time (24-bit 6.18 s) of `ms`, wrapped as on the wire. */
const ast = (ms: number) => Math.round((ms * (1 << 18)) / 1000) & 0xffffff

/** Feeds `count` packets of `size` sent every `sendGapMs` from `sendAt`, arriving every `arrivalGapMs` from `arriveAt`. */
function burst(meter: ProbeMeter, o: { sendAt: number; arriveAt: number; count: number; size: number; sendGapMs: number; arrivalGapMs: number }) {
  const closed = []
  for (let i = 0; i < o.count; i++) {
    const cluster = meter.onPacket(ast(o.sendAt + i * o.sendGapMs), o.arriveAt + Math.round(i * o.arrivalGapMs), o.size)
    if (cluster) closed.push(cluster)
  }
  return closed
}

describe('readAbsSendTime', () => {
  it('reads the 24-bit value, and nothing from an element of another length', () => {
    expect(readAbsSendTime(Buffer.from([0x12, 0x34, 0x56]))).toBe(0x123456)
    expect(readAbsSendTime(Buffer.from([1, 2]))).toBeUndefined()
  })
})

describe('ProbeMeter', () => {
  it('measures a cluster that passed at its send rate when the next send gap closes it', () => {
    const meter = new ProbeMeter()
    // 10 packets of 250 B every 2 ms: 9 × 250 × 8 bits over 18 ms = 1 Mbit/s, arriving as sent.
    expect(burst(meter, { sendAt: 1000, arriveAt: 5, count: 10, size: 250, sendGapMs: 2, arrivalGapMs: 2 })).toEqual([])
    const [cluster] = burst(meter, { sendAt: 1100, arriveAt: 105, count: 1, size: 1000, sendGapMs: 0, arrivalGapMs: 0 })
    expect(cluster).toEqual({ sendBps: expect.closeTo(1_000_000, -3), receiveBps: 1_000_000, packets: 10 })
  })

  it('reads a cluster held at a bottleneck by its arrival rate', () => {
    const meter = new ProbeMeter()
    // Sent at 1 Mbit/s, arriving 5 ms apart (400 kbit/s).
    burst(meter, { sendAt: 0, arriveAt: 0, count: 10, size: 250, sendGapMs: 2, arrivalGapMs: 5 })
    const [cluster] = burst(meter, { sendAt: 100, arriveAt: 200, count: 1, size: 1000, sendGapMs: 0, arrivalGapMs: 0 })
    expect(cluster).toEqual({ sendBps: expect.closeTo(1_000_000, -3), receiveBps: 400_000, packets: 10 })
  })

  it('takes a burst the event loop delivered at once as arriving at its send rate', () => {
    const meter = new ProbeMeter()
    burst(meter, { sendAt: 0, arriveAt: 50, count: 10, size: 250, sendGapMs: 2, arrivalGapMs: 0 })
    const [cluster] = burst(meter, { sendAt: 100, arriveAt: 150, count: 1, size: 1000, sendGapMs: 0, arrivalGapMs: 0 })
    expect(cluster?.receiveBps).toBe(cluster?.sendBps)
  })

  it('takes a cluster with one stall in the middle (one wait over half its arrival span) as arriving at its send rate', () => {
    const meter = new ProbeMeter()
    // Packets 0..4 arrive as sent, then 30 ms nothing, then 5..9 at once.
    for (let i = 0; i < 10; i++) meter.onPacket(ast(i * 2), i < 5 ? i * 2 : 40, 250)
    const cluster = meter.onPacket(ast(100), 100, 1000)
    expect(cluster?.receiveBps).toBe(cluster?.sendBps)
  })

  it('times a cluster without one wait far longer than its others (a shorter stall), so that it passes', () => {
    const meter = new ProbeMeter()
    // As measured on the clean link (stop 32): 33 packets sent 1.2 ms apart, the last 5 after a 13 ms
    // stall of the event loop; with the stall the arrival rate was 0.75 × the send rate, under PROBE_HELD.
    for (let i = 0; i < 33; i++) meter.onPacket(ast(i * 1.2), Math.round(i * 1.2) + (i >= 28 ? 13 : 0), 1000)
    const cluster = meter.onPacket(ast(100), 100, 1000)
    expect(cluster?.packets).toBe(33)
    expect(cluster!.receiveBps).toBeGreaterThanOrEqual(PROBE_HELD * cluster!.sendBps)
  })

  it('still reads a bottleneck that spread every packet, with some jitter, as held', () => {
    const meter = new ProbeMeter()
    // Sent at 1 Mbit/s, arriving about 5 ms apart (one wait of 8 ms): about 400 kbit/s.
    const arrivals = [0, 5, 10, 15, 23, 28, 33, 38, 43, 48]
    for (let i = 0; i < 10; i++) meter.onPacket(ast(i * 2), arrivals[i]!, 250)
    const cluster = meter.onPacket(ast(100), 200, 1000)
    expect(cluster?.receiveBps).toBe(375_000)
  })

  it('ignores runs shorter than a cluster, small packets and a send-time gap', () => {
    const meter = new ProbeMeter()
    burst(meter, { sendAt: 0, arriveAt: 0, count: MIN_CLUSTER_PACKETS - 1, size: 1000, sendGapMs: 2, arrivalGapMs: 2 })
    // Audio-sized packets in between do not count (and do not end the cluster).
    expect(meter.onPacket(ast(7), 7, 100)).toBeUndefined()
    // The next packet comes after a gap: the short run is closed without a figure.
    expect(meter.onPacket(ast(6 + CLUSTER_GAP_MS + 1), 20, 1000)).toBeUndefined()
  })

  it('follows the send time across the 64 s wrap', () => {
    const meter = new ProbeMeter()
    burst(meter, { sendAt: 64_000 - 9, arriveAt: 0, count: 10, size: 250, sendGapMs: 2, arrivalGapMs: 2 })
    const [cluster] = burst(meter, { sendAt: 64_100, arriveAt: 100, count: 1, size: 1000, sendGapMs: 0, arrivalGapMs: 0 })
    expect(cluster?.packets).toBe(10)
    expect(cluster?.sendBps).toBeCloseTo(1_000_000, -4)
  })

  it('closes after the start window and measures nothing more', () => {
    const meter = new ProbeMeter()
    burst(meter, { sendAt: 0, arriveAt: 0, count: 10, size: 250, sendGapMs: 2, arrivalGapMs: 2 })
    const [last] = burst(meter, { sendAt: 50, arriveAt: PROBE_WINDOW_MS + 1, count: 1, size: 1000, sendGapMs: 0, arrivalGapMs: 0 })
    expect(last?.packets).toBe(10)
    expect(meter.open).toBe(false)
    expect(burst(meter, { sendAt: 100, arriveAt: PROBE_WINDOW_MS + 100, count: 20, size: 1000, sendGapMs: 1, arrivalGapMs: 1 })).toEqual([])
  })
})

describe('the abs-send-time element of a packet', () => {
  it('finds the negotiated id, or null when the m-line has none', () => {
    expect(absSendTimeId([{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }, { uri: ABS_SEND_TIME_URI, id: 3 }])).toBe(3)
    expect(absSendTimeId([{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }])).toBeNull()
  })

  it('reads the element under that id only, and only when it is 3 bytes', () => {
    const mid = { id: 1, payload: new Uint8Array([0x30]) }
    expect(absSendTimeIn([mid, { id: 3, payload: new Uint8Array([0x01, 0x02, 0x03]) }], 3)).toBe(0x010203)
    expect(absSendTimeIn([mid], 3)).toBeUndefined()
    expect(absSendTimeIn([{ id: 3, payload: new Uint8Array([0x01, 0x02]) }], 3)).toBeUndefined()
  })
})
