import { mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { createFakeStreams, fakeMediaStream, makeParticipant, makeView } from '../testing/fakeConference'
import type { FakeStreams } from '../testing/fakeConference'
import type { Participant } from '../conference/types'
import { TILE_MEDIA } from '../composables/tileMedia'
import type { TileMedia } from '../composables/tileMedia'
import { buildTiles } from '../lib/tiles'
import type { Tile } from '../lib/tiles'
import VideoGrid from './VideoGrid.vue'

// No store: the grid gets its tiles as a prop and the tiles their media by injection.
let fake: { streams: FakeStreams }
let played: number

beforeEach(() => {
  fake = { streams: createFakeStreams() }
  played = 0
})

function mountTiles(tiles: Tile[]) {
  const media: TileMedia = {
    streams: () => fake.streams.registry,
    play: async () => void played++,
    register: () => undefined,
    unregister: () => undefined,
  }
  return mount(VideoGrid, { props: { tiles }, global: { provide: { [TILE_MEDIA]: media } } })
}

function mountGrid(participants: Participant[]) {
  const view = makeView({
    status: 'connected',
    room: { id: 'r', name: 'Team' },
    local: { audioEnabled: true, videoEnabled: true, audioAvailable: true, videoAvailable: true, streamId: 'local' },
    participants,
  })
  return mountTiles(buildTiles(view, 'Ada'))
}

/** What the browser does once a <video> has decoded its first frame. */
function framesArrive(grid: ReturnType<typeof mount>) {
  for (const video of grid.findAll('video')) video.element.dispatchEvent(new Event('loadeddata'))
  return nextTick()
}

const people = (count: number) => Array.from({ length: count }, (_, index) => makeParticipant(index + 1))

describe('VideoGrid', () => {
  it('shows an empty state and one column for 0 tiles', () => {
    const grid = mountTiles([])
    expect(grid.findAll('[data-testid="tile"]')).toHaveLength(0)
    expect(grid.get('[data-testid="video-grid"]').classes()).toContain('grid--cols-1')
    expect(grid.find('[data-testid="grid-empty"]').exists()).toBe(true)
  })

  it.each([
    [1, 1, 1],
    [4, 2, 2],
    [9, 3, 3],
  ])('lays out %i tiles in %i columns × %i rows', (count, columns, rows) => {
    const grid = mountGrid(people(count - 1))
    const section = grid.get('[data-testid="video-grid"]')
    expect(grid.findAll('[data-testid="tile"]')).toHaveLength(count)
    expect(section.classes()).toContain(`grid--cols-${columns}`)
    expect(section.attributes('data-cols')).toBe(String(columns))
    expect(section.attributes('style')).toContain(`--cols: ${columns}`)
    expect(section.attributes('style')).toContain(`--rows: ${rows}`)
  })

  it('labels your tile "<name> (you)", mirrors it and keeps it muted', async () => {
    fake.streams.set(fakeMediaStream('local'))
    const grid = mountGrid([])
    await nextTick()
    await framesArrive(grid)
    const tile = grid.get('[data-participant="local"]')
    expect(tile.get('[data-testid="tile-name"]').text()).toBe('Ada (you)')
    const video = tile.get('video')
    expect(video.classes()).toContain('tile__video--mirrored')
    expect((video.element as HTMLVideoElement).muted).toBe(true)
    expect(tile.attributes('data-video')).toBe('on')
  })

  it("names remote tiles and plays their audio (video element not muted)", async () => {
    fake.streams.set(fakeMediaStream('stream-1'))
    const grid = mountGrid([makeParticipant(1, { name: 'Grace Hopper' })])
    await nextTick()
    const tile = grid.get('[data-participant="client-1"]')
    expect(tile.get('[data-testid="tile-name"]').text()).toBe('Grace Hopper')
    expect((tile.get('video').element as HTMLVideoElement).muted).toBe(false)
    expect(tile.get('video').classes()).not.toContain('tile__video--mirrored')
    expect((tile.get('video').element as HTMLVideoElement).srcObject).toBe(fake.streams.registry.get('stream-1'))
    expect(played).toBeGreaterThan(0) // through the injected autoplay guard
  })

  it('shows mic-off and camera-off badges from the participant media state', () => {
    const grid = mountGrid([
      makeParticipant(1, { audioEnabled: false }),
      makeParticipant(2, { videoEnabled: false }),
      makeParticipant(3),
    ])
    const badges = (key: string) => ({
      mic: grid.get(`[data-participant="${key}"]`).find('[data-testid="badge-mic-off"]').exists(),
      camera: grid.get(`[data-participant="${key}"]`).find('[data-testid="badge-camera-off"]').exists(),
    })
    expect(badges('client-1')).toEqual({ mic: true, camera: false })
    expect(badges('client-2')).toEqual({ mic: false, camera: true })
    expect(badges('client-3')).toEqual({ mic: false, camera: false })
    expect(grid.get('[data-participant="client-1"] [data-testid="badge-mic-off"]').attributes('aria-label')).toBe('Microphone off')
  })

  it('shows an initials placeholder while video is off or not live yet, the video once it is', async () => {
    fake.streams.set(fakeMediaStream('stream-1'))
    fake.streams.set(fakeMediaStream('stream-2'))
    const notLive = makeParticipant(3, { name: 'Linus Torvalds' })
    notLive.tracks = notLive.tracks.map((track) => ({ ...track, live: false }))
    const grid = mountGrid([makeParticipant(1), makeParticipant(2, { videoEnabled: false, name: 'Ada Lovelace' }), notLive])
    await nextTick()
    const tile = (key: string) => grid.get(`[data-participant="${key}"]`)
    await framesArrive(grid)
    expect(tile('client-1').find('[data-testid="tile-placeholder"]').exists()).toBe(false)
    expect(tile('client-1').attributes('data-video')).toBe('on')
    expect(tile('client-2').get('[data-testid="tile-placeholder"]').text()).toBe('AL')
    expect(tile('client-2').attributes('data-video')).toBe('off')
    expect(tile('client-3').get('[data-testid="tile-placeholder"]').text()).toBe('LT')
  })

  it('crops cameras and letterboxes a shared screen', () => {
    const sharer = makeParticipant(2, { name: 'Bo', streamIds: ['stream-2', 'screen-2'] })
    sharer.tracks = [...sharer.tracks, { trackId: 'sv', streamId: 'screen-2', kind: 'video', source: 'screen', live: true }]
    const grid = mountGrid([makeParticipant(1), sharer])
    expect(grid.get('[data-participant="local"] video').classes()).not.toContain('tile__video--contain')
    expect(grid.get('[data-participant="client-1"] video').classes()).not.toContain('tile__video--contain')
    expect(grid.get('[data-participant="client-2"] video').classes()).not.toContain('tile__video--contain')
    const screenTile = grid.get('[data-participant="screen:client-2"]')
    expect(screenTile.get('video').classes()).toContain('tile__video--contain')
    expect(screenTile.attributes('data-kind')).toBe('screen')
    expect(screenTile.get('[data-testid="tile-name"]').text()).toBe("Bo's screen")
  })

  it('gives every tile an accessible name with its camera and microphone state', () => {
    const grid = mountGrid([
      makeParticipant(1, { name: 'Grace', audioEnabled: false, videoEnabled: false }),
      makeParticipant(2, { name: 'Linus', audioEnabled: false }),
    ])
    const named = (key: string) => grid.get(`[data-participant="${key}"]`)
    expect(named('local').element.tagName).toBe('FIGURE')
    expect(named('local').attributes('aria-label')).toBe('Ada (you), camera on, microphone on')
    expect(named('client-1').attributes('aria-label')).toBe('Grace, camera off, microphone off')
    expect(named('client-2').attributes('aria-label')).toBe('Linus, camera on, microphone off')
    // The avatar initials are decoration, not part of the name.
    expect(named('client-1').get('.tile__avatar').attributes('aria-hidden')).toBe('true')
    expect(grid.get('[data-testid="video-grid"]').attributes('aria-label')).toBe('Participants')
  })
})
