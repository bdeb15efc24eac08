// The tile's shown size as the core hears it: the box once measured, 0×0 off screen, in a hidden tab and
// for a track the tile no longer shows; nothing before the first measurement, nothing without observers.
import { describe, expect, it } from 'vitest'
import { effectScope, nextTick, shallowRef } from 'vue'
import { fakeSizeWindow as fakeWindow } from '../testing/sizeWindow'
import { useVideoSize, videoSizeReports } from './useVideoSize'

function setUp(trackId: string | null = 't1') {
  const fake = fakeWindow()
  const element = shallowRef<Element | null>(document.createElement('figure'))
  const track = shallowRef<string | undefined>(trackId ?? undefined)
  const reports: string[] = []
  const scope = effectScope()
  const { size } = scope.run(() => useVideoSize(element, track, videoSizeReports((id, width, height) => reports.push(`${id} ${width}x${height}`)), { window: fake.win }))!
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

  // A tile on another page of the grid is display: none from its first render: a ResizeObserver never
  // reports a box that starts at 0×0, the IntersectionObserver says "not intersecting" at once.
  it('reports 0x0 for a tile drawn hidden (off screen before any measurement), its size once shown', async () => {
    const run = setUp()
    run.intersect(false)
    await nextTick()
    expect(run.reports).toEqual(['t1 0x0'])
    run.resize(201, 113)
    run.intersect(true)
    await nextTick()
    run.resize(0, 0)
    run.intersect(false)
    await nextTick()
    expect(run.reports).toEqual(['t1 0x0', 't1 201x113', 't1 0x0'])
    run.scope.stop()
  })

  it('starts at 0x0 in a tab that is hidden when the tile is drawn', async () => {
    const fake = fakeWindow()
    fake.setVisibility('hidden')
    const reports: string[] = []
    const scope = effectScope()
    scope.run(() => useVideoSize(document.createElement('figure'), 't1', videoSizeReports((id, w, h) => reports.push(`${id} ${w}x${h}`)), { window: fake.win }))
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

  it('says 0x0 when the tile goes (once that render is over), and lets go of its observers', async () => {
    const run = setUp()
    run.resize(640, 360)
    await nextTick()
    expect(run.observers()).toBe(2)
    run.scope.stop()
    await nextTick()
    expect(run.reports).toEqual(['t1 640x360', 't1 0x0'])
    expect(run.observers()).toBe(0)
    run.setVisibility('hidden')
    expect(run.reports).toHaveLength(2)
  })

  /** The grid's tile of t1, measured 298x168, then the stage's tile of t1 set up in the same render (a pin). */
  async function pinned() {
    const fake = fakeWindow()
    const reports: string[] = []
    const page = videoSizeReports((id, w, h) => reports.push(`${id} ${w}x${h}`))
    const grid = effectScope()
    grid.run(() => useVideoSize(document.createElement('figure'), 't1', page, { window: fake.win }))
    fake.resize(298, 168)
    await nextTick()
    grid.stop()
    const stage = effectScope()
    stage.run(() => useVideoSize(document.createElement('figure'), 't1', page, { window: fake.win }))
    await nextTick()
    return { fake, reports, stage }
  }

  // Pinning a tile draws it in another place: the grid's tile goes and the stage's comes in one render.
  it('a tile moving in the layout (the same track, a new tile in the same render) says no 0x0, only its new size once measured', async () => {
    const { fake, reports, stage } = await pinned()
    expect(reports).toEqual(['t1 298x168'])
    fake.resize(428, 241)
    await nextTick()
    expect(reports).toEqual(['t1 298x168', 't1 428x241'])
    stage.stop()
    await nextTick()
    expect(reports).toEqual(['t1 298x168', 't1 428x241', 't1 0x0'])
  })

  it('a tile that took a track over and goes before its first measurement still says 0x0 (the core had a size of it)', async () => {
    const { reports, stage } = await pinned()
    stage.stop()
    await nextTick()
    expect(reports).toEqual(['t1 298x168', 't1 0x0'])
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
    scope.run(() => useVideoSize(document.createElement('figure'), 't1', videoSizeReports((id, w, h) => reports.push(`${id} ${w}x${h}`)), { window: {} }))
    await nextTick()
    scope.stop()
    expect(reports).toEqual([])
  })
})
