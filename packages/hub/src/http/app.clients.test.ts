// The HTTP API (createApp over the fake plane): clients, metadata, the negotiation endpoints and data
// channels. Shared: test-support/httpApp.ts.
import { pathFor } from '@parley/protocol'
import { describe, expect, it } from 'vitest'
import { DEFAULT_BITRATES } from '../roomOptions.js'
import { REJECTED_SDP_MARKER } from '../test-support/fakeMediaPlane.js'
import { createTestHub, type TestHub } from '../test-support/harness.js'
import { closeAfterEach, expectEnvelope, offer } from '../test-support/httpApp.js'

let hub: TestHub
closeAfterEach(() => hub)

describe('clients', () => {
  it('registers with an empty body and no content type, generating a client id', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1')
    const response = await hub.app.request(pathFor('register', { roomId: 'r1' }), { method: 'POST' })
    expect(response.status).toBe(200)
    const body = (await response.json()) as { code: number; data: { client_id: string; name: string; bitrates: unknown } }
    expect(body.code).toBe(200)
    expect(body.data.client_id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(body.data.name).toBe('')
    expect(body.data.bitrates).toEqual(DEFAULT_BITRATES)
  })

  it('accepts a numeric uid (the 2023 tutorial) as a string id', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1')
    const registered = await hub.request('POST', pathFor('register', { roomId: 'r1' }), { uid: 1234, name: 'Ann' })
    expectEnvelope(registered, 200)
    expect(registered.body.data).toMatchObject({ client_id: '1234', name: 'Ann' })
    const client = await hub.request('GET', pathFor('getClient', { roomId: 'r1', clientId: '1234' }))
    expectEnvelope(client, 200)
    expect(client.body.data).toMatchObject({ id: '1234', name: 'Ann', peer_connection_state: 'new', ice_peer_connection_state: 'new' })
    expect((client.body.data as { events: Record<string, { name: string; timestamp: number }> }).events.registered).toMatchObject({
      name: 'registered',
    })
  })

  it('answers 409 for a duplicate uid, 404 for an unknown room, 400 for bad fields', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a')
    expectEnvelope(await hub.request('POST', pathFor('register', { roomId: 'r1' }), { uid: 'a' }), 409, /"a" is already registered/)
    expectEnvelope(await hub.request('POST', pathFor('register', { roomId: 'zz' }), { uid: 'b' }), 404, /room "zz"/)
    expectEnvelope(await hub.request('POST', pathFor('register', { roomId: 'r1' }), { uid: true }), 400, /invalid registration: uid/)
    expectEnvelope(await hub.request('POST', pathFor('register', { roomId: 'r1' }), { uid: -3 }), 400, /uid/)
  })

  it('sets the name and reports it', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a')
    const renamed = await hub.request('PUT', pathFor('setName', { roomId: 'r1', clientId: 'a' }), { name: 'Zed' })
    expectEnvelope(renamed, 200)
    expect(renamed.body.data).toMatchObject({ client_id: 'a', name: 'Zed', bitrates: DEFAULT_BITRATES })
    const client = await hub.request('GET', pathFor('getClient', { roomId: 'r1', clientId: 'a' }))
    expect((client.body.data as { name: string }).name).toBe('Zed')
    expectEnvelope(await hub.request('PUT', pathFor('setName', { roomId: 'r1', clientId: 'a' }), {}), 400, /invalid name change: name/)
    expectEnvelope(await hub.request('PUT', pathFor('setName', { roomId: 'r1', clientId: 'x' }), { name: 'Q' }), 404, /client "x"/)
  })

  it('does not find a client under another room', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a')
    await hub.setupRoom('r2')
    expectEnvelope(await hub.request('GET', pathFor('getClient', { roomId: 'r2', clientId: 'a' })), 404, /client "a" not found in room "r2"/)
    expectEnvelope(await hub.request('PUT', pathFor('negotiate', { roomId: 'r2', clientId: 'a' }), offer), 404)
    expectEnvelope(await hub.request('DELETE', pathFor('leave', { roomId: 'r2', clientId: 'a' })), 404)
    expectEnvelope(await hub.request('GET', pathFor('getClient', { roomId: 'r1', clientId: 'a' })), 200)
  })

  it('leaves with DELETE, and with POST from sendBeacon (text/plain, any body)', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a', 'b')
    expectEnvelope(await hub.request('DELETE', pathFor('leave', { roomId: 'r1', clientId: 'a' })), 200)
    expectEnvelope(await hub.request('GET', pathFor('getClient', { roomId: 'r1', clientId: 'a' })), 404)
    expect(hub.plane.peer('a').closed).toBe(true)
    const beacon = await hub.app.request(pathFor('leaveBeacon', { roomId: 'r1', clientId: 'b' }), {
      method: 'POST',
      body: 'bye',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
    })
    expect(beacon.status).toBe(200)
    expect(hub.plane.peer('b').closed).toBe(true)
    expectEnvelope(await hub.request('POST', pathFor('leaveBeacon', { roomId: 'r1', clientId: 'b' })), 404)
  })
})

describe('metadata', () => {
  it('sets, gets and deletes keys; missing keys are 404', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1')
    expectEnvelope(await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), { a: 1, b: { x: [true] } }), 200)
    const got = await hub.request('GET', pathFor('getMeta', { roomId: 'r1', key: 'b' }))
    expectEnvelope(got, 200)
    expect(got.body.data).toEqual({ b: { x: [true] } })
    expectEnvelope(await hub.request('DELETE', pathFor('deleteMeta', { roomId: 'r1', key: 'b' })), 200)
    expectEnvelope(await hub.request('GET', pathFor('getMeta', { roomId: 'r1', key: 'b' })), 404, /meta key "b" not found/)
    expectEnvelope(await hub.request('DELETE', pathFor('deleteMeta', { roomId: 'r1', key: 'b' })), 404)
    expect((await hub.request('GET', pathFor('getMeta', { roomId: 'r1', key: 'a' }))).body.data).toEqual({ a: 1 })
  })

  it('rejects arrays, empty objects and non-JSON as 400', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1')
    expectEnvelope(await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), [1]), 400, /invalid metadata/)
    expectEnvelope(await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), {}), 400, /at least one key/)
    expectEnvelope(await hub.request('POST', pathFor('setMeta', { roomId: 'r1' })), 400, /body is missing/)
    expectEnvelope(await hub.request('POST', pathFor('setMeta', { roomId: 'zz' }), { a: 1 }), 404)
  })
})

describe('negotiation endpoints', () => {
  it('answers a client offer with {answer} and a client answer with {answer:null}', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a')
    const negotiated = await hub.request('PUT', pathFor('negotiate', { roomId: 'r1', clientId: 'a' }), offer)
    expectEnvelope(negotiated, 200)
    const answer = (negotiated.body.data as { answer: { type: string; sdp: string } }).answer
    expect(answer.type).toBe('answer')
    expect(answer.sdp.startsWith('v=0')).toBe(true)
    expect(hub.plane.peer('a').clientOffers).toEqual([offer])
  })

  it('rejects invalid and oversized SDP with 400, and SDP the media plane refuses with 400', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a')
    const path = pathFor('negotiate', { roomId: 'r1', clientId: 'a' })
    expectEnvelope(await hub.request('PUT', path, { type: 'offer', sdp: 'hello' }), 400, /sdp: is not an SDP/)
    expectEnvelope(await hub.request('PUT', path, { type: 'pranswer', sdp: 'v=0' }), 400, /type: must be "offer" or "answer"/)
    expectEnvelope(await hub.request('PUT', path, { type: 'offer', sdp: `v=0${'a'.repeat(130 * 1024)}` }), 400, /sdp: must be at most/)
    expectEnvelope(await hub.request('PUT', path, { type: 'offer', sdp: `v=0\r\n${REJECTED_SDP_MARKER}\r\n` }), 400, /offer could not be applied: unsupported SDP line/)
    expectEnvelope(await hub.request('PUT', path, { type: 'answer', sdp: 'v=0\r\n' }), 409, /no hub offer is waiting/)
  })

  it('queues candidates to the media plane, accepts the empty end-of-candidates, rejects bad ones', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a')
    const path = pathFor('candidate', { roomId: 'r1', clientId: 'a' })
    const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' }
    expectEnvelope(await hub.request('POST', path, candidate), 200)
    expectEnvelope(await hub.request('POST', path, { candidate: '', sdpMid: '0', sdpMLineIndex: 0 }), 200)
    expect(hub.plane.peer('a').remoteCandidates).toEqual([candidate])
    expectEnvelope(await hub.request('POST', path, { sdpMid: '0' }), 400, /invalid candidate: candidate/)
    expectEnvelope(await hub.request('POST', path, { candidate: 'x', sdpMLineIndex: 'zero' }), 400, /sdpMLineIndex/)
    expectEnvelope(await hub.request('POST', pathFor('candidate', { roomId: 'r1', clientId: 'nope' }), candidate), 404)
  })

  it('validates settracksources and subscribetracks bodies', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a', 'b')
    expectEnvelope(await hub.request('PUT', pathFor('setTrackSources', { roomId: 'r1', clientId: 'a' }), [{ track_id: 't', source: 'camera' }]), 400, /0\.source: must be "media" or "screen"/)
    expectEnvelope(await hub.request('PUT', pathFor('setTrackSources', { roomId: 'r1', clientId: 'a' }), [{ track_id: 'unknown', source: 'media' }]), 200)
    const subscribe = pathFor('subscribeTracks', { roomId: 'r1', clientId: 'a' })
    expectEnvelope(await hub.request('POST', subscribe, { track_id: 't' }), 400, /invalid subscription/)
    expectEnvelope(await hub.request('POST', subscribe, [{ client_id: 'ghost', track_id: 't' }]), 404, /client "ghost" not found/)
    expectEnvelope(await hub.request('POST', subscribe, [{ client_id: 'b', track_id: 't' }]), 404, /track "t" is not published by client "b"/)
    expectEnvelope(await hub.request('POST', subscribe, [{ client_id: 'a', track_id: 'own' }]), 200)
  })
})

describe('data channels', () => {
  it('creates on both paths with both flag spellings; duplicate labels are 409', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1')
    expectEnvelope(await hub.request('POST', pathFor('createChannel', { roomId: 'r1' }), { name: 'chat', mode: false }), 200)
    expectEnvelope(await hub.request('POST', pathFor('createChannelPlural', { roomId: 'r1' }), { name: 'mod', ordered_mode: true }), 200)
    expectEnvelope(await hub.request('POST', pathFor('createChannelPlural', { roomId: 'r1' }), { name: 'chat' }), 409, /"chat" already exists/)
    expectEnvelope(await hub.request('POST', pathFor('createChannel', { roomId: 'r1' }), { name: '' }), 400, /name: must not be empty/)
    expectEnvelope(await hub.request('POST', pathFor('createChannel', { roomId: 'zz' }), { name: 'x' }), 404)
  })
})
