import { describe, expect, it } from 'vitest'
import { QueueSeconds } from './ramp-slowsub-link.js'

describe('QueueSeconds', () => {
  it('sums readings into seconds: kbit/s passed, packets, drops, the deepest backlog', () => {
    const seconds = new QueueSeconds()
    expect(seconds.second(1)).toBeUndefined()
    seconds.add({ sentBytes: 0, sentPackets: 0, dropped: 0, backlogPackets: 0 })
    seconds.add({ sentBytes: 20_000, sentPackets: 60, dropped: 5, backlogPackets: 16 })
    seconds.add({ sentBytes: 37_500, sentPackets: 120, dropped: 9, backlogPackets: 3 })
    expect(seconds.second(1)).toEqual({ kbps: 300, packets: 120, dropped: 9, maxBacklog: 16 })
    seconds.add({ sentBytes: 37_500, sentPackets: 120, dropped: 9, backlogPackets: 0 })
    expect(seconds.second(1)).toEqual({ kbps: 0, packets: 0, dropped: 0, maxBacklog: 3 })
  })
})
