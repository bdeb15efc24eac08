import { describe, expect, it } from 'vitest'
import { buildInviteUrl, invitedRoomFromUrl, urlWithout } from './invite'

describe('invite links (seed format ?roomId=…&roomName=…)', () => {
  it('builds a link from the page origin and path, dropping any other query', () => {
    expect(buildInviteUrl('https://meet.example/app/?token=secret&x=1#top', { id: 'room-1', name: 'Weekly sync' })).toBe(
      'https://meet.example/app/?roomId=room-1&roomName=Weekly+sync',
    )
  })

  it('omits an empty room name and carries a non-default hub, never the token', () => {
    const url = buildInviteUrl('http://127.0.0.1:5173/?token=t', { id: 'r', name: '' }, 'https://hub.inlive.app')
    expect(url).toBe('http://127.0.0.1:5173/?roomId=r&hub=https%3A%2F%2Fhub.inlive.app')
    expect(url).not.toContain('token')
  })

  it('reads back what it builds, including names with spaces, & and accents', () => {
    const name = 'Café & friends'
    const url = buildInviteUrl('http://localhost/', { id: 'abc', name })
    expect(invitedRoomFromUrl(url)).toEqual({ roomId: 'abc', roomName: name })
  })

  it("reads the seed tutorial's encodeURI-built links", () => {
    const seedLink = encodeURI('https://meet.example' + '?roomId=9f8e&roomName=My room')
    expect(invitedRoomFromUrl(seedLink)).toEqual({ roomId: '9f8e', roomName: 'My room' })
  })

  it('has no room without a roomId', () => {
    expect(invitedRoomFromUrl('http://localhost/?roomName=Lonely')).toBeUndefined()
    expect(invitedRoomFromUrl('http://localhost/?roomId=%20')).toBeUndefined()
    expect(invitedRoomFromUrl('http://localhost/?roomId=r2')).toEqual({ roomId: 'r2' })
  })

  it("carries the page's end-to-end encryption key in the link's fragment, and no other fragment", () => {
    expect(buildInviteUrl('http://localhost/?token=t#e2ee=Zm9vYmFyYmF6cXV4', { id: 'r', name: 'N' })).toBe('http://localhost/?roomId=r&roomName=N#e2ee=Zm9vYmFyYmF6cXV4')
    expect(buildInviteUrl('http://localhost/#section', { id: 'r' })).toBe('http://localhost/?roomId=r')
  })

  it('removes named parameters and keeps the rest', () => {
    expect(urlWithout('http://localhost/?roomId=r&roomName=n&hub=h', ['roomId', 'roomName'])).toBe('http://localhost/?hub=h')
  })
})
