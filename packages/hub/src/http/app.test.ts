import { pathFor, RoomSchema } from '@parley/protocol'
import * as v from 'valibot'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_BITRATES, DEFAULT_CODECS } from '../roomOptions.js'
import { REJECTED_SDP_MARKER } from '../test-support/fakeMediaPlane.js'
import { createTestHub, type TestHub } from '../test-support/harness.js'

const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n' }

let hub: TestHub
afterEach(async () => {
  await hub?.close()
})

function expectEnvelope(response: { status: number; headers: Headers; body: { code: number; message: string } }, status: number, message?: RegExp) {
  expect(response.status).toBe(status)
  expect(response.body.code).toBe(status)
  expect(response.headers.get('content-type')).toMatch(/^application\/json/)
  expect(typeof response.body.message).toBe('string')
  if (message) expect(response.body.message).toMatch(message)
}

describe('rooms', () => {
  it('creates a room with defaults filled (0, {} and [] mean default) and answers 201', async () => {
    hub = createTestHub()
    const created = await hub.request('POST', pathFor('createRoom', {}), {
      id: 'r1',
      name: 'Room one',
      options: { bitrates: { audio: 0, video: 123 }, codecs: [], quality_presets: {}, empty_room_timeout_ns: 0 },
    })
    expectEnvelope(created, 201)
    const room = v.parse(RoomSchema, created.body.data)
    expect(room.id).toBe('r1')
    expect(room.name).toBe('Room one')
    expect(room.options.bitrates).toEqual({ ...DEFAULT_BITRATES, video: 123 })
    expect(room.options.codecs).toEqual(DEFAULT_CODECS)
    expect(room.options.quality_presets.high).toEqual({ sid: 2, tid: 2 })
    expect(room.options.empty_room_timeout_ns).toBe(300_000_000_000)

    const fetched = await hub.request('GET', pathFor('getRoom', { roomId: 'r1' }))
    expectEnvelope(fetched, 200)
    expect(fetched.body.data).toEqual(room)
  })

  it('generates unguessable ids (128 bits, base64url) when none or "" is given', async () => {
    hub = createTestHub()
    const ids = new Set<string>()
    for (const body of [{}, { id: '' }, undefined]) {
      const created = await hub.request('POST', pathFor('createRoom', {}), body)
      expectEnvelope(created, 201)
      const { id } = created.body.data as { id: string }
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/)
      ids.add(id)
    }
    expect(ids.size).toBe(3)
  })

  it('answers 409 for an existing id and 404 for an unknown room', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1')
    expectEnvelope(await hub.request('POST', pathFor('createRoom', {}), { id: 'r1' }), 409, /r1.*already exists/)
    expectEnvelope(await hub.request('GET', pathFor('getRoom', { roomId: 'nope' })), 404, /room "nope" not found/)
  })

  it('rejects bad room input with 400 and a message naming the field', async () => {
    hub = createTestHub()
    expectEnvelope(await hub.request('POST', pathFor('createRoom', {}), { id: 'bad id!' }), 400, /^invalid room: id: may only contain/)
    expectEnvelope(await hub.request('POST', pathFor('createRoom', {}), { name: 42 }), 400, /name/)
    expectEnvelope(await hub.request('POST', pathFor('createRoom', {}), { options: { bitrates: { audio: -1 } } }), 400, /options\.bitrates\.audio/)
    expectEnvelope(await hub.request('POST', pathFor('createRoom', {}), '{"id":'), 400, /not valid JSON/)
    expectEnvelope(await hub.request('POST', pathFor('createRoom', {}), '[1,2]'), 400, /invalid room/)
  })

  it('ends a room: 200, then the room is gone', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a')
    expectEnvelope(await hub.request('PUT', pathFor('endRoom', { roomId: 'r1' })), 200)
    expectEnvelope(await hub.request('GET', pathFor('getRoom', { roomId: 'r1' })), 404)
    expectEnvelope(await hub.request('GET', pathFor('getClient', { roomId: 'r1', clientId: 'a' })), 404)
    expect(hub.plane.peer('a').closed).toBe(true)
    expectEnvelope(await hub.request('PUT', pathFor('endRoom', { roomId: 'r1' })), 404)
  })
})

describe('shutting down', () => {
  it('answers 503 with Retry-After, not "room not found", from the moment it starts closing', async () => {
    hub = createTestHub()
    expectEnvelope(await hub.request('POST', pathFor('createRoom', {}), { id: 'r1', name: 'One' }), 201)
    const closed = hub.close()
    const during = await hub.request('GET', pathFor('getRoom', { roomId: 'r1' }))
    expectEnvelope(during, 503, /shutting down/)
    expect(during.headers.get('retry-after')).toBe('1')
    expectEnvelope(await hub.request('POST', pathFor('createRoom', {}), { id: 'r1', name: 'One' }), 503, /shutting down/)
    await closed
  })
})

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

describe('hostile input', () => {
  it('refuses a body that is not UTF-8 with 400 and stores nothing', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1')
    const invalid = new Uint8Array([...Buffer.from('{"k":"'), 0xff, 0xfe, ...Buffer.from('"}')])
    const response = await hub.app.request(pathFor('setMeta', { roomId: 'r1' }), { method: 'POST', body: invalid, headers: { 'Content-Type': 'application/json' } })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ code: 400, message: 'request body is not valid UTF-8' })
    expectEnvelope(await hub.request('GET', pathFor('getMeta', { roomId: 'r1', key: 'k' })), 404)
  })

  it('refuses metadata keys the schema would drop (__proto__, prototype, constructor) and pollutes nothing', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1')
    const setMeta = pathFor('setMeta', { roomId: 'r1' })
    for (const key of ['__proto__', 'prototype', 'constructor']) {
      const body = `{"ok": 1, ${JSON.stringify(key)}: {"polluted": true}}`
      expectEnvelope(await hub.request('POST', setMeta, body), 400, new RegExp(`key "${key}" is reserved`))
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    // Nothing of a refused body is applied.
    expectEnvelope(await hub.request('GET', pathFor('getMeta', { roomId: 'r1', key: 'ok' })), 404)
    expectEnvelope(await hub.request('GET', pathFor('getMeta', { roomId: 'r1', key: '__proto__' })), 404)
    // Nested values are data, stored and returned as sent.
    expectEnvelope(await hub.request('POST', setMeta, '{"state": {"__proto__": {"x": 1}}}'), 200)
    const stored = await hub.request('GET', pathFor('getMeta', { roomId: 'r1', key: 'state' }))
    expect(JSON.stringify(stored.body.data)).toBe('{"state":{"__proto__":{"x":1}}}')
    expect(({} as Record<string, unknown>).x).toBeUndefined()
  })

  it('refuses deeply nested JSON with 400 before it reaches a room, and the room keeps working', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a')
    await hub.setupRoom('r2', 'b')
    await hub.request('POST', pathFor('setMeta', { roomId: 'r2' }), { keep: 'me' })
    const a = await hub.events('r1', 'a')
    const nested = (depth: number) => `{"k": ${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`
    // Deep enough that serialising it again for meta_changed would overflow the stack.
    expectEnvelope(await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), nested(20_000)), 400, /nests deeper than 32 levels/)
    expectEnvelope(await hub.request('POST', pathFor('subscribeTracks', { roomId: 'r1', clientId: 'a' }), '['.repeat(50_000) + ']'.repeat(50_000)), 400, /nests deeper/)
    expectEnvelope(await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), nested(33)), 400)
    expectEnvelope(await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), nested(32)), 200)
    await a.waitFor('meta_changed')
    expect(a.named('meta_changed')).toHaveLength(1)
    expect((await hub.request('GET', pathFor('getMeta', { roomId: 'r2', key: 'keep' }))).body.data).toEqual({ keep: 'me' })
    await a.cancel()
  })
})

describe('limits', () => {
  it('answers 429 when a room is full, and takes a client again once one leaves', async () => {
    hub = createTestHub({ limits: { maxClientsPerRoom: 3 } })
    await hub.setupRoom('r1', 'a', 'b', 'c')
    await hub.setupRoom('r2', 'x')
    const register = pathFor('register', { roomId: 'r1' })
    expectEnvelope(await hub.request('POST', register, { uid: 'd' }), 429, /room "r1" is full: it holds its maximum of 3 clients/)
    expectEnvelope(await hub.request('POST', register, {}), 429)
    expectEnvelope(await hub.request('POST', register, { uid: 'a' }), 409) // a duplicate stays a conflict
    expectEnvelope(await hub.request('POST', pathFor('register', { roomId: 'r2' }), { uid: 'y' }), 200) // per room
    expectEnvelope(await hub.request('DELETE', pathFor('leave', { roomId: 'r1', clientId: 'b' })), 200)
    expectEnvelope(await hub.request('POST', register, { uid: 'd' }), 200)
    expect(hub.plane.peers.filter((peer) => peer.roomId === 'r1').map((peer) => peer.clientId)).toEqual(['a', 'b', 'c', 'd'])
  })

  it('answers 429 when the hub holds its maximum of rooms, and creates again once one ends', async () => {
    hub = createTestHub({ limits: { maxRooms: 2 } })
    await hub.setupRoom('r1')
    await hub.setupRoom('r2')
    expectEnvelope(await hub.request('POST', pathFor('createRoom', {}), { id: 'r3' }), 429, /maximum of 2 rooms/)
    expectEnvelope(await hub.request('POST', pathFor('createRoom', {}), { id: 'r1' }), 409)
    expectEnvelope(await hub.request('PUT', pathFor('endRoom', { roomId: 'r1' })), 200)
    expectEnvelope(await hub.request('POST', pathFor('createRoom', {}), { id: 'r3' }), 201)
  })

  it('answers 413 when a setmeta would take the room\'s metadata over its limit, storing nothing of it', async () => {
    hub = createTestHub({ limits: { maxMetaCharsPerRoom: 100 } })
    await hub.setupRoom('r1', 'a')
    await hub.setupRoom('r2')
    const a = await hub.events('r1', 'a')
    const setMeta = pathFor('setMeta', { roomId: 'r1' })
    // "k1" with "xx…x" (40 x) as JSON: 2 + 42 = 44 characters per key.
    expectEnvelope(await hub.request('POST', setMeta, { k1: 'x'.repeat(40), k2: 'x'.repeat(40) }), 200)
    expectEnvelope(await hub.request('POST', setMeta, { k3: 'x'.repeat(40), k4: 'y' }), 413, /metadata would hold 137 characters, over its limit of 100/)
    expectEnvelope(await hub.request('GET', pathFor('getMeta', { roomId: 'r1', key: 'k4' })), 404)
    // Replacing a key counts its new size only; deleting frees room; other rooms have their own.
    expectEnvelope(await hub.request('POST', setMeta, { k2: 'x'.repeat(50) }), 200)
    expectEnvelope(await hub.request('POST', pathFor('setMeta', { roomId: 'r2' }), { k1: 'x'.repeat(90) }), 200)
    expectEnvelope(await hub.request('DELETE', pathFor('deleteMeta', { roomId: 'r1', key: 'k1' })), 200)
    expectEnvelope(await hub.request('POST', setMeta, { k3: 'x'.repeat(40) }), 200)
    await a.waitFor('meta_changed', 5)
    expect(a.named('meta_changed').map((event) => Object.keys(JSON.parse(event.data) as object)[0])).toEqual(['k1', 'k2', 'k2', 'k1', 'k3'])
    await a.cancel()
  })

  it('answers 413 for a setmeta with more keys than one request or the room may hold, storing nothing of it', async () => {
    hub = createTestHub({ limits: { maxMetaKeysPerRequest: 3, maxMetaKeysPerRoom: 4 } })
    await hub.setupRoom('r1', 'a')
    const a = await hub.events('r1', 'a')
    const setMeta = pathFor('setMeta', { roomId: 'r1' })
    expectEnvelope(await hub.request('POST', setMeta, { k1: 1, k2: 2, k3: 3, k4: 4 }), 413, /setmeta carries 4 keys, over the limit of 3 keys per request \(max-meta-keys-per-request\)/)
    expectEnvelope(await hub.request('POST', setMeta, { k1: 1, k2: 2, k3: 3 }), 200)
    expectEnvelope(await hub.request('POST', setMeta, { k4: 4, k5: 5 }), 413, /would hold 5 keys, over its limit of 4 \(max-meta-keys-per-room\)/)
    expectEnvelope(await hub.request('GET', pathFor('getMeta', { roomId: 'r1', key: 'k4' })), 404)
    // Replacing keys does not add any.
    expectEnvelope(await hub.request('POST', setMeta, { k1: 'one', k2: 'two', k4: 4 }), 200)
    await a.waitFor('meta_changed', 6)
    expect(a.named('meta_changed')).toHaveLength(6)
    await a.cancel()
  })

  it('answers 429 once a client has sent its maximum of ICE candidates; empty ones do not count, other clients have their own', async () => {
    hub = createTestHub({ limits: { maxCandidatesPerClient: 2 } })
    await hub.setupRoom('r1', 'a', 'b')
    const candidate = (port: number) => ({ candidate: `candidate:1 1 udp 2122260223 127.0.0.1 ${port} typ host`, sdpMid: '0', sdpMLineIndex: 0 })
    const path = pathFor('candidate', { roomId: 'r1', clientId: 'a' })
    expectEnvelope(await hub.request('POST', path, candidate(50000)), 200)
    expectEnvelope(await hub.request('POST', path, { candidate: '', sdpMid: '0', sdpMLineIndex: 0 }), 200)
    expectEnvelope(await hub.request('POST', path, candidate(50001)), 200)
    expectEnvelope(await hub.request('POST', path, candidate(50002)), 429, /client "a" already sent its maximum of 2 ICE candidates \(max-candidates-per-client\)/)
    expect(hub.plane.peer('a').remoteCandidates).toHaveLength(2)
    expectEnvelope(await hub.request('POST', pathFor('candidate', { roomId: 'r1', clientId: 'b' }), candidate(50003)), 200)
  })

  it('answers 413 for an offer that sends more tracks than a client may, before the media plane sees it', async () => {
    hub = createTestHub({ limits: { maxTracksPerClient: 2 } })
    await hub.setupRoom('r1', 'a')
    const section = (kind: string, port: number, direction?: string) => [`m=${kind} ${port} UDP/TLS/RTP/SAVPF 96`, ...(direction ? [`a=${direction}`] : [])]
    const offer = (...sections: string[][]) => ({ type: 'offer', sdp: `${['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', ...sections.flat()].join('\r\n')}\r\n` })
    const path = pathFor('negotiate', { roomId: 'r1', clientId: 'a' })
    const three = offer(section('audio', 9, 'sendonly'), section('video', 9), section('video', 9, 'sendrecv'))
    expectEnvelope(await hub.request('PUT', path, three), 413, /the offer sends 3 tracks, over the limit of 2 tracks per client \(max-tracks-per-client\)/)
    expect(hub.plane.peer('a').clientOffers).toHaveLength(0)
    // Receiving, inactive and rejected m-lines are not tracks the client sends.
    const two = offer(section('audio', 9, 'sendonly'), section('video', 9), section('video', 9, 'recvonly'), section('video', 9, 'inactive'), section('video', 0, 'sendonly'))
    expectEnvelope(await hub.request('PUT', path, two), 200)
  })

  it('defaults to 50 clients per room', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1')
    const register = pathFor('register', { roomId: 'r1' })
    for (let index = 0; index < 50; index++) expectEnvelope(await hub.request('POST', register, {}), 200)
    expectEnvelope(await hub.request('POST', register, {}), 429)
  })
})

describe('HTTP hygiene', () => {
  it('answers unknown routes with 404 JSON and wrong methods with 405 JSON + Allow', async () => {
    hub = createTestHub()
    expectEnvelope(await hub.request('GET', '/v1/nothing/here'), 404, /no such endpoint: GET \/v1\/nothing\/here/)
    const wrong = await hub.request('GET', pathFor('setMeta', { roomId: 'r1' }))
    expectEnvelope(wrong, 405, /GET is not allowed .*use POST/)
    expect(wrong.headers.get('allow')).toBe('POST')
    const leave = await hub.request('PUT', pathFor('leave', { roomId: 'r1', clientId: 'a' }))
    expectEnvelope(leave, 405)
    expect(leave.headers.get('allow')).toBe('DELETE, POST')
  })

  it('rejects bodies over the limit with 413 JSON, with or without content-length', async () => {
    hub = createTestHub({ bodyLimitBytes: 1024 })
    await hub.setupRoom('r1')
    const big = JSON.stringify({ key: 'x'.repeat(2000) })
    expectEnvelope(await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), big), 413, /larger than the limit of 1024 bytes/)
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big))
        controller.close()
      },
    })
    const response = await hub.app.request(pathFor('setMeta', { roomId: 'r1' }), { method: 'POST', body: chunked, duplex: 'half' } as RequestInit)
    expect(response.status).toBe(413)
    expect(((await response.json()) as { code: number }).code).toBe(413)
  })

  it('answers CORS preflights for browser clients on other origins', async () => {
    hub = createTestHub()
    const response = await hub.app.request(pathFor('register', { roomId: 'r1' }), {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,authorization' },
    })
    expect(response.status).toBeLessThan(300)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('access-control-allow-headers')).toMatch(/Content-Type/)
    expect(response.headers.get('access-control-allow-headers')).toMatch(/Authorization/)
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS']) expect(response.headers.get('access-control-allow-methods')).toContain(method)
    const simple = await hub.app.request(pathFor('getRoom', { roomId: 'x' }), { headers: { Origin: 'https://app.example' } })
    expect(simple.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('limits CORS to configured origins', async () => {
    hub = createTestHub({ corsOrigin: ['https://good.example'] })
    const good = await hub.app.request('/v1/rooms/x', { headers: { Origin: 'https://good.example' } })
    expect(good.headers.get('access-control-allow-origin')).toBe('https://good.example')
    const bad = await hub.app.request('/v1/rooms/x', { headers: { Origin: 'https://evil.example' } })
    expect(bad.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('requires the API key only on create room, get room, register and end', async () => {
    hub = createTestHub({ apiKey: 's3cret' })
    const auth = { Authorization: 'Bearer s3cret' }
    expectEnvelope(await hub.request('POST', pathFor('createRoom', {}), { id: 'r1' }), 401, /Authorization: Bearer/)
    expectEnvelope(await hub.request('POST', pathFor('createRoom', {}), { id: 'r1' }, { Authorization: 'Bearer wrong' }), 401, /not valid/)
    expectEnvelope(await hub.request('POST', pathFor('createRoom', {}), { id: 'r1' }, auth), 201)
    expectEnvelope(await hub.request('GET', pathFor('getRoom', { roomId: 'r1' })), 401)
    expectEnvelope(await hub.request('GET', pathFor('getRoom', { roomId: 'r1' }), undefined, auth), 200)
    expectEnvelope(await hub.request('POST', pathFor('register', { roomId: 'r1' }), { uid: 'a' }), 401)
    expectEnvelope(await hub.request('POST', pathFor('register', { roomId: 'r1' }), { uid: 'a' }, auth), 200)
    // Endpoints the SDK calls without a token stay open.
    expectEnvelope(await hub.request('GET', pathFor('getClient', { roomId: 'r1', clientId: 'a' })), 200)
    expectEnvelope(await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), { k: 1 }), 200)
    expectEnvelope(await hub.request('POST', pathFor('isAllowNegotiate', { roomId: 'r1', clientId: 'a' })), 200)
    expectEnvelope(await hub.request('POST', pathFor('createChannel', { roomId: 'r1' }), { name: 'c' }), 200)
    expectEnvelope(await hub.request('PUT', pathFor('endRoom', { roomId: 'r1' })), 401)
    expectEnvelope(await hub.request('PUT', pathFor('endRoom', { roomId: 'r1' }), undefined, auth), 200)
  })

  it('never answers 5xx to garbage, and a second room is unaffected by it', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a')
    await hub.setupRoom('r2', 'b')
    await hub.request('POST', pathFor('setMeta', { roomId: 'r2' }), { keep: 'me' })
    const garbage = ['', 'null', '"x"', '42', '[]', '{}', '{"a":', '\u0000\u0001', JSON.stringify({ type: 'offer', sdp: 42 })]
    const endpoints = [
      ['POST', pathFor('createRoom', {})],
      ['POST', pathFor('register', { roomId: 'r1' })],
      ['PUT', pathFor('setName', { roomId: 'r1', clientId: 'a' })],
      ['POST', pathFor('setMeta', { roomId: 'r1' })],
      ['POST', pathFor('candidate', { roomId: 'r1', clientId: 'a' })],
      ['PUT', pathFor('negotiate', { roomId: 'r1', clientId: 'a' })],
      ['PUT', pathFor('setTrackSources', { roomId: 'r1', clientId: 'a' })],
      ['POST', pathFor('subscribeTracks', { roomId: 'r1', clientId: 'a' })],
      ['POST', pathFor('createChannel', { roomId: 'r1' })],
    ] as const
    for (const [method, path] of endpoints) {
      for (const body of garbage) {
        const response = await hub.app.request(path, { method, body, headers: { 'Content-Type': 'application/json' } })
        expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBeLessThan(500)
        expect(response.headers.get('content-type')).toMatch(/application\/json/)
      }
    }
    expectEnvelope(await hub.request('DELETE', pathFor('leave', { roomId: 'r1', clientId: 'a' })), 200)
    expectEnvelope(await hub.request('GET', pathFor('getClient', { roomId: 'r2', clientId: 'b' })), 200)
    expect((await hub.request('GET', pathFor('getMeta', { roomId: 'r2', key: 'keep' }))).body.data).toEqual({ keep: 'me' })
    expect(hub.plane.peer('b').closed).toBe(false)
  })
})
