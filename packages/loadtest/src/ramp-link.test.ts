import { describe, expect, it } from 'vitest'
import { classifyPacket, CONSTRAINED_LOSS_FILTERS, describeLinkCounters, parseNftDropped, patternFilterCommand, uplinkFilterCommands, uplinkLossRules } from './ramp-link.js'

/** An IPv4/UDP packet (20-byte header, no options) carrying `payload`. */
function udpPacket(payload: Uint8Array): Uint8Array {
  const packet = new Uint8Array(28 + payload.length)
  packet[0] = 0x45
  packet[9] = 17
  packet.set(payload, 28)
  return packet
}

/** A DTLS 1.2 application-data record, epoch 1, of `length` bytes. */
function dtlsRecord(sequence: number, length: number): Uint8Array {
  const record = new Uint8Array(13 + length)
  record.set([0x17, 0xfe, 0xfd, 0x00, 0x01])
  new DataView(record.buffer).setUint32(7, sequence)
  new DataView(record.buffer).setUint16(11, length)
  return record
}

describe("the constrained link's loss patterns", () => {
  it('lets a resent DTLS record through whatever its length (a 40-byte SCTP COOKIE ECHO is a 64-byte record)', () => {
    for (const length of [64, 128, 72, 1_200]) {
      const lost = [1, 2, 3, 4, 5, 6, 7, 8].filter((sequence) => classifyPacket(udpPacket(dtlsRecord(sequence, length))) === '1:20')
      expect(lost, `records of ${length} bytes`).toEqual([])
    }
  })

  it('loses one DTLS record in 64, by its sequence number', () => {
    const lost = Array.from({ length: 256 }, (_, index) => index + 1).filter((sequence) => classifyPacket(udpPacket(dtlsRecord(sequence, 64))) === '1:20')
    expect(lost).toEqual([64, 128, 192, 256])
  })

  it('keeps the stop-23 patterns for what is not DTLS (SRTCP, STUN)', () => {
    const payload = new Uint8Array(40).fill(0x11)
    payload[0] = 0x80
    expect(classifyPacket(udpPacket(payload))).toBe('1:10')
    payload[12] = 0x40 // byte 40: low 6 bits zero
    expect(classifyPacket(udpPacket(payload))).toBe('1:20')
    payload[12] = 0x11
    payload[13] = 0xc0 // byte 41: 0x40 under 0x7f
    expect(classifyPacket(udpPacket(payload))).toBe('1:20')
  })

  it('is what tc gets, one filter per prio', () => {
    expect(CONSTRAINED_LOSS_FILTERS.map(patternFilterCommand)).toEqual([
      'filter add dev lo parent 1: protocol ip prio 1 u32 match u32 0x00110000 0x00ff0000 at 8 match u32 0x14fefd00 0xfcfffd00 at 28 match u32 0x00000000 0x00003f00 at 36 flowid 1:20',
      'filter add dev lo parent 1: protocol ip prio 2 u32 match u32 0x00110000 0x00ff0000 at 8 match u32 0x14fefd00 0xfcfffd00 at 28 flowid 1:10',
      'filter add dev lo parent 1: protocol ip prio 3 u32 match u32 0x00110000 0x00ff0000 at 8 match u32 0x00000000 0x3f000000 at 40 flowid 1:20',
      'filter add dev lo parent 1: protocol ip prio 4 u32 match u32 0x00110000 0x00ff0000 at 8 match u32 0x00400000 0x007f0000 at 40 flowid 1:20',
    ])
  })
})

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
