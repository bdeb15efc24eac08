// The protocol checker itself: each rule, broken once on a hand-written log.
import { describe, expect, it } from 'vitest'
import type { HubRequestRecord } from './fakeHub.js'
import { hubProtocolViolations } from './hubProtocol.js'

function record(entry: string, status = 200): HubRequestRecord {
  const [route, detail] = entry.split(':') as [HubRequestRecord['route'], string | undefined]
  const body = route === 'negotiate' ? { type: detail, sdp: 'v=0' } : undefined
  const params: Record<string, string> = { roomId: 'r', clientId: route === 'createRoom' ? '' : (detail && route !== 'negotiate' ? detail : 'c1') }
  return { route, method: 'PUT', path: '', params, body, headers: {}, keepalive: false, status }
}
const log = (...entries: (string | [string, number])[]) => entries.map((e) => (Array.isArray(e) ? record(e[0], e[1]) : record(e)))
const check = (entries: HubRequestRecord[], hubOffersAt: number[] = [], settled = true, offerCreationFailed = false) =>
  hubProtocolViolations({ log: entries, hubOffersAt, settled, offerCreationFailed })

describe('hubProtocolViolations', () => {
  it('accepts a well-behaved run', () => {
    expect(check(log('register', 'isAllowNegotiate', 'negotiate:offer', 'candidate', 'negotiate:answer', 'leave'), [4])).toEqual([])
  })

  it('a granted lock must be followed by exactly one PUT negotiate offer, first', () => {
    expect(check(log('isAllowNegotiate', 'isAllowNegotiate', 'negotiate:offer'))).toHaveLength(1)
    expect(check(log('isAllowNegotiate', 'negotiate:answer', 'negotiate:offer'), [0])).toHaveLength(1)
    expect(check(log('isAllowNegotiate'), [], false, true)).toEqual([])
  })

  it('no offer without a granted lock of its own', () => {
    expect(check(log(['isAllowNegotiate', 403], 'negotiate:offer'))).toEqual([expect.stringMatching(/offer at request 1 had no granted lock/)])
    // A second offer breaks both rules: its grant saw two offers, and it had no grant of its own.
    expect(check(log('isAllowNegotiate', 'negotiate:offer', 'negotiate:offer'))).toHaveLength(2)
  })

  it('every hub offer gets exactly one answer, after it', () => {
    expect(check(log('isAllowNegotiate', 'negotiate:offer'), [2])).toEqual([expect.stringMatching(/1 hub offers were delivered but 0 answered/)])
    expect(check(log('isAllowNegotiate', 'negotiate:offer'), [2], false)).toEqual([])
    expect(check(log('isAllowNegotiate', 'negotiate:offer', 'negotiate:answer', 'negotiate:answer'), [2])).toHaveLength(2)
  })

  it('nothing for a client after its leave but the leave itself; a new client may start', () => {
    expect(check(log('leave', 'leave', 'createRoom'))).toEqual([])
    expect(check(log('isAllowNegotiate', 'negotiate:offer', 'leave', 'candidate'))).toEqual([expect.stringMatching(/requests for c1 after its leave: candidate/)])
  })

  it('lets a candidate overtake the offer it belongs to (the hub queues it)', () => {
    expect(check(log('isAllowNegotiate', 'candidate', 'negotiate:offer'))).toEqual([])
  })
})
