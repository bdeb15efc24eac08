import { describe, expect, it } from 'vitest'
import { makeParticipant } from '../testing/fakeConference'
import { createTestApp } from '../testing/testApp'
import { useAnnouncerStore } from './announcer'
import { useSessionStore } from './session'

const room = { id: 'r1', name: 'Team' }
const grace = makeParticipant(1, { name: 'Grace' })
const linus = makeParticipant(2, { name: 'Linus' })
const joined = (clientId: string, name: string) => ({ type: 'participant.joined' as const, clientId, name })
const left = (clientId: string, name: string) => ({ type: 'participant.left' as const, clientId, name })
/** Emitted events in one tick are said together, once the tick's work is done. */
const settled = () => new Promise<void>((resolve) => queueMicrotask(resolve))

function inRoom() {
  const app = createTestApp()
  const session = useSessionStore()
  const announcer = useAnnouncerStore()
  session.start()
  app.fake.setView({ status: 'joining', room })
  app.fake.setView({ status: 'connected', room, participants: [grace] })
  return { app, session, announcer }
}

describe('announcer store', () => {
  it('says you joined and who is here, from the view', () => {
    const { announcer } = inRoom()
    expect(announcer.announcement).toBe('You joined Team. Grace is here.')
  })

  it('says who joined and who left from the events the conference emits', async () => {
    const { app, announcer } = inRoom()
    app.fake.emitParticipant(joined(linus.clientId, 'Linus'))
    await settled()
    expect(announcer.announcement).toBe('Linus joined.')
    app.fake.emitParticipant(left(grace.clientId, 'Grace'))
    await settled()
    expect(announcer.announcement).toBe('Grace left.')
  })

  it('says what one change emitted as one sentence', async () => {
    const { app, announcer } = inRoom()
    app.fake.emitParticipant(joined(linus.clientId, 'Linus'))
    app.fake.emitParticipant(left(grace.clientId, 'Grace'))
    await settled()
    expect(announcer.announcement).toBe('Linus joined. Grace left.')
  })

  it('announces no join from a view change alone', async () => {
    const { app, announcer } = inRoom()
    app.fake.setView({ status: 'connected', room, participants: [grace, linus] })
    app.fake.setView({ status: 'connected', room, participants: [linus] })
    await settled()
    expect(announcer.announcement).toBe('You joined Team. Grace is here.')
  })

  it('says people coming and going while reconnecting, then that the connection is back', async () => {
    const { app, announcer } = inRoom()
    app.fake.setView({ status: 'reconnecting', room, participants: [grace] })
    app.fake.emitParticipant(joined(linus.clientId, 'Linus'))
    await settled()
    expect(announcer.announcement).toBe('Linus joined.')
    app.fake.setView({ status: 'connected', room, participants: [grace, linus] })
    expect(announcer.announcement).toBe('Reconnected.')
  })

  it('says nothing about others outside the room', async () => {
    const app = createTestApp()
    const session = useSessionStore()
    const announcer = useAnnouncerStore()
    session.start()
    app.fake.setView({ status: 'joining', room })
    // Those who were here when you joined are in "… Grace is here.", not announced again.
    app.fake.emitParticipant(joined(grace.clientId, 'Grace'))
    app.fake.setView({ status: 'connected', room, participants: [grace] })
    await settled()
    expect(announcer.announcement).toBe('You joined Team. Grace is here.')
    // Leaving: the roster empties as the call ends.
    app.fake.emitParticipant(left(grace.clientId, 'Grace'))
    app.fake.setView({ status: 'left', room })
    await settled()
    expect(announcer.announcement).toBe('You joined Team. Grace is here.')
  })

  it('listens to the current conference only, and a new one starts with nothing said', async () => {
    const { app, session, announcer } = inRoom()
    expect(app.fake.participantListeners()).toBe(1)
    app.fake.emitParticipant(joined(linus.clientId, 'Linus'))
    session.start()
    await settled()
    expect(announcer.announcement).toBe('')
    expect(app.fake.created).toBe(2)
    expect(app.fake.participantListeners()).toBe(1)
    session.stop()
    expect(app.fake.participantListeners()).toBe(0)
  })
})
