import { describe, expect, it } from 'vitest'
import { joinSummaryTable, participantsTitle } from './join-table.js'

const parley = { label: 'Parley web app', first: [300, 400, 350], all: [500, 700, 600] }
const sdk = { label: 'official inLive SDK 0.21.4', first: [600, 700, 500], all: [900, 1000, 1200] }

describe('participantsTitle', () => {
  it('keeps the title of one present participant and names the present ones otherwise', () => {
    expect(participantsTitle(1)).toBe('2 participants')
    expect(participantsTitle(3)).toBe('4 participants (3 present + the newcomer)')
  })
})

describe('joinSummaryTable', () => {
  it('with one present prints the first frame only, as before --present', () => {
    expect(joinSummaryTable([parley, sdk], sdk, 1)).toEqual([
      '| client | median ms | min | max | ÷ official SDK median |',
      '|---|---|---|---|---|',
      '| Parley web app | 350 | 300 | 400 | 0.58 |',
      '| official inLive SDK 0.21.4 | 600 | 500 | 700 | 1.00 |',
    ])
  })

  it('with more present adds all frames, each against the SDK’s own median of it', () => {
    const lines = joinSummaryTable([parley, sdk], sdk, 3)
    expect(lines[0]).toMatch(/first frame median ms .* all frames median ms/)
    expect(lines[2]).toBe('| Parley web app | 350 | 300 | 400 | 0.58 | 600 | 500 | 700 | 0.60 |')
    expect(lines[3]).toBe('| official inLive SDK 0.21.4 | 600 | 500 | 700 | 1.00 | 1000 | 900 | 1200 | 1.00 |')
  })

  it('without the SDK leaves the ratio NaN', () => {
    expect(joinSummaryTable([parley], undefined, 2)[2]).toBe('| Parley web app | 350 | 300 | 400 | NaN | 600 | 500 | 700 | NaN |')
  })
})
