// A host makes another client a host too (Parley extension, host controls: `parley/host/:clientId`): the
// room's host key goes to that client alone, on its own event stream, and it then moderates with it.
import {
  HostGrantedEventSchema,
  KnockAnswerEventSchema,
  PARLEY_HOST_GRANTED_EVENT,
  PARLEY_KNOCK_ANSWER_EVENT,
  PARLEY_KNOCK_WAITING_EVENT,
  PARLEY_KNOCKS_EVENT,
  PARLEY_ROOM_LOCKED_EVENT,
  pathFor,
  ROOM_LOCKED_REASON,
} from '@parley/protocol'
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import type { SseReader, TestHub } from './test-support/harness.js'
import { answerKnock, hostedRoom, knock, register, withKey, withPass } from './test-support/hostedRoom.js'
import { useTestHubs } from './test-support/testHubs.js'

const { testHub } = useTestHubs()

const grant = (hub: TestHub, clientId: string, body: unknown, headers: Record<string, string> = {}, roomId = 'r1') =>
  hub.request('PUT', pathFor('grantHost', { roomId, clientId }), body, headers)
const grantedOf = async (reader: SseReader, count = 1) => v.parse(HostGrantedEventSchema, JSON.parse((await reader.waitFor(PARLEY_HOST_GRANTED_EVENT, count)).data))
const ada = { client_id: 'ada', name: 'Ada' }

describe('the grant route', () => {
  it('needs the host key (401 without, 403 wrong) before reading the body; 403 for a room without host controls', async () => {
    const hub = testHub()
    await hostedRoom(hub, 'r1', 'ada', 'bob')
    const bob = await hub.events('r1', 'bob')
    const missing = await grant(hub, 'bob', { by_client_id: 5 })
    expect(missing.body).toMatchObject({ code: 401, message: expect.stringContaining('X-Parley-Host-Key') })
    expect((await grant(hub, 'bob', { by_client_id: 5 }, withKey('wrong'))).body).toMatchObject({ code: 403, message: 'the host key is not the one of room "r1"' })
    await hub.setupRoom('plain', 'a', 'b')
    const plain = await grant(hub, 'b', {}, withKey('anything'), 'plain')
    expect(plain.body).toMatchObject({ code: 403, message: expect.stringMatching(/without host controls.*nobody may make anyone a host/) })
    // Nothing was sent to anyone (a setmeta afterwards proves the stream is flushed past those requests).
    await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), { topic: 'x' })
    await bob.waitFor('meta_changed')
    expect(bob.named(PARLEY_HOST_GRANTED_EVENT)).toEqual([])
  })

  it('answers 400 for a bad body and 404 for a client not in the room (never there, or removed)', async () => {
    const hub = testHub()
    const { key } = await hostedRoom(hub, 'r1', 'ada', 'bob')
    expect((await grant(hub, 'bob', { by_client_id: 5 }, withKey(key))).status).toBe(400)
    expect((await grant(hub, 'nobody', {}, withKey(key))).body).toMatchObject({ code: 404, message: 'client "nobody" is not in room "r1" (it already left or was removed)' })
    expect((await hub.request('PUT', pathFor('removeClient', { roomId: 'r1', clientId: 'bob' }), {}, withKey(key))).status).toBe(200)
    expect((await grant(hub, 'bob', {}, withKey(key))).body).toMatchObject({ code: 404, message: expect.stringContaining('it already left or was removed') })
  })
})

describe('granting host', () => {
  it('sends the key to that client alone, with who granted it; never in the answer, another stream or the logs', async () => {
    const logged: string[] = []
    const hub = testHub({ log: (level, msg, fields) => void logged.push(JSON.stringify({ level, msg, fields })) })
    const { key } = await hostedRoom(hub, 'r1', 'ada', 'bob', 'carl')
    const events = { ada: await hub.events('r1', 'ada'), bob: await hub.events('r1', 'bob'), carl: await hub.events('r1', 'carl') }
    const granted = await grant(hub, 'bob', { by_client_id: 'ada' }, withKey(key))
    expect(granted.body).toEqual({ code: 200, message: 'client made a host: it got the host key on its event stream', data: null })
    expect(await grantedOf(events.bob)).toEqual({ host_key: key, by: ada })

    await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), { topic: 'x' })
    for (const reader of [events.ada, events.carl]) {
      await reader.waitFor('meta_changed')
      expect(reader.named(PARLEY_HOST_GRANTED_EVENT)).toEqual([])
      expect(reader.text).not.toContain(key)
    }
    expect(logged.length).toBeGreaterThan(0)
    expect(logged.filter((line) => line.includes(key))).toEqual([])
  })

  it('sends it again to a client that holds it, and to the caller itself (200 each); without by_client_id, no `by`', async () => {
    const hub = testHub()
    const { key } = await hostedRoom(hub, 'r1', 'ada', 'bob')
    const events = { ada: await hub.events('r1', 'ada'), bob: await hub.events('r1', 'bob') }
    expect((await grant(hub, 'bob', { by_client_id: 'ada' }, withKey(key))).status).toBe(200)
    expect((await grant(hub, 'bob', undefined, withKey(key))).status).toBe(200)
    expect(await grantedOf(events.bob, 2)).toEqual({ host_key: key })
    expect((await grant(hub, 'ada', { by_client_id: 'ada' }, withKey(key))).status).toBe(200)
    expect(await grantedOf(events.ada)).toEqual({ host_key: key, by: ada })
  })

  it('lets the co-host run the room with the key from its stream once the creator left: lock, answer a knock, come back', async () => {
    const hub = testHub()
    const { key } = await hostedRoom(hub, 'r1', 'ada', 'bob')
    const bob = await hub.events('r1', 'bob')
    await grant(hub, 'bob', { by_client_id: 'ada' }, withKey(key))
    const bobsKey = (await grantedOf(bob)).host_key
    expect((await hub.request('DELETE', pathFor('leave', { roomId: 'r1', clientId: 'ada' }))).status).toBe(200)

    const locked = await hub.request('PUT', pathFor('lockRoom', { roomId: 'r1' }), { locked: true, by_client_id: 'bob' }, withKey(bobsKey))
    expect(locked.body).toMatchObject({ code: 200, data: { locked: true } })
    expect(JSON.parse((await bob.waitFor(PARLEY_ROOM_LOCKED_EVENT)).data)).toEqual({ locked: true, by: { client_id: 'bob', name: 'bob' } })
    expect((await register(hub, 'r1', 'carl')).body).toMatchObject({ code: 403, data: { reason: ROOM_LOCKED_REASON } })

    const carl = await knock(hub, 'r1', 'Carl')
    const { knock_id: knockId } = JSON.parse((await carl.waitFor(PARLEY_KNOCK_WAITING_EVENT)).data) as { knock_id: string }
    await bob.waitFor(PARLEY_KNOCKS_EVENT)
    expect((await answerKnock(hub, 'r1', knockId, { admit: true, by_client_id: 'bob' }, withKey(bobsKey))).status).toBe(200)
    const answer = v.parse(KnockAnswerEventSchema, JSON.parse((await carl.waitFor(PARLEY_KNOCK_ANSWER_EVENT)).data))
    expect(answer).toMatchObject({ admitted: true, by: { client_id: 'bob', name: 'bob' } })
    if (answer.pass === undefined) throw new Error('carl was let in without a pass')
    expect((await register(hub, 'r1', 'carl', withPass(answer.pass))).status).toBe(200)
    // A second tab of the co-host gets into the locked room with the key, as the creator's would.
    expect((await register(hub, 'r1', 'bob2', withKey(bobsKey))).status).toBe(200)
  })
})
