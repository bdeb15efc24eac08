import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { nextTick, ref } from 'vue'
import VideoTile from '../components/VideoTile.vue'
import { createFakeStreams, fakeMediaStream, makeParticipant, makeView } from '../testing/fakeConference'
import { buildTiles, localTile } from '../lib/tiles'
import type { Tile } from '../lib/tiles'
import { selfVideoOf, tileVideoElement } from './adoptedVideo'
import { TILE_MEDIA } from './tileMedia'
import type { TileMedia } from './tileMedia'

const local = { audioEnabled: true, videoEnabled: true, audioAvailable: true, videoAvailable: true, streamId: 'cam' }

function setUp() {
  const streams = createFakeStreams()
  const stream = fakeMediaStream('cam')
  streams.set(stream)
  const created: HTMLVideoElement[] = []
  const registered = new Set<unknown>()
  const media: TileMedia = {
    streams: () => streams.registry,
    play: () => undefined,
    register: (el) => registered.add(el),
    unregister: (el) => registered.delete(el),
    selfVideo: selfVideoOf(() => {
      const element = document.createElement('video')
      created.push(element)
      return element
    }),
  }
  const mountTile = (tile: Tile, hidden?: () => boolean) =>
    mount(VideoTile, { props: { tile }, attachTo: document.body, global: { provide: { [TILE_MEDIA]: hidden ? { ...media, hidden } : media } } })
  return { streams, stream, created, registered, mountTile }
}

describe('the self view', () => {
  it('is one element, still playing the camera, from the pre-join preview to the call tile', async () => {
    const { stream, created, registered, mountTile } = setUp()
    const preview = mountTile(localTile(makeView({ status: 'previewing', local }), 'Ada'))
    await nextTick()
    const element = preview.get('[data-testid="tile-video"]').element as HTMLVideoElement
    expect(element.srcObject).toBe(stream)
    expect(element.muted).toBe(true)
    expect(element.classList).toContain('tile__video--mirrored')
    expect(registered.has(element)).toBe(true)

    // The Join click: the preview goes, the call's own tile comes, in one task.
    preview.unmount()
    expect(element.srcObject).toBe(stream)
    const view = makeView({ status: 'connected', room: { id: 'r', name: 'Team' }, local, participants: [makeParticipant(1)] })
    const tiles = buildTiles(view, 'Ada')
    const own = mountTile(tiles.find((tile) => tile.local)!)
    await nextTick()
    expect(own.get('[data-testid="tile-video"]').element).toBe(element)
    expect(created).toHaveLength(1)
    expect(element.srcObject).toBe(stream)
    expect(registered.has(element)).toBe(true)

    // A remote participant's tile draws a <video> of its own.
    const remote = mountTile(tiles.find((tile) => !tile.local)!)
    expect(remote.get('[data-testid="tile-video"]').element).not.toBe(element)
    remote.unmount()
    own.unmount()
  })

  it('shows the video at once when adopted with frames already decoded', async () => {
    const { stream, mountTile } = setUp()
    const tile = localTile(makeView({ status: 'previewing', local }), 'Ada')
    const preview = mountTile(tile)
    await nextTick()
    const element = preview.get('[data-testid="tile-video"]').element as HTMLVideoElement
    Object.defineProperty(element, 'readyState', { value: 4 })
    element.dispatchEvent(new Event('playing'))
    await nextTick()
    expect(preview.get('[data-testid="tile"]').attributes('data-video')).toBe('on')
    preview.unmount()

    const again = mountTile(tile)
    await nextTick()
    await nextTick()
    expect(element.srcObject).toBe(stream)
    expect(again.get('[data-testid="tile"]').attributes('data-video')).toBe('on')
    again.unmount()
  })

  it('stays with the newer tile when the older one goes after it (a layout change)', async () => {
    const { stream, registered, mountTile } = setUp()
    const tile = localTile(makeView({ status: 'connected', local }), 'Ada')
    const floating = mountTile(tile)
    await nextTick()
    const element = floating.get('[data-testid="tile-video"]').element
    const inGrid = mountTile(tile)
    await nextTick()
    expect(inGrid.get('[data-testid="tile-video"]').element).toBe(element)
    expect(floating.find('[data-testid="tile-video"]').exists()).toBe(false)
    floating.unmount()
    expect(inGrid.get('[data-testid="tile-video"]').element).toBe(element)
    expect((element as HTMLVideoElement).srcObject).toBe(stream)
    expect(registered.has(element)).toBe(true)
    inGrid.unmount()
  })

  it('stays with the preview while the call drawn ahead is hidden, and moves to the call tile once shown', async () => {
    const { stream, created, mountTile } = setUp()
    const preview = mountTile(localTile(makeView({ status: 'previewing', local }), 'Ada'))
    await nextTick()
    const element = preview.get('[data-testid="tile-video"]').element as HTMLVideoElement
    element.classList.add('tile__video--contain')
    const hidden = ref(true)
    const ahead = mountTile(localTile(makeView({ status: 'previewing', local }), 'Ada'), () => hidden.value)
    await nextTick()
    expect(ahead.find('[data-testid="tile-video"]').exists()).toBe(false)
    expect(preview.get('[data-testid="tile-video"]').element).toBe(element)
    // The hidden tile leaves the element's classes alone too.
    expect(element.classList).toContain('tile__video--contain')

    // The Join click: the call is shown, the preview goes.
    hidden.value = false
    preview.unmount()
    await nextTick()
    expect(ahead.get('[data-testid="tile-video"]').element).toBe(element)
    expect(element.classList).not.toContain('tile__video--contain')
    expect(element.srcObject).toBe(stream)
    expect(created).toHaveLength(1)
    ahead.unmount()
  })

  it('lets go of the camera when the stream leaves', async () => {
    const { streams, mountTile } = setUp()
    const tile = mountTile(localTile(makeView({ status: 'previewing', local }), 'Ada'))
    await nextTick()
    const element = tile.get('[data-testid="tile-video"]').element as HTMLVideoElement
    streams.delete('cam')
    await nextTick()
    expect(element.srcObject).toBeNull()
    tile.unmount()
  })
})

describe('a tile element made outside the template', () => {
  it("says what the template's <video> says: inline, autoplaying, marked; muted only for your own", () => {
    const own = tileVideoElement(() => document.createElement('video'), { local: true })
    const theirs = tileVideoElement(() => document.createElement('video'), { local: false })
    for (const element of [own, theirs]) {
      expect(element.autoplay).toBe(true)
      expect(element.playsInline).toBe(true)
      expect(element.hasAttribute('playsinline')).toBe(true)
      expect(element.dataset.testid).toBe('tile-video')
      expect(element.className).toBe('tile__video')
    }
    expect([own.muted, own.defaultMuted]).toEqual([true, true])
    expect([theirs.muted, theirs.defaultMuted]).toEqual([false, false])
  })
})
