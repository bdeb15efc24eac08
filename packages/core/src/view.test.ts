import { describe, expect, it } from 'vitest'
import type { ConferenceContext } from './machines/conferenceMachine.js'
import { selectView, type ConferenceSnapshotLike } from './view.js'

function context(overrides: Partial<ConferenceContext> = {}): ConferenceContext {
  return {
    joinParams: null,
    previewMedia: null,
    room: { id: 'room1', name: 'Standup' },
    clientId: 'me',
    displayName: 'Ada',
    local: { audioEnabled: true, videoEnabled: true, audioAvailable: true, videoAvailable: true },
    mediaError: null,
    announcedTracks: {},
    liveTracks: {},
    subscribedTrackIds: [],
    mediaStates: {},
    departedClientIds: [],
    departedStreamIds: [],
    error: null,
    endedReason: null,
    leaveViaBeacon: false,
    ...overrides,
  }
}

function snapshot(value: unknown, ctx: ConferenceContext): ConferenceSnapshotLike {
  return { value, context: ctx, hasTag: () => false }
}

const inRoom = { inRoom: { negotiation: {}, connection: 'connected', events: {}, media: 'published', participants: {} } }

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
    const view = selectView(snapshot(inRoom, context({ liveTracks: { 'recv-1': live } })))
    expect(view.participants).toEqual([
      { clientId: 'stream:s1', name: 'Guest', audioEnabled: true, videoEnabled: true, tracks: [{ ...live, source: 'unknown', live: true }], streamIds: ['s1'] },
    ])
  })

  it("hides a departed participant's lingering stream instead of showing a Guest", () => {
    const view = selectView(snapshot(inRoom, context({ liveTracks: { 'recv-1': live }, departedClientIds: ['c1'], departedStreamIds: ['s1'] })))
    expect(view.participants).toEqual([])
  })
})
