// In-process test harness: an app over the fake media plane, JSON requests, and an SSE reader that
// keeps the exact wire text.
import { pathFor } from '@parley/protocol'
import { type AppDeps, type HubApp, createApp } from '../http/app.js'
import type { HubLimits } from '../hub.js'
import type { RoomRegistry } from '../registry/types.js'
import type { HubTimings } from '../timings.js'
import { FakeMediaPlane } from './fakeMediaPlane.js'

export interface JsonResponse {
  status: number
  headers: Headers
  body: { code: number; message: string; data: unknown }
}

export interface TestHub {
  app: HubApp
  plane: FakeMediaPlane
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<JsonResponse>
  /** Creates a room and registers clients; returns their ids. */
  setupRoom(roomId: string, ...clientIds: string[]): Promise<void>
  events(roomId: string, clientId: string, headers?: Record<string, string>): Promise<SseReader>
  close(): Promise<void>
}

export function createTestHub(
  options: Partial<Omit<AppDeps, 'hub' | 'mediaPlane'>> & { timings?: Partial<HubTimings>; limits?: Partial<HubLimits>; registry?: RoomRegistry } = {},
): TestHub {
  const plane = new FakeMediaPlane()
  const app = createApp({ ...options, mediaPlane: plane } as AppDeps)
  const request: TestHub['request'] = async (method, path, body, headers = {}) => {
    const init: RequestInit = { method, headers: { ...headers } }
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body)
      ;(init.headers as Record<string, string>)['Content-Type'] ??= 'application/json'
    }
    const response = await app.request(path, init)
    const text = await response.text()
    let parsed: JsonResponse['body']
    try {
      parsed = JSON.parse(text) as JsonResponse['body']
    } catch {
      throw new Error(`${method} ${path} answered ${response.status} with a non-JSON body: ${text.slice(0, 200)}`)
    }
    return { status: response.status, headers: response.headers, body: parsed }
  }
  return {
    app,
    plane,
    request,
    async setupRoom(roomId, ...clientIds) {
      const room = await request('POST', pathFor('createRoom', {}), { id: roomId, name: roomId })
      if (room.status !== 201) throw new Error(`create room: ${room.status} ${room.body.message}`)
      for (const uid of clientIds) {
        const registered = await request('POST', pathFor('register', { roomId }), { uid, name: `name-${uid}` })
        if (registered.status !== 200) throw new Error(`register: ${registered.status} ${registered.body.message}`)
      }
    },
    async events(roomId, clientId, headers = {}) {
      const response = await app.request(pathFor('events', { roomId, clientId }), { headers })
      return new SseReader(response)
    },
    close: () => app.hub.close(),
  }
}

export interface SseEvent {
  id?: string
  event: string
  data: string
}

/** Reads an SSE response in the background; keeps the raw text and the parsed events. */
export class SseReader {
  text = ''
  ended = false
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>
  readonly #waiters = new Set<() => void>()
  readonly #decoder = new TextDecoder()

  constructor(readonly response: Response) {
    if (!response.body) throw new Error(`no stream body (status ${response.status})`)
    this.#reader = response.body.getReader()
    void this.#pump()
  }

  get events(): SseEvent[] {
    return parseSse(this.text)
  }

  named(event: string): SseEvent[] {
    return this.events.filter((candidate) => candidate.event === event)
  }

  /** Waits until `count` events with that name have arrived; returns the last of them. */
  async waitFor(event: string, count = 1): Promise<SseEvent> {
    await this.#until(() => this.named(event).length >= count || this.ended)
    const found = this.named(event)
    if (found.length < count) throw new Error(`stream ended before ${count}× "${event}"; got: ${this.text}`)
    return found[count - 1]!
  }

  async waitForEnd(): Promise<void> {
    await this.#until(() => this.ended)
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel()
  }

  #until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve()
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) return
        this.#waiters.delete(check)
        resolve()
      }
      this.#waiters.add(check)
    })
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        const { done, value } = await this.#reader.read()
        if (done) break
        this.text += this.#decoder.decode(value, { stream: true })
        for (const waiter of [...this.#waiters]) waiter()
      }
    } catch {
      // cancelled
    }
    this.ended = true
    for (const waiter of [...this.#waiters]) waiter()
  }
}

/** Parses complete events strictly: fields in order, one data line each. */
export function parseSse(text: string): SseEvent[] {
  const blocks = text.split('\n\n')
  blocks.pop() // incomplete tail (or '' after the last complete event)
  return blocks.map((block) => {
    const event: Partial<SseEvent> = {}
    for (const line of block.split('\n')) {
      const colon = line.indexOf(': ')
      const field = line.slice(0, colon)
      const value = line.slice(colon + 2)
      if (field === 'id' || field === 'event' || field === 'data') {
        if (event[field] !== undefined) throw new Error(`duplicate ${field} line in ${JSON.stringify(block)}`)
        event[field] = value
      } else throw new Error(`unexpected SSE line ${JSON.stringify(line)}`)
    }
    if (event.event === undefined || event.data === undefined) throw new Error(`incomplete SSE event ${JSON.stringify(block)}`)
    return event as SseEvent
  })
}

/** Lets queued microtasks and stream pulls run (no timers involved). */
export async function settle(rounds = 5): Promise<void> {
  for (let round = 0; round < rounds; round++) await new Promise<void>((resolve) => setImmediate(resolve))
}

export const TEST_OFFER = { type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=client-offer\r\n' } as const
export const TEST_ANSWER = { type: 'answer', sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=client-answer\r\n' } as const

/** The client's first offer, answered, then its peer reports `connected`. */
export async function connectClient(hub: TestHub, roomId: string, clientId: string): Promise<void> {
  const response = await hub.request('PUT', pathFor('negotiate', { roomId, clientId }), TEST_OFFER)
  if (response.status !== 200) throw new Error(`negotiate: ${response.status} ${response.body.message}`)
  await hub.plane.peer(clientId, roomId).setConnectionState('connected')
}
