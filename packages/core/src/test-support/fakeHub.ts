// An in-memory Hub API v1 behind the fetch port: good defaults for every route, one-off scripted
// answers (`next`), held requests (`calls.gate('hub.negotiate')`) and a log of every request.
import { API_VERSION, envelope, routes, type RouteName } from '@parley/protocol'
import type { FetchLike, FetchResponseLike } from '../ports.js'
import { FAKE_ANSWER_SDP } from './fakePeerConnection.js'
import { PendingCalls } from './pendingCalls.js'

export const FAKE_HUB_URL = 'http://hub.test'

export interface HubRequestRecord {
  route: RouteName
  method: string
  path: string
  params: Record<string, string>
  body: unknown
  headers: Record<string, string>
  keepalive: boolean
  /** The status the fake answered with (undefined while held or when aborted). */
  status?: number
}

export interface HubReply {
  status: number
  data?: unknown
  /** Raw body text instead of an envelope (to test invalid responses). */
  raw?: string
}

const matchers = (Object.keys(routes) as RouteName[]).map((name) => {
  const route = routes[name]
  const keys: string[] = []
  const pattern = route.path.replace(/:([A-Za-z]+)/g, (_, key: string) => {
    keys.push(key)
    return '([^/]+)'
  })
  return { name, method: route.method, regex: new RegExp(`^/${API_VERSION}${pattern}$`), keys }
})

export class FakeHub {
  readonly calls = new PendingCalls()
  readonly log: HubRequestRecord[] = []
  readonly meta: Record<string, unknown> = {}
  readonly rooms = new Map<string, { id: string; name: string }>()
  /** Rooms created with host controls: register there answers a room pass, as Parley's hub does. */
  readonly hostControlled = new Set<string>()
  readonly clients = new Set<string>()
  /** Requests the caller aborted while they were held. */
  aborted = 0
  private readonly scripted = new Map<RouteName, HubReply[]>()
  private nextClient = 1
  private nextRoom = 1

  /** The next request to `route` gets this reply (queued, one per request). */
  next(route: RouteName, reply: HubReply): this {
    const queue = this.scripted.get(route) ?? []
    queue.push(reply)
    this.scripted.set(route, queue)
    return this
  }

  requests(route: RouteName): HubRequestRecord[] {
    return this.log.filter((r) => r.route === route)
  }

  readonly fetch: FetchLike = (url, init) => {
    const parsed = new URL(url)
    const match = matchers.find((m) => {
      if (m.method !== init.method && !(m.name === 'leaveBeacon' && init.method === 'POST')) return false
      return m.regex.test(parsed.pathname)
    })
    if (!match) return Promise.resolve(reply({ status: 404, data: null }))
    const values = match.regex.exec(parsed.pathname)!.slice(1).map(decodeURIComponent)
    const params = Object.fromEntries(match.keys.map((key, i) => [key, values[i] ?? '']))
    const body = init.body === undefined ? undefined : (JSON.parse(init.body) as unknown)
    const record: HubRequestRecord = {
      route: match.name,
      method: init.method,
      path: parsed.pathname,
      params,
      body,
      headers: init.headers ?? {},
      keepalive: init.keepalive === true,
    }
    this.log.push(record)
    const result = this.calls.call(`hub.${match.name}`, (value) => {
      if (init.signal?.aborted) throw abortError()
      if (value instanceof Error) throw value
      if (isReply(value)) {
        record.status = value.status
        return reply(value)
      }
      const queued = this.scripted.get(match.name)?.shift()
      const answer = queued ?? this.defaultReply(record)
      record.status = answer.status
      return reply(answer)
    }, init.signal)
    if (!init.signal) return result
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.aborted++
        reject(abortError())
      }
      init.signal!.addEventListener('abort', onAbort, { once: true })
      result.then(resolve, reject).finally(() => init.signal!.removeEventListener('abort', onAbort))
    })
  }

  private defaultReply(request: HubRequestRecord): HubReply {
    const { params } = request
    switch (request.route) {
      case 'createRoom': {
        const id = (request.body as { id?: string } | undefined)?.id || `room${this.nextRoom++}`
        const room = { id, name: (request.body as { name?: string } | undefined)?.name ?? '' }
        this.rooms.set(id, room)
        // Parley's hub answers a room with host controls with its host key.
        const hostControls = (request.body as { options?: { parley?: { host_controls?: boolean } } } | undefined)?.options?.parley?.host_controls
        if (hostControls) this.hostControlled.add(id)
        return { status: 201, data: { ...room, options: defaultOptions, ...(hostControls ? { host_key: `key-${id}` } : {}) } }
      }
      case 'getRoom': {
        const room = this.rooms.get(params.roomId ?? '')
        return room ? { status: 200, data: { ...room, options: defaultOptions } } : { status: 404, data: null }
      }
      case 'register': {
        if (!this.rooms.has(params.roomId ?? '')) return { status: 404, data: null }
        const clientId = `client${this.nextClient++}`
        this.clients.add(clientId)
        const name = (request.body as { name?: string } | undefined)?.name ?? ''
        // Parley's hub gives everyone in a room with host controls its pass (lobby.ts in @parley/protocol).
        const pass = this.hostControlled.has(params.roomId ?? '') ? { parley_pass: `pass-${clientId}` } : {}
        return { status: 200, data: { client_id: clientId, name, bitrates: defaultOptions.bitrates, ...pass } }
      }
      case 'getClient':
        return this.clients.has(params.clientId ?? '')
          ? { status: 200, data: { id: params.clientId, name: '', peer_connection_state: 'connected', ice_peer_connection_state: 'connected', events: {} } }
          : { status: 404, data: null }
      case 'getMeta': {
        const key = params.key ?? ''
        return key in this.meta ? { status: 200, data: { [key]: this.meta[key] } } : { status: 404, data: null }
      }
      case 'setMeta':
        Object.assign(this.meta, request.body as object)
        return { status: 200, data: null }
      case 'deleteMeta':
        delete this.meta[params.key ?? '']
        return { status: 200, data: null }
      case 'negotiate':
        return (request.body as { type: string }).type === 'offer'
          ? { status: 200, data: { answer: { type: 'answer', sdp: FAKE_ANSWER_SDP } } }
          : { status: 200, data: { answer: null } }
      // A client a host made one: the key Parley's hub gives for its pass.
      case 'claimHostKey':
        return { status: 200, data: { host_key: 'key-granted' } }
      case 'lockRoom':
        return { status: 200, data: { locked: (request.body as { locked?: boolean } | undefined)?.locked === true } }
      case 'leave':
      case 'leaveBeacon':
        this.clients.delete(params.clientId ?? '')
        return { status: 200, data: null }
      default:
        return { status: 200, data: null }
    }
  }
}

function isReply(value: unknown): value is HubReply {
  return typeof value === 'object' && value !== null && 'status' in value
}

function reply({ status, data = null, raw }: HubReply): FetchResponseLike {
  const text = raw ?? JSON.stringify(envelope(status, status < 400 ? 'ok' : 'error', data))
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: { get: (name) => (name.toLowerCase() === 'content-type' ? 'application/json' : null) },
    text: async () => text,
  }
}

function abortError(): Error {
  const error = new Error('The operation was aborted')
  error.name = 'AbortError'
  return error
}

const defaultOptions = {
  bitrates: {
    audio: 48000,
    audio_red: 75000,
    video: 700000,
    video_high: 700000,
    video_high_pixels: 259200,
    video_mid: 300000,
    video_mid_pixels: 64800,
    video_low: 90000,
    video_low_pixels: 16200,
    initial_bandwidth: 1000000,
  },
  quality_presets: { high: { sid: 2, tid: 2 }, mid: { sid: 1, tid: 1 }, low: { sid: 0, tid: 0 } },
  codecs: ['video/VP8', 'audio/opus'],
  pli_interval_ns: 0,
  empty_room_timeout_ns: 180_000_000_000,
}
