// The join path's room lookup: skipped when the room's id and name are both known.
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
      return { id: 'new', name: 'New' }
    },
  } as unknown as HubClient
  return conferenceActors({ hub } as unknown as ConferenceDeps)
}

describe('openRoom', () => {
  it('asks the hub nothing when joining by id with the room name known (invite link)', async () => {
    const calls: string[] = []
    const room = await toPromise(createActor(actorsWithHub(calls).openRoom, { input: { roomId: 'r1', roomName: 'Standup' } }).start())
    expect(room).toEqual({ id: 'r1', name: 'Standup' })
    expect(calls).toEqual([])
  })

  it('looks the room up when only its id is known, and creates one without an id', async () => {
    const calls: string[] = []
    const actors = actorsWithHub(calls)
    expect(await toPromise(createActor(actors.openRoom, { input: { roomId: 'r1' } }).start())).toEqual({ id: 'r1', name: 'From the hub' })
    expect(await toPromise(createActor(actors.openRoom, { input: { roomName: 'x' } }).start())).toEqual({ id: 'new', name: 'New' })
    expect(calls).toEqual(['getRoom r1', 'createRoom'])
  })
})
