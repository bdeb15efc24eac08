// The host locks the room (Parley's hub, host controls) through createConference on the fake world:
// the request with the key, the lock everyone sees from the hub's event, and a join the lock refuses.
import { describe, expect, it } from 'vitest'
import { settleInRoom, start as startConference } from './test-support/conferenceRun.js'
import { flush, type FakeWorld } from './test-support/index.js'

type World = FakeWorld

function start(configure?: (world: World) => void) {
  const run = startConference(configure)
  return { ...run, sse: () => run.world.eventSources.latest() }
}

async function inRoom(join: { roomId?: string; roomName?: string }, configure?: (world: World) => void) {
  const run = start(configure)
  run.conference.join({ displayName: 'Ada', ...join, media: { audio: false, video: false } })
  await settleInRoom(run)
  return run
}

describe('locking the room', () => {
  it('the host locks and unlocks with its key and client id; pending until the hub answers', async () => {
    const run = await inRoom({ roomName: 'Standup' })
    expect(run.view().host).toMatchObject({ roomLocked: false, lockPending: false })
    run.world.hub.calls.gate('hub.lockRoom')
    run.conference.setRoomLocked?.(true)
    await flush()
    expect(run.world.hub.requests('lockRoom')[0]).toMatchObject({ headers: { 'X-Parley-Host-Key': 'key-room1' }, body: { locked: true, by_client_id: 'client1' } })
    expect(run.view().host).toMatchObject({ roomLocked: false, lockPending: true })
    // The lock itself is what the hub tells everyone, us included (its event may come before its answer).
    run.sse().emit('parley_room_locked', { locked: true, by: { client_id: 'client1', name: 'Ada' } })
    await flush()
    expect(run.view().host).toMatchObject({ roomLocked: true, roomLockedBy: { clientId: 'client1', name: 'Ada' }, lockPending: true })
    run.world.hub.calls.find('hub.lockRoom')?.resolve()
    await flush()
    expect(run.view().host).toMatchObject({ roomLocked: true, lockPending: false })
    run.world.hub.calls.ungate('hub.lockRoom')
    run.conference.setRoomLocked?.(false)
    await flush()
    expect(run.world.hub.requests('lockRoom')[1]?.body).toMatchObject({ locked: false })
    expect(run.view().host).toMatchObject({ roomLocked: true, lockPending: false })
  })

  it('a refused lock shows as the host’s failure and leaves the lock as it was', async () => {
    const run = await inRoom({ roomName: 'Standup' })
    run.world.hub.next('lockRoom', { status: 403, data: null })
    run.conference.setRoomLocked?.(true)
    await flush()
    expect(run.view().host).toMatchObject({ roomLocked: false, lockPending: false, failure: { action: 'lock', locked: true } })
  })

  it('a participant learns the lock from the hub, and cannot change it', async () => {
    const run = await inRoom({ roomId: 'room1' }, (world) => void world.hub.rooms.set('room1', { id: 'room1', name: 'Standup' }))
    run.sse().emit('parley_room_locked', { locked: true, by: { client_id: 'c9', name: 'Bo' } })
    await flush()
    expect(run.view().host).toMatchObject({ isHost: false, roomLocked: true, roomLockedBy: { clientId: 'c9', name: 'Bo' } })
    run.conference.setRoomLocked?.(false)
    await flush()
    expect(run.world.hub.requests('lockRoom')).toEqual([])
    run.sse().emit('parley_room_locked', { locked: false })
    await flush()
    expect(run.view().host.roomLocked).toBe(false)
    expect(run.view().host.roomLockedBy).toBeUndefined()
  })

  it('the host registering again (a full reconnect) sends its key, so a locked room lets it back in', async () => {
    const run = await inRoom({ roomName: 'Standup' })
    expect(run.world.hub.requests('register')[0]?.headers['X-Parley-Host-Key']).toBe('key-room1')
    run.sse().emit('left', { reason: 'shutdown' })
    await run.until((s) => s.matches('reconnecting'))
    await flush()
    run.world.clock.advance(0)
    await run.until((s) => s.matches('inRoom'))
    expect(run.world.hub.requests('register')).toHaveLength(2)
    expect(run.world.hub.requests('register')[1]?.headers['X-Parley-Host-Key']).toBe('key-room1')
  })
})

describe('joining a locked room', () => {
  it('a plain 403 on register stays unauthorized', async () => {
    const run = start((world) => {
      world.hub.rooms.set('room1', { id: 'room1', name: 'Standup' })
      world.hub.next('register', { status: 403, data: { reason: 'something else' } })
    })
    run.conference.join({ displayName: 'Bo', roomId: 'room1', media: { audio: false, video: false } })
    await run.until((s) => s.matches('failed'))
    expect(run.view().error).toMatchObject({ kind: 'unauthorized', status: 403 })
  })
})
