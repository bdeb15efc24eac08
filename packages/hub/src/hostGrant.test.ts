// A host makes another client a host too (Parley extension, host controls: `parley/host/:clientId`): that
// client's room pass is marked a host's and it alone is told so, without the key; it claims the key with its
// pass (`parley/host-key`) and then moderates with it. The key travels on no event stream and in no log line.
import { join } from 'node:path'
import {
  ClaimedHostKeySchema,
  HostGrantedEventSchema,
  KnockAnswerEventSchema,
  LAST_EVENT_ID_HEADER,
  PARLEY_HOST_GRANTED_EVENT,
  PARLEY_KNOCK_ANSWER_EVENT,
  PARLEY_KNOCK_WAITING_EVENT,
  PARLEY_KNOCKS_EVENT,
  PARLEY_ROOM_LOCKED_EVENT,
  pathFor,
  ROOM_LOCKED_REASON,
} from '@parley/protocol'
import * as v from 'valibot'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { openSqliteRegistry } from './registry/sqlite.js'
import type { SseReader, TestHub } from './test-support/harness.js'
import { answerKnock, failingRegistry, hostedRoom, knock, register, withKey, withPass } from './test-support/hostedRoom.js'
import { useTestHubs } from './test-support/testHubs.js'
import { DEFAULT_TIMINGS } from './timings.js'

const { testHub, closeEarly, scratchDir } = useTestHubs()
afterEach(() => {
  vi.useRealTimers()
})

const grant = (hub: TestHub, clientId: string, body: unknown, headers: Record<string, string> = {}, roomId = 'r1') =>
  hub.request('PUT', pathFor('grantHost', { roomId, clientId }), body, headers)
const claim = (hub: TestHub, headers: Record<string, string> = {}, roomId = 'r1') => hub.request('POST', pathFor('claimHostKey', { roomId }), undefined, headers)
const claimedKey = async (hub: TestHub, pass: string) => {
  const claimed = await claim(hub, withPass(pass))
  if (claimed.status !== 200) throw new Error(`claim: ${claimed.status} ${claimed.body.message}`)
  return v.parse(ClaimedHostKeySchema, claimed.body.data).host_key
}
const grantedOf = async (reader: SseReader, count = 1) => v.parse(v.strictObject(HostGrantedEventSchema.entries), JSON.parse((await reader.waitFor(PARLEY_HOST_GRANTED_EVENT, count)).data))
const remove = (hub: TestHub, clientId: string, key: string) => hub.request('PUT', pathFor('removeClient', { roomId: 'r1', clientId }), {}, withKey(key))
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
    expect(hub.app.hub.room('r1').parley.hostPasses).toBeUndefined()
  })

  it('answers 400 for a bad body and 404 for a client not in the room (never there, or removed)', async () => {
    const hub = testHub()
    const { key } = await hostedRoom(hub, 'r1', 'ada', 'bob')
    expect((await grant(hub, 'bob', { by_client_id: 5 }, withKey(key))).status).toBe(400)
    expect((await grant(hub, 'nobody', {}, withKey(key))).body).toMatchObject({ code: 404, message: 'client "nobody" is not in room "r1" (it already left or was removed)' })
    expect((await remove(hub, 'bob', key)).status).toBe(200)
    expect((await grant(hub, 'bob', {}, withKey(key))).body).toMatchObject({ code: 404, message: expect.stringContaining('it already left or was removed') })
  })

  it('answers 409 for a client the hub knows no room pass of (it could claim nothing), telling it nothing', async () => {
    const hub = testHub()
    const { key } = await hostedRoom(hub, 'r1', 'ada')
    // In by a way that gives no pass (never so through the API in a room with host controls).
    hub.app.hub.room('r1').register({ uid: 'ghost' })
    const ghost = await hub.events('r1', 'ghost')
    expect((await grant(hub, 'ghost', { by_client_id: 'ada' }, withKey(key))).body).toMatchObject({
      code: 409,
      message: expect.stringMatching(/^client "ghost" holds no room pass .*nobody was made a host/),
    })
    await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), { topic: 'x' })
    await ghost.waitFor('meta_changed')
    expect(ghost.named(PARLEY_HOST_GRANTED_EVENT)).toEqual([])
  })

  it('stores the mark before it tells the client: a store that fails answers 503, and nobody is told or marked', async () => {
    const registry = failingRegistry()
    const hub = testHub({ registry })
    const { key, passes } = await hostedRoom(hub, 'r1', 'ada', 'bob')
    const bob = await hub.events('r1', 'bob')
    registry.failWhen = (head) => head.parley.hostPasses !== undefined
    expect((await grant(hub, 'bob', {}, withKey(key))).body).toMatchObject({ code: 503, message: expect.stringContaining('disk full') })
    registry.failWhen = undefined
    await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), { topic: 'x' })
    await bob.waitFor('meta_changed')
    expect(bob.named(PARLEY_HOST_GRANTED_EVENT)).toEqual([])
    expect((await claim(hub, withPass(passes.bob!))).status).toBe(403)
  })
})

describe('the claim route', () => {
  it('answers 404 for an unknown room, 403 for a room without host controls, 401 without a pass', async () => {
    const hub = testHub()
    await hostedRoom(hub, 'r1', 'ada')
    expect((await claim(hub, withPass('x'), 'nowhere')).status).toBe(404)
    await hub.setupRoom('plain', 'a')
    expect((await claim(hub, withPass('x'), 'plain')).body).toMatchObject({ code: 403, message: expect.stringMatching(/without host controls.*nobody may claim its host key/) })
    expect((await claim(hub)).body).toMatchObject({ code: 401, message: expect.stringContaining('X-Parley-Room-Pass') })
  })

  it('refuses (403) a pass that is not the room\'s, another room\'s co-host pass, and the pass of a client nobody made a host', async () => {
    const hub = testHub()
    const { key, passes } = await hostedRoom(hub, 'r1', 'ada', 'bob', 'carl')
    const other = await hostedRoom(hub, 'r2', 'dan')
    expect((await hub.request('PUT', pathFor('grantHost', { roomId: 'r2', clientId: 'dan' }), {}, withKey(other.key))).status).toBe(200)
    expect((await grant(hub, 'bob', {}, withKey(key))).status).toBe(200)
    for (const pass of ['not-a-pass', other.passes.dan!]) {
      expect((await claim(hub, withPass(pass))).body).toMatchObject({ code: 403, message: expect.stringContaining('the room pass given is not one of room "r1"'), data: null })
    }
    for (const pass of [passes.carl!, passes.ada!]) {
      expect((await claim(hub, withPass(pass))).body).toEqual({ code: 403, message: 'no host of room "r1" made the holder of this room pass a host: it cannot claim the host key', data: null })
    }
  })
})

describe('granting host', () => {
  it('tells that client alone, without the key; its pass claims the key (twice, no cache), which no stream nor log line carries', async () => {
    const logged: string[] = []
    const hub = testHub({ log: (level, msg, fields) => void logged.push(JSON.stringify({ level, msg, fields })) })
    const { key, passes } = await hostedRoom(hub, 'r1', 'ada', 'bob', 'carl')
    const events = { ada: await hub.events('r1', 'ada'), bob: await hub.events('r1', 'bob'), carl: await hub.events('r1', 'carl') }
    await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), { topic: 'before' })
    const beforeGrant = await events.bob.waitFor('meta_changed')

    const granted = await grant(hub, 'bob', { by_client_id: 'ada' }, withKey(key))
    expect(granted.body).toEqual({ code: 200, message: 'client made a host: it claims the host key with its room pass (POST /rooms/:roomId/parley/host-key)', data: null })
    expect(await grantedOf(events.bob)).toEqual({ by: ada })
    const claimed = await claim(hub, withPass(passes.bob!))
    expect(claimed.body).toEqual({ code: 200, message: 'host key claimed', data: { host_key: key } })
    expect(claimed.headers.get('cache-control')).toBe('no-store')
    expect(await claimedKey(hub, passes.bob!)).toBe(key)

    // Whoever opens bob's stream with his client id (a participant knows it) and asks for a replay learns no key.
    await events.bob.cancel()
    const replayed = await hub.events('r1', 'bob', { [LAST_EVENT_ID_HEADER]: beforeGrant.id ?? '' })
    expect(await grantedOf(replayed)).toEqual({ by: ada })
    await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), { topic: 'after' })
    for (const reader of [events.ada, events.carl, replayed]) {
      await reader.waitFor('meta_changed', reader === replayed ? 1 : 2)
      expect(reader.text).not.toContain(key)
    }
    expect(events.bob.text).not.toContain(key)
    expect(events.ada.named(PARLEY_HOST_GRANTED_EVENT)).toEqual([])
    expect(events.carl.named(PARLEY_HOST_GRANTED_EVENT)).toEqual([])
    expect(logged.length).toBeGreaterThan(0)
    expect(logged.filter((line) => line.includes(key))).toEqual([])
  })

  it('stores only a hash of the pass, once however often granted; again or to the caller itself: 200, told again; no by_client_id, no `by`', async () => {
    const hub = testHub()
    const { key, passes } = await hostedRoom(hub, 'r1', 'ada', 'bob')
    const events = { ada: await hub.events('r1', 'ada'), bob: await hub.events('r1', 'bob') }
    expect((await grant(hub, 'bob', { by_client_id: 'ada' }, withKey(key))).status).toBe(200)
    expect((await grant(hub, 'bob', undefined, withKey(key))).status).toBe(200)
    expect(await grantedOf(events.bob, 2)).toEqual({})
    const parley = hub.app.hub.room('r1').parley
    expect(parley.hostPasses).toHaveLength(1)
    expect(parley.passes).toContain(parley.hostPasses![0])
    expect(JSON.stringify(parley)).not.toContain(passes.bob)
    expect((await grant(hub, 'ada', { by_client_id: 'ada' }, withKey(key))).status).toBe(200)
    expect(await grantedOf(events.ada)).toEqual({ by: ada })
    expect(hub.app.hub.room('r1').parley.hostPasses).toHaveLength(2)
    expect(await claimedKey(hub, passes.ada!)).toBe(key)
  })

  it('is taken back with the pass (one write) when the host removes the co-host: its claim fails, the other co-host\'s does not', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const registry = failingRegistry()
    const hub = testHub({ registry })
    const { key, passes } = await hostedRoom(hub, 'r1', 'ada', 'bob', 'carl')
    await grant(hub, 'bob', {}, withKey(key))
    await grant(hub, 'carl', {}, withKey(key))
    expect(await claimedKey(hub, passes.bob!)).toBe(key)
    const written: unknown[] = []
    registry.failWhen = (head) => {
      written.push(head.parley)
      return false
    }
    expect((await remove(hub, 'bob', key)).status).toBe(200)
    registry.failWhen = undefined
    // Both the pass and its mark went in one write of the room's head.
    expect(written).toEqual([hub.app.hub.room('r1').parley])
    expect((await claim(hub, withPass(passes.bob!))).body).toMatchObject({ code: 403, message: expect.stringContaining('the host removed its holder') })
    expect(await claimedKey(hub, passes.carl!)).toBe(key)
    // No mark is left of bob's pass (only carl's); carl's goes with his. Carl was the last host present (Ada came
    // in without the key), so after the grace the hub hands the host's part on to Ada: hers is then the only mark
    // (hostHandover.ts).
    expect(hub.app.hub.room('r1').parley.hostPasses).toHaveLength(1)
    expect((await remove(hub, 'carl', key)).status).toBe(200)
    expect((await claim(hub, withPass(passes.carl!))).status).toBe(403)
    expect(hub.app.hub.room('r1').parley.hostPasses).toBeUndefined()
    await vi.advanceTimersByTimeAsync(DEFAULT_TIMINGS.hostHandoverGraceMs)
    expect(hub.app.hub.room('r1').parley.hostPasses).toHaveLength(1)
    expect(await claimedKey(hub, passes.ada!)).toBe(key)
  })

  it('outlives a hub restart over its registry: the co-host claims the key with its pass afterwards', async () => {
    const path = join(scratchDir('parley-cohost-'), 'rooms.sqlite')
    const before = testHub({ registry: openSqliteRegistry(path) })
    const { key, passes } = await hostedRoom(before, 'r1', 'ada', 'bob', 'carl')
    expect((await grant(before, 'bob', {}, withKey(key))).status).toBe(200)
    await closeEarly(before)
    const after = testHub({ registry: openSqliteRegistry(path) })
    expect(await claimedKey(after, passes.bob!)).toBe(key)
    expect((await claim(after, withPass(passes.carl!))).status).toBe(403)
  })

  it('lets the co-host run the room with the claimed key once the creator left: lock, answer a knock, come back', async () => {
    const hub = testHub()
    const { key, passes } = await hostedRoom(hub, 'r1', 'ada', 'bob')
    const bob = await hub.events('r1', 'bob')
    await grant(hub, 'bob', { by_client_id: 'ada' }, withKey(key))
    await grantedOf(bob)
    const bobsKey = await claimedKey(hub, passes.bob!)
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
