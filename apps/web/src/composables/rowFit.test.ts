import { describe, expect, it } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import type { RowFitPorts } from './rowFit'
import { useRowFit } from './rowFit'

/** The full rows' widths by key, as layout would measure them; the short row's is 400. */
const WIDTHS: Record<string, number> = { host: 1050, 'host-sharing': 1062, guest: 950 }

/**
 * A bar whose measure reads what is drawn now (the full row or the short one, as the DOM would after the
 * update) and a ResizeObserver double: `resize` changes the width and calls back, as a layout would.
 */
function harness(available: number, options: { key?: string; phone?: boolean } = {}) {
  const key = ref(options.key ?? 'host')
  const phone = ref(options.phone ?? false)
  const widths = { ...WIDTHS }
  const bar = { available }
  let onChange = () => undefined as void
  /** For each measure: whether the full row was drawn while the settled answer was compact (measured, not shown). */
  const measured: { full: boolean; compact: boolean }[] = []
  const ports: RowFitPorts = {
    measure() {
      measured.push({ full: fit.full.value, compact: fit.compact.value })
      return { available: bar.available, needed: fit.full.value ? widths[key.value]! : 400 }
    },
    observe(_element, callback) {
      onChange = callback
      // A ResizeObserver reports once at the start, after layout.
      void Promise.resolve().then(callback)
      return () => {
        onChange = () => undefined
      }
    },
  }
  const scope = effectScope()
  const fit = scope.run(() => useRowFit({ bar: ref({} as HTMLElement), key: () => key.value, forced: () => phone.value, ports }))!
  const settle = async () => {
    for (let i = 0; i < 5; i++) await nextTick()
  }
  return {
    fit, key, phone, widths, measured, scope, settle,
    /** The window resized: the bar is `width` wide, the observer calls back. */
    async resize(width: number) {
      bar.available = width
      onChange()
      await settle()
    },
    /** Rows drawn full for a measurement only (the answer compact). */
    trials: () => measured.filter((m) => m.full && m.compact).length,
  }
}

describe('useRowFit', () => {
  it('draws the full row first and keeps it where it fits; where it does not, the short row', async () => {
    for (const [width, compact] of [[1280, false], [1050, false], [1049.7, false], [1049, true], [800, true]] as const) {
      const bar = harness(width)
      await bar.settle()
      expect(bar.fit.compact.value, `${width} px`).toBe(compact)
      expect(bar.fit.full.value).toBe(!compact)
      expect(bar.trials()).toBe(0)
      bar.scope.stop()
    }
  })

  it('goes by the row there is: a guest fits where a host does not', async () => {
    const guest = harness(1000, { key: 'guest' })
    await guest.settle()
    expect(guest.fit.compact.value).toBe(false)
    const host = harness(1000)
    await host.settle()
    expect(host.fit.compact.value).toBe(true)
  })

  it('switches once each way across the width a slow resize passes, at that width, measuring nothing new', async () => {
    const bar = harness(1000)
    await bar.settle()
    const switches: [number, boolean][] = []
    let width = 1000
    const record = () => {
      if (switches.at(-1)?.[1] !== bar.fit.compact.value) switches.push([width, bar.fit.compact.value])
    }
    record()
    for (; width <= 1100; width += 0.25) {
      await bar.resize(width)
      record()
    }
    for (width = 1100; width >= 1000; width -= 0.25) {
      await bar.resize(width)
      record()
    }
    // One threshold both ways (half a pixel of subpixel layout): 1049.5 fits, 1049.25 does not.
    expect(switches).toEqual([[1000, true], [1049.5, false], [1049.25, true]])
    expect(bar.trials()).toBe(0)
  })

  it('measures a row never drawn once, before settling; a row measured before is not drawn again', async () => {
    const bar = harness(990)
    await bar.settle()
    expect(bar.fit.compact.value).toBe(true)
    bar.key.value = 'guest' // the host left... as a guest: another row, never measured
    await bar.settle()
    expect(bar.trials()).toBe(1)
    expect(bar.fit.compact.value).toBe(false)
    bar.key.value = 'host'
    await bar.settle()
    expect(bar.fit.compact.value).toBe(true)
    bar.key.value = 'guest'
    await bar.settle()
    expect(bar.fit.compact.value).toBe(false)
    expect(bar.trials()).toBe(1)
  })

  it('a longer label that no longer fits (sharing) gives the short row, and it stays so at that width', async () => {
    const bar = harness(1055)
    await bar.settle()
    expect(bar.fit.compact.value).toBe(false)
    bar.key.value = 'host-sharing'
    await bar.settle()
    expect(bar.fit.compact.value).toBe(true)
    for (const width of [1056, 1055, 1061, 1055]) {
      await bar.resize(width)
      expect(bar.fit.compact.value).toBe(true)
    }
    expect(bar.trials()).toBe(0) // measured while drawn full, before it went short
    bar.key.value = 'host' // sharing stopped
    await bar.settle()
    expect(bar.fit.compact.value).toBe(false)
  })

  it('a row wider than remembered (same key) is put right before anything is drawn from it', async () => {
    const bar = harness(1100)
    await bar.settle()
    await bar.resize(1000)
    expect(bar.fit.compact.value).toBe(true)
    bar.widths.host = 1150 // e.g. a font that loaded meanwhile
    await bar.resize(1100)
    expect(bar.fit.compact.value).toBe(true)
    await bar.resize(1200)
    expect(bar.fit.compact.value).toBe(false)
  })

  it('keeps the short row on a phone without measuring, and measures once it is not', async () => {
    const bar = harness(1280, { phone: true })
    await bar.settle()
    expect([bar.fit.compact.value, bar.fit.full.value]).toEqual([true, false])
    expect(bar.measured).toEqual([])
    bar.phone.value = false
    await bar.settle()
    expect(bar.fit.compact.value).toBe(false)
  })

  it('decides nothing while the bar is not laid out', async () => {
    const bar = harness(0)
    await bar.settle()
    expect(bar.fit.full.value).toBe(true)
    await bar.resize(800)
    expect(bar.fit.compact.value).toBe(true)
  })
})
