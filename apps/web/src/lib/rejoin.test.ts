import { describe, expect, it } from 'vitest'
import { callToResume, parseRememberedCall, rememberedCallSerializer } from './rejoin'
import type { RememberedCall } from './rejoin'

const call: RememberedCall = {
  roomId: 'r1',
  roomName: 'Team',
  displayName: 'Ada',
  media: { audio: true, video: false },
  enabled: { audio: false, video: false },
}

describe('remembered call', () => {
  it('round-trips through storage', () => {
    expect(parseRememberedCall(rememberedCallSerializer.write(call))).toEqual(call)
    const unnamedRoom = { ...call, roomName: undefined }
    expect(parseRememberedCall(JSON.stringify(unnamedRoom))).toEqual({ roomId: 'r1', displayName: 'Ada', media: call.media, enabled: call.enabled })
  })

  it('keeps the room’s credentials, and drops fields that are not short strings', () => {
    const call = { roomId: 'r1', displayName: 'Ada', media: { audio: true, video: true }, enabled: { audio: true, video: true } }
    expect(parseRememberedCall(JSON.stringify({ ...call, credentials: { hostKey: 'k', pass: 'p' } }))?.credentials).toEqual({ hostKey: 'k', pass: 'p' })
    expect(parseRememberedCall(JSON.stringify({ ...call, credentials: { hostKey: 7, pass: 'x'.repeat(300) } }))).toEqual(call)
    expect(parseRememberedCall(JSON.stringify({ ...call, credentials: 'p' }))).toEqual(call)
  })

  it('reads anything else as nothing remembered', () => {
    for (const raw of [null, '', 'not json', '42', 'null', '{}', JSON.stringify({ ...call, roomId: '' }), JSON.stringify({ ...call, displayName: '  ' }), JSON.stringify({ ...call, media: { audio: 'yes', video: true } }), JSON.stringify({ ...call, enabled: undefined }), JSON.stringify({ ...call, roomName: 7 })]) {
      expect(parseRememberedCall(raw), String(raw)).toBeNull()
    }
  })

  it('is resumed only on a reload of the same room’s address', () => {
    const href = 'http://127.0.0.1:8080/?roomId=r1&roomName=Team'
    expect(callToResume(call, { href, navigationType: 'reload' })).toBe(call)
    expect(callToResume(call, { href, navigationType: 'navigate' })).toBeUndefined()
    expect(callToResume(call, { href, navigationType: 'back_forward' })).toBeUndefined()
    expect(callToResume(call, { href: 'http://127.0.0.1:8080/?roomId=r2', navigationType: 'reload' })).toBeUndefined()
    expect(callToResume(call, { href: 'http://127.0.0.1:8080/', navigationType: 'reload' })).toBeUndefined()
    expect(callToResume(null, { href, navigationType: 'reload' })).toBeUndefined()
  })
})
