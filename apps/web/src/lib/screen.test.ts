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

describe('screenOf after a Join click on the pre-join', () => {
  it('keeps the pre-join until the hub answered our first offer, then draws the call', () => {
    expect(screenOf(makeView({ status: 'joining' }), undefined, false, 'prejoin')).toBe('prejoin')
    expect(screenOf(makeView({ status: 'joining', connecting: 'negotiating' }), undefined, false, 'prejoin')).toBe('prejoin')
    expect(screenOf(makeView({ status: 'joining', connecting: 'checking' }), undefined, false, 'prejoin')).toBe('call')
    expect(screenOf(makeView({ status: 'connected' }), undefined, false, 'prejoin')).toBe('call')
  })

  it('does not go back to the pre-join from the call (a full reconnect, a Retry) or while a refresh rejoins', () => {
    expect(screenOf(makeView({ status: 'joining', connecting: 'negotiating' }), undefined, false, 'call')).toBe('call')
    expect(screenOf(makeView({ status: 'joining' }), undefined, false, 'call')).toBe('call')
    expect(screenOf(makeView({ status: 'joining' }), undefined, true, 'prejoin')).toBe('call')
  })

  it('leaves the pre-join as before when the join fails or is left', () => {
    expect(screenOf(makeView({ status: 'failed', room: { id: 'r', name: 'Team' }, error: { kind: 'negotiation-failed', message: 'x' } }), undefined, false, 'prejoin')).toBe('call')
    expect(screenOf(makeView({ status: 'leaving' }), undefined, false, 'prejoin')).toBe('call')
  })
})
