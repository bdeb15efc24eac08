import { describe, expect, it } from 'vitest'
import type { ConferenceContext } from './machines/conferenceMachine.js'
import { emptyRoster, type Roster } from './roster.js'
import { emptyPresence } from './presence.js'
import { emptySummary } from './stats/analysis.js'
import { answeringOffer, participantChanges, selectView, statusOf, type ConferenceSnapshotLike } from './view.js'

function context(overrides: Partial<ConferenceContext> = {}): ConferenceContext {
  return {
    joinParams: null,
    previewMedia: null,
    room: { id: 'room1', name: 'Standup' },
    clientId: 'me',
    displayName: 'Ada',
    local: { audioEnabled: true, videoEnabled: true, audioAvailable: true, videoAvailable: true },
    mediaError: null,
    roster: emptyRoster(),
    error: null,
    endedReason: null,
    endedBy: null,
    host: { created: false, key: null },
    pass: null,
    extrasRevision: 0,
    leaveViaBeacon: false,
    stats: emptySummary(),
    presence: emptyPresence(),
    screenStreamId: null,
    reconnectAttempt: 0,
    staleClientId: null,
    reconnectCause: null,
    roomIsNew: false,
    negotiationRecoveries: 0,
    tabId: '',
    elsewhere: null,
    deviceIds: {},
    ...overrides,
  }
}

const roster = (overrides: Partial<Roster>): Roster => ({ ...emptyRoster(), ...overrides })

function snapshot(value: unknown, ctx: ConferenceContext): ConferenceSnapshotLike {
  return { value, context: ctx, hasTag: () => false }
}

const inRoom = { inRoom: { negotiation: {}, answer: 'idle', connection: { connected: 'settled' }, events: {}, media: 'published', participants: {} } }

describe('selectView endedReason', () => {
  it('gives the hub reason once the session ended', () => {
    for (const reason of ['host-ended', 'removed', 'client-gone', 'timeout'] as const) {
      expect(selectView(snapshot('ended', context({ endedReason: reason })))).toMatchObject({ status: 'ended', endedReason: reason })
    }
  })

  it("says 'ended-by-me' when this user ended the room, and nothing after a plain leave", () => {
    expect(selectView(snapshot('roomClosed', context()))).toMatchObject({ status: 'left', endedReason: 'ended-by-me' })
    expect(selectView(snapshot('left', context())).endedReason).toBeUndefined()
  })

  it('is absent outside the final states, even with a stored reason', () => {
    expect(selectView(snapshot(inRoom, context({ endedReason: 'host-ended' }))).endedReason).toBeUndefined()
    expect(selectView(snapshot('endingRoom', context())).endedReason).toBeUndefined()
    expect('endedReason' in selectView(snapshot('idle', context()))).toBe(false)
  })
})

describe('selectView participants', () => {
  const live = { trackId: 'recv-1', streamId: 's1', kind: 'video' as const }

  it('shows a stream delivered before its announcement under the placeholder name', () => {
    const view = selectView(snapshot(inRoom, context({ roster: roster({ live: { 'recv-1': live } }) })))
    expect(view.participants).toEqual([
      { clientId: 'stream:s1', name: 'Guest', audioEnabled: true, videoEnabled: true, isHost: false, tracks: [{ ...live, source: 'unknown', live: true }], streamIds: ['s1'] },
    ])
  })

  it("hides a departed participant's lingering stream instead of showing a Guest", () => {
    const view = selectView(snapshot(inRoom, context({ roster: roster({ live: { 'recv-1': live }, departedClients: ['c1'], departedStreams: ['s1'] }) })))
    expect(view.participants).toEqual([])
  })
})

describe('participantChanges', () => {
  const announced = (clientId: string, clientName: string, streamId: string) => ({
    [`${clientId}-v`]: { trackId: `${clientId}-v`, clientId, clientName, streamId, kind: 'video' as const, source: 'media' as const },
  })

  it('names who joined and who left, with the view’s names (Guest when the hub has none)', () => {
    const before = roster({ announced: announced('c1', 'Ada', 's1') })
    const after = roster({ announced: { ...announced('c2', '', 's2') }, mediaStates: {} })
    expect(participantChanges(before, after)).toEqual([
      { type: 'participant.joined', clientId: 'c2', name: 'Guest' },
      { type: 'participant.left', clientId: 'c1', name: 'Ada' },
    ])
  })

  it('says nothing about a stream that arrived before its announcement, nor about a rename', () => {
    const early = roster({ live: { r1: { trackId: 'r1', streamId: 's9', kind: 'video' } } })
    expect(participantChanges(emptyRoster(), early)).toEqual([])
    const guest = roster({ announced: announced('c1', '', 's1') })
    const named = roster({ announced: announced('c1', '', 's1'), mediaStates: { c1: { audio: true, video: true, name: 'Ada' } } })
    expect(participantChanges(guest, named)).toEqual([])
  })
})

describe('host view', () => {
  const bo = { mediaStates: { c2: { audio: true, video: true, name: 'Bo', host: true } } }

  it('names us as host when we created the room; moderation only with the hub’s host key, which never shows', () => {
    const hosted = selectView(snapshot(inRoom, context({ host: { created: true, key: 'secret' } })))
    expect(hosted.host).toEqual({ isHost: true, canModerate: true, hostClientId: 'me', hostName: 'Ada', mutedCount: 0, roomLocked: false, lockPending: false, waiting: [], answeredCount: 0, madeHostCount: 0 })
    expect(JSON.stringify(hosted)).not.toContain('secret')
    expect(selectView(snapshot(inRoom, context({ host: { created: true, key: null } }))).host).toMatchObject({ isHost: true, canModerate: false })
  })

  it('marks a participant whose published state says their media is end-to-end encrypted', () => {
    const announcedBo = { t1: { trackId: 't1', clientId: 'c2', clientName: 'Bo', streamId: 's2', kind: 'video' as const, source: 'media' as const } }
    const encrypted = selectView(snapshot(inRoom, context({ roster: roster({ mediaStates: { c2: { audio: true, video: true, name: 'Bo', e2ee: true } }, announced: announcedBo }) })))
    expect(encrypted.participants[0]?.encrypted).toBe(true)
    const plain = selectView(snapshot(inRoom, context({ roster: roster({ ...bo, announced: announcedBo }) })))
    expect(plain.participants[0]?.encrypted).toBeUndefined()
  })

  it('names the participant whose published state says host, and marks it', () => {
    const view = selectView(snapshot(inRoom, context({ roster: roster({ ...bo, announced: { t1: { trackId: 't1', clientId: 'c2', clientName: 'Bo', streamId: 's2', kind: 'video', source: 'media' } } }) })))
    expect(view.host).toMatchObject({ isHost: false, canModerate: false, hostClientId: 'c2', hostName: 'Bo' })
    expect(view.participants[0]?.isHost).toBe(true)
  })

  it('says who ended the room once it ended', () => {
    const ended = selectView(snapshot('ended', context({ endedReason: 'host-ended', endedBy: { clientId: 'c2', name: 'Bo' } })))
    expect(ended).toMatchObject({ status: 'ended', endedReason: 'host-ended', endedBy: { name: 'Bo' } })
  })
})

describe('answeringOffer and statusOf', () => {
  it("is true while the conference's state is tagged `answering` (a hub offer answered, our answer not sent)", () => {
    const tagged = (tags: string[]): ConferenceSnapshotLike => ({ ...snapshot(inRoom, context()), hasTag: (tag) => tags.includes(tag) })
    expect(answeringOffer(tagged(['answering']))).toBe(true)
    expect(answeringOffer(tagged(['busy']))).toBe(false)
  })

  it("says 'joining' while media connects and while connected with our first answer still due (`settling`), then 'connected'", () => {
    const connection = (value: unknown) => ({ inRoom: { ...inRoom.inRoom, connection: value } })
    expect(statusOf(connection('connecting'))).toBe('joining')
    expect(statusOf(connection({ connected: 'settling' }))).toBe('joining')
    expect(statusOf(connection({ connected: 'settled' }))).toBe('connected')
    expect(statusOf(connection('reconnecting'))).toBe('reconnecting')
    expect(selectView(snapshot(connection({ connected: 'settling' }), context())).status).toBe('joining')
  })
})
