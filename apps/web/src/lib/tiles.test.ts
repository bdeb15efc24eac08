import { describe, expect, it } from 'vitest'
import { makeParticipant, makeView } from '../testing/fakeConference'
import type { Participant } from '../conference/types'
import { buildTiles, remoteTile, screenTiles } from './tiles'

describe('buildTiles', () => {
  it('puts you first, then the participants in order', () => {
    const view = makeView({ participants: [makeParticipant(1), makeParticipant(2)], local: { audioEnabled: true, videoEnabled: true, audioAvailable: true, videoAvailable: true, streamId: 'local' } })
    const tiles = buildTiles(view, 'Ada')
    expect(tiles.map((tile) => tile.key)).toEqual(['local', 'client-1', 'client-2'])
    expect(tiles[0]).toMatchObject({ local: true, name: 'Ada', streamId: 'local', showVideo: true, fit: 'cover' })
  })

  it('shows no local video without a stream or with the camera off or unavailable', () => {
    expect(buildTiles(makeView(), 'Ada')[0]?.showVideo).toBe(false)
    const cameraOff = makeView({ local: { audioEnabled: true, videoEnabled: false, audioAvailable: true, videoAvailable: true, streamId: 's' } })
    expect(buildTiles(cameraOff, 'Ada')[0]).toMatchObject({ showVideo: false, videoEnabled: false })
    const noCamera = makeView({ local: { audioEnabled: true, videoEnabled: true, audioAvailable: false, videoAvailable: false, streamId: 's' } })
    expect(buildTiles(noCamera, 'Ada')[0]).toMatchObject({ showVideo: false, audioEnabled: false, videoEnabled: false })
  })
})

describe('tile accessible names', () => {
  it('says who it is and whether their camera and microphone are on', () => {
    expect(remoteTile(makeParticipant(1, { name: 'Grace', audioEnabled: false, videoEnabled: false })).accessibleName).toBe(
      'Grace, camera off, microphone off',
    )
    expect(remoteTile(makeParticipant(2, { name: 'Linus', audioEnabled: false })).accessibleName).toBe('Linus, camera on, microphone off')
    expect(remoteTile(makeParticipant(3, { name: ' ' })).accessibleName).toBe('Guest, camera on, microphone on')
  })

  it('calls your own tile "<name> (you)", and a device you do not have off', () => {
    const view = makeView({ local: { audioEnabled: true, videoEnabled: true, audioAvailable: true, videoAvailable: false, streamId: 's' } })
    expect(buildTiles(view, 'Ada')[0]).toMatchObject({ label: 'Ada (you)', name: 'Ada', accessibleName: 'Ada (you), camera off, microphone on' })
    expect(buildTiles(view, '')[0]).toMatchObject({ label: 'You' })
  })

  it('gives your tile the avatar colour key the others use for you: your client id', () => {
    const view = makeView({ clientId: 'client-7', displayName: 'Ada' })
    expect(buildTiles(view, 'Ada')[0]?.hueKey).toBe('client-7')
    expect(remoteTile(makeParticipant(7)).hueKey).toBe('client-7')
  })
})

describe('remoteTile', () => {
  it('shows video only when enabled and a video track is live', () => {
    expect(remoteTile(makeParticipant(1)).showVideo).toBe(true)
    expect(remoteTile(makeParticipant(1, { videoEnabled: false })).showVideo).toBe(false)
    const notLive = makeParticipant(1)
    notLive.tracks = notLive.tracks.map((track) => ({ ...track, live: false }))
    expect(remoteTile(notLive).showVideo).toBe(false)
    expect(remoteTile(makeParticipant(1, { streamIds: [] })).showVideo).toBe(false)
  })

  it("names the live video track each remote tile draws (its shown size goes to the core), none before it arrives nor on yours", () => {
    const both = makeParticipant(3)
    both.tracks = [...both.tracks, { trackId: 'sv', streamId: 'screen-3', kind: 'video', source: 'screen', live: true }]
    both.streamIds = ['stream-3', 'screen-3']
    const view = makeView({ status: 'connected', participants: [both] })
    const tiles = buildTiles(view, 'Ada')
    expect(tiles.map((tile) => [tile.key, tile.videoTrackId])).toEqual([
      ['local', undefined],
      ['client-3', 'stream-3-v'],
      ['screen:client-3', 'sv'],
    ])
    const notLive = makeParticipant(1)
    notLive.tracks = notLive.tracks.map((track) => ({ ...track, live: false }))
    expect(remoteTile(notLive).videoTrackId).toBeUndefined()
  })

  it('shows the camera stream on the person tile, never their screen', () => {
    expect(remoteTile(makeParticipant(1)).fit).toBe('cover')
    const both = makeParticipant(3)
    both.tracks = [...both.tracks, { trackId: 'sv', streamId: 'screen-3', kind: 'video', source: 'screen', live: true }]
    both.streamIds = ['stream-3', 'screen-3']
    expect(remoteTile(both)).toMatchObject({ streamId: 'stream-3', fit: 'cover', showVideo: true })
    const screenOnly = makeParticipant(2, { streamIds: ['screen-2'] })
    screenOnly.tracks = [{ trackId: 'sv', streamId: 'screen-2', kind: 'video', source: 'screen', live: true }]
    expect(remoteTile(screenOnly).showVideo).toBe(false)
  })
  it('warns of a connection problem when their video stalled or the hub hears nothing from them', () => {
    expect(remoteTile(makeParticipant(1)).connectionWarning).toBeUndefined()
    expect(remoteTile(makeParticipant(1, { videoPaused: true })).connectionWarning).toBe(true)
    expect(remoteTile(makeParticipant(1, { connectionProblem: true, videoEnabled: false })).connectionWarning).toBe(true)
  })

  it('shows the avatar for a camera you turned off (audio only), with nothing said of a pause', () => {
    const turnedOff = (participant: Participant) => ({ ...participant, tracks: participant.tracks.map((t) => (t.kind === 'video' ? { ...t, turnedOff: true as const, pausedByHub: 'bandwidth' as const } : t)) })
    expect(remoteTile(makeParticipant(1)).showVideo).toBe(true)
    const tile = remoteTile(turnedOff(makeParticipant(1)))
    expect(tile).toMatchObject({ showVideo: false, videoEnabled: true })
    expect(tile.pausedForYou).toBeUndefined()
  })

  it("says when the hub paused their camera for your connection, apart from their connection problem", () => {
    const paused = (participant: Participant) => ({ ...participant, tracks: participant.tracks.map((t) => (t.kind === 'video' ? { ...t, pausedByHub: 'bandwidth' as const } : t)) })
    expect(remoteTile(makeParticipant(1)).pausedForYou).toBeUndefined()
    // The video keeps its last frame (still shown), and nothing says it is their problem.
    expect(remoteTile(paused(makeParticipant(1)))).toMatchObject({ pausedForYou: true, showVideo: true })
    expect(remoteTile(paused(makeParticipant(1))).connectionWarning).toBeUndefined()
    // Both at once are both said: theirs and ours are different facts.
    expect(remoteTile(paused(makeParticipant(1, { connectionProblem: true })))).toMatchObject({ pausedForYou: true, connectionWarning: true })
    // Camera off: the avatar, nothing paused to speak of.
    expect(remoteTile(paused(makeParticipant(1, { videoEnabled: false }))).pausedForYou).toBeUndefined()
    // A paused video that is not live (not arrived yet, or ended) has no picture to keep: nothing said.
    const notLive = paused(makeParticipant(1))
    notLive.tracks = notLive.tracks.map((track) => ({ ...track, live: false }))
    expect(remoteTile(notLive).pausedForYou).toBeUndefined()
    // Only their camera's pause marks the person tile, not their screen's.
    const sharing = makeParticipant(2, { streamIds: ['stream-2', 'screen-2'] })
    sharing.tracks = [...sharing.tracks, { trackId: 'sv', streamId: 'screen-2', kind: 'video', source: 'screen', live: true, pausedByHub: 'bandwidth' }]
    expect(remoteTile(sharing).pausedForYou).toBeUndefined()
    expect(screenTiles(makeView({ participants: [sharing] }), 'Ada').map((t) => [t.key, t.pausedForYou ?? false])).toEqual([['screen:client-2', true]])
    // Their camera's pause leaves their screen tile as it is.
    const cameraPaused = paused(makeParticipant(3, { streamIds: ['stream-3', 'screen-3'] }))
    cameraPaused.tracks = [...cameraPaused.tracks, { trackId: 'sv3', streamId: 'screen-3', kind: 'video', source: 'screen', live: true }]
    expect(screenTiles(makeView({ participants: [cameraPaused] }), 'Ada').map((t) => [t.key, t.pausedForYou ?? false])).toEqual([['screen:client-3', false]])
  })

  it('calls a nameless participant "Guest"', () => {
    expect(remoteTile(makeParticipant(3, { name: '  ' })).name).toBe('Guest')
  })
})

describe('screenTiles', () => {
  it("a live remote screen is its own letterboxed tile labelled with the sharer's name; ours says Your screen", () => {
    const bo = makeParticipant(2, { name: 'Bo' })
    bo.tracks = [...bo.tracks, { trackId: 'sv', streamId: 'screen-2', kind: 'video', source: 'screen', live: true }]
    bo.streamIds = ['stream-2', 'screen-2']
    const view = makeView({ participants: [bo], screenShare: { state: 'sharing', streamId: 'my-screen' }, displayName: 'Ada' })
    expect(screenTiles(view, 'Ada').map((t) => [t.key, t.label, t.streamId, t.fit, t.kind])).toEqual([
      ['screen:client-2', "Bo's screen", 'screen-2', 'contain', 'screen'],
      ['screen:local', 'Your screen', 'my-screen', 'contain', 'screen'],
    ])
    expect(buildTiles(view, 'Ada').map((t) => t.key)).toEqual(['local', 'client-2', 'screen:client-2', 'screen:local'])
  })

  it('an announced screen that has not arrived yet, or a share still being requested, is no tile', () => {
    const bo = makeParticipant(2, { name: 'Bo' })
    bo.tracks = [...bo.tracks, { trackId: 'sv', streamId: 'screen-2', kind: 'video', source: 'screen', live: false }]
    expect(screenTiles(makeView({ participants: [bo], screenShare: { state: 'requesting' } }), 'Ada')).toEqual([])
  })
})
