import { describe, expect, it } from 'vitest'
import { endedScreen } from './ended'
import { describeError } from './messages'

const hub = { host: '127.0.0.1:8080', local: true }

describe('endedScreen', () => {
  it('offers to join again after leaving, and after being dropped, while the room exists', () => {
    expect(endedScreen('you-left', undefined, true)).toMatchObject({ title: 'You left the room', canJoinAgain: true, canRetry: false })
    expect(endedScreen('disconnected', undefined, true)).toMatchObject({ title: 'You were disconnected', canJoinAgain: true })
    expect(endedScreen('you-left', undefined, false).canJoinAgain).toBe(false)
  })

  it('says who ended the meeting or removed you when the hub named them, and never guesses "the host"', () => {
    expect(endedScreen('host-ended', undefined, true, 'Ada')).toMatchObject({ title: 'Ada ended the meeting', canJoinAgain: false })
    expect(endedScreen('host-ended', undefined, true).title).toBe('The meeting was ended')
    expect(endedScreen('removed-by-host', undefined, true, 'Ada')).toMatchObject({ title: 'Ada removed you from the meeting', canJoinAgain: false })
    expect(endedScreen('removed-by-host', undefined, true).title).toBe('You were removed from the meeting')
    expect(endedScreen('server-stopped', undefined, true)).toMatchObject({ title: 'The server stopped', canJoinAgain: true })
    expect(endedScreen('server-stopped', undefined, true, 'Ada').title).toBe('The server stopped')
    expect(endedScreen('moved-to-another-tab', undefined, true)).toMatchObject({ title: 'You joined this call from another tab', canJoinAgain: true })
    for (const reason of ['host-ended', 'removed-by-host', 'removed', 'server-stopped', 'disconnected'] as const) {
      expect(endedScreen(reason, undefined, true, 'Ada').title).not.toMatch(/the host/i)
    }
  })

  it('offers no way back into a room that was ended', () => {
    expect(endedScreen('host-ended', undefined, true)).toMatchObject({ title: 'The meeting was ended', canJoinAgain: false })
    expect(endedScreen('you-ended', undefined, true)).toMatchObject({ title: 'You ended the room for everyone', canJoinAgain: false })
  })

  it('explains an error with its own words, with a retry only when retrying can help', () => {
    const unreachable = describeError({ kind: 'hub-unreachable', message: '' }, hub)
    expect(endedScreen('error', unreachable, false)).toMatchObject({
      title: unreachable.title,
      detail: unreachable.detail,
      canRetry: true,
      canJoinAgain: false,
    })
    const gone = describeError({ kind: 'room-not-found', message: '' }, hub)
    expect(endedScreen('error', gone, true)).toMatchObject({ title: 'This room no longer exists', canRetry: false, canJoinAgain: false })
    expect(endedScreen('error', undefined, false)).toMatchObject({ title: 'Something went wrong', canRetry: false })
    // With an invite's room, Try again is the join again: one button, not two.
    expect(endedScreen('error', unreachable, true)).toMatchObject({ canRetry: true, canJoinAgain: false })
    expect(endedScreen('error', describeError({ kind: 'knock-declined', message: '' }, hub), true)).toMatchObject({ canRetry: true, retryLabel: 'Ask again', canJoinAgain: false })
  })

  it('says why the server removed you when it said so', () => {
    const clientGone = describeError({ kind: 'client-gone', message: '' }, hub)
    expect(endedScreen('removed', clientGone, true).detail).toBe(clientGone.detail)
    expect(endedScreen('removed', undefined, true).detail).toBe('The conference server closed your connection.')
  })
})
