// The lobby of a locked room (Parley's hub, lobby.ts in @parley/protocol) through createConference on the
// fake world: a newcomer the lock refuses asks to be let in and waits; a host's answer lets them in with a
// room pass, or not; the pass brings anyone who was in back (a reconnect, the page's next load).
import { describe, expect, it } from 'vitest'
import type { ConferenceFact } from './api.js'
import { JOIN_STEP_TIMEOUT_MS } from './machines/conferenceMachine.js'
import { settleInRoom, start as startConference } from './test-support/conferenceRun.js'
import { FAKE_HUB_URL, flush, type FakeWorld } from './test-support/index.js'

type World = FakeWorld

const LOCKED = { status: 403, data: { reason: 'room_locked' } }
const NO_MEDIA = { audio: false, video: false }

function start(configure?: (world: World) => void) {
  const run = startConference((world) => {
    world.hub.rooms.set('room1', { id: 'room1', name: 'Standup' })
    configure?.(world)
  })
  const facts: ConferenceFact[] = []
  run.conference.actor.on('*', (fact) => facts.push(fact))
  return { ...run, stream: () => run.world.eventSources.latest(), facts }
}

/** Bo opens the invite to room1, which its host locked: register is refused, so he asks. */
async function knocking(configure?: (world: World) => void) {
  const run = start((world) => {
    world.hub.next('register', LOCKED)
    configure?.(world)
  })
  run.conference.join({ displayName: 'Bo', roomId: 'room1', media: NO_MEDIA })
  await run.until((s) => s.matches({ joining: 'knocking' }))
  return run
}

const connect = settleInRoom

describe('asking to join a locked room', () => {
  it('asks under our name, waits, and joins with the pass a host’s admission brings', async () => {
    const run = await knocking()
    expect(run.view()).toMatchObject({ status: 'joining', knocking: 'asking', busy: true })
    expect(run.stream().url).toBe(`${FAKE_HUB_URL}/v1/rooms/room1/parley/knock?name=Bo`)
    run.stream().open()
    run.stream().emit('parley_knock_waiting', { knock_id: 'k1' })
    await flush()
    expect(run.view().knocking).toBe('waiting')
    // Waiting is the person's call: no timeout of ours ends it.
    run.world.clock.advance(10 * JOIN_STEP_TIMEOUT_MS)
    expect(run.view().knocking).toBe('waiting')
    const knock = run.stream()
    knock.emit('parley_knock_answer', { admitted: true, pass: 'pass-admitted', by: { client_id: 'c1', name: 'Ada' } })
    await run.until((s) => s.matches('inRoom'))
    expect(knock.closed).toBe(true)
    const registers = run.world.hub.requests('register')
    expect(registers).toHaveLength(2)
    expect(registers[1]?.headers['X-Parley-Room-Pass']).toBe('pass-admitted')
    expect(run.view().knocking).toBeUndefined()
    // The page keeps it for the tab: a reload comes back in without asking again.
    expect(run.facts).toContainEqual({ type: 'room.credentials', roomId: 'room1', credentials: { pass: 'pass-admitted' } })
  })

  it('a host’s no fails with knock-declined; Retry asks again', async () => {
    const run = await knocking()
    run.stream().emit('parley_knock_answer', { admitted: false, reason: 'declined' })
    await run.until((s) => s.matches('failed'))
    expect(run.view()).toMatchObject({ status: 'failed', error: { kind: 'knock-declined' } })
    expect(run.stream().closed).toBe(true)
    run.world.hub.next('register', LOCKED)
    run.conference.retry()
    await run.until((s) => s.matches({ joining: 'knocking' }))
    expect(run.world.eventSources.all).toHaveLength(2)
  })

  it('an unanswered request that expired, and a room that ended meanwhile, each fail in their own words', async () => {
    const expired = await knocking()
    expired.stream().emit('parley_knock_answer', { admitted: false, reason: 'expired' })
    await expired.until((s) => s.matches('failed'))
    expect(expired.view().error?.kind).toBe('knock-expired')
    const ended = await knocking()
    ended.stream().emit('parley_knock_answer', { admitted: false, reason: 'room_ended' })
    await ended.until((s) => s.matches('failed'))
    expect(ended.view().error?.kind).toBe('room-not-found')
  })

  it('leaving while waiting withdraws the request: the stream closes, nothing else is sent', async () => {
    const run = await knocking()
    run.stream().emit('parley_knock_waiting', { knock_id: 'k1' })
    run.conference.leave()
    await run.until((s) => s.status === 'done')
    expect(run.stream().closed).toBe(true)
    expect(run.world.hub.requests('leave')).toEqual([])
    expect(run.world.openResources()).toMatchObject({ eventStreams: 0, timers: 0 })
  })

  it('a hub that refuses the knock stream leaves the join locked out, as before', async () => {
    const run = await knocking()
    run.stream().refuse()
    await run.until((s) => s.matches('failed'))
    expect(run.view().error).toMatchObject({ kind: 'room-locked' })
  })

  it('a stream that drops reconnects by itself, and the request goes on', async () => {
    const run = await knocking()
    run.stream().fail()
    await flush()
    expect(run.conference.actor.getSnapshot().matches({ joining: 'knocking' })).toBe(true)
  })

  it('a hub that never opens the stream fails the join at the join step’s timeout', async () => {
    const run = await knocking()
    run.world.clock.advance(JOIN_STEP_TIMEOUT_MS)
    await run.until((s) => s.matches('failed'))
    expect(run.view().error?.kind).toBe('hub-unreachable')
  })

  it('admitted, yet refused again: fails locked rather than asking in a circle', async () => {
    const run = await knocking((world) => world.hub.next('register', LOCKED))
    run.stream().emit('parley_knock_answer', { admitted: true, pass: 'pass-admitted' })
    await run.until((s) => s.matches('failed'))
    expect(run.view().error?.kind).toBe('room-locked')
    expect(run.world.eventSources.all).toHaveLength(1)
  })
})

describe('the room pass', () => {
  it('register’s pass comes back on a reconnect, so a locked room lets us back in', async () => {
    const run = start((world) => world.hub.hostControlled.add('room1'))
    run.conference.join({ displayName: 'Bo', roomId: 'room1', media: NO_MEDIA })
    await connect(run)
    expect(run.facts).toContainEqual({ type: 'room.credentials', roomId: 'room1', credentials: { pass: 'pass-client1' } })
    run.stream().emit('left', { reason: 'shutdown' })
    await run.until((s) => s.matches('reconnecting'))
    await flush()
    run.world.clock.advance(0)
    await run.until((s) => s.matches('inRoom'))
    expect(run.world.hub.requests('register')[1]?.headers['X-Parley-Room-Pass']).toBe('pass-client1')
    // The new session's pass replaces the old one (and is told).
    expect(run.facts).toContainEqual({ type: 'room.credentials', roomId: 'room1', credentials: { pass: 'pass-client2' } })
  })

  it('a reconnect the lock refuses gives up at once, for the person to ask', async () => {
    const run = start()
    run.conference.join({ displayName: 'Bo', roomId: 'room1', media: NO_MEDIA })
    await connect(run)
    run.world.hub.next('register', LOCKED)
    run.stream().emit('left', { reason: 'shutdown' })
    await run.until((s) => s.matches('reconnecting'))
    await flush()
    run.world.clock.advance(0)
    await run.until((s) => !s.matches('reconnecting'))
    expect(run.world.hub.requests('register')).toHaveLength(2)
  })

  it('a page that kept the room’s credentials joins with them: its pass, and its host key makes us host again', async () => {
    const run = start()
    run.conference.join({ displayName: 'Ada', roomId: 'room1', media: NO_MEDIA, credentials: { hostKey: 'key-room1', pass: 'pass-old' } })
    await connect(run)
    expect(run.world.hub.requests('register')[0]?.headers).toMatchObject({ 'X-Parley-Host-Key': 'key-room1', 'X-Parley-Room-Pass': 'pass-old' })
    expect(run.view().host).toMatchObject({ isHost: true, canModerate: true })
    expect(run.facts).toContainEqual({ type: 'room.credentials', roomId: 'room1', credentials: { hostKey: 'key-room1', pass: 'pass-old' } })
    // Another room's credentials are not this room's.
    const other = start((world) => world.hub.rooms.set('room2', { id: 'room2', name: 'Other' }))
    other.conference.join({ displayName: 'Ada', roomId: 'room2', media: NO_MEDIA })
    await connect(other)
    expect(other.world.hub.requests('register')[0]?.headers['X-Parley-Room-Pass']).toBeUndefined()
    expect(other.view().host.isHost).toBe(false)
  })

  it('a kept pass the host revoked (we were removed) is dropped, and we ask to be let in', async () => {
    const run = start((world) => world.hub.next('register', LOCKED))
    run.conference.join({ displayName: 'Bo', roomId: 'room1', media: NO_MEDIA, credentials: { pass: 'pass-revoked' } })
    await run.until((s) => s.matches({ joining: 'knocking' }))
    run.stream().emit('parley_knock_answer', { admitted: true, pass: 'pass-new' })
    await run.until((s) => s.matches('inRoom'))
    expect(run.world.hub.requests('register').map((r) => r.headers['X-Parley-Room-Pass'])).toEqual(['pass-revoked', 'pass-new'])
  })
})

describe('the host and the people waiting', () => {
  async function hosting() {
    const run = start()
    run.conference.join({ displayName: 'Ada', roomName: 'Standup', media: NO_MEDIA })
    await connect(run)
    return run
  }
  const waiting = [
    { knock_id: 'k1', name: 'Bo', since: 1000 },
    { knock_id: 'k2', name: 'Cy', since: 2000 },
  ]

  it('hears who waits, lets one in and another not, with its key; they leave the list when the hub says', async () => {
    const run = await hosting()
    run.stream().emit('parley_knocks', { waiting })
    await flush()
    expect(run.view().host.waiting).toEqual([
      { knockId: 'k1', name: 'Bo', since: 1000 },
      { knockId: 'k2', name: 'Cy', since: 2000 },
    ])
    run.conference.answerKnock?.('k1', true)
    run.conference.answerKnock?.('k2', false)
    await flush()
    expect(run.world.hub.requests('answerKnock').map((r) => [r.path, r.headers['X-Parley-Host-Key'], r.body])).toEqual([
      ['/v1/rooms/room1/parley/knock/k1', 'key-room1', { by_client_id: 'client1', admit: true }],
      ['/v1/rooms/room1/parley/knock/k2', 'key-room1', { by_client_id: 'client1', admit: false }],
    ])
    expect(run.view().host.waiting).toHaveLength(2)
    run.stream().emit('parley_knocks', { waiting: waiting.slice(1), answered: { knock_id: 'k1', name: 'Bo', admitted: true, by: { client_id: 'client1', name: 'Ada' } } })
    await flush()
    expect(run.view().host).toMatchObject({
      waiting: [{ knockId: 'k2', name: 'Cy' }],
      lastAnswered: { knockId: 'k1', name: 'Bo', admitted: true, by: { clientId: 'client1', name: 'Ada' } },
      answeredCount: 1,
    })
  })

  it('Admit everyone lets in each person waiting now', async () => {
    const run = await hosting()
    run.stream().emit('parley_knocks', { waiting })
    await flush()
    run.conference.admitEveryone?.()
    await flush()
    expect(run.world.hub.requests('answerKnock').map((r) => r.path)).toEqual(['/v1/rooms/room1/parley/knock/k1', '/v1/rooms/room1/parley/knock/k2'])
  })

  it('an answer the hub refuses (the person left meanwhile) shows as the host’s failure', async () => {
    const run = await hosting()
    run.world.hub.next('answerKnock', { status: 404, data: null })
    run.conference.answerKnock?.('gone', true)
    await flush()
    expect(run.view().host.failure).toMatchObject({ action: 'admit', knockId: 'gone', admit: true })
  })

  it('a participant sees who waits but cannot answer', async () => {
    const run = start()
    run.conference.join({ displayName: 'Bo', roomId: 'room1', media: NO_MEDIA })
    await connect(run)
    run.stream().emit('parley_knocks', { waiting })
    await flush()
    expect(run.view().host).toMatchObject({ canModerate: false, waiting: [{ name: 'Bo' }, { name: 'Cy' }] })
    run.conference.answerKnock?.('k1', true)
    run.conference.admitEveryone?.()
    await flush()
    expect(run.world.hub.requests('answerKnock')).toEqual([])
  })
})
