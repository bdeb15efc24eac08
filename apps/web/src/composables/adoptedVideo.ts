// Your own camera plays in one <video> for the whole visit: the pre-join's preview and the call's own
// tile adopt the same element (VideoTile), so the Join click neither tears a playing element down nor
// starts a new one with the same camera (stop 30: up to 12 ms of the click's task, and the own tile
// showed its avatar until the new element's first frame). Moving an element within one task does not
// pause it (a media element is paused only if it is still out of the document at the next stable state).
import { watch, watchEffect } from 'vue'
import type { ShallowRef } from 'vue'

/** The one self-view element, created on first use (absent in tests that do not provide it). */
export type SelfVideo = () => HTMLVideoElement

/**
 * A tile's <video> made outside the template, saying what the template's <video> would: inline, playing
 * as soon as it can, and for a local tile muted (you never hear yourself). Shared by the self view and
 * others' streams (remoteVideos.ts).
 */
export function tileVideoElement(create: () => HTMLVideoElement, { local }: { local: boolean }): HTMLVideoElement {
  const element = create()
  element.autoplay = true
  if (local) {
    element.muted = true
    element.defaultMuted = true
  }
  element.playsInline = true
  element.setAttribute('playsinline', '')
  element.setAttribute('data-testid', 'tile-video')
  element.className = 'tile__video'
  return element
}

export function selfVideoOf(create: () => HTMLVideoElement): SelfVideo {
  let element: HTMLVideoElement | undefined
  return () => (element ??= tileVideoElement(create, { local: true }))
}

/**
 * Puts an element made outside the template (the self view's, or a remote stream's: remoteVideos.ts) into
 * `host` while it is drawn and binds it as the tile's media element; `classes` (the modifiers the
 * template's `<video>` would bind, e.g. mirrored, fit) follows the tile on top of `tile__video`. The
 * element is left where it is when the tile goes: the next tile showing it moves it into its own host. A
 * tile on a screen drawn ahead, hidden (`hidden()`), takes it only once shown. `video()` may have none
 * yet (a stream not delivered): the tile binds nothing until it has.
 */
export function useAdoptedVideo(
  video: (() => HTMLVideoElement | undefined) | undefined,
  host: Readonly<ShallowRef<HTMLElement | null>>,
  element: ShallowRef<HTMLMediaElement | null>,
  classes: () => Record<string, boolean>,
  hidden: () => boolean = () => false,
): void {
  if (!video) return
  const shownHost = () => (hidden() ? null : host.value)
  watch(
    [shownHost, video],
    ([el, current]) => {
      if (!el) return
      if (current && current.parentNode !== el) el.appendChild(current)
      element.value = current ?? null
    },
    { immediate: true, flush: 'sync' },
  )
  watchEffect(() => {
    const current = video()
    if (!shownHost() || !current) return
    const on = Object.entries(classes()).filter(([, set]) => set).map(([name]) => name)
    current.className = ['tile__video', ...on].join(' ')
  })
}
