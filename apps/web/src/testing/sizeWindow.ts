// The observers and document a tile measures its size with (composables/useVideoSize.ts), fired by hand
// as the browser would after layout: happy-dom has a ResizeObserver that never reports.
import type { VideoSizeWindow } from '../composables/useVideoSize'

/** Observers the test fires by hand, as the browser would after layout. */
export function fakeSizeWindow() {
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
    /** Only the observers of `element` (the grid's stage, say, not its tiles). */
    resizeOf: (element: Element, width: number, height: number) => [...resizeObservers].filter((o) => o.observed.includes(element)).forEach((o) => o.fire(width, height)),
    intersect: (on: boolean) => [...intersectionObservers].forEach((o) => o.fire(on)),
    setVisibility: (state: DocumentVisibilityState) => {
      document.visibilityState = state
      document.dispatchEvent(new Event('visibilitychange'))
    },
    observers: () => resizeObservers.size + intersectionObservers.size,
  }
}
