// Tells the core how large a remote video is shown, for the hub's choice of simulcast layer (a small
// tile gets a narrow one) and its pause of what nobody sees (core README, "videoSize"): the tile's box
// in CSS pixels (ResizeObserver) while it is on screen (IntersectionObserver) and the page is visible,
// 0×0 otherwise (off screen: even before a measurement), and 0×0 for a track no tile shows any more. The box,
// not the <video>: the element is hidden until its first frame, and a hidden size would pause the very
// video that would show it. Nothing is reported before the first measurement, but 0×0 off screen. A tile moving to another
// place in the layout (pin, unpin: unmounted here, mounted there) says nothing in between: the page's
// reports (videoSizeReports) drop the going tile's 0×0 when another tile shows the track by the end of
// that render, and the new tile reports its size once measured (stop 48: the hub heard 0×0, then 200 ms
// later the new size, and paused that video between). Vue binds: coalescing and sending are the core's.
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

/**
 * One page's reports, shared by its tiles (tileMedia.ts): a tile shows a track from `show` until its
 * `stop`, and a track no tile shows any more gets 0×0, once the render that stopped it is over (a
 * microtask: the layout's new tile for it is set up in that same render), if the core was last told
 * a size of it.
 */
export interface VideoSizeReports {
  show(trackId: string): { report(width: number, height: number): void; stop(): void }
}

export function videoSizeReports(report: ReportVideoSize, afterRender: (run: () => void) => void = (run) => queueMicrotask(run)): VideoSizeReports {
  /** How many tiles show each track now. */
  const showing = new Map<string, number>()
  /** The tracks the core was last told a nonzero size of. */
  const told = new Set<string>()
  const tell = (trackId: string, width: number, height: number) => {
    if (width > 0 && height > 0) told.add(trackId)
    else told.delete(trackId)
    report(trackId, width, height)
  }
  return {
    show(trackId) {
      showing.set(trackId, (showing.get(trackId) ?? 0) + 1)
      let stopped = false
      return {
        report: (width, height) => {
          if (!stopped) tell(trackId, width, height)
        },
        stop() {
          if (stopped) return
          stopped = true
          const left = (showing.get(trackId) ?? 1) - 1
          if (left > 0) showing.set(trackId, left)
          else showing.delete(trackId)
          afterRender(() => {
            if (!showing.has(trackId) && told.has(trackId)) tell(trackId, 0, 0)
          })
        },
      }
    },
  }
}

export interface VideoSize {
  width: number
  height: number
}

const NOT_SHOWN: VideoSize = { width: 0, height: 0 }

export function useVideoSize(
  target: MaybeRefOrGetter<Element | null | undefined>,
  trackId: MaybeRefOrGetter<string | undefined>,
  reports: VideoSizeReports | undefined,
  { window: win = globalThis as VideoSizeWindow }: { window?: VideoSizeWindow } = {},
): { size: ComputedRef<VideoSize | undefined> } {
  const measured = shallowRef<VideoSize>()
  /** The IntersectionObserver's last word (undefined before its first); always on screen without one. */
  const onScreen = shallowRef<boolean | undefined>(win.IntersectionObserver ? undefined : true)
  const pageVisible = shallowRef(win.document?.visibilityState !== 'hidden')
  useEventListener(win.document, 'visibilitychange', () => (pageVisible.value = win.document?.visibilityState !== 'hidden'))

  watch(
    () => toValue(target),
    (element, _previous, onCleanup) => {
      measured.value = undefined
      if (win.IntersectionObserver) onScreen.value = undefined
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

  // Off screen as soon as the IntersectionObserver says so, measured or not: a tile drawn hidden (display:
  // none, another page of the grid) never gets a ResizeObserver report, a 0×0 box being its initial size.
  const size = computed(() => {
    if (onScreen.value === false) return NOT_SHOWN
    return measured.value && !pageVisible.value ? NOT_SHOWN : measured.value
  })

  // The track is claimed at once (sync): a tile replacing another in the same render must be counted
  // before the render is over.
  let shown: ReturnType<VideoSizeReports['show']> | undefined
  watch(
    () => toValue(trackId),
    (id) => {
      shown?.stop()
      shown = id === undefined ? undefined : reports?.show(id)
    },
    { immediate: true, flush: 'sync' },
  )
  watch([() => toValue(trackId), () => size.value?.width, () => size.value?.height], ([id, width, height]) => {
    if (id !== undefined && width !== undefined && height !== undefined) shown?.report(width, height)
  })
  onScopeDispose(() => shown?.stop())
  return { size }
}
