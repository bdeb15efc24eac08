// The werift plane's rule for NACKed packets the hub never had: relay each, a keyframe only when one stays
// missing NACK_RECOVERY_MS, and only when the caller allows one (times injected, no clock).
import { describe, expect, it } from 'vitest'
import { NACK_RECOVERY_MS, NackRecovery } from './nack-recovery.js'

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
