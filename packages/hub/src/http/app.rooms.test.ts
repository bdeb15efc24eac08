// The HTTP API (createApp over the fake plane): rooms, and the hub shutting down.
// Shared: test-support/httpApp.ts.
import { pathFor, RoomSchema } from '@parley/protocol'
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { DEFAULT_BITRATES, DEFAULT_CODECS } from '../roomOptions.js'
import { createTestHub, type TestHub } from '../test-support/harness.js'
import { closeAfterEach, expectEnvelope } from '../test-support/httpApp.js'

let hub: TestHub
closeAfterEach(() => hub)

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
