import { describe, expect, it } from 'vitest'
import { describeLinkCounters, parseQdiscCounters, uplinkFilterCommands } from './ramp-link.js'

describe('uplinkFilterCommands', () => {
  const commands = uplinkFilterCommands(40_000, 2)
  const from = 'match ip protocol 17 0xff match ip sport 40000 0xffff'

  it('drops by the patterns at the fixed offset and past each extension length, then rate-limits the rest of the port', () => {
    expect(commands).toEqual([
      `filter add dev lo parent 1: protocol ip prio 1 u32 ${from} match u8 0x00 0x3f at 40 flowid 1:20`,
      `filter add dev lo parent 1: protocol ip prio 1 u32 ${from} match u8 0x40 0x7f at 41 flowid 1:20`,
      `filter add dev lo parent 1: protocol ip prio 1 u32 ${from} match u8 0x90 0xdf at 28 match u16 0x0000 0xffff at 42 match u8 0x00 0x3f at 44 flowid 1:20`,
      `filter add dev lo parent 1: protocol ip prio 1 u32 ${from} match u8 0x90 0xdf at 28 match u16 0x0000 0xffff at 42 match u8 0x40 0x7f at 45 flowid 1:20`,
      `filter add dev lo parent 1: protocol ip prio 1 u32 ${from} match u8 0x90 0xdf at 28 match u16 0x0001 0xffff at 42 match u8 0x00 0x3f at 48 flowid 1:20`,
      `filter add dev lo parent 1: protocol ip prio 1 u32 ${from} match u8 0x90 0xdf at 28 match u16 0x0001 0xffff at 42 match u8 0x40 0x7f at 49 flowid 1:20`,
      `filter add dev lo parent 1: protocol ip prio 1 u32 ${from} match u8 0x90 0xdf at 28 match u16 0x0002 0xffff at 42 match u8 0x00 0x3f at 52 flowid 1:20`,
      `filter add dev lo parent 1: protocol ip prio 1 u32 ${from} match u8 0x90 0xdf at 28 match u16 0x0002 0xffff at 42 match u8 0x40 0x7f at 53 flowid 1:20`,
      `filter add dev lo parent 1: protocol ip prio 2 u32 ${from} flowid 1:30`,
    ])
  })

  it('matches only packets from the port, never to it', () => {
    for (const command of commands) expect(command).not.toContain('dport')
  })

  it('writes extension lengths past 9 in hex', () => {
    expect(uplinkFilterCommands(5000, 12).at(-2)).toContain('match u16 0x000c 0xffff at 42 match u8 0x40 0x7f at 93')
  })

  it('refuses what is not a port', () => {
    expect(() => uplinkFilterCommands(0)).toThrow(RangeError)
    expect(() => uplinkFilterCommands(70_000)).toThrow(RangeError)
    expect(() => uplinkFilterCommands(1.5)).toThrow(RangeError)
  })
})

const SHOWN = `qdisc htb 1: root refcnt 2 r2q 10 default 0x10 direct_packets_stat 0 direct_qlen 1000
 Sent 1234567 bytes 4321 pkt (dropped 0, overlimits 17 requeues 0) 
 backlog 0b 0p requeues 0
qdisc pfifo 30: parent 1:30 limit 100p
 Sent 800000 bytes 1900 pkt (dropped 40, overlimits 0 requeues 0) 
 backlog 0b 0p requeues 0
qdisc pfifo 20: parent 1:20 limit 0p
 Sent 0 bytes 0 pkt (dropped 60, overlimits 0 requeues 0) 
 backlog 0b 0p requeues 0
`

describe('parseQdiscCounters', () => {
  it('reads each qdisc by its handle', () => {
    const counters = parseQdiscCounters(SHOWN)
    expect(counters.get('1')).toEqual({ sentPackets: 4321, dropped: 0 })
    expect(counters.get('30')).toEqual({ sentPackets: 1900, dropped: 40 })
    expect(counters.get('20')).toEqual({ sentPackets: 0, dropped: 60 })
  })
})

describe('describeLinkCounters', () => {
  it('gives the uplink its loss and queue drops over what the publisher offered', () => {
    expect(describeLinkCounters('uplink', parseQdiscCounters(SHOWN))).toBe('2000 packets offered, 60 lost to the patterns (3.0 %), 40 dropped by the full queue (2.0 %)')
  })

  it('reads the constrained link off its one rate class', () => {
    const counters = new Map([
      ['10', { sentPackets: 990, dropped: 0 }],
      ['20', { sentPackets: 0, dropped: 10 }],
    ])
    expect(describeLinkCounters('constrained', counters)).toBe('1000 packets offered, 10 lost to the patterns (1.0 %), 0 dropped by the full queue (0.0 %)')
  })

  it('says when the rate class is missing', () => {
    expect(describeLinkCounters('uplink', new Map())).toBe('0 packets lost to the patterns, no rate class counters')
  })
})
