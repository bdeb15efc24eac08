import { describe, expect, it } from 'vitest'
import { createActor } from 'xstate'
import { eventsMachine } from './eventsMachine.js'

describe('notProvided', () => {
  it('an unprovided actor fails its invoke with an error naming it', () => {
    const actor = createActor(eventsMachine, { input: { roomId: 'room1', clientId: 'client1' } })
    actor.subscribe({ error: () => {} })
    actor.start()
    const snapshot = actor.getSnapshot()
    expect(snapshot.status).toBe('error')
    expect(String(snapshot.error)).toMatch(/actor "openStream" has no implementation: provide it/)
  })
})
