import { describe, expect, it } from 'vitest'
import { DETAIL_TABLE_HEAD, detailRow, LINK_TABLE_HEAD, linkLabel, linkRow, RAMP_TABLE_HEAD, rampRow, type Sample } from './ramp-table.js'

const sample = (overrides: Partial<Sample> = {}): Sample => ({
  atS: 5,
  availableKbps: 1234.56,
  sentKbps: 987.4,
  targetKbps: 1000.5,
  resolution: '640x480',
  remoteLossPercent: 2.345,
  publisher: { available: 1_234_560, bytesSent: 0, bytesTarget: null, at: 0, resolution: '640x480', fractionLost: 0.02345, packetsSent: 900, retransmitted: 12, nacks: 7, plis: 1, framesEncoded: 150, limitation: 'bandwidth', layers: [] },
  subscriber: { freezes: 2, freezeMs: 812.6, packetsLost: 20, packetsReceived: 880, nacks: 9, plis: 1, framesDecoded: 140, longestGapMs: 433.4, bytesReceived: 0, currentGapMs: 0, resolution: '640x480', audio: { packetsLost: 0, packetsReceived: 0, concealedSamples: null, totalSamplesReceived: null, concealmentEvents: null } },
  hub: { estimateKbps: 1500.2, hubLossPercent: 1.26, queueDelayMs: 18.7, keyframeRequests: 3, unanswerableNackKeyframes: 1 },
  load: 1.234,
  ...overrides,
})

describe('ramp tables', () => {
  it('names the link as the table column reads it', () => {
    expect(linkLabel('clean', '800kbit')).toBe('clean')
    expect(linkLabel('constrained', '800kbit')).toBe('800kbit shared by all traffic')
    expect(linkLabel('uplink', '250kbit')).toBe('uplink 250kbit, 2.1 % loss')
  })

  it('prints a ramp row and its why row, each as wide as its head', () => {
    const row = rampRow('current', 'chromium', 'parley', 'clean', sample())
    expect(row).toBe('| current | chromium | parley | clean | 5 | 1235 | 1001 | 987 | 640x480 | 2.3 | 2 / 813 | 433 | 1.23 |')
    const detail = detailRow('current r1', 'firefox', 'tutorial', 'uplink 800kbit, 2.1 % loss', sample())
    expect(detail).toBe('| current r1 | firefox | tutorial | uplink 800kbit, 2.1 % loss | 5 | 900 | 12 | 7 | 1 | 150 | bandwidth | 880 | 20 | 9 | 1 | 140 | 1500 | 1.3 | 19 | 3 / 1 | 1.23 |')
    const cells = (line: string) => line.split('|').length
    expect(cells(row)).toBe(cells(RAMP_TABLE_HEAD[0]!))
    expect(cells(detail)).toBe(cells(DETAIL_TABLE_HEAD[0]!))
    expect(cells(RAMP_TABLE_HEAD[1]!)).toBe(cells(RAMP_TABLE_HEAD[0]!))
    expect(cells(DETAIL_TABLE_HEAD[1]!)).toBe(cells(DETAIL_TABLE_HEAD[0]!))
  })

  it('prints "-" where a figure is missing (Firefox has no available outgoing bitrate; no hub estimate yet)', () => {
    const missing = sample({ availableKbps: null, sentKbps: null, targetKbps: null, remoteLossPercent: null, hub: { estimateKbps: null, hubLossPercent: null, queueDelayMs: null, keyframeRequests: 0, unanswerableNackKeyframes: 0 } })
    expect(rampRow('current', 'firefox', 'parley', 'clean', missing)).toBe('| current | firefox | parley | clean | 5 | - | - | - | 640x480 | - | 2 / 813 | 433 | 1.23 |')
    expect(detailRow('current', 'firefox', 'parley', 'clean', missing)).toContain('| 140 | - | - | - | 0 / 0 | 1.23 |')
  })

  it('prints one link row per run', () => {
    const row = linkRow('current', 'chromium', 'parley', 'slow subscriber 300kbit', 'sent 1 packets; shaped 12 ms')
    expect(row).toBe('| current | chromium | parley | slow subscriber 300kbit | sent 1 packets; shaped 12 ms |')
    expect(row.split('|').length).toBe(LINK_TABLE_HEAD[0]!.split('|').length)
  })
})
