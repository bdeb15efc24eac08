// The grid's pages (lib/pages.ts) as the person meets them: the controls, which tiles are shown, the
// active speaker on page 1, the page kept when people come and go. happy-dom lays nothing out, so the
// stage's size is fired by hand on the grid's own ResizeObserver (testing/sizeWindow.ts).
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { TILE_MEDIA, type TileMedia } from '../composables/tileMedia'
import { createFakeStreams, makeParticipant, makeView } from '../testing/fakeConference'
import { fakeSizeWindow } from '../testing/sizeWindow'
import { buildTiles, type Tile } from '../lib/tiles'
import VideoGrid from './VideoGrid.vue'

/** The e2e page's stage (a 560×400 window): 6 tiles fit, 9 make 3 pages of 4 beside the controls. */
const SMALL = { width: 528, height: 245 }

function tilesOf(others: number): Tile[] {
  const view = makeView({
    status: 'connected',
    room: { id: 'r', name: 'Team' },
    local: { audioEnabled: true, videoEnabled: true, audioAvailable: true, videoAvailable: true, streamId: 'local' },
    participants: Array.from({ length: others }, (_, index) => makeParticipant(index + 1)),
  })
  return buildTiles(view, 'Ada')
}

async function mountGrid(others: number, stage: { width: number; height: number } | null = SMALL, speaker?: string) {
  const fake = fakeSizeWindow()
  const streams = createFakeStreams()
  const media: TileMedia = { streams: () => streams.registry, play: async () => undefined, register: () => undefined, unregister: () => undefined, sizeWindow: fake.win }
  const grid = mount(VideoGrid, { props: { tiles: tilesOf(others), speaker }, global: { provide: { [TILE_MEDIA]: media } }, attachTo: document.body })
  const resizeStage = async (size: { width: number; height: number }) => {
    fake.resizeOf(grid.element, size.width, size.height)
    await nextTick()
  }
  await nextTick() // the grid observes its stage once mounted
  if (stage) await resizeStage(stage)
  /** The tiles shown, in the order the page places them. */
  const shown = () =>
    grid
      .findAll('[data-testid="tile"]')
      .filter((tile) => (tile.element as HTMLElement).style.display !== 'none')
      .sort((a, b) => Number((a.element as HTMLElement).style.order) - Number((b.element as HTMLElement).style.order))
      .map((tile) => tile.attributes('data-participant'))
  const label = () => grid.get('[data-testid="page-label"]')
  return { grid, shown, label, resizeStage, previous: () => grid.get('[data-testid="page-previous"]'), next: () => grid.get('[data-testid="page-next"]') }
}

describe('VideoGrid pages', () => {
  it('turns pages with Page Down / Page Up while there are pages; not while typing, with a modifier, or with one page', async () => {
    const press = async (key: string, init: KeyboardEventInit = {}, target: EventTarget = document.body) => {
      const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init })
      target.dispatchEvent(event)
      await nextTick()
      return event.defaultPrevented
    }
    const { grid, shown, label } = await mountGrid(8)
    expect(await press('PageDown')).toBe(true)
    expect(label().get('.visually-hidden').text()).toBe('Page 2 of 3')
    expect(shown()).toEqual(['client-4', 'client-5', 'client-6', 'client-7'])
    await press('PageDown')
    // At the last page it stays there.
    await press('PageDown')
    expect(label().get('.visually-hidden').text()).toBe('Page 3 of 3')
    expect(await press('PageUp')).toBe(true)
    expect(label().get('.visually-hidden').text()).toBe('Page 2 of 3')
    // Typing in a field, or with a modifier: the key does what it does there.
    const field = document.body.appendChild(document.createElement('textarea'))
    expect(await press('PageUp', {}, field)).toBe(false)
    expect(await press('PageUp', { ctrlKey: true })).toBe(false)
    expect(label().get('.visually-hidden').text()).toBe('Page 2 of 3')
    field.remove()
    grid.unmount()
    // One page: nothing to turn, the key is left alone.
    const fits = await mountGrid(5)
    expect(await press('PageDown')).toBe(false)
    fits.grid.unmount()
  })

  it('shows every tile and no controls when they all fit, or before the stage is measured', async () => {
    const fits = await mountGrid(5)
    expect(fits.shown()).toHaveLength(6)
    expect(fits.grid.find('[data-testid="grid-pages"]').exists()).toBe(false)
    expect(fits.grid.get('[data-testid="video-grid"]').attributes('aria-label')).toBe('Participants')
    fits.grid.unmount()
    const unmeasured = await mountGrid(20, null)
    expect(unmeasured.shown()).toHaveLength(21)
    expect(unmeasured.grid.find('[data-testid="grid-pages"]').exists()).toBe(false)
    unmeasured.grid.unmount()
  })

  it('pages the rest: "1 / 3", labelled buttons, Previous disabled at the start and Next at the end', async () => {
    const { grid, shown, label, previous, next } = await mountGrid(8)
    const nav = grid.get('[data-testid="grid-pages"]')
    expect(nav.element.tagName).toBe('NAV')
    expect(nav.attributes('aria-label')).toBe('Pages of participants')
    expect(label().get('[aria-hidden="true"]').text()).toBe('1 / 3')
    expect(label().get('.visually-hidden').text()).toBe('Page 1 of 3')
    expect(label().attributes('aria-live')).toBe('polite')
    expect(grid.get('[data-testid="video-grid"]').attributes('aria-label')).toBe('Participants, page 1 of 3')
    expect(shown()).toEqual(['local', 'client-1', 'client-2', 'client-3'])
    // Every tile stays mounted (its element keeps playing the sound): the others are hidden.
    expect(grid.findAll('[data-testid="tile"]')).toHaveLength(9)
    expect(previous().attributes('aria-label')).toBe('Previous page')
    expect(previous().attributes('aria-disabled')).toBe('true')
    expect(next().attributes('aria-label')).toBe('Next page')
    expect(next().attributes('aria-disabled')).toBe('false')
    // Real buttons: in the Tab order, Enter and Space press them.
    expect(previous().element.tagName).toBe('BUTTON')
    expect(previous().attributes('tabindex')).toBeUndefined()

    await previous().trigger('click')
    expect(label().get('.visually-hidden').text()).toBe('Page 1 of 3')
    await next().trigger('click')
    expect(label().get('.visually-hidden').text()).toBe('Page 2 of 3')
    expect(shown()).toEqual(['client-4', 'client-5', 'client-6', 'client-7'])
    expect(previous().attributes('aria-disabled')).toBe('false')
    await next().trigger('click')
    expect(shown()).toEqual(['client-8'])
    expect(next().attributes('aria-disabled')).toBe('true')
    await next().trigger('click')
    expect(label().get('.visually-hidden').text()).toBe('Page 3 of 3')
    grid.unmount()
  })

  it("shows the active speaker from a later page in page 1's last place; only while they speak", async () => {
    const { grid, shown, next } = await mountGrid(8, SMALL, 'client-7')
    expect(shown()).toEqual(['local', 'client-1', 'client-2', 'client-7'])
    await next().trigger('click')
    expect(shown()).toEqual(['client-4', 'client-5', 'client-6', 'client-3'])
    await grid.setProps({ speaker: 'client-1' })
    expect(shown()).toEqual(['client-4', 'client-5', 'client-6', 'client-7'])
    grid.unmount()
  })

  it('clamps to the new last page when someone on it leaves, and stays there when they come back', async () => {
    const { grid, shown, label, next } = await mountGrid(8)
    await next().trigger('click')
    await next().trigger('click')
    expect(label().get('.visually-hidden').text()).toBe('Page 3 of 3')
    const everyone = tilesOf(8)
    await grid.setProps({ tiles: everyone.slice(0, 8) })
    expect(label().get('.visually-hidden').text()).toBe('Page 2 of 2')
    expect(shown()).toEqual(['client-4', 'client-5', 'client-6', 'client-7'])
    await grid.setProps({ tiles: everyone })
    expect(label().get('.visually-hidden').text()).toBe('Page 2 of 3')
    grid.unmount()
  })

  it('has no pages on a phone held upright: its two columns scroll', async () => {
    const happyDOM = (window as unknown as { happyDOM: { setViewport(size: object): void } }).happyDOM
    happyDOM.setViewport({ width: 390, height: 844 })
    try {
      const { grid, shown } = await mountGrid(20, { width: 358, height: 600 })
      expect(grid.find('[data-testid="grid-pages"]').exists()).toBe(false)
      expect(shown()).toHaveLength(21)
      grid.unmount()
    } finally {
      happyDOM.setViewport({ width: 1024, height: 768 })
    }
  })

  it('follows the stage: a larger window holds everyone on one page, the controls go', async () => {
    const { grid, shown, resizeStage } = await mountGrid(8)
    expect(grid.find('[data-testid="grid-pages"]').exists()).toBe(true)
    await resizeStage({ width: 1248, height: 560 })
    expect(grid.find('[data-testid="grid-pages"]').exists()).toBe(false)
    expect(shown()).toHaveLength(9)
    expect(grid.get('[data-testid="video-grid"]').attributes('data-cols')).toBe('3')
    grid.unmount()
  })
})
