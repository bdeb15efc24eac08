// Binds a stream from the core's registry to a <video> element: `srcObject` follows the registry
// (streams arrive after the tile is drawn, and leave before it goes), `hasVideo` says whether a
// live video track is there to show, and every listener is removed when the scope ends.
import type { MediaStreamLike, StreamRegistry } from '../conference/types'
import { onScopeDispose, shallowRef, toValue, watch } from 'vue'
import type { MaybeRefOrGetter, ShallowRef } from 'vue'

import type { PlayableElement } from '../lib/autoplay'

export interface MediaStreamBindingOptions {
  /** Starts playback (the store's autoplay guard, which notices a NotAllowedError). */
  play?: (element: PlayableElement) => Promise<void> | void
  register?: (element: PlayableElement) => void
  unregister?: (element: PlayableElement) => void
  /** An element that outlives the binding (the self view, composables/adoptedVideo.ts) keeps its stream when the binding ends. */
  keeps?: (element: HTMLMediaElement) => boolean
}

export interface MediaStreamBinding {
  /** Put on the element: `<video :ref="(el) => (binding.element.value = el)">` or a template ref. */
  element: ShallowRef<HTMLMediaElement | null>
  stream: ShallowRef<MediaStreamLike | undefined>
  hasVideo: ShallowRef<boolean>
  /** The element has a decoded frame to show (until then a tile shows its avatar, not a black box). */
  hasFrames: ShallowRef<boolean>
}

const HAVE_CURRENT_DATA = 2

function hasLiveVideo(stream: MediaStreamLike | undefined): boolean {
  return stream?.getTracks().some((track) => track.kind === 'video' && track.readyState === 'live') ?? false
}

export function useMediaStream(
  registry: MaybeRefOrGetter<StreamRegistry | undefined>,
  streamId: MaybeRefOrGetter<string | undefined>,
  options: MediaStreamBindingOptions = {},
): MediaStreamBinding {
  const element = shallowRef<HTMLMediaElement | null>(null)
  const stream = shallowRef<MediaStreamLike | undefined>()
  const hasVideo = shallowRef(false)
  const hasFrames = shallowRef(false)

  const lookUp = () => {
    const id = toValue(streamId)
    const next = id === undefined ? undefined : toValue(registry)?.get(id)
    stream.value = next
    hasVideo.value = hasLiveVideo(next)
  }

  // Follow the registry (streams come and go) and the id (a participant's stream can change).
  let unsubscribeRegistry: (() => void) | undefined
  watch(
    () => toValue(registry),
    (current) => {
      unsubscribeRegistry?.()
      unsubscribeRegistry = current?.subscribe(lookUp)
      lookUp()
    },
    { immediate: true },
  )
  watch(() => toValue(streamId), lookUp)

  // Tracks join and leave a stream after renegotiation: recheck what the tile can show.
  watch(
    stream,
    (current, _previous, onCleanup) => {
      if (!current) return
      current.addEventListener('addtrack', lookUp)
      current.addEventListener('removetrack', lookUp)
      onCleanup(() => {
        current.removeEventListener('addtrack', lookUp)
        current.removeEventListener('removetrack', lookUp)
      })
    },
    { immediate: true },
  )

  // The autoplay guard knows every element on screen, to replay them after "Enable audio".
  watch(
    element,
    (el, _previous, onCleanup) => {
      if (!el) return
      options.register?.(el)
      // A kept element may already be another tile's (the self view moving between layouts): it stays known.
      onCleanup(() => {
        if (!options.keeps?.(el)) options.unregister?.(el)
      })
    },
    { immediate: true },
  )

  watch(
    [element, stream],
    ([el, current]) => {
      if (!el) return
      // The port type is structural; in a browser the registry holds real MediaStreams.
      const source = (current as unknown as MediaStream | undefined) ?? null
      // An element adopted while already playing this stream (the self view) has its frames now.
      if (el.srcObject !== source) el.srcObject = source
      hasFrames.value = source !== null && el.readyState >= HAVE_CURRENT_DATA
      if (current) void options.play?.(el)
    },
    { immediate: true, flush: 'post' },
  )

  watch(
    element,
    (el, _previous, onCleanup) => {
      if (!el) return
      const framesArrived = () => (hasFrames.value = el.srcObject !== null)
      const emptied = () => (hasFrames.value = false)
      el.addEventListener('loadeddata', framesArrived)
      el.addEventListener('playing', framesArrived)
      el.addEventListener('emptied', emptied)
      onCleanup(() => {
        el.removeEventListener('loadeddata', framesArrived)
        el.removeEventListener('playing', framesArrived)
        el.removeEventListener('emptied', emptied)
      })
    },
    { immediate: true },
  )

  onScopeDispose(() => {
    unsubscribeRegistry?.()
    unsubscribeRegistry = undefined
    if (element.value && !options.keeps?.(element.value)) element.value.srcObject = null
  })

  return { element, stream, hasVideo, hasFrames }
}
