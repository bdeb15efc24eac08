import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { defineComponent, h, nextTick, shallowRef } from 'vue'
import { createFakeStreams, fakeMediaStream, fakeTrack } from '../testing/fakeConference'
import type { StreamRegistry } from '../conference/types'
import { useMediaStream } from './useMediaStream'
import type { MediaStreamBinding, MediaStreamBindingOptions } from './useMediaStream'

function mountBinding(registry: StreamRegistry, streamId: () => string | undefined, options: MediaStreamBindingOptions = {}) {
  let binding: MediaStreamBinding | undefined
  const wrapper = mount(
    defineComponent({
      setup() {
        binding = useMediaStream(registry, streamId, options)
        return () => h('video', { ref: (el) => (binding!.element.value = el as HTMLMediaElement | null) })
      },
    }),
  )
  return { wrapper, binding: binding!, video: () => wrapper.find('video').element as HTMLVideoElement }
}

describe('useMediaStream', () => {
  it('binds srcObject once the stream shows up in the registry, and plays it', async () => {
    const streams = createFakeStreams()
    const played: unknown[] = []
    const { binding, video } = mountBinding(streams.registry, () => 's1', { play: (el) => void played.push(el) })
    await nextTick()
    expect(video().srcObject).toBeNull()
    expect(binding.hasVideo.value).toBe(false)

    const stream = fakeMediaStream('s1')
    streams.set(stream)
    await nextTick()
    expect(video().srcObject).toBe(stream)
    expect(binding.hasVideo.value).toBe(true)
    expect(played).toEqual([video()])
  })

  it('reports frames once the element has decoded data, and forgets them when the stream goes', async () => {
    const streams = createFakeStreams()
    streams.set(fakeMediaStream('s1'))
    const { binding, video } = mountBinding(streams.registry, () => 's1')
    await nextTick()
    expect(binding.hasFrames.value).toBe(false)
    video().dispatchEvent(new Event('loadeddata'))
    expect(binding.hasFrames.value).toBe(true)
    streams.delete('s1')
    await nextTick()
    expect(binding.hasFrames.value).toBe(false)
  })

  it('follows tracks leaving the stream and the stream leaving the registry', async () => {
    const streams = createFakeStreams()
    const videoTrack = fakeTrack('video')
    const stream = fakeMediaStream('s1', [fakeTrack('audio'), videoTrack])
    streams.set(stream)
    const { binding, video } = mountBinding(streams.registry, () => 's1')
    await nextTick()
    expect(binding.hasVideo.value).toBe(true)

    stream.removeTrack(videoTrack)
    expect(binding.hasVideo.value).toBe(false)

    streams.delete('s1')
    await nextTick()
    expect(video().srcObject).toBeNull()
  })

  it('switches when the stream id changes', async () => {
    const streams = createFakeStreams()
    const a = fakeMediaStream('a')
    const b = fakeMediaStream('b')
    streams.set(a)
    streams.set(b)
    const id = shallowRef('a')
    const { video } = mountBinding(streams.registry, () => id.value)
    await nextTick()
    expect(video().srcObject).toBe(a)
    id.value = 'b'
    await nextTick()
    expect(video().srcObject).toBe(b)
  })

  it('unsubscribes and releases the element when the component goes away', async () => {
    const streams = createFakeStreams()
    streams.set(fakeMediaStream('s1'))
    const registered = new Set<unknown>()
    const { wrapper, video } = mountBinding(streams.registry, () => 's1', {
      register: (el) => registered.add(el),
      unregister: (el) => registered.delete(el),
    })
    await nextTick()
    const element = video()
    expect(streams.listenerCount()).toBe(1)
    expect(registered.size).toBe(1)
    wrapper.unmount()
    expect(streams.listenerCount()).toBe(0)
    expect(registered.size).toBe(0)
    expect(element.srcObject).toBeNull()
  })
})
