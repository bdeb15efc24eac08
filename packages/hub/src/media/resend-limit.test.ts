// The resend limit between a subscriber's NACKs and werift's resends from its history (resend-limit.ts).
import { describe, expect, it } from 'vitest'
import { GenericNack, RtcpTransportLayerFeedback, type RTCRtpSender } from 'werift'
import { RESEND_AGAIN_MS, RESEND_BURST_BYTES, RESEND_SHARE, ResendLimit, limitResends } from './resend-limit.js'
import type { Clock } from '../clock.js'

function manualClock(): Clock & { at: number } {
  const clock = { at: 1_000_000, now: () => clock.at, setTimeout: () => undefined, clearTimeout: () => undefined }
  return clock
}

describe('ResendLimit', () => {
  it('resends a packet at most once per RESEND_AGAIN_MS', () => {
    const limit = new ResendLimit()
    expect(limit.allow(7, 1200, 0)).toBe(true)
    expect(limit.allow(7, 1200, RESEND_AGAIN_MS - 1)).toBe(false)
    expect(limit.allow(7, 1200, RESEND_AGAIN_MS)).toBe(true)
    // Another number in the same history slot is another packet.
    expect(limit.allow(7 + 128, 1200, RESEND_AGAIN_MS)).toBe(true)
    expect([limit.resent, limit.heldBack]).toEqual([3, 1])
  })

  it('spends a budget that forwarding fills by RESEND_SHARE, saved up to RESEND_BURST_BYTES', () => {
    const limit = new ResendLimit()
    // The burst first: ten 1200-byte packets, then nothing.
    for (let seq = 0; seq < RESEND_BURST_BYTES / 1200; seq++) expect(limit.allow(seq, 1200, 0)).toBe(true)
    expect(limit.allow(100, 1200, 0)).toBe(false)
    // 2400 bytes forwarded pay for RESEND_SHARE of them.
    limit.forwarded(1200)
    limit.forwarded(1200)
    expect(RESEND_SHARE * 2400).toBe(1200)
    expect(limit.allow(100, 1200, 0)).toBe(true)
    expect(limit.allow(101, 1, 0)).toBe(false)
    // However much is forwarded, no more than the burst is saved.
    for (let i = 0; i < 1000; i++) limit.forwarded(1200)
    let allowed = 0
    for (let seq = 200; seq < 250; seq++) if (limit.allow(seq, 1200, 0)) allowed++
    expect(allowed).toBe(RESEND_BURST_BYTES / 1200)
  })
})

describe('limitResends', () => {
  /** werift's sender fields the limit reads, and what its own handler saw. */
  function fakeSender(cached: number[]) {
    const seen: unknown[] = []
    const rtpCache: ({ header: { sequenceNumber: number }; payload: Buffer } | undefined)[] = []
    for (const seq of cached) rtpCache[seq % 128] = { header: { sequenceNumber: seq }, payload: Buffer.alloc(1188) }
    const sender = { ssrc: 9, rtpCache, handleRtcpPacket: (packet: unknown) => void seen.push(packet) }
    return { sender, seen }
  }

  it("hands werift each NACK with only the cached packets the limit allows; the forwarder's packet stays whole", () => {
    const clock = manualClock()
    const { sender, seen } = fakeSender([10, 11, 12])
    limitResends(sender as unknown as RTCRtpSender, new ResendLimit(), clock)
    const nack = () => new RtcpTransportLayerFeedback({ feedback: new GenericNack({ senderSsrc: 5, mediaSourceSsrc: 9, lost: [10, 11, 40] }) })
    const first = nack()
    sender.handleRtcpPacket(first)
    // Nothing held back: werift gets the packet itself (40 is not cached: werift skips it, the forwarder relays it).
    expect(seen[0]).toBe(first)
    clock.at += RESEND_AGAIN_MS / 2
    const second = nack()
    sender.handleRtcpPacket(second)
    const handed = seen[1] as RtcpTransportLayerFeedback
    expect(handed).toBeInstanceOf(RtcpTransportLayerFeedback)
    expect(handed.type).toBe(second.type)
    expect((handed.feedback as GenericNack).lost).toEqual([40])
    expect((handed.feedback as GenericNack).mediaSourceSsrc).toBe(9)
    expect((second.feedback as GenericNack).lost).toEqual([10, 11, 40])
    clock.at += RESEND_AGAIN_MS
    sender.handleRtcpPacket(nack())
    expect(((seen[2] as RtcpTransportLayerFeedback).feedback as GenericNack).lost).toEqual([10, 11, 40])
  })

  it('passes other RTCP through untouched', () => {
    const { sender, seen } = fakeSender([])
    limitResends(sender as unknown as RTCRtpSender, new ResendLimit(), manualClock())
    const other = { type: 201, reports: [] }
    sender.handleRtcpPacket(other)
    expect(seen).toEqual([other])
  })
})
