import { describe, expect, it } from 'vitest'
import { effectScope, nextTick, ref, shallowRef } from 'vue'
import { useAudioOutput } from './audioOutput'

/** A media element that records the sinks it was routed to. */
function sinkElement() {
  const sinks: string[] = []
  const element = document.createElement('video')
  Object.defineProperties(element, {
    sinkId: { get: () => sinks.at(-1) ?? '', configurable: true },
    setSinkId: { value: async (id: string) => void sinks.push(id), configurable: true },
  })
  return Object.assign(element, { sinks })
}

describe('useAudioOutput', () => {
  it('routes the element to the chosen speaker when it appears and whenever the choice changes', async () => {
    const element = shallowRef<HTMLMediaElement | null>(null)
    const speaker = ref<string | undefined>('spk2')
    const scope = effectScope()
    scope.run(() => useAudioOutput(element, speaker))
    const video = sinkElement()
    element.value = video
    await nextTick()
    expect(video.sinks).toEqual(['spk2'])
    speaker.value = ''
    await nextTick()
    speaker.value = ''
    await nextTick()
    expect(video.sinks).toEqual(['spk2', ''])
    scope.stop()
  })

  it('leaves an element alone without a choice (our own muted tile) or without setSinkId', async () => {
    const video = sinkElement()
    const element = shallowRef<HTMLMediaElement | null>(video)
    const scope = effectScope()
    scope.run(() => useAudioOutput(element, () => undefined))
    await nextTick()
    expect(video.sinks).toEqual([])
    const bare = document.createElement('video')
    Object.defineProperty(bare, 'setSinkId', { value: undefined })
    const plain = shallowRef<HTMLMediaElement | null>(bare)
    expect(() => scope.run(() => useAudioOutput(plain, () => 'spk2'))).not.toThrow()
    scope.stop()
  })
})
