// The join path's room steps. Joining by id there is no lookup before register: register alone says
// whether the hub is there (unreachable), the room is (room-not-found) or we are in; the room's name and
// options are looked up afterwards (inRoom.room). No id creates a room with host controls.
// Over the fake hub (its log is what the hub was asked), through the real hub client.
import { createActor, toPromise } from 'xstate'
import { describe, expect, it } from 'vitest'
import { toConferenceError } from '../errors.js'
import { createHubClient } from '../hubClient.js'
import { LocalMedia } from '../localMedia.js'
import { RemoteStreams } from '../remoteStreams.js'
import { createFakeWorld, FAKE_HUB_URL } from '../test-support/index.js'
import type { FetchLike } from '../ports.js'
import { conferenceActors } from './conferenceActors.js'
import { PreparedPeer } from '../preparedPeer.js'

function actorsOverFakeHub(fetch?: FetchLike) {
  const world = createFakeWorld()
  const hub = createHubClient({ baseUrl: FAKE_HUB_URL, fetch: fetch ?? world.hub.fetch })
  return { world, actors: conferenceActors({ hub, local: new LocalMedia(), remote: new RemoteStreams(), devices: world.devices, prepared: new PreparedPeer() }) }
}

describe('joining by id: register first', () => {
  it('registers in a room that is there, with nothing asked before', async () => {
    const { world, actors } = actorsOverFakeHub()
    world.hub.rooms.set('r1', { id: 'r1', name: 'From the hub' })
    const client = await toPromise(createActor(actors.registerClient, { input: { roomId: 'r1', displayName: 'Ada' } }).start())
    expect(client).toMatchObject({ clientId: expect.any(String), name: 'Ada' })
    expect(world.hub.log.map((r) => r.route)).toEqual(['register'])
  })

  it('a room that is gone: register fails with room-not-found', async () => {
    const { world, actors } = actorsOverFakeHub()
    const failure = await toPromise(createActor(actors.registerClient, { input: { roomId: 'gone', displayName: 'Ada' } }).start()).catch((error: unknown) => error)
    expect(toConferenceError(failure).kind).toBe('room-not-found')
    expect(world.hub.log.map((r) => r.route)).toEqual(['register'])
  })

  it('a hub that is down: register fails with hub-unreachable', async () => {
    const refused: FetchLike = () => Promise.reject(new TypeError('Failed to fetch'))
    const { actors } = actorsOverFakeHub(refused)
    const failure = await toPromise(createActor(actors.registerClient, { input: { roomId: 'r1', displayName: 'Ada' } }).start()).catch((error: unknown) => error)
    expect(toConferenceError(failure).kind).toBe('hub-unreachable')
  })

  it("afterwards looks the room up: the hub's name and options", async () => {
    const { world, actors } = actorsOverFakeHub()
    world.hub.rooms.set('r1', { id: 'r1', name: 'From the hub' })
    const room = await toPromise(createActor(actors.lookUpRoom, { input: { roomId: 'r1' } }).start())
    expect(room).toMatchObject({ id: 'r1', name: 'From the hub', options: expect.anything() })
    expect(world.hub.log.map((r) => r.route)).toEqual(['getRoom'])
  })
})

describe('createRoom', () => {
  it('creates a room with host controls, and is its host', async () => {
    const { world, actors } = actorsOverFakeHub()
    const opened = await toPromise(createActor(actors.createRoom, { input: { roomName: 'Standup' } }).start())
    expect(opened).toMatchObject({ room: { name: 'Standup', options: expect.anything() }, host: { created: true, key: `key-${opened.room.id}` } })
    expect(world.hub.requests('createRoom')[0]?.body).toMatchObject({ name: 'Standup', options: { parley: { host_controls: true } } })
  })
})
