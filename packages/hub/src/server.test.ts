import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { type IncomingMessage, request as httpRequest } from 'node:http'
import { type Socket, connect } from 'node:net'
import { join } from 'node:path'
import { pathFor } from '@parley/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from './http/app.js'
import { ConfigError, defaultMediaWorkers, HELP_TEXT, parseConfig } from './config.js'
import { type RunningHub, startHub } from './server.js'
import { FakeMediaPlane } from './test-support/fakeMediaPlane.js'

let running: RunningHub | undefined
afterEach(async () => {
  await running?.close()
  running = undefined
})

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${running!.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as { code: number; data: unknown } }
}

describe('startHub', () => {
  it('listens on an OS-chosen loopback port and serves the API and event streams over HTTP', async () => {
    const plane = new FakeMediaPlane()
    running = await startHub({ host: '127.0.0.1', port: 0, quiet: true, mediaPlane: plane })
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(running.port).toBeGreaterThan(0)
    expect((await call('POST', pathFor('createRoom', {}), { id: 'r1' })).status).toBe(201)
    expect((await call('POST', pathFor('register', { roomId: 'r1' }), { uid: 'a' })).status).toBe(200)

    const response = await fetch(`${running.url}${pathFor('events', { roomId: 'r1', clientId: 'a' })}`)
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    const reader = response.body!.getReader()
    await call('POST', pathFor('setMeta', { roomId: 'r1' }), { hello: 'world' })
    let text = ''
    while (!text.includes('data: {"hello"')) text += new TextDecoder().decode((await reader.read()).value)
    expect(text).toBe('event: ping\ndata: {"interval_ms":5000}\n\nid: 1\nevent: meta_changed\ndata: {"hello":"world"}\n\n')
    await reader.cancel()

    // The hub sees the browser's stream go away (the reconnect grace starts), and close() ends it all.
    await running.close()
    expect(plane.closed).toBe(true)
    await expect(fetch(`${running.url}/v1/rooms/r1`)).rejects.toThrow()
  })

  it('closes the connection after an oversized body, so a keep-alive client\'s next request still works', async () => {
    running = await startHub({ host: '127.0.0.1', port: 0, quiet: true, mediaPlane: new FakeMediaPlane(), bodyLimitBytes: 1_024 })
    await call('POST', pathFor('createRoom', {}), { id: 'r1' })
    for (let round = 0; round < 3; round++) {
      const tooBig = await fetch(`${running.url}${pathFor('setMeta', { roomId: 'r1' })}`, { method: 'POST', body: 'x'.repeat(200_000) })
      expect(tooBig.status).toBe(413)
      expect(tooBig.headers.get('connection')).toBe('close')
      await tooBig.text()
      // fetch reuses its pooled connection when it may: this is the request that used to fail.
      expect((await call('GET', pathFor('getRoom', { roomId: 'r1' }))).status).toBe(200)
      expect((await call('GET', pathFor('getRoom', { roomId: 'r1' }))).status).toBe(200)
    }
  })

  it('answers headers over Node\'s limit and malformed HTTP with a JSON envelope, and keeps serving', async () => {
    running = await startHub({ host: '127.0.0.1', port: 0, quiet: true, mediaPlane: new FakeMediaPlane() })
    const raw = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(running!.port, '127.0.0.1', () => socket.end(text))
        let answer = ''
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString()))
        socket.on('close', () => resolve(answer))
        socket.on('error', reject)
      })
    const huge = await raw(`GET /v1/rooms/r1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`)
    expect(huge).toMatch(/^HTTP\/1\.1 431 /)
    expect(huge).toContain('Content-Type: application/json')
    expect(JSON.parse(huge.slice(huge.indexOf('\r\n\r\n') + 4))).toEqual({ code: 431, message: expect.stringMatching(/larger than the 16 KiB/), data: null })
    const garbage = await raw('NOT HTTP AT ALL\r\n\r\n')
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /)
    expect(JSON.parse(garbage.slice(garbage.indexOf('\r\n\r\n') + 4))).toMatchObject({ code: 400, message: 'malformed HTTP request' })
    expect((await call('POST', pathFor('createRoom', {}), { id: 'r1' })).status).toBe(201)
  })

  it('ends open event streams with left on close', async () => {
    running = await startHub({ host: '127.0.0.1', port: 0, quiet: true, mediaPlane: new FakeMediaPlane() })
    await call('POST', pathFor('createRoom', {}), { id: 'r1' })
    await call('POST', pathFor('register', { roomId: 'r1' }), { uid: 'a' })
    const response = await fetch(`${running.url}${pathFor('events', { roomId: 'r1', clientId: 'a' })}`)
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    const text = response.text()
    await running.close()
    // A shutdown is not the end of the room: clients are told to come back (protocol RECONNECT_LEFT_REASONS).
    expect(await text).toBe('event: ping\ndata: {"interval_ms":5000}\n\nid: 1\nevent: left\ndata: {"reason":"shutdown"}\n\n')
  })

  it('notices a browser dropping its event stream and removes the client after the grace', async () => {
    const plane = new FakeMediaPlane()
    running = await startHub({ host: '127.0.0.1', port: 0, quiet: true, mediaPlane: plane, timings: { reconnectGraceMs: 100 } })
    await call('POST', pathFor('createRoom', {}), { id: 'r1' })
    await call('POST', pathFor('register', { roomId: 'r1' }), { uid: 'a' })
    const abort = new AbortController()
    const response = await fetch(`${running.url}${pathFor('events', { roomId: 'r1', clientId: 'a' })}`, { signal: abort.signal })
    expect(response.status).toBe(200)
    abort.abort()
    const deadline = Date.now() + 5_000
    while ((await call('GET', pathFor('getClient', { roomId: 'r1', clientId: 'a' }))).status === 200) {
      if (Date.now() > deadline) throw new Error('client still registered 5 s after its stream dropped')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(plane.peer('a').closed).toBe(true)
  })

  it('closes connections over --max-connections at accept, keeps an open event stream, and serves again once one ends', async () => {
    const warnings: Array<{ msg: string; fields?: Record<string, unknown> }> = []
    running = await startHub({
      host: '127.0.0.1',
      port: 0,
      mediaPlane: new FakeMediaPlane(),
      maxConnections: 3,
      log: (level, msg, fields) => void (level === 'warn' && warnings.push({ msg, fields })),
    })
    // One connection per request, closed after it (fetch would keep some open and blur the count).
    const request = (method: string, path: string, body?: unknown) =>
      new Promise<{ status: number; response: IncomingMessage }>((resolve, reject) => {
        const sent = httpRequest(`${running!.url}${path}`, { method, agent: false, headers: { 'Content-Type': 'application/json' } }, (response) =>
          resolve({ status: response.statusCode ?? 0, response }),
        )
        sent.on('error', reject)
        sent.end(body === undefined ? undefined : JSON.stringify(body))
      })
    const drained = async (method: string, path: string, body?: unknown) => {
      const { status, response } = await request(method, path, body)
      response.resume()
      await new Promise((resolve) => response.socket.once('close', resolve))
      return status
    }
    expect(await drained('POST', pathFor('createRoom', {}), { id: 'r1' })).toBe(201)
    expect(await drained('POST', pathFor('register', { roomId: 'r1' }), { uid: 'a' })).toBe(200)
    const stream = (await request('GET', pathFor('events', { roomId: 'r1', clientId: 'a' }))).response
    let text = ''
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()))

    const open = () =>
      new Promise<Socket>((resolve, reject) => {
        const socket = connect(running!.port, '127.0.0.1', () => resolve(socket))
        socket.on('error', reject)
      })
    // The stream and two idle sockets fill the bound: a fourth is closed before it is read.
    const idle = [await open(), await open()]
    const refused = await open()
    await new Promise((resolve) => refused.once('close', resolve))
    expect(warnings).toEqual([{ msg: 'connections refused: the hub is at its bound', fields: { maxConnections: 3, refused: 1 } }])

    // Once an idle socket goes, the hub serves again, and the stream it kept carries the room's events.
    idle[0]!.destroy()
    let status = 0
    for (const deadline = Date.now() + 5_000; status !== 200 && Date.now() < deadline; ) {
      status = await drained('POST', pathFor('setMeta', { roomId: 'r1' }), { topic: 'still here' }).catch(() => 0)
    }
    expect(status).toBe(200)
    while (!text.includes('still here')) await new Promise((resolve) => stream.once('data', resolve))
    stream.destroy()
    idle[1]!.destroy()
  })

  it('logs JSON lines with roomId and clientId', async () => {
    const lines: string[] = []
    const { createJsonLogger } = await import('./log.js')
    running = await startHub({
      host: '127.0.0.1',
      port: 0,
      mediaPlane: new FakeMediaPlane(),
      log: createJsonLogger({ write: (line) => lines.push(line) }),
    })
    await call('POST', pathFor('createRoom', {}), { id: 'r1' })
    await call('POST', pathFor('register', { roomId: 'r1' }), { uid: 'a' })
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(entries).toContainEqual(expect.objectContaining({ level: 'info', msg: 'client registered', roomId: 'r1', clientId: 'a' }))
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true)
  })
})

describe('static web app', () => {
  it('serves files, falls back to index.html for app routes, and keeps the API under /v1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-static-'))
    try {
      mkdirSync(join(dir, 'assets'))
      writeFileSync(join(dir, 'index.html'), '<!doctype html><title>parley</title>')
      writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)')
      const app = createApp({ mediaPlane: new FakeMediaPlane(), staticDir: dir })
      const script = await app.request('/assets/app.js')
      expect(script.status).toBe(200)
      expect(await script.text()).toBe('console.log(1)')
      for (const path of ['/', '/room/abc']) {
        const page = await app.request(path)
        expect(page.status).toBe(200)
        expect(await page.text()).toContain('<title>parley</title>')
      }
      const api = await app.request('/v1/unknown')
      expect(api.status).toBe(404)
      expect(api.headers.get('content-type')).toMatch(/application\/json/)
      await app.hub.close()
      // A plane that cannot forward simulcast layers tells the app it serves, on top of the file's own settings.
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ hubUrl: 'https://hub.example' }))
      const told = createApp({ mediaPlane: new FakeMediaPlane(), staticDir: dir, appConfig: { simulcast: false } })
      const config = await told.request('/config.json')
      expect(config.headers.get('content-type')).toMatch(/application\/json/)
      expect(await config.json()).toEqual({ hubUrl: 'https://hub.example', simulcast: false })
      await told.hub.close()
      writeFileSync(join(dir, 'config.json'), 'not json')
      const unreadable = createApp({ mediaPlane: new FakeMediaPlane(), staticDir: dir, appConfig: { simulcast: false } })
      expect(await (await unreadable.request('/config.json')).json()).toEqual({ simulcast: false })
      await unreadable.hub.close()
      // startHub writes it from the plane: one that declines simulcast (the ndc plane) makes the app send one stream.
      const declining = Object.assign(new FakeMediaPlane(), { simulcast: false })
      running = await startHub({ host: '127.0.0.1', port: 0, quiet: true, mediaPlane: declining, staticDir: dir })
      expect(await (await fetch(`${running.url}/config.json`)).json()).toEqual({ simulcast: false })
      await running.close()
      // One that fills no receive slot (ndc) makes the app offer one of each kind, not three dead m-lines.
      const slotless = Object.assign(new FakeMediaPlane(), { simulcast: false, fillsReceiveSlots: false })
      running = await startHub({ host: '127.0.0.1', port: 0, quiet: true, mediaPlane: slotless, staticDir: dir })
      expect(await (await fetch(`${running.url}/config.json`)).json()).toEqual({ simulcast: false, receiveSlots: 1 })
      await running.close()
      running = await startHub({ host: '127.0.0.1', port: 0, quiet: true, mediaPlane: new FakeMediaPlane(), staticDir: dir })
      expect(await (await fetch(`${running.url}/config.json`)).text()).toBe('not json')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('parseConfig', () => {
  it('has loopback defaults', () => {
    const config = parseConfig([], {})
    if (config === 'help') throw new Error('unexpected help')
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      corsOrigin: '*',
      apiKey: undefined,
      bodyLimitBytes: 256 * 1024,
      maxConnections: 10_000,
      ice: { hostAddresses: ['127.0.0.1'], allowedRemoteAddresses: ['127.0.0.1'], iceServers: [] },
    })
    expect(config.timings).toMatchObject({ connectTimeoutMs: 60_000, reconnectGraceMs: 10_000, pingIntervalMs: 5_000, answerTimeoutMs: 30_000, failedGraceMs: 5_000 })
    expect(config.limits).toEqual({
      maxRooms: 1_000,
      maxClientsPerRoom: 50,
      maxMetaCharsPerRoom: 1_048_576,
      maxMetaKeysPerRoom: 1_000,
      maxMetaKeysPerRequest: 100,
      maxCandidatesPerClient: 1_000,
      maxTracksPerClient: 8,
      maxSubscribedTracksPerClient: 100,
    })
  })

  it('reads flags and the environment', () => {
    const config = parseConfig(
      ['--port', '0', '--ice-address', '192.168.1.10', '--ice-address', '10.0.0.2', '--cors-origin', 'https://a.example', '--ice-port-range', '40000-40100', '--reconnect-grace', '500', '--failed-grace', '2000', '--host-handover-grace', '3000', '--max-rooms', '10', '--max-clients-per-room', '4', '--max-room-meta', '5000', '--max-meta-keys-per-room', '20', '--max-meta-keys-per-request', '5', '--max-candidates-per-client', '30', '--max-subscribed-tracks-per-client', '12', '--max-connections', '500', '--no-static'],
      { HOST: '0.0.0.0', PORT: '9999', PARLEY_API_KEY: 'k' },
    )
    if (config === 'help') throw new Error('unexpected help')
    expect(config.host).toBe('0.0.0.0')
    expect(config.port).toBe(0)
    expect(config.apiKey).toBe('k')
    expect(config.corsOrigin).toEqual(['https://a.example'])
    expect(config.ice).toEqual({ hostAddresses: ['192.168.1.10', '10.0.0.2'], allowedRemoteAddresses: [], iceServers: [], portRange: [40000, 40100] })
    expect(config.maxConnections).toBe(500)
    expect(config.timings.reconnectGraceMs).toBe(500)
    expect(config.timings.failedGraceMs).toBe(2_000)
    expect(config.timings.hostHandoverGraceMs).toBe(3_000)
    expect(config.limits).toEqual({
      maxRooms: 10,
      maxClientsPerRoom: 4,
      maxMetaCharsPerRoom: 5_000,
      maxMetaKeysPerRoom: 20,
      maxMetaKeysPerRequest: 5,
      maxCandidatesPerClient: 30,
      maxTracksPerClient: 8,
      maxSubscribedTracksPerClient: 12,
    })
    expect(config.staticDir).toBeUndefined()
  })

  it('is documented in the README exactly as --help prints it', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    expect(readme).toContain(HELP_TEXT.trimEnd())
  })

  it('answers help and rejects bad values with a clear message', () => {
    expect(parseConfig(['--help'])).toBe('help')
    expect(HELP_TEXT).toContain('--ice-address')
    expect(() => parseConfig(['--port', 'abc'])).toThrow(ConfigError)
    expect(() => parseConfig(['--port', '70000'])).toThrow(/--port must be a whole number from 0 to 65535/)
    expect(() => parseConfig(['--ice-port-range', '5-4'])).toThrow(/--ice-port-range/)
    expect(() => parseConfig(['--max-clients-per-room', '0'])).toThrow(/--max-clients-per-room must be a whole number from 1/)
    expect(() => parseConfig(['--bogus'])).toThrow(/bogus/)
    expect(() => parseConfig(['--media-plane', 'pion'])).toThrow(/--media-plane must be werift or ndc/)
  })

  it('selects the media plane: werift unless --media-plane ndc or PARLEY_MEDIA_PLANE=ndc (the flag wins)', () => {
    expect(parseConfig([])).toMatchObject({ mediaPlane: 'werift' })
    expect(parseConfig(['--media-plane', 'ndc'])).toMatchObject({ mediaPlane: 'ndc' })
    expect(parseConfig([], { PARLEY_MEDIA_PLANE: 'ndc' })).toMatchObject({ mediaPlane: 'ndc' })
    expect(parseConfig(['--media-plane', 'werift'], { PARLEY_MEDIA_PLANE: 'ndc' })).toMatchObject({ mediaPlane: 'werift' })
    expect(() => parseConfig([], { PARLEY_MEDIA_PLANE: 'pion' })).toThrow(/--media-plane must be werift or ndc/)
  })
})

describe('--nice', () => {
  const niceOf = (argv: string[]) => {
    const config = parseConfig(argv, {})
    if (config === 'help') throw new Error('unexpected help')
    return config.nice
  }

  it('defaults to the media workers\' -10 and takes -20 to 19', () => {
    expect(niceOf([])).toBe(-10)
    expect(niceOf(['--nice', '0'])).toBe(0)
    expect(niceOf(['--nice=-20'])).toBe(-20)
    expect(niceOf(['--nice', '19'])).toBe(19)
    expect(() => niceOf(['--nice=-21'])).toThrow(/--nice must be a whole number from -20 to 19, got "-21"/)
    expect(() => niceOf(['--nice', 'high'])).toThrow(ConfigError)
    expect(HELP_TEXT).toMatch(/--nice=<n>/)
  })
})

describe('--media-workers', () => {
  const workersOf = (argv: string[]) => {
    const config = parseConfig(argv, {})
    if (config === 'help') throw new Error('unexpected help')
    return config.mediaWorkers
  }

  it('defaults to one worker per core on two cores or more, and to the main thread on one', () => {
    expect(workersOf([])).toBe(defaultMediaWorkers())
    expect([defaultMediaWorkers(1), defaultMediaWorkers(2), defaultMediaWorkers(8), defaultMediaWorkers(64)]).toEqual([0, 2, 8, 16])
  })

  it('takes 0 (the main thread) or a number of workers, and refuses anything else', () => {
    expect(workersOf(['--media-workers', '0'])).toBe(0)
    expect(workersOf(['--media-workers', '3'])).toBe(3)
    expect(() => workersOf(['--media-workers', '65'])).toThrow(/--media-workers must be a whole number from 0 to 64/)
    expect(() => workersOf(['--media-workers', 'two'])).toThrow(ConfigError)
  })
})
