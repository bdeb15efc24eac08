// The lobby of a locked room (Parley extension, host controls): a knock waits on its own event stream,
// everyone in the room hears who waits, and the host's answer, an unlock, the timeout or the room's end
// answers it. Through the HTTP API on the fake plane, with fake timers.
import {
  KNOCK_NAME_PARAM,
  KnockAnswerEventSchema,
  KnocksEventSchema,
  MAX_NAME_LENGTH,
  PARLEY_KNOCK_ANSWER_EVENT,
  PARLEY_KNOCK_WAITING_EVENT,
  PARLEY_KNOCKS_EVENT,
  PARLEY_ROOM_LOCKED_EVENT,
  pathFor,
} from '@parley/protocol'
import * as v from 'valibot'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { KNOCK_TIMEOUT_MS, MAX_WAITING_KNOCKS } from './lobby.js'
import { DEFAULT_TIMINGS } from './timings.js'
import { connectClient, createTestHub, type SseReader, settle, type TestHub } from './test-support/harness.js'
import { answerKnock, failingRegistry, hostedRoom, passCount, knock, knockRefused, lock, register, withKey, withPass } from './test-support/hostedRoom.js'

let hub: TestHub | undefined
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(async () => {
  await hub?.close()
  hub = undefined
  vi.useRealTimers()
})

const answerOf = async (reader: SseReader) => v.parse(KnockAnswerEventSchema, JSON.parse((await reader.waitFor(PARLEY_KNOCK_ANSWER_EVENT)).data))
const knockIdOf = async (reader: SseReader) => (JSON.parse((await reader.waitFor(PARLEY_KNOCK_WAITING_EVENT)).data) as { knock_id: string }).knock_id
const knocksSeen = (reader: SseReader) => reader.named(PARLEY_KNOCKS_EVENT).map((event) => v.parse(KnocksEventSchema, JSON.parse(event.data)))
const ada = { client_id: 'ada', name: 'Ada' }

/** Room r1 with host controls, `ada` (the host's client) and `bob` in it and connected, their event streams open, locked by ada. */
async function lockedRoom(options?: Parameters<typeof createTestHub>[0]) {
  hub = createTestHub(options)
  const { key } = await hostedRoom(hub, 'r1', 'ada', 'bob')
  const events = { ada: await hub.events('r1', 'ada'), bob: await hub.events('r1', 'bob') }
  for (const clientId of ['ada', 'bob']) await connectClient(hub, 'r1', clientId)
  await lock(hub, 'r1', key, true)
  return { hub, key, events }
}

describe('a knock on a locked room', () => {
  it('waits, everyone in hears who waits, and the host lets them in with a pass that opens the locked room', async () => {
    const { hub, key, events } = await lockedRoom()
    const bo = await knock(hub, 'r1', 'Bo')
    const knockId = await knockIdOf(bo)
    for (const reader of Object.values(events)) {
      await reader.waitFor(PARLEY_KNOCKS_EVENT)
      expect(knocksSeen(reader)).toEqual([{ waiting: [{ knock_id: knockId, name: 'Bo', since: Date.now() }] }])
    }
    const answered = await answerKnock(hub, 'r1', knockId, { admit: true, by_client_id: 'ada' }, withKey(key))
    expect(answered.body).toEqual({ code: 200, message: 'knock answered: let in', data: null })
    const answer = await answerOf(bo)
    expect(answer).toEqual({ admitted: true, pass: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), by: ada })
    await bo.waitForEnd()
    for (const reader of Object.values(events)) {
      await reader.waitFor(PARLEY_KNOCKS_EVENT, 2)
      expect(knocksSeen(reader)[1]).toEqual({ waiting: [], answered: { knock_id: knockId, name: 'Bo', admitted: true, by: ada } })
    }
    if (!answer.admitted) throw new Error('not admitted')
    const registered = await register(hub, 'r1', 'bo', withPass(answer.pass!))
    expect(registered.status).toBe(200)
    expect((registered.body.data as { parley_pass: string }).parley_pass).toBe(answer.pass)
    // Answered once: the knock is gone.
    expect((await answerKnock(hub, 'r1', knockId, { admit: true }, withKey(key))).body).toMatchObject({ code: 404, message: expect.stringMatching(/^knock ".*" is not waiting in room "r1": it was already answered, withdrawn or expired/) })
  })

  it('is told no when the host declines, and stays out', async () => {
    const { hub, key, events } = await lockedRoom()
    const bo = await knock(hub, 'r1', 'Bo')
    const knockId = await knockIdOf(bo)
    expect((await answerKnock(hub, 'r1', knockId, { admit: false, by_client_id: 'ada' }, withKey(key))).body.message).toBe('knock answered: not let in')
    expect(await answerOf(bo)).toEqual({ admitted: false, reason: 'declined', by: ada })
    await bo.waitForEnd()
    await events.bob.waitFor(PARLEY_KNOCKS_EVENT, 2)
    expect(knocksSeen(events.bob)[1]).toEqual({ waiting: [], answered: { knock_id: knockId, name: 'Bo', admitted: false, by: ada } })
    expect((await register(hub, 'r1', 'bo')).status).toBe(403)
  })

  it('expires when nobody answers in time, its timers gone with it', async () => {
    const { hub, events } = await lockedRoom()
    const timers = vi.getTimerCount()
    const bo = await knock(hub, 'r1', 'Bo')
    const knockId = await knockIdOf(bo)
    expect(vi.getTimerCount()).toBe(timers + 2)
    await vi.advanceTimersByTimeAsync(KNOCK_TIMEOUT_MS - 1)
    expect(bo.named(PARLEY_KNOCK_ANSWER_EVENT)).toEqual([])
    // The stream kept alive meanwhile, as the room's streams are.
    expect(bo.named('ping').length).toBe(Math.floor((KNOCK_TIMEOUT_MS - 1) / DEFAULT_TIMINGS.pingIntervalMs))
    await vi.advanceTimersByTimeAsync(1)
    expect(await answerOf(bo)).toEqual({ admitted: false, reason: 'expired' })
    await bo.waitForEnd()
    await events.ada.waitFor(PARLEY_KNOCKS_EVENT, 2)
    expect(knocksSeen(events.ada)[1]).toEqual({ waiting: [], answered: { knock_id: knockId, name: 'Bo', admitted: false } })
    expect(vi.getTimerCount()).toBe(timers)
  })

  it('is withdrawn when its stream closes: out of the list, nothing left behind, nothing to answer', async () => {
    const { hub, key, events } = await lockedRoom()
    const timers = vi.getTimerCount()
    const bo = await knock(hub, 'r1', 'Bo')
    const knockId = await knockIdOf(bo)
    await bo.cancel()
    await events.ada.waitFor(PARLEY_KNOCKS_EVENT, 2)
    expect(knocksSeen(events.ada)[1]).toEqual({ waiting: [] })
    expect(hub.app.hub.room('r1').lobby.waiting).toEqual([])
    expect(vi.getTimerCount()).toBe(timers)
    expect((await answerKnock(hub, 'r1', knockId, { admit: true }, withKey(key))).status).toBe(404)
  })

  it('is let in with everyone else waiting when the host unlocks: one list event per knock, oldest first, no `by`', async () => {
    const { hub, key, events } = await lockedRoom()
    const bo = await knock(hub, 'r1', 'Bo')
    const cy = await knock(hub, 'r1', 'Cy')
    const ids = [await knockIdOf(bo), await knockIdOf(cy)]
    await events.bob.waitFor(PARLEY_KNOCKS_EVENT, 2)
    expect(knocksSeen(events.bob)[1]!.waiting.map(({ name }) => name)).toEqual(['Bo', 'Cy'])
    await lock(hub, 'r1', key, false)
    const answers = [await answerOf(bo), await answerOf(cy)]
    expect(answers).toEqual([{ admitted: true, pass: expect.any(String) }, { admitted: true, pass: expect.any(String) }])
    expect(new Set(answers.map((answer) => (answer.admitted ? answer.pass : ''))).size).toBe(2)
    await events.bob.waitFor(PARLEY_KNOCKS_EVENT, 4)
    expect(knocksSeen(events.bob).slice(2)).toEqual([
      { waiting: [{ knock_id: ids[1], name: 'Cy', since: expect.any(Number) }], answered: { knock_id: ids[0], name: 'Bo', admitted: true } },
      { waiting: [], answered: { knock_id: ids[1], name: 'Cy', admitted: true } },
    ])
    // The lock event comes first: the list events say who came in through the unlock.
    const names = events.bob.events.map(({ event }) => event).filter((event) => event === PARLEY_ROOM_LOCKED_EVENT || event === PARLEY_KNOCKS_EVENT)
    expect(names.slice(-3)).toEqual([PARLEY_ROOM_LOCKED_EVENT, PARLEY_KNOCKS_EVENT, PARLEY_KNOCKS_EVENT])
    // Their passes open the room once it is locked again.
    await lock(hub, 'r1', key, true)
    for (const [index, answer] of answers.entries()) if (answer.admitted) expect((await register(hub, 'r1', `k${index}`, withPass(answer.pass!))).status).toBe(200)
  })

  it('is listed on the first events of a client let in while it waits', async () => {
    const { hub, key } = await lockedRoom()
    const bo = await knock(hub, 'r1', 'Bo')
    const knockId = await knockIdOf(bo)
    expect((await register(hub, 'r1', 'ada2', withKey(key))).status).toBe(200)
    const back = await hub.events('r1', 'ada2')
    await back.waitFor(PARLEY_KNOCKS_EVENT)
    expect(knocksSeen(back)).toEqual([{ waiting: [{ knock_id: knockId, name: 'Bo', since: expect.any(Number) }] }])
    // Nobody waiting: nothing said.
    await bo.cancel()
    await settle()
    expect((await register(hub, 'r1', 'ada3', withKey(key))).status).toBe(200)
    const later = await hub.events('r1', 'ada3')
    await later.waitFor(PARLEY_ROOM_LOCKED_EVENT)
    expect(later.named(PARLEY_KNOCKS_EVENT)).toEqual([])
  })

  it('is told the room ended when the host ends it, or when it was empty too long', async () => {
    const { hub, key } = await lockedRoom()
    const bo = await knock(hub, 'r1', 'Bo')
    await knockIdOf(bo)
    expect((await hub.request('PUT', pathFor('endRoom', { roomId: 'r1' }), {}, withKey(key))).status).toBe(200)
    expect(await answerOf(bo)).toEqual({ admitted: false, reason: 'room_ended' })
    await bo.waitForEnd()

    const { key: emptyKey } = await hostedRoom(hub, 'empty')
    await lock(hub, 'empty', emptyKey, true)
    const cy = await knock(hub, 'empty', 'Cy')
    await knockIdOf(cy)
    await vi.advanceTimersByTimeAsync(hub.app.hub.room('empty').options.empty_room_timeout_ns / 1e6)
    expect(hub.app.hub.roomIds).not.toContain('empty')
    expect(await answerOf(cy)).toEqual({ admitted: false, reason: 'room_ended' })
  })

  it('that reaches a room as it closes is told the room ended at once', async () => {
    const { hub } = await lockedRoom()
    const room = hub.app.hub.room('r1')
    room.close('ended')
    const written: string[] = []
    let closed = false
    expect(room.lobby.knock('Bo', { write: (text) => written.push(text), close: () => (closed = true) })).toBeUndefined()
    expect(written).toEqual([`event: ${PARLEY_KNOCK_ANSWER_EVENT}\ndata: {"admitted":false,"reason":"room_ended"}\n\n`])
    expect(closed).toBe(true)
    expect(room.lobby.waiting).toEqual([])
  })

  it('keeps waiting when the pass of its answer cannot be stored (503 to the host, for an answer and for an unlock)', async () => {
    const registry = failingRegistry()
    const { hub, key } = await lockedRoom({ registry })
    const bo = await knock(hub, 'r1', 'Bo')
    const knockId = await knockIdOf(bo)
    // Only a write that adds a pass fails: the unlock must not be stored before the passes it hands out.
    const stored = passCount(hub.app.hub.room('r1').head())
    registry.failWhen = (head) => passCount(head) > stored
    expect((await answerKnock(hub, 'r1', knockId, { admit: true }, withKey(key))).body).toMatchObject({ code: 503, message: expect.stringContaining('disk full') })
    expect((await lock(hub, 'r1', key, false)).status).toBe(503)
    expect(hub.app.hub.room('r1').parley.locked).toBe(true)
    expect(hub.app.hub.room('r1').lobby.waiting.map(({ knock_id }) => knock_id)).toEqual([knockId])
    expect(bo.named(PARLEY_KNOCK_ANSWER_EVENT)).toEqual([])
    registry.failWhen = undefined
    await lock(hub, 'r1', key, false)
    expect(await answerOf(bo)).toMatchObject({ admitted: true })
  })

  it('just ends when the hub shuts down (the room comes back; the knocker knocks again)', async () => {
    const { hub } = await lockedRoom()
    const bo = await knock(hub, 'r1', 'Bo')
    await knockIdOf(bo)
    await hub.close()
    await bo.waitForEnd()
    expect(bo.named(PARLEY_KNOCK_ANSWER_EVENT)).toEqual([])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('touches nothing of another room', async () => {
    const { hub, key } = await lockedRoom()
    const { key: otherKey } = await hostedRoom(hub, 'r2', 'dan')
    const danEvents = await hub.events('r2', 'dan')
    await lock(hub, 'r2', otherKey, true)
    const bo = await knock(hub, 'r1', 'Bo')
    const cy = await knock(hub, 'r2', 'Cy')
    const [boId, cyId] = [await knockIdOf(bo), await knockIdOf(cy)]
    // r1's host key cannot answer r2's knock, nor can r2's knock be answered through r1.
    expect((await answerKnock(hub, 'r2', cyId, { admit: true }, withKey(key))).status).toBe(403)
    expect((await answerKnock(hub, 'r1', cyId, { admit: true }, withKey(key))).status).toBe(404)
    await lock(hub, 'r1', key, false)
    await answerOf(bo)
    expect(hub.app.hub.room('r2').lobby.waiting).toEqual([{ knock_id: cyId, name: 'Cy', since: expect.any(Number) }])
    expect(knocksSeen(danEvents).flatMap(({ waiting }) => waiting.map(({ knock_id }) => knock_id))).not.toContain(boId)
    expect(cy.named(PARLEY_KNOCK_ANSWER_EVENT)).toEqual([])
  })
})

describe('a knock on a room that is not locked', () => {
  it('is let in at once with a pass, without waiting, and the stream ends', async () => {
    hub = createTestHub()
    const { key } = await hostedRoom(hub, 'r1', 'ada')
    const events = await hub.events('r1', 'ada')
    const bo = await knock(hub, 'r1', 'Bo')
    expect(bo.response.headers.get('content-type')).toBe('text/event-stream')
    const answer = await answerOf(bo)
    await bo.waitForEnd()
    expect(bo.events.map(({ event }) => event)).toEqual([PARLEY_KNOCK_ANSWER_EVENT])
    expect(events.named(PARLEY_KNOCKS_EVENT)).toEqual([])
    await lock(hub, 'r1', key, true)
    if (!answer.admitted) throw new Error('not admitted')
    expect((await register(hub, 'r1', 'bo', withPass(answer.pass!))).status).toBe(200)
  })
})

describe('the knock stream refuses, before it starts, with a JSON envelope', () => {
  it('404 for an unknown room, 403 for a room without host controls, 400 for a missing, empty or too long name', async () => {
    hub = createTestHub()
    await hub.setupRoom('plain', 'a')
    await hostedRoom(hub, 'r1', 'ada')
    expect((await knockRefused(hub, 'nope', 'Bo')).body).toMatchObject({ code: 404, message: 'room "nope" not found' })
    expect((await knockRefused(hub, 'plain', 'Bo')).body).toMatchObject({ code: 403, message: expect.stringMatching(/without host controls.*nobody may knock on it/) })
    for (const name of [undefined, '', '   ']) {
      expect((await knockRefused(hub, 'r1', name)).body).toMatchObject({ code: 400, message: `a knock needs the name of who asks to be let in: ?${KNOCK_NAME_PARAM}=<name>` })
    }
    expect((await knockRefused(hub, 'r1', 'x'.repeat(MAX_NAME_LENGTH + 1))).body).toMatchObject({ code: 400, message: expect.stringContaining(`at most ${MAX_NAME_LENGTH} characters`) })
    expect(hub.app.hub.room('r1').lobby.waiting).toEqual([])
  })

  it(`429 while ${MAX_WAITING_KNOCKS} wait; one leaving makes room`, async () => {
    const { hub } = await lockedRoom()
    const waiting = []
    for (let index = 0; index < MAX_WAITING_KNOCKS; index++) {
      const reader = await knock(hub, 'r1', `k${index}`)
      await knockIdOf(reader)
      waiting.push(reader)
    }
    expect((await knockRefused(hub, 'r1', 'late')).body).toMatchObject({ code: 429, message: expect.stringContaining(`${MAX_WAITING_KNOCKS} people already wait to be let into room "r1"`) })
    await waiting[0]!.cancel()
    await settle()
    const late = await knock(hub, 'r1', 'late')
    await knockIdOf(late)
    expect(hub.app.hub.room('r1').lobby.waiting).toHaveLength(MAX_WAITING_KNOCKS)
  })

  it('a HEAD puts nobody in the lobby', async () => {
    const { hub } = await lockedRoom()
    const head = await hub.app.request(`${pathFor('knock', { roomId: 'r1' })}?name=Bo`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-type')).toBe('text/event-stream')
    expect(hub.app.hub.room('r1').lobby.waiting).toEqual([])
  })
})

describe('the answer route', () => {
  it('needs the host key (401 without, 403 wrong) before reading the body, host controls (403), a boolean `admit` (400)', async () => {
    const { hub, key } = await lockedRoom()
    const bo = await knock(hub, 'r1', 'Bo')
    const knockId = await knockIdOf(bo)
    expect((await answerKnock(hub, 'r1', knockId, 'not json', {})).body).toMatchObject({ code: 401, message: expect.stringContaining('X-Parley-Host-Key') })
    expect((await answerKnock(hub, 'r1', knockId, { admit: true }, withKey('wrong'))).body).toMatchObject({ code: 403, message: 'the host key is not the one of room "r1"' })
    for (const body of [{}, { admit: 'yes' }]) {
      expect((await answerKnock(hub, 'r1', knockId, body, withKey(key))).body).toMatchObject({ code: 400, message: expect.stringMatching(/^invalid knock answer: admit/) })
    }
    await hub.setupRoom('plain')
    expect((await answerKnock(hub, 'plain', 'k', { admit: true }, withKey(key))).body).toMatchObject({ code: 403, message: expect.stringMatching(/without host controls.*nobody may answer a knock on it/) })
    expect((await answerKnock(hub, 'nope', 'k', { admit: true }, withKey(key))).status).toBe(404)
    expect((await answerKnock(hub, 'r1', 'unknown', { admit: true }, withKey(key))).body).toMatchObject({ code: 404, message: expect.stringMatching(/^knock "unknown" is not waiting in room "r1"/) })
    // Still waiting after all of these.
    expect(hub.app.hub.room('r1').lobby.waiting.map(({ knock_id }) => knock_id)).toEqual([knockId])
  })
})
