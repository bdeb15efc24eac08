import { describe, expect, it } from 'vitest'
import { type HubEntry, hubTrace, hubTraceLog, isJoinTraceLine } from './join-hub-trace.js'

const entry = (at: number, msg: string, fields?: Record<string, unknown>): HubEntry => ({ at, msg, fields })

describe('hubTrace', () => {
  it("splits the newcomer's first offer at the hub: handed to werift (after its queue) and answered", () => {
    const entries = [
      entry(990, 'offer answered', { clientId: 'publisher', queuedMs: 0, ms: 5 }),
      entry(1150, 'offer answered', { clientId: 'newcomer', queuedMs: 4, ms: 11 }),
      entry(1200, 'ice connected', { clientId: 'newcomer' }),
    ]
    const trace = hubTrace(entries, 1000, 1500)
    expect(trace.steps.hubOfferIn).toBe(135)
    expect(trace.steps.hubAnswerOut).toBe(150)
    expect(trace.steps.hubIceConnected).toBe(200)
    expect(trace.answerMs).toBe(11)
  })

  it("splits the newcomer's answer to the hub's offer likewise, not the publisher's", () => {
    const entries = [
      entry(1200, 'ice connected', { clientId: 'newcomer' }),
      entry(1390, 'answer applied', { clientId: 'publisher', queuedMs: 0, ms: 30 }),
      entry(1420, 'answer applied', { clientId: 'newcomer', queuedMs: 2, ms: 15 }),
    ]
    const trace = hubTrace(entries, 1000, 1500)
    expect(trace.steps.hubAnswerIn).toBe(403)
    expect(trace.steps.hubAnswerApplied).toBe(420)
  })

  it('leaves the offer marks out when the hub logged no answer', () => {
    const trace = hubTrace([entry(1200, 'ice connected', { clientId: 'newcomer' })], 1000, 1500)
    expect(trace.steps.hubOfferIn).toBeUndefined()
    expect(trace.steps.hubAnswerOut).toBeUndefined()
  })

  it("counts the newcomer's ClientHellos and its DTLS records before werift's DTLS started, not the hub's replay", () => {
    const hello = (at: number, dtlsState: string, replayed = false) => entry(at, 'dtls record in', { clientId: 'newcomer', contentType: 22, clientHello: true, dtlsState, replayed })
    const entries = [
      entry(1190, 'dtls record in', { clientId: 'publisher', contentType: 22, clientHello: true, dtlsState: 'new', replayed: false }),
      hello(1195, 'new'),
      entry(1200, 'ice connected', { clientId: 'newcomer' }),
      hello(1201, 'connecting', true),
      hello(1204, 'connecting'),
      entry(1210, 'dtls record in', { clientId: 'newcomer', contentType: 22, clientHello: false, dtlsState: 'connecting', replayed: false }),
    ]
    const trace = hubTrace(entries, 1000, 1500)
    expect(trace.steps.hubDtlsRecordIn).toBe(195)
    expect(trace.clientHellos).toBe(2)
    expect(trace.recordsBeforeDtls).toBe(1)
  })
})

describe('isJoinTraceLine: the one rule both join hubs keep their trace lines by', () => {
  it("keeps the join path's debug lines, and no other level of them", () => {
    for (const msg of ['ice connected', 'dtls record in', 'dtls connected', 'keyframe requested', 'keyframe arrived', 'first packet forwarded', 'offer answered', 'offer created', 'answer applied']) {
      expect(isJoinTraceLine('debug', msg)).toBe(true)
      expect(isJoinTraceLine('info', msg)).toBe(false)
    }
  })

  it('keeps the simulcast lines at any level', () => {
    for (const msg of ['simulcast layer switched', 'viewer size', 'held keyframe sent', 'simulcast publisher layers', 'video paused', 'video resumed']) {
      expect(isJoinTraceLine('debug', msg)).toBe(true)
      expect(isJoinTraceLine('info', msg)).toBe(true)
    }
  })

  it('drops the rest, debug or not', () => {
    expect(isJoinTraceLine('debug', 'client registered')).toBe(false)
    expect(isJoinTraceLine('info', 'room created')).toBe(false)
    expect(isJoinTraceLine('debug', 'the ice connected')).toBe(false)
  })

  it("is hubTraceLog's rule: the in-process hub keeps exactly those lines, stamped in epoch ms", () => {
    const entries: HubEntry[] = []
    const log = hubTraceLog(entries)
    const before = performance.timeOrigin + performance.now()
    log('debug', 'ice connected', { clientId: 'newcomer' })
    log('info', 'ice connected', { clientId: 'newcomer' })
    log('debug', 'client registered')
    log('info', 'video paused')
    expect(entries.map(({ msg, fields }) => ({ msg, fields }))).toEqual([
      { msg: 'ice connected', fields: { clientId: 'newcomer' } },
      { msg: 'video paused', fields: undefined },
    ])
    for (const entry of entries) expect(entry.at).toBeGreaterThanOrEqual(before)
  })
})
