// An element's content box in CSS pixels, kept up to date by a ResizeObserver (the window's, or a test's):
// undefined until first measured, and where there is no ResizeObserver.
import { shallowRef, toValue, watch } from 'vue'
import type { MaybeRefOrGetter, ShallowRef } from 'vue'

export interface BoxSize {
  width: number
  height: number
}

export function useBoxSize(
  target: MaybeRefOrGetter<Element | null | undefined>,
  win: { ResizeObserver?: typeof ResizeObserver } = globalThis,
): Readonly<ShallowRef<BoxSize | undefined>> {
  const size = shallowRef<BoxSize>()
  watch(
    () => toValue(target),
    (element, _previous, onCleanup) => {
      if (!element || !win.ResizeObserver) return
      const observer = new win.ResizeObserver((entries) => {
        const box = entries.at(-1)?.contentRect
        if (box) size.value = { width: Math.round(box.width), height: Math.round(box.height) }
      })
      observer.observe(element)
      onCleanup(() => observer.disconnect())
    },
    { immediate: true },
  )
  return size
}
