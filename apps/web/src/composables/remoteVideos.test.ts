import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { effectScope, nextTick, shallowRef } from 'vue'
import VideoTile from '../components/VideoTile.vue'
import type { StreamRegistry } from '../conference/types'
import { createFakeStreams, fakeMediaStream, makeParticipant, makeView } from '../testing/fakeConference'
import { buildTiles } from '../lib/tiles'
import { remoteVideosOf } from './remoteVideos'
import { TILE_MEDIA } from './tileMedia'
import type { TileMedia } from './tileMedia'

/** The fake registry, with every stream added someone else's (the core's `remoteIds`). */
function remoteRegistry() {
  const streams = createFakeStreams()
  return {
    registry: streams.registry,
    add: (id: string) => streams.set(fakeMediaStream(id), true),
    remove: (id: string) => streams.delete(id),
  }
}

describe('remote videos', () => {
  it('plays a remote stream in an element from its arrival, and the tile drawn later adopts that element', async () => {
    const remote = remoteRegistry()
    const created: HTMLVideoElement[] = []
    const scope = effectScope()
    const videos = scope.run(() => remoteVideosOf(() => remote.registry, () => created[created.push(document.createElement('video')) - 1]!))!
    remote.add('stream-1')
    // Before any tile: the element exists and already has the stream.
    expect(created).toHaveLength(1)
    expect(created[0]!.srcObject).toBe(remote.registry.get('stream-1'))
    expect(created[0]!.isConnected).toBe(false)
    expect(videos('stream-1')).toBe(created[0])

    const media: TileMedia = { streams: () => remote.registry, play: () => undefined, register: () => undefined, unregister: () => undefined, remoteVideos: videos }
    const [, tile] = buildTiles(makeView({ status: 'connected', participants: [makeParticipant(1)] }), 'Ada')
    const wrapper = mount(VideoTile, { props: { tile: tile! }, attachTo: document.body, global: { provide: { [TILE_MEDIA]: media } } })
    await nextTick()
    expect(wrapper.find('[data-testid="tile-video"]').element).toBe(created[0])
    expect(created[0]!.muted).toBe(false)
    // Their stream ends: the element is emptied and leaves the tile, which shows the avatar.
    remote.remove('stream-1')
    await nextTick()
    expect(created[0]!.srcObject).toBeNull()
    expect(created[0]!.isConnected).toBe(false)
    expect(videos('stream-1')).toBeUndefined()
    expect(wrapper.find('[data-testid="tile-placeholder"]').exists()).toBe(true)
    wrapper.unmount()
    scope.stop()
  })

  it("a tile drawn before the stream arrived adopts the element when it comes; a new conference's registry drops the old elements", async () => {
    const first = remoteRegistry()
    const current = shallowRef<StreamRegistry | undefined>(first.registry)
    const scope = effectScope()
    const videos = scope.run(() => remoteVideosOf(() => current.value, () => document.createElement('video')))!
    const media: TileMedia = { streams: () => current.value, play: () => undefined, register: () => undefined, unregister: () => undefined, remoteVideos: videos }
    const [, tile] = buildTiles(makeView({ status: 'connected', participants: [makeParticipant(1)] }), 'Ada')
    const wrapper = mount(VideoTile, { props: { tile: tile! }, attachTo: document.body, global: { provide: { [TILE_MEDIA]: media } } })
    await nextTick()
    expect(wrapper.find('[data-testid="tile-video"]').exists()).toBe(false)
    first.add('stream-1')
    await nextTick()
    const element = videos('stream-1')
    expect(wrapper.find('[data-testid="tile-video"]').element).toBe(element)
    current.value = remoteRegistry().registry
    expect(videos('stream-1')).toBeUndefined()
    expect(element?.srcObject).toBeNull()
    wrapper.unmount()
    scope.stop()
  })
})
