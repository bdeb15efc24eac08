import { describe, expect, it } from 'vitest'
import { gridShape, hueOf, initialsOf, portraitGridShape } from './grid'

describe('gridShape', () => {
  it.each([
    [0, 1, 1],
    [1, 1, 1],
    [2, 2, 1],
    [3, 2, 2],
    [4, 2, 2],
    [5, 3, 2],
    [6, 3, 2],
    [9, 3, 3],
    [10, 4, 3],
    [16, 4, 4],
    [17, 5, 4],
  ])('%i tiles → %i columns × %i rows', (count, columns, rows) => {
    expect(gridShape(count)).toEqual({ columns, rows })
  })
})

describe('portraitGridShape', () => {
  it('stacks tiles on an upright phone: 2 → 1×2, 6 → 2×3, 9 → 3×3', () => {
    expect(portraitGridShape(1)).toEqual({ columns: 1, rows: 1 })
    expect(portraitGridShape(2)).toEqual({ columns: 1, rows: 2 })
    expect(portraitGridShape(6)).toEqual({ columns: 2, rows: 3 })
    expect(portraitGridShape(9)).toEqual({ columns: 3, rows: 3 })
  })
})

describe('initialsOf', () => {
  it('takes the first letters of the first and last words', () => {
    expect(initialsOf('Ada Lovelace')).toBe('AL')
    expect(initialsOf('  grace  brewster murray hopper ')).toBe('GH')
    expect(initialsOf('linus')).toBe('L')
    expect(initialsOf('Émile Zola')).toBe('ÉZ')
    expect(initialsOf('')).toBe('?')
  })
})

describe('hueOf', () => {
  it('is stable per key and within 0..359', () => {
    expect(hueOf('client-1')).toBe(hueOf('client-1'))
    expect(hueOf('client-1')).not.toBe(hueOf('client-2'))
    for (const key of ['a', 'zz', 'client-99']) expect(hueOf(key)).toBeGreaterThanOrEqual(0)
    for (const key of ['a', 'zz', 'client-99']) expect(hueOf(key)).toBeLessThan(360)
  })
})
