import { pathFor, withLastEventId } from '@parley/protocol'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createTestHub, settle, SseReader, type TestHub } from './test-support/harness.js'
import { formatSseEvent, SseChannel, type SseChannelOptions, type SseSink } from './sse.js'

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
      'event: ping\ndata: {"interval_ms":5000}\n\n' +
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
    expect(second.events.filter((event) => event.event !== 'ping')[0]!.id).toBe('2')
    // A browser reconnecting with Last-Event-ID gets everything after it again.
    const third = await hub.events('r1', 'a', { 'Last-Event-ID': '1' })
    await third.waitFor('meta_changed')
    expect(third.named('meta_changed').map((event) => event.data)).toEqual(['{"two":2}'])
    await third.cancel()
  })

  it('resumes from ?lastEventId= (a fresh EventSource), the Last-Event-ID header winning over it', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a')
    for (const key of ['one', 'two', 'three']) await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), { [key]: 1 })
    const path = pathFor('events', { roomId: 'r1', clientId: 'a' })
    const ids = async (url: string, headers: Record<string, string> = {}, count = 1) => {
      const reader = new SseReader(await hub.app.request(url, { headers }))
      await reader.waitFor('meta_changed', count)
      await reader.cancel()
      return reader.named('meta_changed').map((event) => event.id)
    }
    expect(await ids(withLastEventId(path, 1), {}, 2)).toEqual(['2', '3'])
    expect(await ids(withLastEventId(path, 1), { 'Last-Event-ID': '2' })).toEqual(['3'])
  })

  it('removes a client resuming from an id older than what it keeps, with left events_lost, never a gap', async () => {
    hub = createTestHub()
    await hub.setupRoom('r1', 'a', 'b')
    const a = await hub.events('r1', 'a')
    await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), { first: 1 })
    await a.waitFor('meta_changed')
    await a.cancel()
    // More events than the 5000 a client's channel keeps.
    for (let index = 0; index < 5_001; index++) hub.app.hub.room('r1').client('a').sse.send('meta_changed', { index })
    const late = await hub.events('r1', 'a', { 'Last-Event-ID': '1' })
    await late.waitForEnd()
    expect(late.named('meta_changed')).toHaveLength(0)
    expect(late.events.at(-1)).toMatchObject({ event: 'left', data: '{"reason":"events_lost"}' })
    expect((await hub.app.request(pathFor('events', { roomId: 'r1', clientId: 'a' }))).status).toBe(404)
    // The client registers again under the same id.
    expect((await hub.request('POST', pathFor('register', { roomId: 'r1' }), { uid: 'a' })).status).toBe(200)
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
    expect(again.events.map((event) => [event.id, event.event, event.data])).toEqual([[undefined, 'ping', '{"interval_ms":5000}'], ['1', 'meta_changed', '{"missed":true}']])
    await again.cancel()
  })

  it('pings when a stream opens and then at the configured interval, announcing it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    hub = createTestHub({ timings: { pingIntervalMs: 15_000 } })
    await hub.setupRoom('r1', 'a')
    const events = await hub.events('r1', 'a')
    await events.waitFor('ping')
    await vi.advanceTimersByTimeAsync(14_999)
    await settle()
    expect(events.named('ping')).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    await events.waitFor('ping', 2)
    expect(events.text).toBe('event: ping\ndata: {"interval_ms":15000}\n\n'.repeat(2))
    await vi.advanceTimersByTimeAsync(15_000)
    await events.waitFor('ping', 3)
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

describe('SseChannel: what it keeps and how a stream resumes', () => {
  const clock = { setTimeout: () => undefined, clearTimeout: () => undefined, now: () => 0 }
  const channelWith = (options: Partial<SseChannelOptions> = {}) => new SseChannel({ clock, pingIntervalMs: 1_000, onDisconnect: () => undefined, ...options })
  /** A stream; after `die()` it swallows what is written, as a socket that is gone but not noticed yet. */
  const stream = () => {
    const written: string[] = []
    let alive = true
    const sink: SseSink = { write: (text) => void (alive && written.push(text)), close: () => undefined }
    const ids = () => written.filter((text) => text.startsWith('id: ')).map((text) => Number(/^id: (\d+)/.exec(text)![1]))
    return { sink, ids, written, die: () => void (alive = false) }
  }

  it('opens every stream with a ping that carries no id and announces the interval', () => {
    const channel = channelWith({ pingIntervalMs: 5_000 })
    channel.send('meta_changed', { a: 1 })
    const first = stream()
    channel.attach(first.sink)
    expect(first.written[0]).toBe('event: ping\ndata: {"interval_ms":5000}\n\n')
    expect(first.ids()).toEqual([1])
  })

  it('loses nothing wherever the stream is cut, also what was written to a dead socket, when the client resumes from its last processed id', () => {
    const total = 40
    for (let cut = 0; cut <= total; cut++) {
      for (const lag of [0, 1, 3]) {
        const channel = channelWith()
        const first = stream()
        channel.attach(first.sink)
        for (let index = 1; index <= total; index++) {
          if (index === cut + 1) first.die()
          channel.send('meta_changed', { index })
        }
        // The client processed what it received, save the last `lag` events (still in its queue when the stream died).
        const received = first.ids()
        const processed = received.slice(0, Math.max(0, received.length - lag))
        channel.detach(first.sink)
        channel.send('meta_changed', { after: true })
        const second = stream()
        const result = channel.attach(second.sink, String(processed.at(-1) ?? 0))
        expect(result.resumed).toBe(true)
        expect([...processed, ...second.ids()]).toEqual(Array.from({ length: total + 1 }, (_, index) => index + 1))
      }
    }
  })

  it('resumes from the last written event when the client names none (a first connect gets everything)', () => {
    const channel = channelWith()
    for (let index = 0; index < 3; index++) channel.send('meta_changed', { index })
    const first = stream()
    channel.attach(first.sink)
    expect(first.ids()).toEqual([1, 2, 3])
    channel.detach(first.sink)
    channel.send('meta_changed', { missed: true })
    const second = stream()
    channel.attach(second.sink)
    expect(second.ids()).toEqual([4])
  })

  it('ignores an id it never issued (another registration\'s) and resumes as without one', () => {
    const channel = channelWith()
    channel.send('meta_changed', { a: 1 })
    const first = stream()
    expect(channel.attach(first.sink, '917')).toEqual({ resumed: true, replayed: 1 })
    expect(first.ids()).toEqual([1])
  })

  it('reports a resume point older than what it keeps instead of replaying with a gap (by count and by characters)', () => {
    const byCount = channelWith({ keepLimit: 4 })
    for (let index = 0; index < 9; index++) byCount.send('meta_changed', { index })
    const late = stream()
    expect(byCount.attach(late.sink, '4')).toEqual({ resumed: false, from: 4, oldestKept: 6 })
    expect(late.ids()).toEqual([])
    // Right at the edge it still resumes.
    const edge = stream()
    expect(byCount.attach(edge.sink, '5')).toEqual({ resumed: true, replayed: 4 })
    expect(edge.ids()).toEqual([6, 7, 8, 9])

    const eventChars = formatSseEvent('meta_changed', { k: 'x'.repeat(1_000) }, 1).length
    const byChars = channelWith({ keepCharsLimit: eventChars * 3 + 10 })
    for (let index = 0; index < 10; index++) byChars.send('meta_changed', { k: 'x'.repeat(1_000) })
    // A client that never connected while the oldest were dropped is told so as well.
    expect(byChars.attach(stream().sink)).toMatchObject({ resumed: false, from: 0, oldestKept: 8 })
  })

  it('drops written events older than keepWrittenForMs, but never one not written yet', () => {
    let now = 0
    const timed = new SseChannel({ clock: { ...clock, now: () => now }, pingIntervalMs: 1_000, onDisconnect: () => undefined, keepWrittenForMs: 50_000 })
    const first = stream()
    timed.attach(first.sink)
    timed.send('meta_changed', { n: 1 })
    timed.send('meta_changed', { n: 2 })
    timed.detach(first.sink)
    now = 40_000
    timed.send('meta_changed', { n: 3 }) // not written: nobody is attached
    now = 60_000
    timed.send('meta_changed', { n: 4 })
    now = 200_000
    timed.send('meta_changed', { n: 5 })
    // 1 and 2 were written over 50 s ago: gone. 3, 4 and 5 were never written: kept, however old.
    expect(timed.attach(stream().sink, '1')).toEqual({ resumed: false, from: 1, oldestKept: 3 })
    const late = stream()
    expect(timed.attach(late.sink, '2')).toEqual({ resumed: true, replayed: 3 })
    expect(late.ids()).toEqual([3, 4, 5])
    // Now written: the next send drops those older than 50 s, the newest always stays.
    now = 260_000
    timed.send('meta_changed', { n: 6 })
    expect(timed.attach(stream().sink, '5')).toEqual({ resumed: true, replayed: 1 })
    expect(timed.attach(stream().sink, '4')).toMatchObject({ resumed: false, oldestKept: 6 })
  })

  it('keeps the newest keepLimit events across many drops, in amortised constant time per send', () => {
    const channel = channelWith({ keepLimit: 300 })
    for (let index = 0; index < 20_000; index++) channel.send('meta_changed', { index })
    const first = stream()
    channel.attach(first.sink, '19700')
    expect(first.ids()).toEqual(Array.from({ length: 300 }, (_, index) => 19_701 + index))
    for (let index = 0; index < 1_000; index++) channel.send('meta_changed', { index })
    channel.detach(first.sink)
    const second = stream()
    channel.attach(second.sink, '20950')
    expect(second.ids()).toEqual(Array.from({ length: 50 }, (_, index) => 20_951 + index))
  })
})
