// The grid's pages as state (web README, "Big rooms: pages of tiles"): the stage measured (a ResizeObserver,
// and once at mount, so that the first frame already hides the other pages' tiles: an observer reports
// after the first layout, when every tile would have told its size), the page chosen, kept within the
// pages as people come and go, and which tiles it shows where. The rules are lib/pages.ts; VideoGrid binds.
import { computed, onMounted, ref, shallowRef, toValue, watch } from 'vue'
import type { MaybeRefOrGetter, ShallowRef } from 'vue'
import { clampPage, pageOf, pagingFor, type Paging } from '../lib/pages'
import { useBoxSize, type BoxSize } from './boxSize'
import { useMediaQuery } from './browser'

export interface GridPagesOptions {
  host: Readonly<ShallowRef<HTMLElement | null>>
  keys: MaybeRefOrGetter<readonly string[]>
  speaker: MaybeRefOrGetter<string | undefined>
  sizeWindow?: { ResizeObserver?: typeof ResizeObserver }
}

export function useGridPages({ host, keys, speaker, sizeWindow = globalThis }: GridPagesOptions) {
  const observed = useBoxSize(host, sizeWindow)
  const atMount = shallowRef<BoxSize>()
  onMounted(() => {
    const box = host.value?.getBoundingClientRect()
    if (box && box.width > 0 && box.height > 0) atMount.value = { width: box.width, height: box.height }
  })
  const stage = computed(() => {
    const size = observed.value ?? atMount.value
    return size && size.width > 0 && size.height > 0 ? size : undefined
  })
  // A phone held upright keeps its scrolling two columns (lib/grid.ts phoneGridShape): no pages.
  const phone = useMediaQuery('(max-width: 480px) and (orientation: portrait)')

  const count = computed(() => toValue(keys).length)
  const paging = computed<Paging>(() => (stage.value && !phone.value ? pagingFor(count.value, stage.value) : { pageSize: count.value, pages: 1 }))
  const chosen = ref(0)
  const page = computed(() => clampPage(chosen.value, paging.value.pages))
  // Someone leaving the last page (or a smaller window) takes you to the new last page, and you stay there.
  watch(page, (clamped) => (chosen.value = clamped))
  /** The tiles on the page shown, each with its place on it. */
  const placed = computed(() => pageOf(toValue(keys), page.value, paging.value.pageSize, toValue(speaker)))

  function turn(by: number) {
    chosen.value = clampPage(page.value + by, paging.value.pages)
  }

  return { paging, page, placed, turn }
}
