// The client key (protocol clientKey.ts) through the HTTP API on the fake media plane: anyone in a room
// knows the others' client ids; once a client presented its key, nobody without it acts as that client.
import { CLIENT_KEY_HEADER, CLIENT_KEY_PARAM, pathFor } from '@parley/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestHub, type TestHub } from './test-support/harness.js'

let hub: TestHub
afterEach(async () => {
  await hub?.close()
})

async function registerIn(roomId: string, uid: string): Promise<string> {
  const registered = await hub.request('POST', pathFor('register', { roomId }), { uid, name: uid })
  expect(registered.status).toBe(200)
  const { parley_client_key: key } = registered.body.data as { parley_client_key: string }
  return key
}

const leave = (clientId: string, headers: Record<string, string> = {}, query = '') =>
  hub.request('DELETE', pathFor('leave', { roomId: 'r', clientId }) + query, undefined, headers)

describe('the client key', () => {
  it('comes with register only: 128 random bits, another for each client, never in setname’s answer', async () => {
    hub = createTestHub()
    await hub.setupRoom('r')
    const ada = await registerIn('r', 'ada')
    const bo = await registerIn('r', 'bo')
    expect(ada).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(bo).not.toBe(ada)
    const renamed = await hub.request('PUT', pathFor('setName', { roomId: 'r', clientId: 'ada' }), { name: 'Ada' }, { [CLIENT_KEY_HEADER]: ada })
    expect(renamed.status).toBe(200)
    expect(renamed.body.data).not.toHaveProperty('parley_client_key')
  })

  it('is not needed by a client that never presents it (the SDK, the tutorial’s client): anyone may act as it, as on the hosted hub', async () => {
    hub = createTestHub()
    await hub.setupRoom('r')
    await registerIn('r', 'sdk')
    expect((await hub.request('POST', pathFor('isAllowNegotiate', { roomId: 'r', clientId: 'sdk' }))).status).toBe(200)
    expect((await leave('sdk')).status).toBe(200)
  })

  it('once presented, binds: without it, or with another client’s, every request acting as the client is refused with 403 and changes nothing', async () => {
    hub = createTestHub()
    await hub.setupRoom('r')
    const ada = await registerIn('r', 'ada')
    const bo = await registerIn('r', 'bo')
    expect((await hub.request('POST', pathFor('isAllowNegotiate', { roomId: 'r', clientId: 'ada' }), undefined, { [CLIENT_KEY_HEADER]: ada })).status).toBe(200)

    // Bo knows Ada's id (everyone in the room does) but not her key.
    const attempts = [
      await leave('ada'),
      await leave('ada', { [CLIENT_KEY_HEADER]: bo }),
      await hub.request('POST', pathFor('leaveBeacon', { roomId: 'r', clientId: 'ada' })),
      await hub.request('PUT', pathFor('setName', { roomId: 'r', clientId: 'ada' }), { name: 'Mallory' }),
      await hub.request('POST', pathFor('candidate', { roomId: 'r', clientId: 'ada' }), { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 }),
      await hub.request('PUT', pathFor('negotiate', { roomId: 'r', clientId: 'ada' }), { type: 'offer', sdp: 'v=0' }),
      await hub.request('POST', pathFor('subscribeTracks', { roomId: 'r', clientId: 'ada' }), []),
    ]
    for (const refused of attempts) {
      expect(refused.status).toBe(403)
      expect(refused.body.message).toMatch(/client key/)
    }
    const stillThere = await hub.request('GET', pathFor('getClient', { roomId: 'r', clientId: 'ada' }))
    expect(stillThere.status).toBe(200)
    expect(stillThere.body.data).toMatchObject({ name: 'ada' })

    // Ada herself, with the key in the header or (a beacon) in the query.
    expect((await hub.request('PUT', pathFor('setName', { roomId: 'r', clientId: 'ada' }), { name: 'Ada' }, { [CLIENT_KEY_HEADER]: ada })).status).toBe(200)
    expect((await leave('ada', {}, `?${CLIENT_KEY_PARAM}=${encodeURIComponent(ada)}`)).status).toBe(200)
  })

  it('guards the events stream: nobody without the key takes over a bound client’s stream; the key in the query opens it', async () => {
    hub = createTestHub()
    await hub.setupRoom('r')
    const ada = await registerIn('r', 'ada')
    await hub.request('POST', pathFor('isAllowNegotiate', { roomId: 'r', clientId: 'ada' }), undefined, { [CLIENT_KEY_HEADER]: ada })
    const taken = await hub.app.request(pathFor('events', { roomId: 'r', clientId: 'ada' }))
    expect(taken.status).toBe(403)
    expect(taken.headers.get('content-type')).toMatch(/application\/json/)
    const own = await hub.app.request(`${pathFor('events', { roomId: 'r', clientId: 'ada' })}?${CLIENT_KEY_PARAM}=${encodeURIComponent(ada)}`)
    expect(own.status).toBe(200)
    expect(own.headers.get('content-type')).toMatch(/text\/event-stream/)
    await own.body?.cancel()
  })

  it('binds at the first request that presents it, the events stream included', async () => {
    hub = createTestHub()
    await hub.setupRoom('r')
    const ada = await registerIn('r', 'ada')
    const stream = await hub.app.request(`${pathFor('events', { roomId: 'r', clientId: 'ada' })}?${CLIENT_KEY_PARAM}=${encodeURIComponent(ada)}`)
    expect(stream.status).toBe(200)
    await stream.body?.cancel()
    expect((await leave('ada')).status).toBe(403)
  })

  it('lets anyone read a client (GET, acting as nobody) and refuses a wrong key even before binding', async () => {
    hub = createTestHub()
    await hub.setupRoom('r')
    const ada = await registerIn('r', 'ada')
    await hub.request('POST', pathFor('isAllowNegotiate', { roomId: 'r', clientId: 'ada' }), undefined, { [CLIENT_KEY_HEADER]: ada })
    expect((await hub.request('GET', pathFor('getClient', { roomId: 'r', clientId: 'ada' }))).status).toBe(200)
    await registerIn('r', 'bo')
    const wrong = await leave('bo', { [CLIENT_KEY_HEADER]: 'not-the-key' })
    expect(wrong.status).toBe(403)
    expect(wrong.body.message).toBe('the client key given is not the one of client "bo"')
  })

  it('is allowed by CORS, so a page on another origin can send it', async () => {
    hub = createTestHub()
    const preflight = await hub.app.request(pathFor('leave', { roomId: 'r', clientId: 'c' }), {
      method: 'OPTIONS',
      headers: { Origin: 'http://elsewhere.test', 'Access-Control-Request-Method': 'DELETE', 'Access-Control-Request-Headers': CLIENT_KEY_HEADER },
    })
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(CLIENT_KEY_HEADER.toLowerCase())
  })
})
