// The HTTP API (createApp over the fake plane): hostile input and the hub's limits (429, 413).
// Shared: test-support/httpApp.ts.
import { pathFor } from '@parley/protocol'
import { describe, expect, it } from 'vitest'
import { createTestHub, type TestHub } from '../test-support/harness.js'
import { closeAfterEach, expectEnvelope } from '../test-support/httpApp.js'

let hub: TestHub
closeAfterEach(() => hub)

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
