// The join path's room step: an id is looked up (even when an invite link carries the name too, so that a
// hub that is down or a room that is gone fails the join before the app shows a call), no id creates one.
import { createActor, toPromise } from 'xstate'
import { describe, expect, it } from 'vitest'
import type { HubClient } from '../hubClient.js'
import { conferenceActors, type ConferenceDeps } from './conferenceActors.js'

function actorsWithHub(calls: string[]) {
  const hub = {
    getRoom: async (roomId: string) => {
      calls.push(`getRoom ${roomId}`)
      return { id: roomId, name: 'From the hub' }
    },
    createRoom: async () => {
      calls.push('createRoom')
      return { id: 'new', name: 'New', options: { parley: { host_controls: true } }, host_key: 'k1' }
    },
  } as unknown as HubClient
  return conferenceActors({ hub } as unknown as ConferenceDeps)
}

describe('openRoom', () => {
  it("looks the room up by id even with the invite link's name, and takes the hub's name", async () => {
    const calls: string[] = []
    const room = await toPromise(createActor(actorsWithHub(calls).openRoom, { input: { roomId: 'r1', roomName: 'Standup' } }).start())
    expect(room).toEqual({ room: { id: 'r1', name: 'From the hub' }, host: { created: false, key: null } })
    expect(calls).toEqual(['getRoom r1'])
  })

  it('creates a room with host controls when there is no id, and is its host', async () => {
    const calls: string[] = []
    expect(await toPromise(createActor(actorsWithHub(calls).openRoom, { input: { roomName: 'x' } }).start())).toEqual({
      room: { id: 'new', name: 'New', options: { parley: { host_controls: true } } },
      host: { created: true, key: 'k1' },
    })
    expect(calls).toEqual(['createRoom'])
  })
})
