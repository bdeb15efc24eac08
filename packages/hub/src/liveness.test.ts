// Fast, honest departure on a fake clock: a killed client (stream closed, media stopped) is removed
// 2 s after its last packet, a frozen one (stream open, media stopped) after 8 s, and the others hear of
// its connection problem 1.5 s after its last packet; a stream blip with media flowing, and a client
// that never sent media, keep the old reconnect grace.
import { PARLEY_CONNECTION_EVENT, pathFor } from '@parley/protocol'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { connectClient, createTestHub, type SseReader, type TestHub } from './test-support/harness.js'

let hub: TestHub
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(async () => {
  await hub?.close()
  vi.useRealTimers()
})

const clientStatus = async (clientId: string) => (await hub.request('GET', pathFor('getClient', { roomId: 'r1', clientId }))).status

/** a and b connected with open streams; both have sent packets just now. */
async function pair(timings: Parameters<typeof createTestHub>[0] = {}): Promise<{ a: SseReader; b: SseReader }> {
  hub = createTestHub(timings)
  await hub.setupRoom('r1', 'a', 'b')
  for (const id of ['a', 'b']) await connectClient(hub, 'r1', id)
  const a = await hub.events('r1', 'a')
  const b = await hub.events('r1', 'b')
  packets('a')
  packets('b')
  return { a, b }
}
const packets = (...ids: string[]) => {
  for (const id of ids) hub.plane.peer(id).receivedPacket(Date.now())
}
/** Advances `ms` while `ids` keep sending a packet every 100 ms. */
async function flowing(ms: number, ...ids: string[]): Promise<void> {
  for (let elapsed = 0; elapsed < ms; elapsed += 100) {
    await vi.advanceTimersByTimeAsync(100)
    packets(...ids)
  }
}

describe('a client that is gone', () => {
  it('is removed 2 s after its last packet once its stream closed (a killed tab or process)', async () => {
    const { a, b } = await pair()
    await flowing(3_000, 'a', 'b')
    // Killed: its TCP connection closes and its packets stop at the same moment.
    await a.cancel()
    await flowing(1_900, 'b')
    expect(await clientStatus('a')).toBe(200)
    await flowing(100, 'b')
    expect(await clientStatus('a')).toBe(404)
    await flowing(20_000, 'b')
    expect(await clientStatus('b')).toBe(200)
    await b.cancel()
  })

  it('is removed 8 s after its last packet with its stream still open (a frozen process or a dead network)', async () => {
    const { a, b } = await pair()
    await flowing(1_000, 'a', 'b')
    await flowing(7_900, 'b')
    expect(await clientStatus('a')).toBe(200)
    await flowing(100, 'b')
    expect(await clientStatus('a')).toBe(404)
    await a.waitForEnd()
    expect(a.events.at(-1)).toMatchObject({ event: 'left', data: '{"reason":"timeout"}' })
    await b.cancel()
  })
})

describe('a client that is still there', () => {
  it('keeps the reconnect grace when only its stream broke and its media flows', async () => {
    const { a, b } = await pair({ timings: { reconnectGraceMs: 10_000 } })
    await a.cancel()
    await flowing(9_000, 'a', 'b')
    expect(await clientStatus('a')).toBe(200)
    const back = await hub.events('r1', 'a', { 'Last-Event-ID': '0' })
    await flowing(20_000, 'a', 'b')
    expect(await clientStatus('a')).toBe(200)
    await Promise.all([back.cancel(), b.cancel()])
  })

  it('is judged by the reconnect grace alone when it never sent a packet', async () => {
    hub = createTestHub({ timings: { reconnectGraceMs: 10_000 } })
    await hub.setupRoom('r1', 'a')
    await connectClient(hub, 'r1', 'a')
    const a = await hub.events('r1', 'a')
    await vi.advanceTimersByTimeAsync(30_000)
    expect(await clientStatus('a')).toBe(200)
    await a.cancel()
    await vi.advanceTimersByTimeAsync(9_900)
    expect(await clientStatus('a')).toBe(200)
    await vi.advanceTimersByTimeAsync(100)
    expect(await clientStatus('a')).toBe(404)
  })

  it('is never removed for silence alone with frozenPeerMs 0', async () => {
    const { a, b } = await pair({ timings: { frozenPeerMs: 0 } })
    await vi.advanceTimersByTimeAsync(60_000)
    expect(await clientStatus('a')).toBe(200)
    await Promise.all([a.cancel(), b.cancel()])
  })
})

describe('a connection problem', () => {
  const problems = (reader: SseReader) => reader.named(PARLEY_CONNECTION_EVENT).map((event) => JSON.parse(event.data) as unknown)

  it('is told to the others 1.5 s after the last packet, and again when packets come back', async () => {
    const { a, b } = await pair()
    await flowing(1_000, 'a', 'b')
    await flowing(1_400, 'b')
    expect(problems(b)).toEqual([])
    await flowing(100, 'b')
    await b.waitFor(PARLEY_CONNECTION_EVENT)
    expect(problems(b)).toEqual([{ client_id: 'a', problem: true }])
    expect(problems(a)).toEqual([]) // never to the client itself
    await flowing(2_000, 'b')
    expect(problems(b)).toHaveLength(1) // told once
    // It recovers (a SIGCONT, a network back) before the frozen rule removes it: back by itself.
    packets('a')
    await flowing(300, 'a', 'b')
    await b.waitFor(PARLEY_CONNECTION_EVENT, 2)
    expect(problems(b)).toEqual([
      { client_id: 'a', problem: true },
      { client_id: 'a', problem: false },
    ])
    await flowing(20_000, 'a', 'b')
    expect(await clientStatus('a')).toBe(200)
    expect(problems(b)).toHaveLength(2)
    await Promise.all([a.cancel(), b.cancel()])
  })

  it('is never told with connectionProblemMs 0, and the frozen rule still removes', async () => {
    const { a, b } = await pair({ timings: { connectionProblemMs: 0 } })
    await flowing(8_000, 'b')
    expect(await clientStatus('a')).toBe(404)
    expect(problems(b)).toEqual([])
    await Promise.all([a.cancel(), b.cancel()])
  })
})
