import { describe, expect, it } from 'vitest'
import { capacityOf, clampPage, MAX_TILES_PER_PAGE, MIN_TILE_WIDTH, pagedOrder, pageOf, pagingFor, tileWidthFor } from './pages'

const keys = (count: number) => Array.from({ length: count }, (_, index) => `p${index + 1}`)

describe('tileWidthFor', () => {
  it('is the narrower of what the columns and the rows allow (16:9, 12 px gaps)', () => {
    // 4 tiles, 2×2 in 1000×400: the rows allow (400 − 12) / 2 × 16/9 = 344.9, the columns (1000 − 12) / 2 = 494.
    expect(tileWidthFor(4, { width: 1000, height: 400 })).toBeCloseTo(344.89, 1)
    // 3×3 in 600×900 (upright: the same shape swapped): the columns, 192.
    expect(tileWidthFor(9, { width: 600, height: 900 })).toBe(192)
  })

  it('swaps columns and rows on an upright stage, as the CSS does', () => {
    // 6 tiles: 3 columns × 2 rows, upright 2 × 3.
    expect(tileWidthFor(6, { width: 400, height: 800 })).toBe(194)
    expect(tileWidthFor(6, { width: 400, height: 800 }, false)).toBeCloseTo(125.3, 1)
  })
})

describe('capacityOf', () => {
  it('is the largest count whose tiles stay at least MIN_TILE_WIDTH wide', () => {
    // The e2e page's stage (560×400 window): 6 tiles 3×2 are 168 wide, 7 (3×3) 134.
    expect(capacityOf({ width: 528, height: 245 })).toBe(6)
    expect(tileWidthFor(6, { width: 528, height: 245 })).toBeGreaterThanOrEqual(MIN_TILE_WIDTH)
    expect(tileWidthFor(7, { width: 528, height: 245 })).toBeLessThan(MIN_TILE_WIDTH)
  })

  it('is at least one, and at most MAX_TILES_PER_PAGE however large the stage', () => {
    expect(capacityOf({ width: 100, height: 50 })).toBe(1)
    expect(capacityOf({ width: 8000, height: 5000 })).toBe(MAX_TILES_PER_PAGE)
  })

  it('takes the minimum and the cap as arguments', () => {
    expect(capacityOf({ width: 1248, height: 560 }, false, 100, 20)).toBe(20)
    expect(capacityOf({ width: 1248, height: 560 }, false, 400)).toBe(6)
  })
})

describe('pagingFor', () => {
  it('is one page, no controls, when every tile fits', () => {
    expect(pagingFor(6, { width: 528, height: 245 })).toEqual({ pageSize: 6, pages: 1 })
    expect(pagingFor(0, { width: 528, height: 245 })).toEqual({ pageSize: 1, pages: 1 })
  })

  it('pages the rest once the controls took their column beside the grid', () => {
    // 9 tiles do not fit in 528×245; beside a 56 px column, 472 wide: 4 a page (6 would be 149 wide).
    expect(pagingFor(9, { width: 528, height: 245 })).toEqual({ pageSize: 4, pages: 3 })
    expect(pagingFor(7, { width: 528, height: 245 })).toEqual({ pageSize: 4, pages: 2 })
  })

  it('on an upright stage the controls take a row under the grid', () => {
    // 400×700 upright: the grid 400×644 beside the row; 3 columns × 4 rows swapped is 12 tiles 122 wide, so 2 × 4 = 8.
    const { pageSize } = pagingFor(20, { width: 400, height: 700 })
    expect(tileWidthFor(pageSize, { width: 400, height: 644 }, true)).toBeGreaterThanOrEqual(MIN_TILE_WIDTH)
    expect(tileWidthFor(pageSize + 1, { width: 400, height: 644 }, true)).toBeLessThan(MIN_TILE_WIDTH)
  })

  it('follows the window and the people', () => {
    expect(pagingFor(49, { width: 1248, height: 560 }).pages).toBeGreaterThan(1)
    expect(pagingFor(49, { width: 1888, height: 920 }).pages).toBeLessThan(pagingFor(49, { width: 1248, height: 560 }).pages)
    expect(pagingFor(10, { width: 528, height: 245 }).pages).toBe(3)
    expect(pagingFor(13, { width: 528, height: 245 }).pages).toBe(4)
  })
})

describe('clampPage', () => {
  it('keeps the page within the pages: the last one when the page shown is gone', () => {
    expect(clampPage(2, 3)).toBe(2)
    expect(clampPage(2, 2)).toBe(1)
    expect(clampPage(0, 1)).toBe(0)
    expect(clampPage(-1, 3)).toBe(0)
  })
})

describe('pageOf and pagedOrder', () => {
  it("cuts today's order into pages, each key with its place", () => {
    expect([...pageOf(keys(9), 0, 4)]).toEqual([['p1', 0], ['p2', 1], ['p3', 2], ['p4', 3]])
    expect([...pageOf(keys(9), 1, 4).keys()]).toEqual(['p5', 'p6', 'p7', 'p8'])
    expect([...pageOf(keys(9), 2, 4).keys()]).toEqual(['p9'])
  })

  it("puts the active speaker from a later page in page 1's last place, and that tile in the speaker's", () => {
    expect(pagedOrder(keys(9), 4, 'p7')).toEqual(['p1', 'p2', 'p3', 'p7', 'p5', 'p6', 'p4', 'p8', 'p9'])
    expect([...pageOf(keys(9), 0, 4, 'p7')]).toEqual([['p1', 0], ['p2', 1], ['p3', 2], ['p7', 3]])
    expect([...pageOf(keys(9), 1, 4, 'p7').keys()]).toEqual(['p5', 'p6', 'p4', 'p8'])
    // Everyone is on exactly one page.
    const all = [0, 1, 2].flatMap((page) => [...pageOf(keys(9), page, 4, 'p9').keys()])
    expect(all.sort()).toEqual(keys(9).sort())
  })

  it('moves nobody for a speaker already on page 1, an unknown one, or none', () => {
    for (const speaker of ['p2', 'p4', 'nobody', undefined]) expect(pagedOrder(keys(9), 4, speaker)).toEqual(keys(9))
  })

  it('moves tiles only when the speaker changes: the same inputs give the same pages', () => {
    const first = [...pageOf(keys(30), 0, 12, 'p20').keys()]
    expect([...pageOf(keys(30), 0, 12, 'p20').keys()]).toEqual(first)
    const next = [...pageOf(keys(30), 0, 12, 'p25').keys()]
    expect(next.filter((key) => !first.includes(key))).toEqual(['p25'])
  })
})
