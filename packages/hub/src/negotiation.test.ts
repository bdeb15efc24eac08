import { ALLOWED_RENEGOTIATION_EVENT, pathFor } from '@parley/protocol'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MID_OFFER_MESSAGE } from './negotiation.js'
import { connectClient, createTestHub, settle, TEST_ANSWER, TEST_OFFER, type TestHub } from './test-support/harness.js'

let hub: TestHub
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(async () => {
  await hub?.close()
  vi.useRealTimers()
})

const negotiate = (clientId: string, body: unknown) => hub.request('PUT', pathFor('negotiate', { roomId: 'r1', clientId }), body)
const askLock = (clientId: string) => hub.request('POST', pathFor('isAllowNegotiate', { roomId: 'r1', clientId }))

/** a and b connected, b's event stream open. */
async function twoConnected() {
  hub = createTestHub()
  await hub.setupRoom('r1', 'a', 'b')
  await connectClient(hub, 'r1', 'a')
  await connectClient(hub, 'r1', 'b')
  return hub.events('r1', 'b')
}

describe('hub offers', () => {
  it('sends an SSE offer to a subscriber with no timer (the changes of one tick share it), and accepts its answer with {answer:null}', async () => {
    const b = await twoConnected()
    // Published in one tick, as the tracks of one client offer are.
    await Promise.all([hub.plane.peer('a').publish('cam', 'video'), hub.plane.peer('a').publish('mic', 'audio')])
    await settle()
    expect([...hub.plane.peer('b').subscribed.keys()]).toEqual(['cam', 'mic'])
    const offer = JSON.parse((await b.waitFor('offer')).data) as { type: string; sdp: string }
    expect(offer).toEqual({ type: 'offer', sdp: expect.stringContaining('fake-hub-offer-1') })
    // Both subscriptions were batched into one offer.
    expect(hub.plane.peer('b').offersCreated).toBe(1)
    const answered = await negotiate('b', TEST_ANSWER)
    expect(answered.status).toBe(200)
    expect(answered.body.data).toEqual({ answer: null })
    expect(hub.plane.peer('b').clientAnswers).toEqual([TEST_ANSWER])
    expect(hub.plane.peer('b').signalingState).toBe('stable')
    await b.cancel()
  })

  it('never offers before the client first offered and its peer connected', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a')
    const a = await hub.events('r1', 'a')
    await hub.request('POST', pathFor('createChannel', { roomId: 'r1' }), { name: 'chat' })
    await negotiate('a', TEST_OFFER)
    await settle()
    expect(hub.plane.peer('a').dataChannels.get('chat')).toBe(true)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(hub.plane.peer('a').offersCreated).toBe(0)
    await hub.plane.peer('a').setConnectionState('connected')
    await vi.advanceTimersByTimeAsync(100)
    await a.waitFor('offer')
    expect(hub.plane.peer('a').offersCreated).toBe(1)
    await a.cancel()
  })

  it('serialises offers: one in flight, the next change is offered after the answer', async () => {
    const b = await twoConnected()
    await hub.plane.peer('a').publish('cam')
    await vi.advanceTimersByTimeAsync(100)
    await b.waitFor('offer')
    await hub.plane.peer('a').publish('mic', 'audio')
    await vi.advanceTimersByTimeAsync(5_000)
    expect(hub.plane.peer('b').offersCreated).toBe(1)
    await negotiate('b', TEST_ANSWER)
    await vi.advanceTimersByTimeAsync(100)
    await b.waitFor('offer', 2)
    expect(hub.plane.peer('b').offersCreated).toBe(2)
    await b.cancel()
  })

  // A worker plane's signals arrive one by one: the second subscription of a join is signalled while the
  // offer that already carries it is being made (HubOffer.covers).
  it('makes no second offer for a change signalled while the offer is made, when the offer carries it', async () => {
    const b = await twoConnected()
    const release = hub.plane.peer('b').holdNextOffer(false)
    await hub.plane.peer('a').publish('cam')
    await vi.advanceTimersByTimeAsync(100)
    await hub.plane.peer('a').publish('mic', 'audio')
    expect(hub.plane.peer('b').offersCreated).toBe(0)
    release()
    const offer = JSON.parse((await b.waitFor('offer')).data) as { sdp: string }
    expect(offer.sdp).toMatch(/ cam\r\n[^]* mic\r\n/)
    expect(Object.keys(offer)).toEqual(['type', 'sdp'])
    await negotiate('b', TEST_ANSWER)
    await vi.advanceTimersByTimeAsync(5_000)
    expect(hub.plane.peer('b').offersCreated).toBe(1)
    expect(b.named('offer')).toHaveLength(1)
    await b.cancel()
  })

  it('offers again after the answer a change signalled while the offer was made, when the offer does not carry it', async () => {
    const b = await twoConnected()
    const release = hub.plane.peer('b').holdNextOffer(true)
    await hub.plane.peer('a').publish('cam')
    await vi.advanceTimersByTimeAsync(100)
    expect(hub.plane.peer('b').offersCreated).toBe(1)
    await hub.plane.peer('a').publish('mic', 'audio')
    release()
    const first = JSON.parse((await b.waitFor('offer')).data) as { sdp: string }
    expect(first.sdp).not.toContain(' mic')
    await negotiate('b', TEST_ANSWER)
    await vi.advanceTimersByTimeAsync(100)
    const second = JSON.parse((await b.waitFor('offer', 2)).data) as { sdp: string }
    expect(second.sdp).toContain(' mic')
    await b.cancel()
  })

  it('removes a client that does not answer within the answer timeout', async () => {
    const b = await twoConnected()
    await hub.plane.peer('a').publish('cam')
    await b.waitFor('offer')
    await vi.advanceTimersByTimeAsync(29_999)
    expect((await hub.request('GET', pathFor('getClient', { roomId: 'r1', clientId: 'b' }))).status).toBe(200)
    await vi.advanceTimersByTimeAsync(1)
    await b.waitForEnd()
    expect(b.events.at(-1)).toMatchObject({ event: 'left', data: '{"reason":"timeout"}' })
    expect((await hub.request('GET', pathFor('getClient', { roomId: 'r1', clientId: 'b' }))).status).toBe(404)
  })
})

describe('the negotiation lock', () => {
  it('grants isallownegotiate and defers hub offers until the client negotiated', async () => {
    const b = await twoConnected()
    const granted = await askLock('b')
    expect(granted.status).toBe(200)
    expect(granted.body.code).toBe(200)
    await hub.plane.peer('a').publish('cam')
    await vi.advanceTimersByTimeAsync(5_000)
    expect(hub.plane.peer('b').offersCreated).toBe(0)
    const answered = await negotiate('b', TEST_OFFER)
    expect((answered.body.data as { answer: { type: string } }).answer.type).toBe('answer')
    await vi.advanceTimersByTimeAsync(100)
    await b.waitFor('offer')
    await b.cancel()
  })

  it('releases a granted lock the client never used after the client-turn timeout', async () => {
    const b = await twoConnected()
    expect((await askLock('b')).status).toBe(200)
    await hub.plane.peer('a').publish('cam')
    await vi.advanceTimersByTimeAsync(9_999)
    expect(hub.plane.peer('b').offersCreated).toBe(0)
    await vi.advanceTimersByTimeAsync(1 + 100)
    await b.waitFor('offer')
    await b.cancel()
  })

  it('while the hub is mid-offer: 403 to isallownegotiate, 409 to an unasked offer, then allowed_renegotation', async () => {
    const b = await twoConnected()
    await hub.plane.peer('a').publish('cam')
    await vi.advanceTimersByTimeAsync(100)
    await b.waitFor('offer')

    const denied = await askLock('b')
    expect(denied.status).toBe(403)
    expect(denied.body).toEqual({ code: 403, message: MID_OFFER_MESSAGE, data: null })
    const skipped = await negotiate('b', TEST_OFFER)
    expect(skipped.status).toBe(409)
    expect(skipped.body.message).toMatch(/mid-offer/)
    expect(b.named(ALLOWED_RENEGOTIATION_EVENT)).toHaveLength(0)

    await negotiate('b', TEST_ANSWER)
    const allowed = await b.waitFor(ALLOWED_RENEGOTIATION_EVENT)
    expect(allowed.data).toBe('"ok"')
    // The hub's own offers now wait for the invited client's negotiation.
    await hub.plane.peer('a').publish('mic', 'audio')
    await vi.advanceTimersByTimeAsync(5_000)
    expect(hub.plane.peer('b').offersCreated).toBe(1)
    expect((await negotiate('b', TEST_OFFER)).status).toBe(200)
    await vi.advanceTimersByTimeAsync(100)
    await b.waitFor('offer', 2)
    await b.cancel()
  })

  it('an invitation the client ignores expires, and the hub offers again', async () => {
    const b = await twoConnected()
    await hub.plane.peer('a').publish('cam')
    await vi.advanceTimersByTimeAsync(100)
    await b.waitFor('offer')
    expect((await askLock('b')).status).toBe(403)
    await negotiate('b', TEST_ANSWER)
    await b.waitFor(ALLOWED_RENEGOTIATION_EVENT)
    await hub.plane.peer('a').publish('mic', 'audio')
    await vi.advanceTimersByTimeAsync(10_000 + 100)
    await b.waitFor('offer', 2)
    await b.cancel()
  })

  it('an offer without asking is fine when the hub is not offering', async () => {
    const b = await twoConnected()
    const response = await negotiate('b', TEST_OFFER)
    expect(response.status).toBe(200)
    expect(hub.plane.peer('b').clientOffers).toHaveLength(2)
    await b.cancel()
  })
})
