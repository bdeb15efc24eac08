import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import {
  CreateRoomRequestSchema,
  RegisterRequestSchema,
  SessionDescriptionSchema,
  SetMetaRequestSchema,
  SubscribeTracksRequestSchema,
  clientIdOfMediaStateKey,
  mediaStateMetaKey,
  parseSseEvent,
  pathFor,
  routes,
  type SseEventName,
} from './index.js'

describe('pathFor', () => {
  it('builds /v1 paths and percent-encodes parameters', () => {
    expect(pathFor('negotiate', { roomId: 'r 1', clientId: 'c/2' })).toBe('/v1/rooms/r%201/negotiate/c%2F2')
    expect(pathFor('createRoom', {})).toBe('/v1/rooms/create')
  })

  it('knows the spellings the hosted hub and the SDK use', () => {
    expect(routes.createChannel.path).toBe('/room/:roomId/channel/create')
    expect(routes.createChannelPlural.path).toBe('/rooms/:roomId/channel/create')
    expect(routes.leaveBeacon.method).toBe('POST')
    expect(routes.createRoom.status).toBe(201)
  })
})

describe('request schemas', () => {
  it('accepts a numeric uid (2023 tutorial) and a string uid (current clients)', () => {
    expect(v.safeParse(RegisterRequestSchema, { uid: 412 }).success).toBe(true)
    expect(v.safeParse(RegisterRequestSchema, { uid: 'client42' }).success).toBe(true)
    expect(v.safeParse(RegisterRequestSchema, { uid: true }).success).toBe(false)
  })

  it('rejects SDP that is not SDP, and oversized SDP', () => {
    expect(v.safeParse(SessionDescriptionSchema, { type: 'offer', sdp: 'hello' }).success).toBe(false)
    expect(v.safeParse(SessionDescriptionSchema, { type: 'offer', sdp: `v=0\r\n${'a'.repeat(200_000)}` }).success).toBe(false)
    expect(v.safeParse(SessionDescriptionSchema, { type: 'pranswer', sdp: 'v=0\r\n' }).success).toBe(false)
    expect(v.safeParse(SessionDescriptionSchema, { type: 'answer', sdp: 'v=0\r\n' }).success).toBe(true)
  })

  it('accepts the SDK create-room body with zeroed options', () => {
    const body = { id: '', name: '', options: { bitrates: { audio: 0 }, codecs: [], pli_interval_ns: 0 } }
    expect(v.safeParse(CreateRoomRequestSchema, body).success).toBe(true)
  })

  it('rejects arrays where the contract wants a JSON object', () => {
    expect(v.safeParse(CreateRoomRequestSchema, []).success).toBe(false)
    expect(v.safeParse(RegisterRequestSchema, [{ uid: 'a' }]).success).toBe(false)
    expect(v.safeParse(SetMetaRequestSchema, ['a']).success).toBe(false)
    expect(v.safeParse(SetMetaRequestSchema, { a: 1 }).success).toBe(true)
  })

  it('treats stream_id as optional in subscribetracks', () => {
    expect(v.safeParse(SubscribeTracksRequestSchema, [{ client_id: 'a', track_id: 't' }]).success).toBe(true)
    expect(v.safeParse(SubscribeTracksRequestSchema, { client_id: 'a' }).success).toBe(false)
  })
})

describe('parseSseEvent', () => {
  it('validates event payloads', () => {
    expect(parseSseEvent('offer', JSON.stringify({ type: 'offer', sdp: 'v=0\r\n' }))).toEqual({
      ok: true,
      name: 'offer',
      data: { type: 'offer', sdp: 'v=0\r\n' },
    })
    const bad = parseSseEvent('meta_changed', JSON.stringify({ a: 1, b: 2 }))
    expect(bad).toEqual({ ok: false, error: 'meta_changed: must carry exactly one key' })
    expect(parseSseEvent('candidate', '{nope')).toEqual({ ok: false, error: 'candidate: data is not JSON' })
  })

  it('returns a union discriminated by the event name when the name is not known statically', () => {
    const name: SseEventName = ['left', 'offer'][0] as SseEventName
    const parsed = parseSseEvent(name, JSON.stringify({ reason: 'ended' }))
    // The switch narrows `data` to the event's own payload type: no cast needed.
    const reason = parsed.ok && parsed.name === 'left' ? parsed.data.reason : undefined
    expect(reason).toBe('ended')
  })
})

describe('media state convention', () => {
  it('round-trips a client id through its meta key', () => {
    expect(clientIdOfMediaStateKey(mediaStateMetaKey('abc'))).toBe('abc')
    expect(clientIdOfMediaStateKey('other')).toBeUndefined()
  })
})
