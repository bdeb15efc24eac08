// The join path's room step: an id is looked up (even when an invite link carries the name too, so that a
// hub that is down or a room that is gone fails the join before the app shows a call), no id creates one.
// Over the fake hub (its log is what the hub was asked), through the real hub client.
import { createActor, toPromise } from 'xstate'
import { describe, expect, it } from 'vitest'
import { createHubClient } from '../hubClient.js'
import { LocalMedia } from '../localMedia.js'
import { RemoteStreams } from '../remoteStreams.js'
import { createFakeWorld, FAKE_HUB_URL } from '../test-support/index.js'
import { conferenceActors } from './conferenceActors.js'

function actorsOverFakeHub() {
  const world = createFakeWorld()
  const hub = createHubClient({ baseUrl: FAKE_HUB_URL, fetch: world.hub.fetch })
  return { world, actors: conferenceActors({ hub, local: new LocalMedia(), remote: new RemoteStreams(), devices: world.devices }) }
}

describe('openRoom', () => {
  it("looks the room up by id even with the invite link's name, and takes the hub's name", async () => {
    const { world, actors } = actorsOverFakeHub()
    world.hub.rooms.set('r1', { id: 'r1', name: 'From the hub' })
    const room = await toPromise(createActor(actors.openRoom, { input: { roomId: 'r1', roomName: 'Standup' } }).start())
    expect(room).toMatchObject({ room: { id: 'r1', name: 'From the hub' }, host: { created: false, key: null } })
    expect(world.hub.log.map((r) => r.route)).toEqual(['getRoom'])
  })

  it('fails the step when the room is gone (404), before anything else is asked', async () => {
    const { world, actors } = actorsOverFakeHub()
    await expect(toPromise(createActor(actors.openRoom, { input: { roomId: 'gone', roomName: 'Standup' } }).start())).rejects.toMatchObject({ status: 404 })
    expect(world.hub.log.map((r) => r.route)).toEqual(['getRoom'])
  })

  it('creates a room with host controls when there is no id, and is its host', async () => {
    const { world, actors } = actorsOverFakeHub()
    const opened = await toPromise(createActor(actors.openRoom, { input: { roomName: 'Standup' } }).start())
    expect(opened).toMatchObject({ room: { name: 'Standup', options: expect.anything() }, host: { created: true, key: `key-${opened.room.id}` } })
    expect(world.hub.requests('createRoom')[0]?.body).toMatchObject({ name: 'Standup', options: { parley: { host_controls: true } } })
  })
})
