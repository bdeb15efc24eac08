// Transport-wide feedback against bytes computed by hand from draft-holmer-rmcat-transport-wide-cc-
// extensions-01 (header, base, status count, 64 ms reference time, chunks, 250 µs deltas, padding), and
// read back with werift's own TransportWideCC parser.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { RtcpPacketConverter, RtcpTransportLayerFeedback, TransportWideCC } from 'werift'
import { systemClock } from '../clock.js'
import { encodeChunks, FEEDBACK_INTERVAL_MS, feedbackBytes, TransportCcFeedback, TransportCcRecorder, transportCcId, transportSequenceIn, TRANSPORT_CC_URI } from './transport-cc.js'

const SENDER = 0x01020304
const MEDIA = 0x05060708

function hex(buffer: Buffer): string {
  return buffer.toString('hex')
}

/** Records `arrivals` ([seq, ms]) in order and returns the bytes of every feedback then pending. */
function feedbacks(arrivals: [number, number][]): string[] {
  const recorder = new TransportCcRecorder()
  for (const [seq, ms] of arrivals) recorder.record(seq, ms)
  const out: string[] = []
  for (let content = recorder.take(); content; content = recorder.take()) out.push(hex(feedbackBytes(SENDER, MEDIA, content)))
  return out
}

/** The common header and SSRCs of a feedback of `words` 32-bit words after the first. */
function head(padded: boolean, lengthWords: number): string {
  return (padded ? 'af' : '8f') + 'cd' + lengthWords.toString(16).padStart(4, '0') + '01020304' + '05060708'
}

describe('transport-wide feedback bytes', () => {
  it('three packets across the 16-bit wrap: one run-length chunk, small deltas, three bytes of padding', () => {
    // reference floor(6400 / 64) = 100; deltas in 250 µs: 0, 4, 1
    expect(feedbacks([[65534, 6400], [65535, 6401], [0, 6401.25]])).toEqual([
      head(true, 6) + 'fffe' + '0003' + '000064' + '00' + '2003' + '000401' + '000003',
    ])
  })

  it('a lost packet: a one-bit status vector', () => {
    // statuses 1 0 1 1 → 1 0 1 1 0… in 14 bits: 1010 1100 0000 0000; reference 1 (64 ms), deltas 0, 4, 4
    expect(feedbacks([[10, 64], [12, 65], [13, 66]])).toEqual([head(true, 6) + '000a' + '0004' + '000001' + '00' + 'ac00' + '000404' + '000003'])
  })

  it('reordered packets: a negative delta is a large one, in a two-bit vector', () => {
    // seq 20 at 128 ms, 22 at 129, 21 at 130: in sequence order deltas 0, +8, -4 (0xfffc)
    expect(feedbacks([[20, 128], [22, 129], [21, 130]])).toEqual([head(true, 6) + '0014' + '0003' + '000002' + '00' + 'd600' + '0008fffc' + '0002'])
  })

  it('a delta over 63.75 ms is large', () => {
    // 100 ms = 400 × 250 µs = 0x0190; statuses 1 2 → 01 10 00… = 1101 1000 0000 0000
    expect(feedbacks([[5, 0], [6, 100]])).toEqual([head(true, 6) + '0005' + '0002' + '000000' + '00' + 'd800' + '000190' + '000003'])
  })

  it('a delta beyond 16 bits (> 8.19 s) starts a new feedback with its own reference time', () => {
    // second: reference floor(10000 / 64) = 156 (9984 ms), delta 16 ms = 64
    expect(feedbacks([[1, 0], [2, 10_000]])).toEqual([
      head(true, 5) + '0001' + '0001' + '000000' + '00' + '2001' + '00' + '01',
      head(true, 5) + '0002' + '0001' + '00009c' + '01' + '2001' + '40' + '01',
    ])
  })

  it('a run of 20 received packets is one run-length chunk, no padding when the length is whole words', () => {
    const arrivals: [number, number][] = Array.from({ length: 20 }, (_, i) => [100 + i, 640 + i])
    // 20 + 2 + 20 = 42 bytes → 2 bytes of padding
    expect(feedbacks(arrivals)).toEqual([head(true, 10) + '0064' + '0014' + '00000a' + '00' + '2014' + '00' + '04'.repeat(19) + '0002'])
    const two: [number, number][] = [[7, 0], [8, 1], [9, 2], [10, 3], [11, 4], [12, 5]]
    // 20 + 2 + 6 = 28: no padding, P bit clear
    expect(feedbacks(two)).toEqual([head(false, 6) + '0007' + '0006' + '000000' + '00' + '2006' + '000404040404'])
  })

  it('chunks: long runs of loss as run-length, mixed statuses as vectors', () => {
    expect(encodeChunks([1, ...Array<number>(15).fill(0), 1]).map((c) => c.toString(16))).toEqual(['a000', '8800'])
    expect(encodeChunks([1, ...Array<number>(30).fill(0), 1]).map((c) => c.toString(16))).toEqual(['a000', '11', '2001'])
    expect(encodeChunks([2, 2, 2, 1]).map((c) => c.toString(16))).toEqual(['ea40'])
    expect(encodeChunks(Array<number>(9000).fill(1)).map((c) => c.toString(16))).toEqual(['3fff', '2329'])
  })

  it('a late packet reopens the feedback from its number; a duplicate is ignored', () => {
    const recorder = new TransportCcRecorder()
    recorder.record(1, 0)
    recorder.record(3, 1)
    const first = recorder.take()!
    expect(first.statuses).toEqual([1, 0, 1])
    recorder.record(2, 2)
    recorder.record(2, 3)
    const again = recorder.take()!
    expect(again.baseSequence).toBe(2)
    expect(again.statuses).toEqual([1, 2])
    expect(again.deltas).toEqual([8, -4])
    expect(recorder.take()).toBeUndefined()
  })

  it('counts what the feedback reported lost and received, and the late arrivals, in the stats given', () => {
    const stats = { transportCcReportedLost: 0, transportCcReportedReceived: 0, transportCcLateArrivals: 0 }
    const recorder = new TransportCcRecorder(stats)
    for (const seq of [1, 3, 4, 7]) recorder.record(seq, seq)
    while (recorder.take());
    recorder.record(2, 8)
    while (recorder.take());
    // 1..7: 2, 5, 6 reported lost, 1, 3, 4, 7 received; then 2..7 again from the late 2: 5 and 6 lost once more.
    expect(stats).toEqual({ transportCcReportedLost: 5, transportCcReportedReceived: 8, transportCcLateArrivals: 1 })
  })

  it('reads back with werift’s TransportWideCC parser', () => {
    const recorder = new TransportCcRecorder()
    const arrivals: [number, number][] = [[65530, 1000], [65531, 1001], [65533, 1003.5], [65535, 1002], [0, 1100], [2, 1101]]
    for (const [seq, ms] of arrivals) recorder.record(seq, ms)
    const bytes = feedbackBytes(SENDER, MEDIA, recorder.take()!)
    const [packet] = RtcpPacketConverter.deSerialize(bytes)
    expect(packet).toBeInstanceOf(RtcpTransportLayerFeedback)
    const feedback = (packet as RtcpTransportLayerFeedback).feedback as TransportWideCC
    expect(feedback).toBeInstanceOf(TransportWideCC)
    expect(feedback.senderSsrc).toBe(SENDER)
    expect(feedback.mediaSourceSsrc).toBe(MEDIA)
    expect(feedback.baseSequenceNumber).toBe(65530)
    expect(feedback.packetStatusCount).toBe(9)
    expect(feedback.referenceTime).toBe(15)
    // µs from the 960 ms reference: 40 ms, +1, +2.5, -1.5, +98, +1
    expect(feedback.recvDeltas.map((delta) => delta.delta)).toEqual([40_000, 1_000, 2_500, -1_500, 98_000, 1_000])
  })
})

describe('the extension', () => {
  it('finds its id and reads the 16-bit number', () => {
    expect(transportCcId([{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4 }, { uri: TRANSPORT_CC_URI, id: 3 }])).toBe(3)
    expect(transportCcId([{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4 }])).toBeNull()
    expect(transportSequenceIn([{ id: 4, payload: Buffer.from('0') }, { id: 3, payload: Buffer.from([0xab, 0xcd]) }], 3)).toBe(0xabcd)
    expect(transportSequenceIn([{ id: 4, payload: Buffer.from('0') }], 3)).toBeUndefined()
  })
})

describe('the feedback timer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('sends on the injected clock every interval while packets arrive, and stops with nothing to report', () => {
    const sent: Buffer[] = []
    const feedback = new TransportCcFeedback({ clock: systemClock, senderSsrc: () => SENDER, mediaSsrc: () => MEDIA, send: (packet) => sent.push(packet) > 0 })
    feedback.record(1, 0)
    feedback.record(2, 1)
    vi.advanceTimersByTime(FEEDBACK_INTERVAL_MS - 1)
    expect(sent).toHaveLength(0)
    vi.advanceTimersByTime(1)
    expect(sent.map((packet) => packet.readUInt16BE(12))).toEqual([1])
    vi.advanceTimersByTime(10 * FEEDBACK_INTERVAL_MS)
    expect(sent).toHaveLength(1)
    feedback.record(3, 60)
    vi.advanceTimersByTime(FEEDBACK_INTERVAL_MS)
    expect(sent.map((packet) => [packet.readUInt16BE(12), packet[19]])).toEqual([[1, 0], [3, 1]])
    feedback.record(4, 70)
    feedback.stop()
    vi.advanceTimersByTime(FEEDBACK_INTERVAL_MS)
    expect(sent).toHaveLength(2)
  })
})
