// The HTTP API (createApp over the fake plane): unknown routes and methods, body limits, CORS, the API
// key, and garbage that must never get a 5xx. Shared: test-support/httpApp.ts.
import { pathFor } from '@parley/protocol'
import { describe, expect, it } from 'vitest'
import { createTestHub, type TestHub } from '../test-support/harness.js'
import { closeAfterEach, expectEnvelope } from '../test-support/httpApp.js'

let hub: TestHub
closeAfterEach(() => hub)

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
