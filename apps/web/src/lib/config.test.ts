import { describe, expect, it } from 'vitest'
import { ConfigError, configFromJson, configFromQuery, delaysFromJson, hubPlaceOf, iceFromJson, loadConfig, normalizeHubUrl, receiveSlotsFromJson, simulcastFromJson } from './config'
import type { ConfigFetch } from './config'

function jsonResponse(body: unknown, init: { ok?: boolean; contentType?: string } = {}): ReturnType<ConfigFetch> {
  return Promise.resolve({
    ok: init.ok ?? true,
    headers: { get: (name: string) => (name.toLowerCase() === 'content-type' ? (init.contentType ?? 'application/json') : null) },
    json: () => Promise.resolve(body),
  })
}

describe('normalizeHubUrl', () => {
  it('keeps an origin and drops trailing slashes and a trailing /v1', () => {
    expect(normalizeHubUrl('https://hub.inlive.app')).toBe('https://hub.inlive.app')
    expect(normalizeHubUrl('https://hub.inlive.app/')).toBe('https://hub.inlive.app')
    expect(normalizeHubUrl(' https://hub.inlive.app/v1/ ')).toBe('https://hub.inlive.app')
    expect(normalizeHubUrl('http://127.0.0.1:8080/base/v1')).toBe('http://127.0.0.1:8080/base')
  })

  it('treats an empty value as the page origin', () => {
    expect(normalizeHubUrl('  ')).toBe('')
  })

  it('rejects what is not an http(s) URL, saying why', () => {
    expect(() => normalizeHubUrl('hub.inlive.app')).toThrow(/not a URL/)
    expect(() => normalizeHubUrl('ftp://hub.example')).toThrow(ConfigError)
  })
})

describe('configFromQuery', () => {
  it('reads ?hub= and ?token=', () => {
    expect(configFromQuery('?hub=https%3A%2F%2Fhub.inlive.app%2Fv1&token=abc')).toEqual({
      baseUrl: 'https://hub.inlive.app',
      accessToken: 'abc',
    })
  })

  it('is empty without them, and ignores room parameters', () => {
    expect(configFromQuery('?roomId=r1&roomName=Team')).toEqual({})
    expect(configFromQuery('?hub=&token=')).toEqual({})
  })
})

describe('configFromJson', () => {
  it('accepts { hubUrl, accessToken } and ignores unknown keys', () => {
    expect(configFromJson({ hubUrl: 'https://hub.example/', accessToken: 't', theme: 'x' })).toEqual({
      baseUrl: 'https://hub.example',
      accessToken: 't',
    })
  })

  it('rejects wrong shapes with a message naming the field', () => {
    expect(() => configFromJson([])).toThrow(/must hold an object/)
    expect(() => configFromJson({ hubUrl: 42 })).toThrow(/"hubUrl" must be a string/)
    expect(() => configFromJson({ accessToken: false })).toThrow(/"accessToken" must be a string/)
  })
})

describe('iceFromJson', () => {
  const turn = { urls: ['turn:turn.example:3478?transport=udp', 'turns:turn.example:5349'], username: 'u', credential: 'p' }

  it('is undefined when config.json names no ICE settings', () => {
    expect(iceFromJson({ hubUrl: 'https://hub.example' })).toBeUndefined()
  })

  it('accepts STUN and TURN servers and a transport policy, defaulting the policy to "all"', () => {
    expect(iceFromJson({ iceServers: [{ urls: 'stun:stun.example:3478' }, turn] })).toEqual({
      iceServers: [{ urls: 'stun:stun.example:3478' }, turn],
      iceTransportPolicy: 'all',
    })
    expect(iceFromJson({ iceServers: [turn], iceTransportPolicy: 'relay' })).toEqual({ iceServers: [turn], iceTransportPolicy: 'relay' })
  })

  it('rejects wrong shapes with a message naming the field and the entry', () => {
    expect(() => iceFromJson({ iceServers: 'stun:x' })).toThrow(/"iceServers" must be an array/)
    expect(() => iceFromJson({ iceServers: [42] })).toThrow(/"iceServers"\[0\] must be an object/)
    expect(() => iceFromJson({ iceServers: [{ urls: [] }] })).toThrow(/"urls" must be a URL string or a non-empty array/)
    expect(() => iceFromJson({ iceServers: [{ urls: 'https://turn.example' }] })).toThrow(/"https:\/\/turn.example" is not a stun:, stuns:, turn: or turns: URL/)
    expect(() => iceFromJson({ iceServers: [{ urls: 'turn:turn.example' }] })).toThrow(/\[0\]: a TURN server needs "username" and "credential"/)
    expect(() => iceFromJson({ iceServers: [{ urls: 'turn:t', username: 1, credential: 'p' }] })).toThrow(/"username" must be a string/)
    expect(() => iceFromJson({ iceTransportPolicy: 'none' })).toThrow(/"iceTransportPolicy" must be "all" or "relay"/)
    expect(() => iceFromJson({ iceServers: [{ urls: 'stun:s' }], iceTransportPolicy: 'relay' })).toThrow(/"relay" needs a turn: or turns: server/)
    expect(() => iceFromJson({ iceServers: [42] })).toThrow(ConfigError)
  })
})

describe('loadConfig', () => {
  it('defaults to the same origin when nothing is configured (no config.json)', async () => {
    const notFound: ConfigFetch = () => jsonResponse({}, { ok: false })
    expect(await loadConfig({ search: '', fetch: notFound })).toEqual({
      hub: { baseUrl: '' },
      source: 'default',
      statelyInspector: false,
      simulcast: true,
    })
  })

  it('reads /config.json when it exists', async () => {
    const requested: string[] = []
    const fetch: ConfigFetch = (url) => {
      requested.push(url)
      return jsonResponse({ hubUrl: 'https://hub.inlive.app', accessToken: 'secret' })
    }
    const config = await loadConfig({ search: '', fetch })
    expect(requested).toEqual(['/config.json'])
    expect(config).toMatchObject({ hub: { baseUrl: 'https://hub.inlive.app', accessToken: 'secret' }, source: 'config.json' })
  })

  it('takes ICE servers from /config.json, with or without a hub there', async () => {
    const turn = { urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'p' }
    const fetch: ConfigFetch = () => jsonResponse({ iceServers: [turn], iceTransportPolicy: 'relay' })
    expect(await loadConfig({ search: '', fetch })).toEqual({
      hub: { baseUrl: '' },
      ice: { iceServers: [turn], iceTransportPolicy: 'relay' },
      source: 'config.json',
      statelyInspector: false,
      simulcast: true,
    })
  })

  it('warns about broken ICE settings and falls back to the default, without them', async () => {
    const warnings: string[] = []
    const fetch: ConfigFetch = () => jsonResponse({ hubUrl: 'https://hub.example', iceServers: [{ urls: 'turn:t' }] })
    const config = await loadConfig({ search: '', fetch, warn: (message) => warnings.push(message) })
    expect(config).toMatchObject({ source: 'default', hub: { baseUrl: '' } })
    expect(config.ice).toBeUndefined()
    expect(warnings).toEqual([expect.stringMatching(/needs "username" and "credential"/)])
  })

  it('lets the query string win over config.json, without fetching it', async () => {
    let fetched = false
    const fetch: ConfigFetch = () => {
      fetched = true
      return jsonResponse({ hubUrl: 'https://other.example' })
    }
    const config = await loadConfig({ search: '?hub=http://127.0.0.1:9000&inspect=stately', fetch })
    expect(fetched).toBe(false)
    expect(config).toEqual({ hub: { baseUrl: 'http://127.0.0.1:9000' }, source: 'query', statelyInspector: true })
  })

  it('ignores the HTML a dev server answers for a missing config.json', async () => {
    const fetch: ConfigFetch = () => jsonResponse('<!doctype html>', { contentType: 'text/html' })
    expect((await loadConfig({ search: '', fetch })).source).toBe('default')
  })

  it('warns about a broken config.json and falls back to the default', async () => {
    const warnings: string[] = []
    const fetch: ConfigFetch = () => jsonResponse({ hubUrl: 'not a url' })
    const config = await loadConfig({ search: '', fetch, warn: (message) => warnings.push(message) })
    expect(config.source).toBe('default')
    expect(warnings).toEqual([expect.stringMatching(/not a URL/)])
  })

  it("takes config.json's advanced join deadlines (delays), and leaves the core's defaults when absent", async () => {
    const withDelays: ConfigFetch = () => jsonResponse({ delays: { connectDeadline: 8_000, iceRecheck: 500 } })
    expect(await loadConfig({ search: '', fetch: withDelays })).toEqual({ hub: { baseUrl: '' }, source: 'default', statelyInspector: false, delays: { connectDeadline: 8_000, iceRecheck: 500 }, simulcast: true })
    expect((await loadConfig({ search: '', fetch: () => jsonResponse({ hubUrl: 'https://hub.inlive.app' }) })).delays).toBeUndefined()
    expect(delaysFromJson({ delays: { connectDeadline: 8_000 } })).toEqual({ delays: { connectDeadline: 8_000 } })
    expect(delaysFromJson({ delays: { reconnectDeadline: 30_000 } })).toEqual({ delays: { reconnectDeadline: 30_000 } })
    expect(() => delaysFromJson({ delays: { reconnectDeadline: 0 } })).toThrow(/delays.reconnectDeadline.*milliseconds/)
    expect(() => delaysFromJson({ delays: { connectDeadline: '8s' } })).toThrow(/delays.connectDeadline.*milliseconds/)
    expect(() => delaysFromJson({ delays: 8_000 })).toThrow(ConfigError)
  })

  it("takes config.json's simulcast switch (a hub that cannot forward layers writes false), on when it says nothing, and rejects a non-boolean", async () => {
    const oneStream: ConfigFetch = () => jsonResponse({ simulcast: false })
    expect(await loadConfig({ search: '', fetch: oneStream })).toEqual({ hub: { baseUrl: '' }, source: 'default', statelyInspector: false, simulcast: false })
    expect((await loadConfig({ search: '', fetch: () => jsonResponse({ hubUrl: 'https://hub.inlive.app' }) })).simulcast).toBe(true)
    expect((await loadConfig({ search: '', fetch: () => jsonResponse({ simulcast: 'no' }) })).simulcast).toBe(true)
    // A `?hub=` link names another hub, untested with layers: one stream.
    expect((await loadConfig({ search: '?hub=https://hub.inlive.app', fetch: oneStream })).simulcast).toBeUndefined()
    expect(simulcastFromJson({ simulcast: true })).toEqual({ simulcast: true })
    expect(simulcastFromJson({})).toEqual({})
    expect(() => simulcastFromJson({ simulcast: 'no' })).toThrow(/"simulcast" must be true or false/)
  })

  it("takes config.json's receiveSlots (0–16) for the core, leaves the core's default when it says nothing, and rejects anything else", async () => {
    expect(await loadConfig({ search: '', fetch: () => jsonResponse({ receiveSlots: 0 }) })).toEqual({ hub: { baseUrl: '' }, source: 'default', statelyInspector: false, simulcast: true, receiveSlots: 0 })
    expect(await loadConfig({ search: '', fetch: () => jsonResponse({}) })).not.toHaveProperty('receiveSlots')
    expect(receiveSlotsFromJson({ receiveSlots: 16 })).toEqual({ receiveSlots: 16 })
    for (const bad of [-1, 2.5, 17, '3', null]) expect(() => receiveSlotsFromJson({ receiveSlots: bad })).toThrow(/"receiveSlots" must be a whole number from 0 to 16/)
    // A malformed value makes the file ignored, as any malformed file is.
    const warnings: string[] = []
    expect(await loadConfig({ search: '', fetch: () => jsonResponse({ receiveSlots: 99 }), warn: (message) => warnings.push(message) })).not.toHaveProperty('receiveSlots')
    expect(warnings).toEqual(['config.json: "receiveSlots" must be a whole number from 0 to 16'])
  })

  it('survives a network failure while fetching config.json', async () => {
    const fetch: ConfigFetch = () => Promise.reject(new TypeError('Failed to fetch'))
    expect((await loadConfig({ search: '', fetch })).source).toBe('default')
  })
})

describe('hubPlaceOf', () => {
  it('names the page origin for the default same-origin hub, and knows a loopback one', () => {
    expect(hubPlaceOf('', 'http://127.0.0.1:8080/?roomId=r')).toEqual({ host: '127.0.0.1:8080', local: true })
    expect(hubPlaceOf('', 'http://localhost:5173/')).toEqual({ host: 'localhost:5173', local: true })
    expect(hubPlaceOf('http://[::1]:9000', 'http://127.0.0.1:8080/')).toEqual({ host: '[::1]:9000', local: true })
    expect(hubPlaceOf('http://127.10.0.3:8080', 'https://example.org/')).toEqual({ host: '127.10.0.3:8080', local: true })
  })

  it('a hub elsewhere is not local, even when the page is', () => {
    expect(hubPlaceOf('https://hub.inlive.app', 'http://127.0.0.1:8080/')).toEqual({ host: 'hub.inlive.app', local: false })
    expect(hubPlaceOf('', 'http://192.168.1.10:8080/')).toEqual({ host: '192.168.1.10:8080', local: false })
    expect(hubPlaceOf('', 'http://127.0.0.1.example.org/')).toEqual({ host: '127.0.0.1.example.org', local: false })
  })
})
