import { describe, expect, it } from 'vitest'
import { createConference } from '../conference.js'
import { FAKE_HUB_URL, createFakeWorld, flush } from '../test-support/index.js'
import { REDACTED } from './format.js'
import { createRedactor } from './redact.js'
import { createTraceCapture, type TraceRecorderLike } from './capture.js'
import { exportCapture } from './finish.js'
import { createTraceRecorder } from './recorder.js'
import { parseTrace } from './schema.js'

describe('createTraceRecorder', () => {
  it('keeps at most `capacity` entries, the newest, and says how many it dropped', () => {
    const recorder = createTraceRecorder({ capacity: 20, now: () => 0 })
    for (let timer = 1; timer <= 50; timer++) recorder.record({ kind: 'timer.set', timer, ms: 1 })
    const entries = recorder.entries()
    expect(entries).toHaveLength(20)
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 31 + i))
    const trace = recorder.export()
    expect(trace.dropped).toBe(30)
    expect(parseTrace(JSON.stringify(trace))).toMatchObject({ ok: true })
  })

  it('stamps monotonic times even when the clock goes back', () => {
    const times = [100, 105, 103, 110]
    const recorder = createTraceRecorder({ now: () => times.shift() ?? 110 })
    for (let timer = 1; timer <= 3; timer++) recorder.record({ kind: 'timer.fire', timer })
    expect(recorder.entries().map((e) => e.t)).toEqual([5, 5, 10])
  })

  it('redacts secrets at the source: auth and host-key headers, token and hostKey fields, query tokens', async () => {
    const world = createFakeWorld()
    const recorder = createTraceRecorder({ now: world.clock.now })
    const ports = recorder.ports(world.ports, { baseUrl: FAKE_HUB_URL })
    await ports.fetch(`${FAKE_HUB_URL}/v1/rooms/create?token=abc`, {
      method: 'POST',
      headers: { Authorization: 'Bearer sekrit', 'X-Parley-Host-Key': 'hk-123', 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Room', hostKey: 'hk-123', nested: { accessToken: 'at-1' } }),
    })
    const text = JSON.stringify(recorder.export())
    for (const secret of ['sekrit', 'hk-123', 'at-1', 'token=abc']) expect(text).not.toContain(secret)
    const request = recorder.entries().find((e) => e.kind === 'http.request')
    expect(request).toMatchObject({
      headers: { Authorization: REDACTED, 'X-Parley-Host-Key': REDACTED, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Room', hostKey: REDACTED, nested: { accessToken: REDACTED } }),
    })
  })

  it("redacts Parley's room pass and client key: in headers, in register's answer and in an events URL's query", async () => {
    const world = createFakeWorld()
    const recorder = createTraceRecorder({ now: world.clock.now })
    const ports = recorder.ports(world.ports, { baseUrl: FAKE_HUB_URL })
    await ports.fetch(`${FAKE_HUB_URL}/v1/rooms/create`, {
      method: 'POST',
      headers: { 'X-Parley-Room-Pass': 'pass-123', 'X-Parley-Client-Key': 'ck-123', 'Content-Type': 'application/json' },
      body: JSON.stringify({ parley_pass: 'pass-123', parley_client_key: 'ck-123' }),
    })
    const redactor = createRedactor()
    expect(redactor.url(`${FAKE_HUB_URL}/v1/rooms/r/events/c?lastEventId=3&parley_client_key=ck-123`)).toBe(`${FAKE_HUB_URL}/v1/rooms/r/events/c?lastEventId=3&parley_client_key=${encodeURIComponent(REDACTED)}`)
    expect(redactor.body(JSON.stringify({ client_id: 'c', parley_pass: 'pass-123', parley_client_key: 'ck-123' }))).toBe(JSON.stringify({ client_id: 'c', parley_pass: REDACTED, parley_client_key: REDACTED }))
    const text = JSON.stringify(recorder.export())
    for (const secret of ['pass-123', 'ck-123']) expect(text).not.toContain(secret)
  })

  it('redacts the access token a conference sends, and names redacted fields the caller adds', async () => {
    const world = createFakeWorld()
    const recorder = createTraceRecorder({ now: world.clock.now, redactFields: ['name', 'roomName'] })
    const conference = createConference({ hub: { baseUrl: FAKE_HUB_URL, accessToken: 'tok-9' }, ports: world.ports, trace: recorder })
    conference.actor.start()
    conference.join({ displayName: 'Ada', roomName: 'Secret room', media: { audio: false, video: false } })
    await flush(10)
    const text = JSON.stringify(conference.exportTrace())
    expect(text).not.toContain('tok-9')
    expect(text).not.toContain('Secret room')
    conference.actor.stop()
  })

  it('records actors by path, the events they receive and each new state of a statechart', async () => {
    const world = createFakeWorld()
    const conference = createConference({ hub: { baseUrl: FAKE_HUB_URL }, ports: world.ports, trace: createTraceRecorder({ now: world.clock.now }) })
    conference.actor.start()
    conference.join({ displayName: 'Ada', roomName: 'R', media: { audio: true, video: true } })
    await flush(10)
    const trace = conference.exportTrace()
    expect(trace.actors.map((a) => a.path)).toEqual(expect.arrayContaining(['conference', 'conference/negotiation', 'conference/negotiation/peerSession', 'conference/events']))
    const root = trace.actors.find((a) => a.path === 'conference')!
    expect(trace.entries.find((e) => e.kind === 'event' && e.actor === root.ref && e.event.type === 'user.join')).toBeDefined()
    expect(trace.entries.filter((e) => e.kind === 'state' && e.actor === root.ref).map((e) => (e.kind === 'state' ? e.value : null))).toContainEqual({ joining: 'creatingRoom' })
    conference.actor.stop()
  })

  it('a capture keeps what it saw as it came, and its export (exportCapture) is the recorder\'s trace: same entries and actors, redacted then', async () => {
    // The same call twice over identical fake worlds: once into a recorder, once into a capture.
    const call = async (trace: TraceRecorderLike) => {
      const world = createFakeWorld()
      const conference = createConference({ hub: { baseUrl: FAKE_HUB_URL, accessToken: 'tok-9' }, ports: world.ports, trace })
      conference.actor.start()
      conference.join({ displayName: 'Ada', roomName: 'R', media: { audio: true, video: true } })
      await flush(10)
      world.clock.advance(5_000)
      await flush(10)
      conference.leave()
      await flush(10)
      conference.actor.stop()
    }
    const recorder = createTraceRecorder({ now: () => 0, wallClock: () => new Date(0) })
    await call(recorder)
    const capture = createTraceCapture({ now: () => 0, wallClock: () => new Date(0) })
    await call(capture)
    expect(JSON.stringify(capture.captured().entries)).toContain('tok-9')
    const exported = exportCapture(capture)
    expect(JSON.stringify(exported)).not.toContain('tok-9')
    const recorded = recorder.export()
    expect(recorded.entries.length).toBeGreaterThan(50)
    expect(recorded.entries.map((e) => e.kind)).toEqual(expect.arrayContaining(['http.request', 'http.response', 'sse.open', 'pc.create', 'pc.call', 'pc.result', 'media.result', 'media.devices', 'timer.set', 'state', 'event']))
    // The fake media numbers its streams and tracks across worlds: the only difference the two calls have.
    const sameIds = (trace: unknown) => JSON.parse(JSON.stringify(trace).replace(/\b(stream|audio|video)-\d+/g, '$1-n')) as unknown
    expect(sameIds(exported)).toEqual(sameIds(recorded))
    expect(parseTrace(JSON.stringify(exported))).toMatchObject({ ok: true })
  })

  it('exportTrace says how to record when the conference has no recorder', () => {
    const conference = createConference({ hub: { baseUrl: FAKE_HUB_URL }, ports: createFakeWorld().ports })
    expect(() => conference.exportTrace()).toThrow(/createTraceRecorder/)
  })
})

describe('parseTrace', () => {
  const valid = () => {
    const recorder = createTraceRecorder({ now: () => 0 })
    recorder.record({ kind: 'timer.set', timer: 1, ms: 5 })
    return recorder.export()
  }

  it('accepts a recorded trace', () => {
    expect(parseTrace(JSON.stringify(valid()))).toMatchObject({ ok: true })
  })

  it('refuses a trace of another version, saying which', () => {
    // Version 1 had no getStats results, data channels or local track ends: it cannot replay today.
    expect(parseTrace(JSON.stringify({ ...valid(), version: 1 }))).toEqual({ ok: false, error: 'Unsupported trace version 1: this Parley reads version 2' })
  })

  it('refuses something that is not a Parley trace', () => {
    expect(parseTrace('{"hello":1}')).toEqual({ ok: false, error: 'Not a Parley trace: "format" is undefined, expected "parley-trace"' })
  })

  it('refuses truncated JSON', () => {
    const text = JSON.stringify(valid())
    const result = parseTrace(text.slice(0, text.length / 2))
    expect(result.ok).toBe(false)
    expect(!result.ok && result.error).toMatch(/^Not a trace: the file is not valid JSON \(truncated or damaged\?\)/)
  })

  it('refuses an entry naming an actor the trace does not declare', () => {
    const trace = valid()
    trace.entries.push({ seq: 2, t: 1, kind: 'state', actor: 7, event: 'x', status: 'active', value: 'idle' })
    expect(parseTrace(JSON.stringify(trace))).toEqual({ ok: false, error: 'Damaged trace: entry 2 (state) names actor 7, which the trace does not declare' })
  })

  it('refuses a damaged entry, saying where', () => {
    const trace = JSON.parse(JSON.stringify(valid())) as { entries: Record<string, unknown>[] }
    trace.entries[0]!.ms = 'soon'
    const result = parseTrace(trace)
    expect(!result.ok && result.error).toMatch(/^Damaged trace at entries\[0\]\.ms: /)
  })
})
