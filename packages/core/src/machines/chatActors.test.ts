// The chat channel actor's requests to the hub: the room's creator asks for the chat channel at once;
// anyone else only when they write while it is not open, and once, whatever the hub answers.
import { createActor } from 'xstate'
import { describe, expect, it } from 'vitest'
import { DataChannels } from '../dataChannels.js'
import { HubError, type HubClient } from '../hubClient.js'
import { chatActors } from './chatActors.js'

function channelActor(createNow: boolean, answer: () => Promise<void> = async () => {}) {
  const requests: string[] = []
  const logged: string[] = []
  const hub = {
    createChannel: (roomId: string, name: string) => {
      requests.push(`${roomId} ${name}`)
      return answer()
    },
  } as unknown as HubClient
  const actors = chatActors({ hub, channels: new DataChannels(), clock: { now: () => 0 } as never, log: (message) => logged.push(message) })
  const actor = createActor(actors.chatChannel, { input: { roomId: 'r1', createNow } }).start()
  return { actor, requests, logged }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('chatChannel', () => {
  it("creates the room's chat channel at once for the room's creator, and not again when asked", async () => {
    const run = channelActor(true)
    run.actor.send({ type: 'chat.ensure' })
    await settle()
    expect(run.requests).toEqual(['r1 parley.chat'])
    run.actor.stop()
  })

  it('asks nothing of the hub for a guest until they write while it is not open; then once, a 409 being no error', async () => {
    const run = channelActor(false, async () => {
      throw new HubError('conflict', 'channel exists', 409)
    })
    await settle()
    expect(run.requests).toEqual([])
    run.actor.send({ type: 'chat.ensure' })
    run.actor.send({ type: 'chat.ensure' })
    await settle()
    expect(run.requests).toEqual(['r1 parley.chat'])
    expect(run.logged).toEqual([])
    run.actor.stop()
  })
})
