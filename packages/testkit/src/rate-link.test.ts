import { describe, expect, it } from 'vitest'
import { downlinkFilterCommands, parseQdiscCounters, portFilterCommands, slowQueuePackets } from './rate-link.js'

describe('downlinkFilterCommands', () => {
  it('puts UDP to the slow peer\'s port, IPv4 and IPv6, on its class, never what it sends', () => {
    const commands = downlinkFilterCommands(40_010)
    expect(commands).toEqual([
      'filter add dev lo parent 1: protocol ip prio 1 u32 match ip protocol 17 0xff match ip dport 40010 0xffff flowid 1:40',
      'filter add dev lo parent 1: protocol ipv6 prio 2 u32 match ip6 protocol 17 0xff match ip6 dport 40010 0xffff flowid 1:40',
    ])
    for (const command of commands) expect(command).not.toContain('sport')
    expect(() => downlinkFilterCommands(65_536)).toThrow(RangeError)
  })
})

describe('slowQueuePackets', () => {
  it('holds about 500 ms at the rate in 1200-byte packets, at least 10', () => {
    expect(slowQueuePackets('300kbit')).toBe(16)
    expect(slowQueuePackets('600kbit')).toBe(31)
    expect(slowQueuePackets('100kbit')).toBe(10)
    expect(() => slowQueuePackets('1mbit')).toThrow('not a rate')
  })
})

describe('portFilterCommands', () => {
  it('steers UDP from a port onto the given class, and refuses what is not a port', () => {
    expect(portFilterCommands('sport', 40_000, '1:30')[0]).toBe('filter add dev lo parent 1: protocol ip prio 1 u32 match ip protocol 17 0xff match ip sport 40000 0xffff flowid 1:30')
    expect(() => portFilterCommands('sport', 0, '1:30')).toThrow(RangeError)
  })
})

const SHOWN = `qdisc htb 1: root refcnt 2 r2q 10 default 0x10 direct_packets_stat 0 direct_qlen 1000
 Sent 1234567 bytes 4321 pkt (dropped 0, overlimits 17 requeues 0) 
 backlog 0b 0p requeues 0
qdisc pfifo 30: parent 1:30 limit 100p
 Sent 800000 bytes 1900 pkt (dropped 40, overlimits 0 requeues 0) 
 backlog 4800b 9p requeues 0
qdisc pfifo 20: parent 1:20 limit 0p
 Sent 0 bytes 0 pkt (dropped 60, overlimits 0 requeues 0) 
 backlog 0b 0p requeues 0
`

describe('parseQdiscCounters', () => {
  it("reads each qdisc by its handle: bytes, packets and drops passed, and the packets it holds", () => {
    const counters = parseQdiscCounters(SHOWN)
    expect(counters.get('1')).toEqual({ sentBytes: 1234567, sentPackets: 4321, dropped: 0, backlogPackets: 0 })
    expect(counters.get('30')).toEqual({ sentBytes: 800000, sentPackets: 1900, dropped: 40, backlogPackets: 9 })
    expect(counters.get('20')).toEqual({ sentBytes: 0, sentPackets: 0, dropped: 60, backlogPackets: 0 })
    expect(counters.get('40')).toBeUndefined()
  })
})

