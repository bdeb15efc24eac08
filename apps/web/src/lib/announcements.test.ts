import { describe, expect, it } from 'vitest'
import { makeParticipant, makeView } from '../testing/fakeConference'
import type { ConferenceView } from '../conference/types'
import { announcedStateOf, announcement, peopleAnnouncement } from './announcements'

const room = { id: 'r1', name: 'Team' }
const grace = makeParticipant(1, { name: 'Grace' })
const linus = makeParticipant(2, { name: 'Linus' })
const state = (overrides: Partial<ConferenceView>) => announcedStateOf(makeView(overrides))

describe('announcement', () => {
  it('says you joined, and who is there', () => {
    const joining = state({ status: 'joining', room })
    expect(announcement(joining, state({ status: 'connected', room }))).toBe('You joined Team. Nobody else is here yet.')
    expect(announcement(joining, state({ status: 'connected', room, participants: [grace] }))).toBe('You joined Team. Grace is here.')
    expect(announcement(joining, state({ status: 'connected', room, participants: [grace, linus] }))).toBe(
      'You joined Team. Grace and Linus are here.',
    )
    const many = [1, 2, 3, 4, 5].map((index) => makeParticipant(index, { name: `P${index}` }))
    expect(announcement(joining, state({ status: 'connected', participants: many }))).toBe(
      'You joined the room. P1, P2 and 3 others are here.',
    )
  })

  it('says who joined and who left, from the names the core emitted', () => {
    expect(peopleAnnouncement({ joined: ['Linus'], left: [] })).toBe('Linus joined.')
    expect(peopleAnnouncement({ joined: [], left: ['Grace'] })).toBe('Grace left.')
    expect(peopleAnnouncement({ joined: ['Linus'], left: ['Grace'] })).toBe('Linus joined. Grace left.')
    expect(peopleAnnouncement({ joined: ['Ada', 'Linus', 'Grace'], left: [] })).toBe('Ada, Linus and Grace joined.')
    expect(peopleAnnouncement({ joined: [], left: [] })).toBeUndefined()
  })

  it('leaves who joined and left to the emitted events: a changed view alone says nothing', () => {
    const before = state({ status: 'connected', room, participants: [grace] })
    expect(announcement(before, state({ status: 'connected', room, participants: [grace, linus] }))).toBeUndefined()
    expect(announcement(before, state({ status: 'reconnecting', room, participants: [] }))).toBeUndefined()
  })

  it('says when the connection is back', () => {
    expect(announcement(state({ status: 'reconnecting', room }), state({ status: 'connected', room }))).toBe('Reconnected.')
  })

  it('stays quiet when nothing a person cares about changed', () => {
    const before = state({ status: 'connected', room, participants: [grace] })
    expect(announcement(before, state({ status: 'connected', room, participants: [{ ...grace, audioEnabled: false }] }))).toBeUndefined()
    expect(announcement(undefined, state({ status: 'previewing' }))).toBeUndefined()
    expect(announcement(before, state({ status: 'left', room }))).toBeUndefined()
  })

  it('does not count a stream that is nobody yet among who is here', () => {
    const early = makeParticipant(9, { clientId: 'stream:s9', name: 'Guest' })
    early.tracks = early.tracks.map((track) => ({ ...track, source: 'unknown' as const }))
    const joining = state({ status: 'joining', room })
    expect(announcement(joining, state({ status: 'connected', room, participants: [early, grace] }))).toBe('You joined Team. Grace is here.')
  })
})
