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
  MAX_CHAT_TEXT_LENGTH,
  PARLEY_MUTE_EVENT,
  PARLEY_CONNECTION_EVENT,
  PARLEY_VIDEO_PAUSED_EVENT,
  PARLEY_ROOM_LOCKED_EVENT,
  PARLEY_HOST_GRANTED_EVENT,
  ClaimedHostKeySchema,
  HOST_LEFT_REASON,
  LockRoomRequestSchema,
  RoomLockSchema,
  parseChatFrame,
  SSE_EVENTS,
  IceCandidateSchema,
  describeIssues,
} from './index.js'

describe('SSE_EVENTS', () => {
  it('names every event the schemas parse, each once: what a client listens for', () => {
    expect(SSE_EVENTS).toEqual(['offer', 'candidate', 'tracks_added', 'tracks_available', 'allowed_renegotation', 'meta_changed', 'ping', 'left', 'parley_mute', 'parley_connection', 'parley_video_paused', 'parley_room_locked', 'parley_knocks', 'parley_host_granted'])
  })
})

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

  it('words why: an SDP that does not start with v=0, a body or candidate that is a JSON array, a time that is not finite', () => {
    const issues = (schema: v.GenericSchema, input: unknown) => describeIssues(v.safeParse(schema, input).issues ?? [])
    expect(issues(SessionDescriptionSchema, { type: 'offer', sdp: 'hello' })).toBe('sdp: is not an SDP (it must start with "v=0")')
    expect(issues(SessionDescriptionSchema, [])).toBe('must be a JSON object')
    expect(issues(IceCandidateSchema, [{ candidate: '' }])).toBe('must be a JSON object')
    expect(v.safeParse(IceCandidateSchema, { candidate: '' }).success).toBe(true)
    expect(parseChatFrame('{"type":"chat","id":"1","from":"c","name":"Ada","time":1e400,"text":"hi"}')).toEqual({ ok: false, error: 'chat frame: time: must be a finite number' })
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

describe('host controls (Parley extension)', () => {
  it('accepts options.parley.host_controls and keeps it through the create schema', () => {
    const parsed = v.parse(CreateRoomRequestSchema, { options: { parley: { host_controls: true } } })
    expect(parsed.options?.parley?.host_controls).toBe(true)
  })

  it('routes the moderation endpoints under /parley', () => {
    expect(pathFor('muteClient', { roomId: 'r', clientId: 'c' })).toBe('/v1/rooms/r/parley/mute/c')
    expect(pathFor('removeClient', { roomId: 'r', clientId: 'c' })).toBe('/v1/rooms/r/parley/remove/c')
    expect(pathFor('lockRoom', { roomId: 'r' })).toBe('/v1/rooms/r/parley/lock')
    expect(routes.lockRoom).toMatchObject({ method: 'PUT', auth: false, status: 200 })
  })

  it('routes a co-host grant and its claim, and parses parley_host_granted (who granted it; never the key)', () => {
    expect(pathFor('grantHost', { roomId: 'r', clientId: 'c 2' })).toBe('/v1/rooms/r/parley/host/c%202')
    expect(routes.grantHost).toMatchObject({ method: 'PUT', auth: false, status: 200 })
    expect(pathFor('claimHostKey', { roomId: 'r' })).toBe('/v1/rooms/r/parley/host-key')
    expect(routes.claimHostKey).toMatchObject({ method: 'POST', auth: false, status: 200 })
    expect(parseSseEvent(PARLEY_HOST_GRANTED_EVENT, '{"by":{"client_id":"a","name":"Ada"}}')).toMatchObject({ ok: true, data: { by: { name: 'Ada' } } })
    // Handed on by the hub (the last host present left); a reason a newer hub adds still parses.
    expect(parseSseEvent(PARLEY_HOST_GRANTED_EVENT, `{"by":{"client_id":"a","name":"Ada"},"reason":"${HOST_LEFT_REASON}"}`)).toMatchObject({ ok: true, data: { by: { client_id: 'a', name: 'Ada' }, reason: 'host_left' } })
    expect(parseSseEvent(PARLEY_HOST_GRANTED_EVENT, '{"reason":"later"}')).toMatchObject({ ok: true, data: { reason: 'later' } })
    expect(parseSseEvent(PARLEY_HOST_GRANTED_EVENT, '{"reason":5}')).toMatchObject({ ok: false })
    const withKey = parseSseEvent(PARLEY_HOST_GRANTED_EVENT, '{"host_key":"k"}')
    expect(withKey.ok && 'host_key' in withKey.data).toBe(false)
    expect(v.safeParse(ClaimedHostKeySchema, { host_key: 'k' }).success).toBe(true)
    expect(v.safeParse(ClaimedHostKeySchema, {}).success).toBe(false)
  })

  it('validates the lock body and answer, and parses parley_room_locked', () => {
    expect(v.safeParse(LockRoomRequestSchema, { locked: true, by_client_id: 'a' }).success).toBe(true)
    expect(v.safeParse(LockRoomRequestSchema, {}).success).toBe(false)
    expect(v.safeParse(LockRoomRequestSchema, { locked: 'yes' }).success).toBe(false)
    expect(v.safeParse(RoomLockSchema, { locked: false }).success).toBe(true)
    expect(parseSseEvent(PARLEY_ROOM_LOCKED_EVENT, '{"locked":true,"by":{"client_id":"a","name":"Ada"}}')).toMatchObject({ ok: true, data: { locked: true, by: { name: 'Ada' } } })
    expect(parseSseEvent(PARLEY_ROOM_LOCKED_EVENT, '{"locked":false}')).toMatchObject({ ok: true, data: { locked: false } })
    expect(parseSseEvent(PARLEY_ROOM_LOCKED_EVENT, '{}')).toMatchObject({ ok: false })
  })

  it('parses left with who did it, the shutdown reason, and parley_mute', () => {
    const left = parseSseEvent('left', '{"reason":"removed","by":{"client_id":"a","name":"Ada"}}')
    expect(left).toMatchObject({ ok: true, data: { reason: 'removed', by: { name: 'Ada' } } })
    expect(parseSseEvent('left', '{"reason":"shutdown"}')).toMatchObject({ ok: true })
    expect(parseSseEvent(PARLEY_MUTE_EVENT, '{"kind":"audio","by":{"client_id":"a","name":"Ada"}}')).toMatchObject({ ok: true })
    expect(parseSseEvent(PARLEY_MUTE_EVENT, '{"kind":"video"}')).toMatchObject({ ok: false })
    expect(parseSseEvent(PARLEY_CONNECTION_EVENT, '{"client_id":"a","problem":true}')).toMatchObject({ ok: true, data: { client_id: 'a', problem: true } })
    expect(parseSseEvent(PARLEY_CONNECTION_EVENT, '{"client_id":"a"}')).toMatchObject({ ok: false })
    expect(parseSseEvent(PARLEY_VIDEO_PAUSED_EVENT, '{"client_id":"a","track_id":"v","paused":true,"reason":"bandwidth"}')).toMatchObject({
      ok: true,
      data: { client_id: 'a', track_id: 'v', paused: true, reason: 'bandwidth' },
    })
    expect(parseSseEvent(PARLEY_VIDEO_PAUSED_EVENT, '{"client_id":"a","track_id":"v","paused":true,"reason":"cpu"}')).toMatchObject({ ok: false })
  })
})

describe('chat frames', () => {
  const message = { type: 'chat', id: '1', from: 'c1', name: 'Ada', time: 1, text: 'hi <b>' }

  it('accepts a message and keeps its text as given', () => {
    expect(parseChatFrame(JSON.stringify(message))).toEqual({ ok: true, message })
  })

  it('refuses non-text frames, malformed JSON, empty, oversized and non-string text', () => {
    expect(parseChatFrame(new Uint8Array([1]))).toMatchObject({ ok: false })
    expect(parseChatFrame('{not json')).toEqual({ ok: false, error: 'chat frame is not JSON' })
    expect(parseChatFrame(JSON.stringify({ ...message, text: '  ' }))).toMatchObject({ ok: false })
    expect(parseChatFrame(JSON.stringify({ ...message, text: 'x'.repeat(MAX_CHAT_TEXT_LENGTH + 1) }))).toMatchObject({ ok: false })
    expect(parseChatFrame(JSON.stringify({ ...message, text: 42 }))).toMatchObject({ ok: false })
  })

  it("words its issues as the hub's 400s do (describeIssues): the path where there is one, none left empty", () => {
    expect(parseChatFrame('42')).toEqual({ ok: false, error: 'chat frame: Invalid type: Expected Object but received 42' })
    expect(parseChatFrame(JSON.stringify({ ...message, text: 42 }))).toEqual({ ok: false, error: 'chat frame: text: must be text' })
  })
})
