import { describe, expect, it } from 'vitest'
import { gridShape, hueOf, initialsOf } from './grid'

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
