import { describe, expect, it } from 'vitest'
import { makeView } from '../testing/fakeConference'
import { bannerOf, pageTitleOf, screenOf } from './screen'

describe('screenOf / bannerOf while a refresh rejoins', () => {
  it('keeps the call on screen, under the joining banner, while the preview of a rejoin runs', () => {
    for (const status of ['idle', 'previewing'] as const) {
      expect(screenOf(makeView({ status }), undefined, true)).toBe('call')
      expect(bannerOf(makeView({ status }), true)).toBe('joining')
      expect(screenOf(makeView({ status }), undefined, false)).toBe('prejoin')
      expect(bannerOf(makeView({ status }), false)).toBe('none')
    }
  })

  it('titles the tab with the room during a call only', () => {
    expect(pageTitleOf('call', 'Team')).toBe('Team · Parley')
    expect(pageTitleOf('call', undefined)).toBe('In call · Parley')
    expect(pageTitleOf('prejoin', 'Team')).toBe('Parley')
  })
})
