// The werift plane's rule for NACKed packets the hub never had: relay each (once per source per
// NACK_RELAY_WINDOW_MS), a keyframe only when one stays missing NACK_RECOVERY_MS, and only when the caller
// allows one (times injected, no clock).
import { describe, expect, it } from 'vitest'
import { NACK_RECOVERY_MS, NACK_RELAY_WINDOW_MS, NackRecovery, RelayedNacks, nackAgainstHistory } from './nack-recovery.js'

const heldOnly = (...seqs: number[]) => (seq: number) => seqs.includes(seq)

describe('NackRecovery', () => {
  it('relays every missing number (wrapped to 16 bits) on every NACK, and none the history holds', () => {
    const recovery = new NackRecovery()
    const relayed: number[] = []
    expect(recovery.nacked(heldOnly(65535), [65535, 65536, 65537], 0, true, (seq) => relayed.push(seq))).toBe(false)
    expect(recovery.nacked(heldOnly(65535), [65536], 50, true, (seq) => relayed.push(seq))).toBe(false)
    expect(relayed).toEqual([0, 1, 0])
  })

  it('is due when a number is NACKed again NACK_RECOVERY_MS after its first NACK, then forgets every number', () => {
    const recovery = new NackRecovery()
    const relay = () => undefined
    recovery.nacked(heldOnly(), [10], 1000, true, relay)
    recovery.nacked(heldOnly(), [11], 1200, true, relay)
    expect(recovery.nacked(heldOnly(), [10, 11], 1000 + NACK_RECOVERY_MS - 1, true, relay)).toBe(false)
    expect(recovery.nacked(heldOnly(), [10, 11], 1000 + NACK_RECOVERY_MS, true, relay)).toBe(true)
    // 11 was forgotten with the keyframe: its next NACK counts from now.
    expect(recovery.nacked(heldOnly(), [11], 1200 + NACK_RECOVERY_MS, true, relay)).toBe(false)
  })

  it('keeps a due number while a keyframe is not allowed, and is due at the next NACK that allows one', () => {
    const recovery = new NackRecovery()
    const relay = () => undefined
    recovery.nacked(heldOnly(), [7], 0, true, relay)
    expect(recovery.nacked(heldOnly(), [7], NACK_RECOVERY_MS, false, relay)).toBe(false)
    expect(recovery.nacked(heldOnly(), [7], NACK_RECOVERY_MS + 100, true, relay)).toBe(true)
  })

  it('is not due for a number that the history came to hold (the relayed resend arrived)', () => {
    const recovery = new NackRecovery()
    const relayed: number[] = []
    recovery.nacked(heldOnly(), [5], 0, true, (seq) => relayed.push(seq))
    expect(recovery.nacked(heldOnly(5), [5], NACK_RECOVERY_MS, true, (seq) => relayed.push(seq))).toBe(false)
    expect(relayed).toEqual([5])
  })
})

describe('RelayedNacks', () => {
  it('claims a sequence number once per NACK_RELAY_WINDOW_MS, each number on its own, across the 16-bit wrap', () => {
    const relays = new RelayedNacks()
    expect([65534, 65535, 0, 1].map((seq) => relays.claim(seq, 1000))).toEqual([true, true, true, true])
    expect([65535, 0].map((seq) => relays.claim(seq, 1000 + NACK_RELAY_WINDOW_MS - 1))).toEqual([false, false])
    expect(relays.claim(2, 1000 + NACK_RELAY_WINDOW_MS - 1)).toBe(true)
    // The window counts from the last relay, not from the coalesced NACKs.
    expect([65534, 65535, 0, 1].map((seq) => relays.claim(seq, 1000 + NACK_RELAY_WINDOW_MS))).toEqual([true, true, true, true])
    expect(relays.claim(0, 1000 + 2 * NACK_RELAY_WINDOW_MS - 1)).toBe(false)
  })

  it('forgets a number whose slot a later one took (256 apart): it is relayed once more, never held back', () => {
    const relays = new RelayedNacks()
    expect(relays.claim(10, 0)).toBe(true)
    expect(relays.claim(10 + 256, 1)).toBe(true)
    expect(relays.claim(10, 2)).toBe(true)
    expect(relays.claim(10, 3)).toBe(false)
  })
})

describe('nackAgainstHistory', () => {
  const sender = (seqOffset: number, held: number[] = []) => ({ seqOffset, rtpCache: Object.fromEntries(held.map((seq) => [seq % 128, { header: { sequenceNumber: seq } }])) })

  it("coalesces two subscribers' NACKs for the same publisher packets, whatever their numbering, across the wrap", () => {
    const relays = new RelayedNacks()
    // The publisher's 65535 and 0 are subscriber a's 9 and 10 (offset 10), b's 65535 and 0 (offset 0).
    const a = nackAgainstHistory(new NackRecovery(), relays, sender(10, [8]), [8, 9, 10], 0, true)
    expect(a).toEqual({ relayed: [65535, 0], coalesced: 0, keyframeDue: false })
    const b = nackAgainstHistory(new NackRecovery(), relays, sender(0), [65535, 65536, 65537], 30, true)
    // 1 (b's 65537) was never relayed: it goes; the other two were, 30 ms ago.
    expect(b).toEqual({ relayed: [1], coalesced: 2, keyframeDue: false })
    const again = nackAgainstHistory(new NackRecovery(), relays, sender(0), [65535, 0, 1], NACK_RELAY_WINDOW_MS, true)
    expect(again).toEqual({ relayed: [65535, 0], coalesced: 1, keyframeDue: false })
  })

  it("keeps each subscriber's keyframe rule: a coalesced NACK still counts towards NACK_RECOVERY_MS", () => {
    const relays = new RelayedNacks()
    const recovery = new NackRecovery()
    nackAgainstHistory(recovery, relays, sender(0), [7], 0, true)
    relays.claim(7, NACK_RECOVERY_MS - 1)
    expect(nackAgainstHistory(recovery, relays, sender(0), [7], NACK_RECOVERY_MS, true)).toEqual({ relayed: [], coalesced: 1, keyframeDue: true })
  })
})

