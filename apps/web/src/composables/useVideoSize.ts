// Tells the core how large a remote video is shown, for the hub's choice of simulcast layer (a small
// tile gets a narrow one) and its pause of what nobody sees (core README, "videoSize"): the tile's box
// in CSS pixels (ResizeObserver) while it is on screen (IntersectionObserver) and the page is visible,
// 0×0 otherwise, and 0×0 for a track the tile stops showing (another track, the tile gone). The box,
// not the <video>: the element is hidden until its first frame, and a hidden size would pause the very
// video that would show it. Nothing is reported before the first measurement, so a tile moving to
// another place in the layout (unmounted here, mounted there) says 0×0 first and its new size after.
// Vue binds: coalescing and sending are the core's.
import { computed, onScopeDispose, shallowRef, toValue, watch } from 'vue'
import type { ComputedRef, MaybeRefOrGetter } from 'vue'
import { useEventListener } from './browser'

/** The globals it uses (vueuse's configurable window): absent ones mean "never measured" or "always on screen". */
export interface VideoSizeWindow {
  ResizeObserver?: typeof ResizeObserver
  IntersectionObserver?: typeof IntersectionObserver
  document?: Pick<Document, 'visibilityState'> & EventTarget
}

export type ReportVideoSize = (trackId: string, width: number, height: number) => void

export interface VideoSize {
  width: number
  height: number
}

const NOT_SHOWN: VideoSize = { width: 0, height: 0 }

export function useVideoSize(
  target: MaybeRefOrGetter<Element | null | undefined>,
  trackId: MaybeRefOrGetter<string | undefined>,
  report: ReportVideoSize | undefined,
  { window: win = globalThis as VideoSizeWindow }: { window?: VideoSizeWindow } = {},
): { size: ComputedRef<VideoSize | undefined> } {
  const measured = shallowRef<VideoSize>()
  const onScreen = shallowRef(true)
  const pageVisible = shallowRef(win.document?.visibilityState !== 'hidden')
  useEventListener(win.document, 'visibilitychange', () => (pageVisible.value = win.document?.visibilityState !== 'hidden'))

  watch(
    () => toValue(target),
    (element, _previous, onCleanup) => {
      measured.value = undefined
      if (!element || !win.ResizeObserver) return
      const resize = new win.ResizeObserver((entries) => {
        const box = entries.at(-1)?.contentRect
        if (box) measured.value = { width: Math.round(box.width), height: Math.round(box.height) }
      })
      resize.observe(element)
      const intersection = win.IntersectionObserver ? new win.IntersectionObserver((entries) => (onScreen.value = entries.at(-1)?.isIntersecting ?? onScreen.value)) : undefined
      intersection?.observe(element)
      onCleanup(() => {
        resize.disconnect()
        intersection?.disconnect()
      })
    },
    { immediate: true },
  )

  const size = computed(() => (measured.value && (!onScreen.value || !pageVisible.value) ? NOT_SHOWN : measured.value))

  watch([() => toValue(trackId), () => size.value?.width, () => size.value?.height], ([id, width, height], [previousId, previousWidth]) => {
    if (previousId !== undefined && previousId !== id && previousWidth !== undefined) report?.(previousId, 0, 0)
    if (id !== undefined && width !== undefined && height !== undefined) report?.(id, width, height)
  })
  onScopeDispose(() => {
    const id = toValue(trackId)
    if (id !== undefined && size.value) report?.(id, 0, 0)
  })
  return { size }
}
