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

  it('offers no way back into a room that was ended', () => {
    expect(endedScreen('host-ended', undefined, true)).toMatchObject({ title: 'The host ended the room', canJoinAgain: false })
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
  })

  it('says why the server removed you when it said so', () => {
    const clientGone = describeError({ kind: 'client-gone', message: '' }, hub)
    expect(endedScreen('removed', clientGone, true).detail).toBe(clientGone.detail)
    expect(endedScreen('removed', undefined, true).detail).toBe('The conference server closed your connection.')
  })
})
