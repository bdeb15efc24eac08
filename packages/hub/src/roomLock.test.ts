// The host locks the room (Parley extension, host controls): nobody new registers; who is in stays.
import { join } from 'node:path'
import { HOST_KEY_HEADER, LAST_EVENT_ID_HEADER, PARLEY_ROOM_LOCKED_EVENT, pathFor, ROOM_LOCKED_REASON } from '@parley/protocol'
import { describe, expect, it } from 'vitest'
import { openSqliteRegistry } from './registry/sqlite.js'
import { useTestHubs } from './test-support/testHubs.js'
import { connectClient, TEST_OFFER, type TestHub } from './test-support/harness.js'

const { testHub, closeEarly, scratchDir } = useTestHubs()

/** A room with host controls, `ada` (the host) and `bob` registered; returns its host key. */
async function hostedRoom(hub: TestHub, roomId = 'r1'): Promise<string> {
  const created = await hub.request('POST', pathFor('createRoom', {}), { id: roomId, options: { parley: { host_controls: true } } })
  for (const [uid, name] of [['ada', 'Ada'], ['bob', 'Bob']]) await hub.request('POST', pathFor('register', { roomId }), { uid, name })
  return (created.body.data as { host_key: string }).host_key
}

const withKey = (key: string) => ({ [HOST_KEY_HEADER]: key })
const lock = (hub: TestHub, locked: unknown, headers: Record<string, string> = {}, roomId = 'r1') =>
  hub.request('PUT', pathFor('lockRoom', { roomId }), { locked, by_client_id: 'ada' }, headers)
const register = (hub: TestHub, uid: string, headers: Record<string, string> = {}) => hub.request('POST', pathFor('register', { roomId: 'r1' }), { uid }, headers)

describe('the lock route', () => {
  it('needs the host key (401 without, 403 wrong) before reading the body; 403 for a room without host controls', async () => {
    const hub = testHub()
    await hostedRoom(hub)
    const missing = await lock(hub, 'not a boolean')
    expect(missing.body).toMatchObject({ code: 401, message: expect.stringContaining(HOST_KEY_HEADER) })
    expect((await lock(hub, true, withKey('wrong'))).body).toMatchObject({ code: 403, message: 'the host key is not the one of room "r1"' })
    await hub.setupRoom('plain', 'a')
    const plain = await lock(hub, true, withKey('anything'), 'plain')
    expect(plain.body).toMatchObject({ code: 403, message: expect.stringMatching(/without host controls.*nobody may lock the room/) })
    expect((await register(hub, 'carl')).status).toBe(200)
  })

  it('refuses a body without a boolean `locked` with 400 saying so', async () => {
    const hub = testHub()
    const key = await hostedRoom(hub)
    for (const body of [{}, { locked: 'yes' }]) {
      const response = await hub.request('PUT', pathFor('lockRoom', { roomId: 'r1' }), body, withKey(key))
      expect(response.body).toMatchObject({ code: 400, message: expect.stringMatching(/^invalid room lock: locked/) })
    }
  })
})

describe('a locked room', () => {
  it('tells everyone who locked it, refuses newcomers with 403 room_locked, and lets the host key in', async () => {
    const hub = testHub()
    const key = await hostedRoom(hub)
    const ada = await hub.events('r1', 'ada')
    const bob = await hub.events('r1', 'bob')
    const locked = await lock(hub, true, withKey(key))
    expect(locked.body).toEqual({ code: 200, message: 'room locked: nobody new may join', data: { locked: true } })
    for (const reader of [ada, bob]) expect(JSON.parse((await reader.waitFor(PARLEY_ROOM_LOCKED_EVENT)).data)).toEqual({ locked: true, by: { client_id: 'ada', name: 'Ada' } })

    for (const headers of [{}, withKey('wrong')]) {
      const refused = await register(hub, 'carl', headers)
      expect(refused.body).toMatchObject({ code: 403, message: expect.stringMatching(/^room "r1" is locked by its host: nobody new may join until the host unlocks it/), data: { reason: ROOM_LOCKED_REASON } })
    }
    expect(hub.app.hub.room('r1').clientIds).toEqual(['ada', 'bob'])
    // The host coming back (a second tab, a refresh) is let in, and its first events say the room is locked.
    expect((await register(hub, 'ada2', withKey(key))).status).toBe(200)
    const back = await hub.events('r1', 'ada2')
    expect(JSON.parse((await back.waitFor(PARLEY_ROOM_LOCKED_EVENT)).data)).toEqual({ locked: true })
  })

  it('keeps everything for a client already in: negotiation, metadata, its events stream resumed', async () => {
    const hub = testHub()
    const key = await hostedRoom(hub)
    const first = await hub.events('r1', 'bob')
    await lock(hub, true, withKey(key))
    const seen = await first.waitFor(PARLEY_ROOM_LOCKED_EVENT)
    await connectClient(hub, 'r1', 'bob')
    expect((await hub.request('POST', pathFor('isAllowNegotiate', { roomId: 'r1', clientId: 'bob' }))).status).toBe(200)
    expect((await hub.request('PUT', pathFor('negotiate', { roomId: 'r1', clientId: 'bob' }), TEST_OFFER)).status).toBe(200)
    expect((await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), { topic: 'x' })).status).toBe(200)
    await first.cancel()
    const resumed = await hub.events('r1', 'bob', { [LAST_EVENT_ID_HEADER]: seen.id ?? '' })
    await resumed.waitFor('meta_changed')
    expect(resumed.named('left')).toEqual([])
  })

  it('opens again on unlock: everyone is told, and a newcomer registers', async () => {
    const hub = testHub()
    const key = await hostedRoom(hub)
    const bob = await hub.events('r1', 'bob')
    await lock(hub, true, withKey(key))
    expect((await register(hub, 'carl')).status).toBe(403)
    expect((await lock(hub, false, withKey(key))).body).toMatchObject({ code: 200, data: { locked: false } })
    expect(JSON.parse((await bob.waitFor(PARLEY_ROOM_LOCKED_EVENT, 2)).data)).toEqual({ locked: false, by: { client_id: 'ada', name: 'Ada' } })
    expect((await register(hub, 'carl')).status).toBe(200)
    expect(hub.app.hub.room('r1').parley.locked).toBeUndefined()
  })

  it('stays locked across a hub restart: a client registering again needs the host key', async () => {
    const dir = scratchDir('parley-lock-')
    const path = join(dir, 'rooms.sqlite')
    const before = testHub({ registry: openSqliteRegistry(path) })
    const key = await hostedRoom(before)
    await lock(before, true, withKey(key))
    await closeEarly(before)
    const after = testHub({ registry: openSqliteRegistry(path) })
    expect((await register(after, 'bob')).body).toMatchObject({ code: 403, data: { reason: ROOM_LOCKED_REASON } })
    expect((await register(after, 'ada', withKey(key))).status).toBe(200)
  })
})
