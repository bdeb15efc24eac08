// Others' streams play in elements made as soon as the core has them: the registry gets a hub offer's
// streams once our answer has left, just before the core reports their tracks, and the view (so their
// tile) is drawn a task and a render later. A <video> takes ~100 ms from its stream to its first frame
// (loadtest README, stop 38): here that starts before the render, and the tile adopts the element (as your
// own tile adopts the self view's, adoptedVideo.ts) instead of drawing a new <video> that starts only then.
// Not earlier: an element given its stream at the `track` event, while the answer is made, delayed the
// answer (stop 39). The core decides which streams there are (`remoteIds`); this only binds them.
import { shallowRef, watch } from 'vue'
import type { StreamRegistry } from '../conference/types'
import { tileVideoElement } from './adoptedVideo'

/** The element playing this remote stream, once the core has delivered it (reactive). */
export type RemoteVideos = (streamId: string | undefined) => HTMLVideoElement | undefined

export function remoteVideosOf(registry: () => StreamRegistry | undefined, create: () => HTMLVideoElement): RemoteVideos {
  const elements = new Map<string, HTMLVideoElement>()
  const version = shallowRef(0)
  const drop = (id: string, element: HTMLVideoElement) => {
    element.srcObject = null
    element.remove()
    elements.delete(id)
  }
  const update = (current: StreamRegistry) => {
    const ids = current.remoteIds()
    let changed = false
    for (const id of ids) {
      // The port type is structural; in a browser the registry holds real MediaStreams.
      const stream = current.get(id) as unknown as MediaStream | undefined
      let element = elements.get(id)
      if (!element) {
        element = tileVideoElement(create, { local: false })
        elements.set(id, element)
        changed = true
      }
      if (element.srcObject !== (stream ?? null)) element.srcObject = stream ?? null
    }
    for (const [id, element] of elements) {
      if (ids.includes(id)) continue
      drop(id, element)
      changed = true
    }
    if (changed) version.value += 1
  }
  watch(
    registry,
    (current, _previous, onCleanup) => {
      // A new conference: the previous one's elements go with it.
      for (const [id, element] of elements) drop(id, element)
      version.value += 1
      if (!current) return
      onCleanup(current.subscribe(() => update(current)))
      update(current)
    },
    { immediate: true, flush: 'sync' },
  )
  return (streamId) => {
    void version.value
    return streamId === undefined ? undefined : elements.get(streamId)
  }
}
