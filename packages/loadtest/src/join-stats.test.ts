import { describe, expect, it } from 'vitest'
import { median, paired } from './join-stats.js'

describe('median', () => {
  it('takes the middle value of an odd count and the mean of the middle two of an even one', () => {
    expect(median([5, 1, 3])).toBe(3)
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })
  it('is NaN for no values', () => {
    expect(median([])).toBeNaN()
  })
})

describe('paired', () => {
  it('takes the median of the round-by-round differences and counts the rounds the first was faster', () => {
    expect(paired([400, 380, 500], [420, 370, 450])).toEqual({ medianDifference: 10, faster: 1, rounds: 3 })
  })
  it('pairs only the rounds both have', () => {
    expect(paired([300, 310], [350])).toEqual({ medianDifference: -50, faster: 1, rounds: 1 })
  })
})
