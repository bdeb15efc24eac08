// Host controls (Parley extension) through the HTTP API on the fake media plane.
import { HOST_KEY_HEADER, mediaStateMetaKey, pathFor, PARLEY_MUTE_EVENT } from '@parley/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { connectClient, createTestHub, settle, type TestHub } from './test-support/harness.js'

let hub: TestHub
afterEach(async () => {
  await hub?.close()
})

/** Creates a room with host controls and registers the clients (name `name-<id>`); returns its host key. */
async function hostedRoom(roomId: string, ...clientIds: string[]): Promise<string> {
  const created = await hub.request('POST', pathFor('createRoom', {}), { id: roomId, options: { parley: { host_controls: true } } })
  expect(created.status).toBe(201)
  const { host_key: hostKey, options } = created.body.data as { host_key: string; options: Record<string, unknown> }
  expect(hostKey).toMatch(/^[A-Za-z0-9_-]{22}$/)
  expect(options).not.toHaveProperty('parley')
  for (const uid of clientIds) await hub.request('POST', pathFor('register', { roomId }), { uid, name: uid === 'ada' ? 'Ada' : `name-${uid}` })
  return hostKey
}

const withKey = (key: string) => ({ [HOST_KEY_HEADER]: key })

describe('rooms created without host controls (the tutorial, the SDK)', () => {
  it('get no host key, and anyone may end them as before', async () => {
    hub = createTestHub()
    const created = await hub.request('POST', pathFor('createRoom', {}), { id: 'plain' })
    expect(created.body.data).not.toHaveProperty('host_key')
    await hub.request('POST', pathFor('register', { roomId: 'plain' }), { uid: 'a' })
    const events = await hub.events('plain', 'a')
    const ended = await hub.request('PUT', pathFor('endRoom', { roomId: 'plain' }))
    expect(ended.status).toBe(200)
    expect(JSON.parse((await events.waitFor('left')).data)).toEqual({ reason: 'ended' })
  })

  it('refuse the moderation routes with 403, saying the room has no host controls', async () => {
    hub = createTestHub()
    await hub.setupRoom('plain', 'a', 'b')
    for (const name of ['muteClient', 'removeClient'] as const) {
      const response = await hub.request('PUT', pathFor(name, { roomId: 'plain', clientId: 'b' }), {}, withKey('anything'))
      expect(response.status).toBe(403)
      expect(response.body).toMatchObject({ code: 403, message: expect.stringMatching(/without host controls/) })
    }
  })
})

describe('host key', () => {
  it('is required on end: 401 JSON without it, 403 when wrong or another room’s', async () => {
    hub = createTestHub()
    const key = await hostedRoom('r1', 'ada')
    const otherKey = await hostedRoom('r2')
    const end = pathFor('endRoom', { roomId: 'r1' })
    const missing = await hub.request('PUT', end)
    expect(missing.status).toBe(401)
    expect(missing.body).toMatchObject({ code: 401, message: expect.stringContaining(HOST_KEY_HEADER) })
    expect((await hub.request('PUT', end, undefined, withKey('wrong'))).status).toBe(403)
    expect((await hub.request('PUT', end, undefined, withKey(otherKey))).body).toMatchObject({ code: 403, message: 'the host key is not the one of room "r1"' })
    expect(hub.app.hub.roomIds).toContain('r1')
    expect((await hub.request('PUT', end, undefined, withKey(key))).status).toBe(200)
    expect(hub.app.hub.roomIds).not.toContain('r1')
  })

  it('is required on mute and remove before the target is even looked up', async () => {
    hub = createTestHub()
    await hostedRoom('r1', 'ada', 'bob')
    for (const name of ['muteClient', 'removeClient'] as const) {
      expect((await hub.request('PUT', pathFor(name, { roomId: 'r1', clientId: 'nobody' }))).status).toBe(401)
      expect((await hub.request('PUT', pathFor(name, { roomId: 'r1', clientId: 'bob' }), {}, withKey('wrong'))).status).toBe(403)
    }
  })
})

describe('ending with host controls', () => {
  it('tells everyone who ended it, by the name the host registered', async () => {
    hub = createTestHub()
    const key = await hostedRoom('r1', 'ada', 'bob')
    const bob = await hub.events('r1', 'bob')
    const ended = await hub.request('PUT', pathFor('endRoom', { roomId: 'r1' }), { by_client_id: 'ada' }, withKey(key))
    expect(ended.body).toMatchObject({ code: 200, message: 'room ended' })
    expect(JSON.parse((await bob.waitFor('left')).data)).toEqual({ reason: 'ended', by: { client_id: 'ada', name: 'Ada' } })
  })

  it('names nobody when the host’s client id is unknown, and refuses a malformed body with 400', async () => {
    hub = createTestHub()
    const key = await hostedRoom('r1', 'bob')
    expect((await hub.request('PUT', pathFor('endRoom', { roomId: 'r1' }), { by_client_id: 42 }, withKey(key))).status).toBe(400)
    const bob = await hub.events('r1', 'bob')
    await hub.request('PUT', pathFor('endRoom', { roomId: 'r1' }), { by_client_id: 'gone' }, withKey(key))
    expect(JSON.parse((await bob.waitFor('left')).data)).toEqual({ reason: 'ended' })
  })
})

describe('mute', () => {
  it('sends parley_mute to the client and marks its microphone off in its media state', async () => {
    hub = createTestHub()
    const key = await hostedRoom('r1', 'ada', 'bob')
    const mediaKey = mediaStateMetaKey('bob')
    await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), { [mediaKey]: { audio: true, video: true, name: 'Bob' } })
    const ada = await hub.events('r1', 'ada')
    const bob = await hub.events('r1', 'bob')
    const muted = await hub.request('PUT', pathFor('muteClient', { roomId: 'r1', clientId: 'bob' }), { by_client_id: 'ada' }, withKey(key))
    expect(muted.status).toBe(200)
    expect(JSON.parse((await bob.waitFor(PARLEY_MUTE_EVENT)).data)).toEqual({ kind: 'audio', by: { client_id: 'ada', name: 'Ada' } })
    expect(JSON.parse((await ada.waitFor('meta_changed', 2)).data)).toEqual({ [mediaKey]: { audio: false, video: true, name: 'Bob' } })
    expect(ada.named(PARLEY_MUTE_EVENT)).toEqual([])
  })

  it('lets the host mute itself (its own client gets the event)', async () => {
    hub = createTestHub()
    const key = await hostedRoom('r1', 'ada')
    const ada = await hub.events('r1', 'ada')
    expect((await hub.request('PUT', pathFor('muteClient', { roomId: 'r1', clientId: 'ada' }), { by_client_id: 'ada' }, withKey(key))).status).toBe(200)
    expect(JSON.parse((await ada.waitFor(PARLEY_MUTE_EVENT)).data)).toMatchObject({ kind: 'audio', by: { name: 'Ada' } })
    expect(JSON.parse((await ada.waitFor('meta_changed')).data)).toEqual({ [mediaStateMetaKey('ada')]: { audio: false, video: false, name: 'Ada' } })
  })
})

describe('remove', () => {
  it('sends left/removed with who did it, tears its media down, and the others keep the room', async () => {
    hub = createTestHub()
    const key = await hostedRoom('r1', 'ada', 'bob')
    await connectClient(hub, 'r1', 'ada')
    await connectClient(hub, 'r1', 'bob')
    const bob = await hub.events('r1', 'bob')
    const removed = await hub.request('PUT', pathFor('removeClient', { roomId: 'r1', clientId: 'bob' }), { by_client_id: 'ada' }, withKey(key))
    expect(removed.status).toBe(200)
    expect(JSON.parse((await bob.waitFor('left')).data)).toEqual({ reason: 'removed', by: { client_id: 'ada', name: 'Ada' } })
    await settle()
    expect(hub.plane.peer('bob', 'r1').closed).toBe(true)
    expect((await hub.request('GET', pathFor('getClient', { roomId: 'r1', clientId: 'bob' }))).status).toBe(404)
    expect((await hub.request('GET', pathFor('getClient', { roomId: 'r1', clientId: 'ada' }))).status).toBe(200)
  })

  it('answers 404 saying so for a client that already left', async () => {
    hub = createTestHub()
    const key = await hostedRoom('r1', 'ada', 'bob')
    await hub.request('DELETE', pathFor('leave', { roomId: 'r1', clientId: 'bob' }))
    for (const name of ['removeClient', 'muteClient'] as const) {
      const response = await hub.request('PUT', pathFor(name, { roomId: 'r1', clientId: 'bob' }), {}, withKey(key))
      expect(response.body).toMatchObject({ code: 404, message: 'client "bob" is not in room "r1" (it already left or was removed)' })
    }
  })
})
