import { describe, expect, it } from 'vitest'
import { makeParticipant, makeView } from '../testing/fakeConference'
import { buildTiles, remoteTile } from './tiles'

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

  it('calls your own tile "You", and a device you do not have off', () => {
    const view = makeView({ local: { audioEnabled: true, videoEnabled: true, audioAvailable: true, videoAvailable: false, streamId: 's' } })
    expect(buildTiles(view, 'Ada')[0]).toMatchObject({ label: 'You', name: 'Ada', accessibleName: 'You, camera off, microphone on' })
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

  it('crops a camera but letterboxes a shared screen', () => {
    expect(remoteTile(makeParticipant(1)).fit).toBe('cover')
    const screenOnly = makeParticipant(2)
    screenOnly.tracks = screenOnly.tracks.map((track) => ({ ...track, source: 'screen' as const }))
    expect(remoteTile(screenOnly).fit).toBe('contain')
    // Camera and screen: the camera stream is listed first and shown, so it is cropped.
    const both = makeParticipant(3)
    both.tracks = [...both.tracks, { trackId: 'sv', streamId: 'screen-3', kind: 'video', source: 'screen', live: true }]
    both.streamIds = ['stream-3', 'screen-3']
    expect(remoteTile(both).fit).toBe('cover')
  })

  it('calls a nameless participant "Guest"', () => {
    expect(remoteTile(makeParticipant(3, { name: '  ' })).name).toBe('Guest')
  })
})
