import { describe, expect, it } from 'vitest'
import { mediaStateMetaKey } from '@parley/protocol'
import { announce, connectionProblemChanged, emptyRoster, mediaStateChanged, trackEnded, trackLive, videoPausedChanged } from './roster.js'
import { participantsOf } from './view.js'

const info = (clientId: string, trackId: string, streamId: string, kind: 'audio' | 'video' = 'video') => ({
  id: trackId,
  track_id: trackId,
  client_id: clientId,
  client_name: clientId.toUpperCase(),
  stream_id: streamId,
  kind,
  source: 'media' as const,
})

describe('roster', () => {
  it('announce: remembers the others’ tracks, subscribes to each once, asks for unknown media states', () => {
    const first = announce(emptyRoster(), { t1: info('c2', 't1', 's2'), mine: info('me', 'mine', 's1') }, 'me')
    expect(Object.keys(first.roster.announced)).toEqual(['t1'])
    expect(first.subscribe).toEqual([{ client_id: 'c2', stream_id: 's2', track_id: 't1' }])
    expect(first.mediaStatesOf).toEqual(['c2'])
    const withState = mediaStateChanged(first.roster, { key: mediaStateMetaKey('c2'), value: { audio: true, video: false } }, 'me')
    const again = announce(withState, { t1: info('c2', 't1', 's2'), t2: info('c2', 't2', 's2', 'audio') }, 'me')
    expect(again.subscribe.map((t) => t.track_id)).toEqual(['t2'])
    expect(again.mediaStatesOf).toEqual([])
  })

  it('trackEnded: the stream’s last live track takes its announcement (and subscription) with it', () => {
    let roster = announce(emptyRoster(), { t1: info('c2', 't1', 's2'), t2: info('c2', 't2', 's2', 'audio') }, 'me').roster
    roster = trackLive(trackLive(roster, { trackId: 'r1', streamId: 's2', kind: 'video' }), { trackId: 'r2', streamId: 's2', kind: 'audio' })
    roster = trackEnded(roster, { trackId: 'r1', streamId: 's2' })
    expect(Object.keys(roster.announced)).toEqual(['t1', 't2'])
    roster = trackEnded(roster, { trackId: 'r2', streamId: 's2' })
    expect(roster).toEqual(emptyRoster())
  })

  it('mediaStateChanged: a state is stored, our own is ignored, an invalid one is dropped', () => {
    const key = mediaStateMetaKey('c2')
    const stored = mediaStateChanged(emptyRoster(), { key, value: { audio: false, video: true, name: 'Bo' } }, 'me')
    expect(stored.mediaStates).toEqual({ c2: { audio: false, video: true, name: 'Bo' } })
    expect(mediaStateChanged(stored, { key: mediaStateMetaKey('me'), value: { audio: true, video: true } }, 'me')).toBe(stored)
    expect(mediaStateChanged(stored, { key, value: 'nonsense' }, 'me').mediaStates).toEqual({})
    expect(mediaStateChanged(stored, { key: 'other', value: null }, 'me')).toBe(stored)
  })

  it('a deleted media state is a departure: announcement gone, lingering streams hidden until they end', () => {
    let roster = announce(emptyRoster(), { t3: info('c3', 't3', 's3') }, 'me').roster
    roster = trackLive(roster, { trackId: 'r3', streamId: 's3', kind: 'video' })
    roster = mediaStateChanged(roster, { key: mediaStateMetaKey('c3'), value: null }, 'me')
    expect(roster.announced).toEqual({})
    expect(roster.departedClients).toEqual(['c3'])
    expect(roster.departedStreams).toEqual(['s3'])
    // A late re-announcement does not bring them back; it only hides that stream too.
    roster = announce(roster, { t4: info('c3', 't4', 's4') }, 'me').roster
    expect(roster.announced).toEqual({})
    expect(roster.departedStreams).toEqual(['s3', 's4'])
    roster = trackEnded(roster, { trackId: 'r3', streamId: 's3' })
    expect(roster.departedStreams).toEqual(['s4'])
  })

  it("connectionProblemChanged: the hub's mark comes and goes per client, never for us, and leaves with the participant", () => {
    let roster = announce(emptyRoster(), { t2: info('c2', 't2', 's2'), t3: info('c3', 't3', 's3') }, 'me').roster
    roster = connectionProblemChanged(roster, { clientId: 'c2', problem: true }, 'me')
    roster = connectionProblemChanged(roster, { clientId: 'c2', problem: true }, 'me')
    expect(roster.connectionProblems).toEqual(['c2'])
    expect(participantsOf(roster).map((p) => [p.clientId, p.connectionProblem ?? false])).toEqual([
      ['c2', true],
      ['c3', false],
    ])
    expect(connectionProblemChanged(roster, { clientId: 'me', problem: true }, 'me')).toBe(roster)
    expect(connectionProblemChanged(roster, { clientId: 'c2', problem: false }, 'me').connectionProblems).toEqual([])
    roster = mediaStateChanged(roster, { key: mediaStateMetaKey('c2'), value: null }, 'me')
    expect(roster.connectionProblems).toEqual([])
  })

  it("videoPausedChanged: the hub's pause is per announced track, and goes when resumed, when the track ends or its owner leaves", () => {
    const pause = (trackId: string, paused = true) => ({ trackId, paused, reason: 'bandwidth' as const })
    let roster = announce(emptyRoster(), { v2: info('c2', 'v2', 's2'), a2: info('c2', 'a2', 's2', 'audio'), v3: info('c3', 'v3', 's3') }, 'me').roster
    roster = trackLive(trackLive(roster, { trackId: 'rv2', streamId: 's2', kind: 'video' }), { trackId: 'ra2', streamId: 's2', kind: 'audio' })
    roster = videoPausedChanged(roster, pause('v2'))
    roster = videoPausedChanged(roster, pause('v3'))
    expect(roster.pausedVideo).toEqual({ v2: 'bandwidth', v3: 'bandwidth' })
    expect(participantsOf(roster).flatMap((p) => p.tracks.map((t) => [t.trackId, t.pausedByHub ?? null]))).toEqual([
      ['v2', 'bandwidth'],
      ['a2', null],
      ['v3', 'bandwidth'],
    ])
    // Only a track announced to us is paused for us: never ours, nor one whose owner already left.
    expect(videoPausedChanged(roster, pause('mine')).pausedVideo).toEqual(roster.pausedVideo)
    // Resuming one that is not paused changes nothing; resuming one lifts only its mark.
    expect(videoPausedChanged(roster, pause('a2', false)).pausedVideo).toEqual(roster.pausedVideo)
    expect(videoPausedChanged(roster, pause('v3', false)).pausedVideo).toEqual({ v2: 'bandwidth' })
    // Their camera track ends while their audio plays on: the camera's pause goes with it; their audio ending changes no pause.
    expect(trackEnded(roster, { trackId: 'rv2', streamId: 's2' }).pausedVideo).toEqual({ v3: 'bandwidth' })
    expect(trackEnded(roster, { trackId: 'ra2', streamId: 's2' }).pausedVideo).toEqual(roster.pausedVideo)
    // They leave: every pause of theirs goes at once.
    roster = mediaStateChanged(roster, { key: mediaStateMetaKey('c3'), value: null }, 'me')
    expect(roster.pausedVideo).toEqual({ v2: 'bandwidth' })
    expect(videoPausedChanged(roster, pause('v3')).pausedVideo).toEqual({ v2: 'bandwidth' })
  })
})
