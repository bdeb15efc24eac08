import { describe, expect, it } from 'vitest'
import { describeLinkCounters, parseNftDropped, uplinkFilterCommands, uplinkLossRules } from './ramp-link.js'

describe('uplinkFilterCommands', () => {
  it('puts UDP from the port, IPv4 and IPv6, on the 800 kbit/s class', () => {
    expect(uplinkFilterCommands(40_000)).toEqual([
      'filter add dev lo parent 1: protocol ip prio 1 u32 match ip protocol 17 0xff match ip sport 40000 0xffff flowid 1:30',
      'filter add dev lo parent 1: protocol ipv6 prio 2 u32 match ip6 protocol 17 0xff match ip6 sport 40000 0xffff flowid 1:30',
    ])
  })

  it('refuses what is not a port', () => {
    expect(() => uplinkFilterCommands(0)).toThrow(RangeError)
    expect(() => uplinkFilterCommands(70_000)).toThrow(RangeError)
    expect(() => uplinkLossRules(1.5)).toThrow(RangeError)
  })
})

describe('uplinkLossRules', () => {
  it('drops 2.1 % of UDP from the port at random, counted, never what is sent to it', () => {
    const rules = uplinkLossRules(40_000)
    expect(rules).toEqual([
      'add rule netdev parley_uplink loss ip protocol udp udp sport 40000 numgen random mod 1000 < 21 counter drop',
      'add rule netdev parley_uplink loss ip6 nexthdr udp udp sport 40000 numgen random mod 1000 < 21 counter drop',
    ])
    for (const rule of rules) expect(rule).not.toContain('dport')
  })
})

describe('parseNftDropped', () => {
  it('sums the drop counters of the table', () => {
    const listed = `table netdev parley_uplink {
	chain loss {
		type filter hook ingress device "lo" priority filter; policy accept;
		ip protocol udp udp sport 40000 numgen random mod 1000 < 21 counter packets 37 bytes 40000 drop
		ip6 nexthdr udp udp sport 40000 numgen random mod 1000 < 21 counter packets 0 bytes 0 drop
		ip protocol udp udp sport 40002 numgen random mod 1000 < 21 counter packets 5 bytes 900 drop
	}
}`
    expect(parseNftDropped(listed)).toBe(42)
  })
})

describe('describeLinkCounters', () => {
  it('gives the uplink its queue drops over what the publisher offered, and its random loss over what left the queue', () => {
    expect(describeLinkCounters('uplink', new Map([['30', { sentPackets: 1900, dropped: 40 }]]), 38)).toBe('1940 packets offered, 40 dropped by the full queue (2.1 %), 38 of the 1900 sent lost at random (2.0 %)')
  })

  it('reads the constrained link off its one rate class', () => {
    const counters = new Map([
      ['10', { sentPackets: 990, dropped: 0 }],
      ['20', { sentPackets: 0, dropped: 10 }],
    ])
    expect(describeLinkCounters('constrained', counters)).toBe('1000 packets offered, 10 lost to the patterns (1.0 %), 0 dropped by the full queue (0.0 %)')
  })

  it('reads the slow subscriber\'s queue drops over what was sent to it', () => {
    const counters = new Map([['40', { sentPackets: 600, dropped: 400 }]])
    expect(describeLinkCounters('slow-subscriber', counters)).toBe('1000 packets to the slow subscriber, 400 dropped by its full queue (40.0 %)')
  })

  it('says when the rate class is missing', () => {
    expect(describeLinkCounters('uplink', new Map())).toBe('no rate class counters')
  })
})
