// The tile's shown size as the core hears it: the box once measured, 0×0 off screen, in a hidden tab and
// for a track the tile no longer shows; nothing before the first measurement, nothing without observers.
import { describe, expect, it } from 'vitest'
import { effectScope, nextTick, shallowRef } from 'vue'
import { useVideoSize, type VideoSizeWindow } from './useVideoSize'

/** Observers the test fires by hand, as the browser would after layout. */
function fakeWindow() {
  const resizeObservers = new Set<FakeResize>()
  const intersectionObservers = new Set<FakeIntersection>()
  class FakeResize {
    readonly observed: Element[] = []
    constructor(private readonly callback: ResizeObserverCallback) {}
    observe(element: Element) {
      this.observed.push(element)
      resizeObservers.add(this)
    }
    disconnect() {
      resizeObservers.delete(this)
    }
    fire(width: number, height: number) {
      this.callback([{ contentRect: { width, height } } as ResizeObserverEntry], this as unknown as ResizeObserver)
    }
  }
  class FakeIntersection {
    constructor(private readonly callback: IntersectionObserverCallback) {}
    observe() {
      intersectionObservers.add(this)
    }
    disconnect() {
      intersectionObservers.delete(this)
    }
    fire(isIntersecting: boolean) {
      this.callback([{ isIntersecting } as IntersectionObserverEntry], this as unknown as IntersectionObserver)
    }
  }
  const document = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState })
  const win = { ResizeObserver: FakeResize, IntersectionObserver: FakeIntersection, document } as unknown as VideoSizeWindow
  return {
    win,
    resize: (width: number, height: number) => [...resizeObservers].forEach((o) => o.fire(width, height)),
    intersect: (on: boolean) => [...intersectionObservers].forEach((o) => o.fire(on)),
    setVisibility: (state: DocumentVisibilityState) => {
      document.visibilityState = state
      document.dispatchEvent(new Event('visibilitychange'))
    },
    observers: () => resizeObservers.size + intersectionObservers.size,
  }
}

function setUp(trackId: string | null = 't1') {
  const fake = fakeWindow()
  const element = shallowRef<Element | null>(document.createElement('figure'))
  const track = shallowRef<string | undefined>(trackId ?? undefined)
  const reports: string[] = []
  const scope = effectScope()
  const { size } = scope.run(() => useVideoSize(element, track, (id, width, height) => reports.push(`${id} ${width}x${height}`), { window: fake.win }))!
  return { ...fake, element, track, reports, scope, size }
}

describe('useVideoSize', () => {
  it("reports the tile's box in whole CSS pixels once measured, and each change", async () => {
    const run = setUp()
    await nextTick()
    expect(run.reports).toEqual([])
    run.resize(639.6, 359.8)
    await nextTick()
    run.resize(320, 180)
    await nextTick()
    run.resize(320, 180)
    await nextTick()
    expect(run.reports).toEqual(['t1 640x360', 't1 320x180'])
    expect(run.size.value).toEqual({ width: 320, height: 180 })
    run.scope.stop()
  })

  it('reports 0x0 while the tile is scrolled off screen or the tab is hidden, the size again when seen', async () => {
    const run = setUp()
    run.resize(640, 360)
    await nextTick()
    run.intersect(false)
    await nextTick()
    run.intersect(true)
    await nextTick()
    run.setVisibility('hidden')
    await nextTick()
    run.setVisibility('visible')
    await nextTick()
    expect(run.reports).toEqual(['t1 640x360', 't1 0x0', 't1 640x360', 't1 0x0', 't1 640x360'])
    run.scope.stop()
  })

  it('starts at 0x0 in a tab that is hidden when the tile is drawn', async () => {
    const fake = fakeWindow()
    fake.setVisibility('hidden')
    const reports: string[] = []
    const scope = effectScope()
    scope.run(() => useVideoSize(document.createElement('figure'), 't1', (id, w, h) => reports.push(`${id} ${w}x${h}`), { window: fake.win }))
    fake.resize(640, 360)
    await nextTick()
    expect(reports).toEqual(['t1 0x0'])
    scope.stop()
  })

  it('follows the track: waits for one, and a track the tile stops showing gets 0x0', async () => {
    const run = setUp(null)
    run.resize(640, 360)
    await nextTick()
    expect(run.reports).toEqual([])
    run.track.value = 't1'
    await nextTick()
    // A fresh session's track in the same tile.
    run.track.value = 't2'
    await nextTick()
    run.track.value = undefined
    await nextTick()
    expect(run.reports).toEqual(['t1 640x360', 't1 0x0', 't2 640x360', 't2 0x0'])
    run.scope.stop()
  })

  it('says 0x0 when the tile goes (a layout move shows it elsewhere, measured anew), and lets go of its observers', async () => {
    const run = setUp()
    run.resize(640, 360)
    await nextTick()
    expect(run.observers()).toBe(2)
    run.scope.stop()
    expect(run.reports).toEqual(['t1 640x360', 't1 0x0'])
    expect(run.observers()).toBe(0)
    run.setVisibility('hidden')
    expect(run.reports).toHaveLength(2)
  })

  it('a new element is measured anew; none reports nothing, nor does a browser without ResizeObserver', async () => {
    const run = setUp()
    run.element.value = null
    await nextTick()
    run.resize(640, 360)
    await nextTick()
    expect(run.reports).toEqual([])
    run.element.value = document.createElement('figure')
    await nextTick()
    run.resize(320, 180)
    await nextTick()
    expect(run.reports).toEqual(['t1 320x180'])
    run.scope.stop()

    const reports: string[] = []
    const scope = effectScope()
    scope.run(() => useVideoSize(document.createElement('figure'), 't1', (id, w, h) => reports.push(`${id} ${w}x${h}`), { window: {} }))
    await nextTick()
    scope.stop()
    expect(reports).toEqual([])
  })
})
