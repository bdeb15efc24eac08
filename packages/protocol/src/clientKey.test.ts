import { describe, expect, it } from 'vitest'
import * as v from 'valibot'
import { CLIENT_KEY_PARAM, RegisteredClientSchema, withClientKey, withLastEventId } from './index.js'

describe('the client key', () => {
  it('goes in the query of a URL that cannot carry a header, encoded, after what is there', () => {
    expect(withClientKey('http://h/v1/rooms/r/events/c', 'k+/=')).toBe(`http://h/v1/rooms/r/events/c?${CLIENT_KEY_PARAM}=k%2B%2F%3D`)
    expect(withClientKey(withLastEventId('http://h/v1/rooms/r/events/c', 4), 'key')).toBe('http://h/v1/rooms/r/events/c?lastEventId=4&parley_client_key=key')
    expect(withClientKey('http://h/v1/rooms/r/leave/c', undefined)).toBe('http://h/v1/rooms/r/leave/c')
  })

  it('is an optional field of register’s answer, never empty', () => {
    const client = { client_id: 'c', name: 'Ada', bitrates: { audio: 48000, audio_red: 64000, video: 1200000, video_high: 1200000, video_high_pixels: 921600, video_mid: 500000, video_mid_pixels: 259200, video_low: 150000, video_low_pixels: 64800, initial_bandwidth: 1000000 } }
    const parsedWithout = v.safeParse(RegisteredClientSchema, client)
    expect(parsedWithout.success).toBe(true)
    const parsedWith = v.safeParse(RegisteredClientSchema, { ...client, parley_client_key: 'k' })
    expect(parsedWith.success && parsedWith.output.parley_client_key).toBe('k')
    expect(v.safeParse(RegisteredClientSchema, { ...client, parley_client_key: '' }).success).toBe(false)
  })
})
