import { describe, expect, it } from 'vitest'
import { median, paired, roundOrder } from './join-stats.js'

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

describe('roundOrder', () => {
  const clients = ['parley', 'before', 'sdk']
  const rounds = Array.from({ length: 6 }, (_, round) => roundOrder(clients, round))
  it('rotates forwards for n rounds, then backwards for n', () => {
    expect(rounds).toEqual([
      ['parley', 'before', 'sdk'],
      ['before', 'sdk', 'parley'],
      ['sdk', 'parley', 'before'],
      ['sdk', 'before', 'parley'],
      ['before', 'parley', 'sdk'],
      ['parley', 'sdk', 'before'],
    ])
  })
  it('over 2n rounds puts each client first equally often and after each other client equally often', () => {
    const first = new Map<string, number>()
    const after = new Map<string, number>()
    for (const round of rounds) {
      first.set(round[0]!, (first.get(round[0]!) ?? 0) + 1)
      for (let i = 1; i < round.length; i++) after.set(`${round[i - 1]}>${round[i]}`, (after.get(`${round[i - 1]}>${round[i]}`) ?? 0) + 1)
    }
    expect([...first.values()]).toEqual([2, 2, 2])
    expect(after.size).toBe(6)
    expect(new Set(after.values())).toEqual(new Set([2]))
  })
  it('numbers warm-up rounds below 0, continuing the cycle backwards', () => {
    expect(roundOrder(clients, -1)).toEqual(rounds[5])
  })
})
