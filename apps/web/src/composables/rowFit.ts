// Whether a row of controls fits on one line, from what is drawn rather than a guessed window width: the
// row it needs differs (host or not, sharing or not, "Stop sharing" longer than "Share screen"), and so
// does the width it gets (a docked panel narrows the call). The full row is drawn unsqueezed, so its
// width is what it needs; that width is remembered per row (`key`), so a short row knows when the full
// one would fit without drawing it again. Only a row never measured is drawn once to be measured — in
// the same rendering step, before paint — so nothing is seen to flip. The answer is a function of the
// remembered width and the width available, which the row does not change: no oscillation.
import { computed, getCurrentScope, onScopeDispose, shallowRef, watch } from 'vue'
import type { Ref } from 'vue'

export interface RowWidths {
  /** The bar's width (0 while it is not laid out). */
  available: number
  /** The width the bar needs for the row drawn now, on one line, labels unwrapped. */
  needed: number
}

/** How the bar is measured: the DOM's in the app (`domRowFit`), a double in tests. */
export interface RowFitPorts {
  measure(bar: HTMLElement): RowWidths
  /** Calls `onChange` when the bar or its row changes size (and once at the start); returns the stop function. */
  observe(bar: HTMLElement, onChange: () => void): () => void
}

export interface RowFitOptions {
  bar: Readonly<Ref<HTMLElement | null>>
  /** Which full row would be drawn (its controls and their labels): what its width is remembered under. */
  key: () => string
  /** The short row whatever the width (a phone). */
  forced?: () => boolean
  ports?: RowFitPorts
}

export interface RowFit {
  /** The settled answer: the short row (what the More menu and the notices follow). */
  compact: Readonly<Ref<boolean>>
  /** Draw the full row: it fits, or it is being measured (never painted so). */
  full: Readonly<Ref<boolean>>
}

// Subpixel layout: a row as wide as the bar fits.
const TOLERANCE = 0.5

/** The bar's widths from layout: groups as drawn (unsqueezed), its gaps and padding. */
export const domRowFit: RowFitPorts = {
  measure(bar) {
    const style = getComputedStyle(bar)
    const groups = Array.from(bar.children)
    const gaps = (parseFloat(style.columnGap) || 0) * Math.max(0, groups.length - 1)
    const needed = groups.reduce((sum, group) => sum + group.getBoundingClientRect().width, gaps + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight))
    return { available: bar.getBoundingClientRect().width, needed }
  },
  observe(bar, onChange) {
    if (typeof ResizeObserver === 'undefined') return () => undefined
    // Its callback runs after layout, before paint: reading sizes there costs no extra layout.
    const observer = new ResizeObserver(onChange)
    for (const element of [bar, ...Array.from(bar.children)]) observer.observe(element)
    return () => observer.disconnect()
  },
}

export function useRowFit({ bar, key, forced = () => false, ports = domRowFit }: RowFitOptions): RowFit {
  const needs = new Map<string, number>()
  // `measuring`: a row never measured, drawn full once to be measured (never painted so). Only the short
  // bar measures (the full one reads its width as it is drawn), so the settled answer meanwhile is short.
  const phase = shallowRef<'full' | 'compact' | 'measuring'>(forced() ? 'compact' : 'full')
  const compact = computed(() => phase.value !== 'full')
  const full = computed(() => phase.value !== 'compact')

  function decide() {
    const element = bar.value
    if (forced()) {
      phase.value = 'compact'
      return
    }
    if (!element) return
    const widths = ports.measure(element)
    if (widths.available <= 0) return // not laid out: nothing to go by
    const row = key()
    if (full.value) needs.set(row, widths.needed)
    const needed = needs.get(row)
    // Never measured: drawn full, then measured again (the watcher below, after the DOM update).
    if (needed === undefined) {
      phase.value = 'measuring'
      return
    }
    phase.value = needed > widths.available + TOLERANCE ? 'compact' : 'full'
  }

  // After each DOM update that changed the row (drawn full or not, another key): its widths anew.
  watch([full, key, forced], decide, { flush: 'post' })

  let stop: () => void = () => undefined
  watch(
    bar,
    (element) => {
      stop()
      stop = element ? ports.observe(element, decide) : () => undefined
    },
    { immediate: true, flush: 'post' },
  )
  if (getCurrentScope()) onScopeDispose(() => stop())
  return { compact, full }
}
