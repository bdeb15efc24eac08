import { describe, expect, it } from 'vitest'
import { QueueSeconds, parseQueueReading } from './ramp-slowsub-link.js'

const SHOWN = `qdisc htb 1: root refcnt 2 r2q 10 default 0x10 direct_packets_stat 0 direct_qlen 1000
 Sent 900000 bytes 2000 pkt (dropped 40, overlimits 0 requeues 0)
 backlog 0b 0p requeues 0
qdisc pfifo 40: parent 1:40 limit 16p
 Sent 75000 bytes 300 pkt (dropped 12, overlimits 0 requeues 0)
 backlog 4800b 9p requeues 0
`

describe('parseQueueReading', () => {
  it("reads the named qdisc's bytes, packets, drops and backlog, not the root's", () => {
    expect(parseQueueReading(SHOWN, '40')).toEqual({ sentBytes: 75_000, sentPackets: 300, dropped: 12, backlogPackets: 9 })
    expect(parseQueueReading(SHOWN, '30')).toBeUndefined()
  })
})

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
