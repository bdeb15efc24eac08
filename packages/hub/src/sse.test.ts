import { pathFor } from '@parley/protocol'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createTestHub, settle, type TestHub } from './test-support/harness.js'
import { formatSseEvent, SseChannel, type SseSink } from './sse.js'

let hub: TestHub
afterEach(async () => {
  await hub?.close()
  vi.useRealTimers()
})

const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abc' }

describe('SSE wire format', () => {
  it('formats one id line, one event line and exactly one single-line JSON data line', () => {
    expect(formatSseEvent('offer', { type: 'offer', sdp: 'v=0\r\nx\n' }, 7)).toBe(
      'id: 7\nevent: offer\ndata: {"type":"offer","sdp":"v=0\\r\\nx\\n"}\n\n',
    )
    expect(formatSseEvent('allowed_renegotation', 'ok')).toBe('event: allowed_renegotation\ndata: "ok"\n\n')
    expect(formatSseEvent('ping', undefined)).toBe('event: ping\ndata: null\n\n')
  })

  it('streams with the SSE headers and the exact text of buffered events, in order', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a')
    // Produced before the stream connects: buffered.
    await hub.plane.peer('a').emitCandidate(candidate)
    await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), { topic: 'hello\nworld' })
    const events = await hub.events('r1', 'a')
    expect(events.response.status).toBe(200)
    expect(events.response.headers.get('content-type')).toBe('text/event-stream')
    expect(events.response.headers.get('cache-control')).toBe('no-cache')
    expect(events.response.headers.get('connection')).toBe('keep-alive')
    await events.waitFor('meta_changed')
    expect(events.text).toBe(
      `id: 1\nevent: candidate\ndata: ${JSON.stringify(candidate)}\n\n` + 'id: 2\nevent: meta_changed\ndata: {"topic":"hello\\nworld"}\n\n',
    )
    // And live once connected.
    await hub.request('DELETE', pathFor('deleteMeta', { roomId: 'r1', key: 'topic' }))
    await events.waitFor('meta_changed', 2)
    expect(events.text.endsWith('id: 3\nevent: meta_changed\ndata: {"topic":null}\n\n')).toBe(true)
    await events.cancel()
  })

  it('answers 404 JSON for an unknown room or client', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a')
    for (const path of [pathFor('events', { roomId: 'zz', clientId: 'a' }), pathFor('events', { roomId: 'r1', clientId: 'zz' })]) {
      const response = await hub.app.request(path)
      expect(response.status).toBe(404)
      expect(response.headers.get('content-type')).toMatch(/application\/json/)
      expect(((await response.json()) as { code: number }).code).toBe(404)
    }
  })

  it('sends meta_changed one key per event to every client of the room only', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a', 'b')
    await hub.setupRoom('r2', 'c')
    const [a, b, c] = [await hub.events('r1', 'a'), await hub.events('r1', 'b'), await hub.events('r2', 'c')]
    await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), { x: 1, y: [2] })
    for (const reader of [a, b]) {
      await reader.waitFor('meta_changed', 2)
      expect(reader.named('meta_changed').map((event) => JSON.parse(event.data))).toEqual([{ x: 1 }, { y: [2] }])
    }
    await settle()
    expect(c.named('meta_changed')).toHaveLength(0)
    await Promise.all([a.cancel(), b.cancel(), c.cancel()])
  })

  it('replaces the stream on a second GET without losing events, and honours Last-Event-ID', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a')
    const first = await hub.events('r1', 'a')
    await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), { one: 1 })
    await first.waitFor('meta_changed')
    const second = await hub.events('r1', 'a')
    await first.waitForEnd() // the old stream is closed by the hub
    await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), { two: 2 })
    await second.waitFor('meta_changed')
    expect(second.named('meta_changed').map((event) => event.data)).toEqual(['{"two":2}'])
    expect(second.events[0]!.id).toBe('2')
    // A browser reconnecting with Last-Event-ID gets everything after it again.
    const third = await hub.events('r1', 'a', { 'Last-Event-ID': '1' })
    await third.waitFor('meta_changed')
    expect(third.named('meta_changed').map((event) => event.data)).toEqual(['{"two":2}'])
    await third.cancel()
  })

  it('does not let a HEAD request take over the live stream', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a')
    const live = await hub.events('r1', 'a')
    const head = await hub.app.request(pathFor('events', { roomId: 'r1', clientId: 'a' }), { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-type')).toBe('text/event-stream')
    await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), { still: 'here' })
    await live.waitFor('meta_changed')
    expect(live.ended).toBe(false)
    await live.cancel()
  })

  it('replays events produced while no stream was open', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a')
    const first = await hub.events('r1', 'a')
    await first.cancel()
    await settle()
    await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), { missed: true })
    const again = await hub.events('r1', 'a')
    await again.waitFor('meta_changed')
    expect(again.events.map((event) => [event.id, event.event, event.data])).toEqual([['1', 'meta_changed', '{"missed":true}']])
    await again.cancel()
  })

  it('pings on an open stream at the configured interval', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    hub = createTestHub({ timings: { pingIntervalMs: 15_000 } })
    await hub.setupRoom('r1', 'a')
    const events = await hub.events('r1', 'a')
    await vi.advanceTimersByTimeAsync(14_999)
    await settle()
    expect(events.named('ping')).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    await events.waitFor('ping')
    expect(events.text).toBe('event: ping\ndata: {}\n\n')
    await vi.advanceTimersByTimeAsync(15_000)
    await events.waitFor('ping', 2)
    await events.cancel()
  })

  it('sends left with the reason and closes the stream on leave, kick and end', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a', 'b')
    const a = await hub.events('r1', 'a')
    const b = await hub.events('r1', 'b')
    await hub.request('DELETE', pathFor('leave', { roomId: 'r1', clientId: 'a' }))
    await a.waitForEnd()
    expect(a.events.at(-1)).toMatchObject({ event: 'left', data: '{"reason":"left"}' })
    expect((await hub.app.request(pathFor('events', { roomId: 'r1', clientId: 'a' }))).status).toBe(404)
    await hub.request('PUT', pathFor('endRoom', { roomId: 'r1' }))
    await b.waitForEnd()
    expect(b.events.at(-1)).toMatchObject({ event: 'left', data: '{"reason":"ended"}' })
  })
})

describe('SseChannel backlog', () => {
  const clock = { setTimeout: () => undefined, clearTimeout: () => undefined, now: () => 0 }
  const collector = () => {
    const written: string[] = []
    const sink: SseSink = { write: (text) => void written.push(text), close: () => undefined }
    return { sink, ids: () => written.map((text) => Number(/^id: (\d+)/.exec(text)?.[1])) }
  }

  it('keeps at most backlogCharsLimit characters of undelivered events, dropping the oldest', () => {
    const eventChars = formatSseEvent('meta_changed', { k: 'x'.repeat(1_000) }, 1).length
    const channel = new SseChannel({ clock, pingIntervalMs: 1_000, onDisconnect: () => undefined, backlogCharsLimit: eventChars * 3 + 10 })
    for (let index = 0; index < 10; index++) channel.send('meta_changed', { k: 'x'.repeat(1_000) })
    const { sink, ids } = collector()
    channel.attach(sink)
    expect(ids()).toEqual([8, 9, 10])
    // Delivered events do not count against the backlog, and later gaps start from zero.
    for (let index = 0; index < 2; index++) channel.send('meta_changed', { k: 'y' })
    expect(ids()).toEqual([8, 9, 10, 11, 12])
  })

  it('keeps at most backlogLimit undelivered events', () => {
    const channel = new SseChannel({ clock, pingIntervalMs: 1_000, onDisconnect: () => undefined, backlogLimit: 4 })
    for (let index = 0; index < 9; index++) channel.send('meta_changed', { index })
    const { sink, ids } = collector()
    channel.attach(sink)
    expect(ids()).toEqual([6, 7, 8, 9])
  })

  it('keeps the newest backlogLimit events and the last historyLimit delivered ones across many drops', () => {
    const channel = new SseChannel({ clock, pingIntervalMs: 1_000, onDisconnect: () => undefined, backlogLimit: 300, historyLimit: 100 })
    for (let index = 0; index < 20_000; index++) channel.send('meta_changed', { index })
    const first = collector()
    channel.attach(first.sink)
    expect(first.ids()).toEqual(Array.from({ length: 300 }, (_, index) => 19_701 + index))
    for (let index = 0; index < 1_000; index++) channel.send('meta_changed', { index })
    channel.detach(first.sink)
    const second = collector()
    channel.attach(second.sink, '20950')
    expect(second.ids()).toEqual(Array.from({ length: 50 }, (_, index) => 20_951 + index))
  })

  it('replays the delivered history after a reconnect with Last-Event-ID, then trims the backlog by size', () => {
    const channel = new SseChannel({ clock, pingIntervalMs: 1_000, onDisconnect: () => undefined, historyLimit: 2, backlogCharsLimit: 200 })
    const first = collector()
    channel.attach(first.sink)
    for (let index = 0; index < 3; index++) channel.send('meta_changed', { index })
    channel.detach(first.sink)
    channel.send('meta_changed', { big: 'z'.repeat(150) })
    channel.send('meta_changed', { big: 'z'.repeat(150) })
    const second = collector()
    channel.attach(second.sink, '1')
    // History keeps ids 2-3; of the backlog only the newest fits in 200 characters.
    expect(second.ids()).toEqual([2, 3, 5])
  })
})
