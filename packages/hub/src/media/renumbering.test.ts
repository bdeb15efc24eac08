// The simulcast forwarding's numbering: padding left out gives its numbers on, gaps from upstream loss
// stay gaps, late packets and NACKs map through the offset they were numbered under.
import { describe, expect, it } from 'vitest'
import { Renumbering, SEGMENTS } from './renumbering.js'

/** Numbers publisher packets as a LayerSwitch does: the subscriber's numbers, undefined for one not sent. */
function forwarding(first: number, startOffset: number) {
  const numbering = new Renumbering()
  let current = startOffset
  numbering.restart(first)
  const packet = (seq: number): number | undefined => {
    const late = numbering.isLate(seq)
    const offset = numbering.offsetFor(seq, current)
    if (offset === undefined) return undefined
    if (!late) current = offset
    return (seq + offset) & 0xffff
  }
  return { numbering, packet, padding: (seq: number) => numbering.leftOut(seq) }
}

describe('Renumbering', () => {
  it('gives a left-out padding packet\'s number to the next packet, keeping the gap a packet lost upstream left', () => {
    const { numbering, packet, padding } = forwarding(100, 1000)
    expect(packet(100)).toBe(1100)
    expect(packet(101)).toBe(1101)
    // 102 lost upstream, 103–104 padding: 105 takes 103's place, so 102's gap (1102) stays.
    padding(103)
    padding(104)
    expect(packet(105)).toBe(1103)
    expect(packet(106)).toBe(1104)
    expect(numbering.published(1102)).toBe(102)
    expect(numbering.published(1103)).toBe(105)
    // The late resend of 102 gets its gap's number, under the offset it was numbered with.
    expect(numbering.isLate(102)).toBe(true)
    expect(packet(102)).toBe(1102)
    expect(numbering.isLate(107)).toBe(false)
    expect(packet(107)).toBe(1105)
  })

  it('maps a NACK back through many renumberings, and not past the highest packet numbered', () => {
    const { numbering, packet, padding } = forwarding(65_530, 10)
    let seq = 65_530
    const numbered = new Map<number, number>()
    const lostUpstream: number[] = []
    for (let round = 0; round < 20; round++) {
      // A frame of three packets, the middle one lost upstream every other round, then a probe.
      for (let i = 0; i < 3; i++, seq = (seq + 1) & 0xffff) {
        if (i === 1 && round % 2 === 0) lostUpstream.push(seq)
        else numbered.set(packet(seq)!, seq)
      }
      padding(seq)
      seq = (seq + 1) & 0xffff
    }
    for (const [subscriber, publisher] of numbered) expect(numbering.published(subscriber)).toBe(publisher)
    // Every gap maps to the lost packet's number.
    const subscriberNumbers = [...numbered.keys()]
    const first = subscriberNumbers[0]!
    const last = subscriberNumbers.at(-1)!
    const gaps: number[] = []
    for (let n = first; n !== last; n = (n + 1) & 0xffff) if (!numbered.has(n)) gaps.push(numbering.published(n)!)
    expect(gaps).toEqual(lostUpstream)
    expect(numbering.published((last + 1) & 0xffff)).toBeUndefined()
  })

  it('forgets what came before a restart (another layer) and before the oldest kept offset', () => {
    const { numbering, packet } = forwarding(100, 0)
    expect(packet(100)).toBe(100)
    numbering.restart(5000)
    expect(numbering.offsetFor(5000, -4899 & 0xffff)).toBe(-4899 & 0xffff)
    expect(numbering.published(100)).toBeUndefined()
    expect(numbering.offsetFor(99, 0)).toBeUndefined()
    // SEGMENTS + 1 probes, each after a packet: the first offset is gone.
    const { numbering: long, packet: next, padding: probe } = forwarding(0, 0)
    let seq = 0
    for (let i = 0; i <= SEGMENTS; i++) {
      next(seq++)
      probe(seq++)
    }
    next(seq++)
    expect(long.published(0)).toBeUndefined()
    expect(long.offsetFor(0, 0)).toBeUndefined()
    expect(long.published(((seq - 1 - SEGMENTS - 1) & 0xffff))).toBe(seq - 1)
  })

  it('takes the offset of its first packet from the sender (a switch werift numbers, or the hold)', () => {
    const numbering = new Renumbering()
    numbering.restart(300)
    expect(numbering.published(1300)).toBeUndefined()
    expect(numbering.offsetFor(302, 1000)).toBe(1000)
    expect(numbering.published(1300)).toBe(300)
    expect(numbering.published(1301)).toBe(301)
    expect(numbering.published(1303)).toBeUndefined()
  })

  it('ignores a padding packet that comes late', () => {
    const { packet, padding } = forwarding(10, 0)
    packet(10)
    packet(12)
    padding(11)
    expect(packet(13)).toBe(13)
  })
})
