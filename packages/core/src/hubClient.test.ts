import { describe, expect, it } from 'vitest'
import { createHubClient, HubError } from './hubClient.js'
import { FAKE_HUB_URL, FakeHub } from './test-support/index.js'
import type { FetchLike } from './ports.js'

function client(hub = new FakeHub(), accessToken?: string) {
  return { hub, api: createHubClient({ baseUrl: `${FAKE_HUB_URL}/`, fetch: hub.fetch, ...(accessToken ? { accessToken } : {}) }) }
}

async function expectHubError(promise: Promise<unknown>, kind: HubError['kind'], status: number) {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(HubError)
  expect(error).toMatchObject({ kind, status })
}

describe('hub client', () => {
  it('sends Authorization only on the routes the hosted hub authenticates, and JSON content type always', async () => {
    const { hub, api } = client(new FakeHub(), 'token-1')
    const room = await api.createRoom({ name: 'Standup' })
    await api.getRoom(room.id)
    const registered = await api.register(room.id, { name: 'Ada' })
    await api.setMeta(room.id, { k: 1 })
    await api.endRoom(room.id)
    const authorized = hub.log.filter((r) => r.headers.Authorization === 'Bearer token-1').map((r) => r.route)
    expect(authorized).toEqual(['createRoom', 'getRoom', 'register', 'endRoom'])
    expect(hub.log.every((r) => r.headers['Content-Type'] === 'application/json')).toBe(true)
    expect(registered).toMatchObject({ client_id: 'client1', name: 'Ada' })
    expect(hub.requests('setMeta')[0]?.body).toEqual({ k: 1 })
  })

  it('returns the host key of a room with host controls and sends it, with our client id, on end, mute and remove', async () => {
    const { hub, api } = client()
    const room = await api.createRoom({ options: { parley: { host_controls: true } } })
    expect(room.host_key).toBe(`key-${room.id}`)
    const host = { key: room.host_key!, clientId: 'c1' }
    await api.muteClient(room.id, 'c2', host)
    await api.removeClient(room.id, 'c2', host)
    await api.endRoom(room.id, undefined, host)
    for (const route of ['muteClient', 'removeClient', 'endRoom'] as const) {
      expect(hub.requests(route)[0]).toMatchObject({ headers: { 'X-Parley-Host-Key': host.key }, body: { by_client_id: 'c1' } })
    }
    expect(hub.requests('removeClient')[0]?.path).toBe(`/v1/rooms/${room.id}/parley/remove/c2`)
    hub.next('removeClient', { status: 404 })
    await expectHubError(api.removeClient(room.id, 'gone', host), 'client-gone', 404)
  })

  it('locks with the key at parley/lock; registers with the key when given; a 403 room_locked is its own kind', async () => {
    const { hub, api } = client()
    const room = await api.createRoom({ options: { parley: { host_controls: true } } })
    await api.lockRoom(room.id, true, { key: room.host_key!, clientId: 'c1' })
    expect(hub.requests('lockRoom')[0]).toMatchObject({ path: `/v1/rooms/${room.id}/parley/lock`, method: 'PUT', headers: { 'X-Parley-Host-Key': room.host_key }, body: { by_client_id: 'c1', locked: true } })
    await api.register(room.id, {}, undefined, { hostKey: room.host_key! })
    expect(hub.requests('register')[0]?.headers['X-Parley-Host-Key']).toBe(room.host_key)
    hub.next('register', { status: 403, data: { reason: 'room_locked' } })
    await expectHubError(api.register(room.id, {}), 'room-locked', 403)
    expect(hub.requests('register')[1]?.headers['X-Parley-Host-Key']).toBeUndefined()
    hub.next('register', { status: 403, data: null })
    await expectHubError(api.register(room.id, {}), 'unauthorized', 403)
  })

  it('registers with a room pass in its header, and keeps the pass the hub answers', async () => {
    const { hub, api } = client()
    const room = await api.createRoom({ options: { parley: { host_controls: true } } })
    const registered = await api.register(room.id, { name: 'Bo' }, undefined, { pass: 'pass-0' })
    expect(registered.parley_pass).toBe('pass-client1')
    expect(hub.requests('register')[0]?.headers).toMatchObject({ 'X-Parley-Room-Pass': 'pass-0' })
    expect(hub.requests('register')[0]?.headers['X-Parley-Host-Key']).toBeUndefined()
  })

  it('makes a client a host with the key at parley/host/:clientId', async () => {
    const { hub, api } = client()
    const room = await api.createRoom({ options: { parley: { host_controls: true } } })
    await api.grantHost(room.id, 'c2', { key: room.host_key!, clientId: 'c1' })
    expect(hub.requests('grantHost')[0]).toMatchObject({ path: `/v1/rooms/${room.id}/parley/host/c2`, method: 'PUT', headers: { 'X-Parley-Host-Key': room.host_key }, body: { by_client_id: 'c1' } })
    hub.next('grantHost', { status: 404 })
    await expectHubError(api.grantHost(room.id, 'gone', { key: room.host_key!, clientId: 'c1' }), 'client-gone', 404)
  })

  it('claims the host key with the room pass at parley/host-key', async () => {
    const { hub, api } = client()
    expect(await api.claimHostKey('room1', 'pass-1')).toBe('key-granted')
    expect(hub.requests('claimHostKey')[0]).toMatchObject({ path: '/v1/rooms/room1/parley/host-key', method: 'POST', headers: { 'X-Parley-Room-Pass': 'pass-1' } })
    hub.next('claimHostKey', { status: 200, data: {} })
    await expectHubError(api.claimHostKey('room1', 'pass-1'), 'invalid-response', 200)
    hub.next('claimHostKey', { status: 403, data: null })
    await expectHubError(api.claimHostKey('room1', 'pass-1'), 'unauthorized', 403)
  })

  it('answers a knock with the key at parley/knock/:knockId, and names the knock stream', async () => {
    const { hub, api } = client()
    const room = await api.createRoom({ options: { parley: { host_controls: true } } })
    await api.answerKnock(room.id, 'k 1', false, { key: room.host_key!, clientId: 'c1' })
    expect(hub.requests('answerKnock')[0]).toMatchObject({
      path: `/v1/rooms/${room.id}/parley/knock/k%201`,
      method: 'PUT',
      headers: { 'X-Parley-Host-Key': room.host_key },
      body: { by_client_id: 'c1', admit: false },
    })
    expect(api.knockUrl('room 1', 'Bo & Cy')).toBe(`${FAKE_HUB_URL}/v1/rooms/room%201/parley/knock?name=Bo%20%26%20Cy`)
  })

  it('sends no host key and no body on end without host credentials (the hosted hub)', async () => {
    const { hub, api } = client()
    const room = await api.createRoom({})
    expect(room.host_key).toBeUndefined()
    await api.endRoom(room.id)
    expect(hub.requests('endRoom')[0]).toMatchObject({ body: undefined })
    expect(hub.requests('endRoom')[0]?.headers['X-Parley-Host-Key']).toBeUndefined()
  })

  it('omits Authorization when no token is configured', async () => {
    const { hub, api } = client()
    await api.createRoom({})
    expect(hub.log[0]?.headers.Authorization).toBeUndefined()
  })

  it('reads the negotiation lock: 2xx granted, 403/409 not now, anything else throws', async () => {
    const { hub, api } = client()
    expect(await api.isAllowNegotiate('r', 'c')).toBe(true)
    hub.next('isAllowNegotiate', { status: 403 }).next('isAllowNegotiate', { status: 409 }).next('isAllowNegotiate', { status: 500 })
    expect(await api.isAllowNegotiate('r', 'c')).toBe(false)
    expect(await api.isAllowNegotiate('r', 'c')).toBe(false)
    await expectHubError(api.isAllowNegotiate('r', 'c'), 'hub-unreachable', 500)
  })

  it('returns the answer to an offer and null after an answer', async () => {
    const { hub, api } = client()
    const answer = await api.negotiate('r', 'c', { type: 'offer', sdp: 'v=0\r\n' })
    expect(answer?.type).toBe('answer')
    expect(await api.negotiate('r', 'c', { type: 'answer', sdp: 'v=0\r\n' })).toBeNull()
    expect(hub.requests('negotiate').map((r) => r.method)).toEqual(['PUT', 'PUT'])
  })

  it('types failures by what a caller can do about them', async () => {
    const { hub, api } = client()
    await expectHubError(api.getRoom('missing'), 'room-not-found', 404)
    await expectHubError(api.register('missing', {}), 'room-not-found', 404)
    await expectHubError(api.getClient('r', 'gone'), 'client-gone', 404)
    hub.next('createRoom', { status: 401 })
    await expectHubError(api.createRoom({}), 'unauthorized', 401)
    hub.next('createRoom', { status: 409 })
    await expectHubError(api.createRoom({ id: 'taken' }), 'conflict', 409)
    hub.next('setName', { status: 400 })
    await expectHubError(api.setName('r', 'c', ''), 'bad-request', 400)
  })

  it('rejects answers that are not the v1 contract', async () => {
    const { hub, api } = client()
    hub.next('createRoom', { status: 201, raw: '<html>proxy error</html>' })
    await expectHubError(api.createRoom({}), 'invalid-response', 201)
    hub.next('createRoom', { status: 201, data: { id: 7 } })
    await expectHubError(api.createRoom({}), 'invalid-response', 201)
    hub.next('register', { status: 200, raw: JSON.stringify({ message: 'no code' }) })
    await hub.fetch(`${FAKE_HUB_URL}/v1/rooms/create`, { method: 'POST', body: '{}' })
    await expectHubError(api.register('room1', {}), 'invalid-response', 200)
  })

  it('reports a network failure as hub-unreachable, and an abort as the abort', async () => {
    const down: FetchLike = async () => {
      throw new TypeError('fetch failed')
    }
    const api = createHubClient({ baseUrl: FAKE_HUB_URL, fetch: down })
    await expectHubError(api.getClient('r', 'c'), 'hub-unreachable', 0)

    const hub = new FakeHub()
    hub.calls.gate('hub.getClient')
    const held = createHubClient({ baseUrl: FAKE_HUB_URL, fetch: hub.fetch })
    const abort = new AbortController()
    const pending = held.getClient('r', 'c', abort.signal)
    abort.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    expect(hub.calls.pending).toEqual([])
  })

  it('leaves with a keepalive DELETE and builds the beacon and events URLs', async () => {
    const { hub, api } = client()
    await api.leave('room 1', 'c/1')
    expect(hub.log[0]).toMatchObject({ route: 'leave', method: 'DELETE', keepalive: true, params: { roomId: 'room 1', clientId: 'c/1' } })
    expect(api.leaveUrl('r', 'c')).toBe(`${FAKE_HUB_URL}/v1/rooms/r/leave/c`)
    expect(api.eventsUrl('r', 'c')).toBe(`${FAKE_HUB_URL}/v1/rooms/r/events/c`)
  })

  it("acts as a client with the key its register brought (Parley's hub): the header on every request in its name, the query of its events and beacon URLs, never for another client", async () => {
    const { hub, api } = client()
    const room = await api.createRoom({ name: 'x' })
    const bitrates = { audio: 48000, audio_red: 64000, video: 1200000, video_high: 1200000, video_high_pixels: 921600, video_mid: 500000, video_mid_pixels: 259200, video_low: 150000, video_low_pixels: 64800, initial_bandwidth: 1000000 }
    hub.next('register', { status: 200, data: { client_id: 'ada', name: 'Ada', bitrates, parley_client_key: 'k+1' } })
    await api.register(room.id, { name: 'Ada' })
    await api.isAllowNegotiate(room.id, 'ada')
    await api.candidate(room.id, 'ada', { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null })
    await api.leave(room.id, 'ada')
    await api.muteClient(room.id, 'bo', { key: 'host', clientId: 'ada' })
    expect(hub.requests('isAllowNegotiate')[0]?.headers['X-Parley-Client-Key']).toBe('k+1')
    expect(hub.requests('candidate')[0]?.headers['X-Parley-Client-Key']).toBe('k+1')
    expect(hub.requests('leave')[0]?.headers['X-Parley-Client-Key']).toBe('k+1')
    expect(hub.requests('muteClient')[0]?.headers['X-Parley-Client-Key']).toBeUndefined()
    expect(hub.requests('register')[0]?.headers['X-Parley-Client-Key']).toBeUndefined()
    expect(api.eventsUrl(room.id, 'ada')).toBe(`${FAKE_HUB_URL}/v1/rooms/${room.id}/events/ada?parley_client_key=k%2B1`)
    expect(api.eventsUrl(room.id, 'ada', '7')).toBe(`${FAKE_HUB_URL}/v1/rooms/${room.id}/events/ada?lastEventId=7&parley_client_key=k%2B1`)
    expect(api.leaveUrl(room.id, 'ada')).toBe(`${FAKE_HUB_URL}/v1/rooms/${room.id}/leave/ada?parley_client_key=k%2B1`)
    expect(api.eventsUrl(room.id, 'bo')).toBe(`${FAKE_HUB_URL}/v1/rooms/${room.id}/events/bo`)
    // A new registration (a hub restart, the same uid) brings a new key: that one is used.
    hub.next('register', { status: 200, data: { client_id: 'ada', name: 'Ada', bitrates, parley_client_key: 'k2' } })
    await api.register(room.id, { uid: 'ada', name: 'Ada' })
    await api.isAllowNegotiate(room.id, 'ada')
    expect(hub.requests('isAllowNegotiate')[1]?.headers['X-Parley-Client-Key']).toBe('k2')
  })

  it('covers the rest of the v1 surface', async () => {
    const { hub, api } = client()
    const room = await api.createRoom({ name: 'x' })
    const { client_id } = await api.register(room.id, {})
    await api.setMeta(room.id, { a: { audio: true } })
    expect(await api.getMeta(room.id, 'a')).toEqual({ audio: true })
    await api.deleteMeta(room.id, 'a')
    await api.candidate(room.id, client_id, { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null })
    await api.setTrackSources(room.id, client_id, [{ track_id: 't', source: 'media' }])
    await api.subscribeTracks(room.id, client_id, [{ client_id: 'o', stream_id: 's', track_id: 't' }])
    await api.createChannel(room.id, 'chat')
    expect((await api.getClient(room.id, client_id)).id).toBe(client_id)
    expect(hub.log.map((r) => `${r.method} ${r.route}`)).toEqual([
      'POST createRoom',
      'POST register',
      'POST setMeta',
      'GET getMeta',
      'DELETE deleteMeta',
      'POST candidate',
      'PUT setTrackSources',
      'POST subscribeTracks',
      'POST createChannel',
      'GET getClient',
    ])
  })
})
