// A conference whose media the app encrypts end to end (`encrypted: true`, @parley/core/e2ee wraps its peer
// connections) says so in the media state it publishes; the others' view marks such a participant.
import { describe, expect, it } from 'vitest'
import { mediaStateMetaKey } from '@parley/protocol'
import { createConference } from './conference.js'
import { createFakeWorld, flush } from './test-support/index.js'
import { FAKE_HUB_URL } from './test-support/fakeHub.js'

async function joinedWith(options: { encrypted?: boolean }) {
  const world = createFakeWorld()
  world.hub.rooms.set('room1', { id: 'room1', name: 'Standup' })
  const conference = createConference({ hub: { baseUrl: FAKE_HUB_URL }, ports: world.ports, ...options })
  conference.actor.start()
  conference.join({ displayName: 'Ada', roomId: 'room1', media: { audio: true, video: true } })
  for (let i = 0; i < 20 && world.hub.meta[mediaStateMetaKey('client1')] === undefined; i++) await flush()
  conference.actor.stop()
  return world.hub.meta[mediaStateMetaKey('client1')]
}

describe('an end-to-end encrypted conference', () => {
  it('publishes e2ee in its media state, and a plain one does not', async () => {
    expect(await joinedWith({ encrypted: true })).toEqual({ audio: true, video: true, name: 'Ada', e2ee: true })
    expect(await joinedWith({})).toEqual({ audio: true, video: true, name: 'Ada' })
  })
})
