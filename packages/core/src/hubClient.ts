// Typed client of the Hub API v1 over the fetch port. Routes, auth flags and wire schemas come from
// @parley/protocol; every response's envelope and `data` are validated, and every failure becomes a
// HubError whose `kind` a caller can branch on.
import * as v from 'valibot'
import {
  CLIENT_KEY_HEADER,
  EnvelopeSchema,
  HOST_KEY_HEADER,
  ClaimedHostKeySchema,
  HostKeySchema,
  KNOCK_NAME_PARAM,
  NegotiateResultSchema,
  RegisteredClientSchema,
  ROOM_LOCKED_REASON,
  ROOM_PASS_HEADER,
  RoomSchema,
  ClientSchema,
  describeIssues,
  messageOf,
  pathFor,
  routes,
  type Answer,
  type Client,
  type CreateRoomRequest,
  type IceCandidate,
  type MetaRecord,
  type RegisteredClient,
  type Room,
  type RouteName,
  type RouteParams,
  type SessionDescription,
  type SubscribeTracksRequest,
  type TrackSourcesRequest,
  withClientKey,
} from '@parley/protocol'
import type { RoomCredentials } from './api.js'
import type { FetchLike, FetchResponseLike } from './ports.js'

export type HubErrorKind =
  | 'room-not-found'
  | 'client-gone'
  | 'unauthorized'
  | 'hub-unreachable'
  | 'invalid-response'
  | 'conflict'
  | 'bad-request'
  /** Parley's hub: the host locked the room, so register refuses newcomers (403, `data.reason` `room_locked`). */
  | 'room-locked'

export class HubError extends Error {
  override readonly name = 'HubError'
  constructor(
    readonly kind: HubErrorKind,
    message: string,
    /** HTTP status; 0 when no response arrived. */
    readonly status: number,
  ) {
    super(message)
  }
}

export function isHubError(error: unknown): error is HubError {
  return error instanceof HubError
}

export interface HubClientOptions {
  /** Hub origin; the API lives at `${baseUrl}/v1`. '' means the page's own origin. */
  baseUrl: string
  accessToken?: string
  fetch: FetchLike
}

/** What a host proves itself with on Parley's hub (host controls): the room's key, and its own client id (named in `left.by`). */
export interface HostCredentials {
  key: string
  clientId: string
}

/** The create response: the room, and on Parley's hub with host controls its host key. */
export type CreatedRoom = Room & { host_key?: string }

const CreatedRoomSchema = v.object({ ...RoomSchema.entries, ...HostKeySchema.entries })

export interface HubClient {
  readonly baseUrl: string
  createRoom(body: CreateRoomRequest, signal?: AbortSignal): Promise<CreatedRoom>
  getRoom(roomId: string, signal?: AbortSignal): Promise<Room>
  /** With a host key or a room pass (Parley's hub, host controls) a room its host locked still lets us in. */
  register(roomId: string, body: { uid?: string; name?: string; enable_vad?: boolean }, signal?: AbortSignal, credentials?: RoomCredentials): Promise<RegisteredClient>
  getClient(roomId: string, clientId: string, signal?: AbortSignal): Promise<Client>
  setName(roomId: string, clientId: string, name: string, signal?: AbortSignal): Promise<RegisteredClient>
  getMeta(roomId: string, key: string, signal?: AbortSignal): Promise<unknown>
  setMeta(roomId: string, record: MetaRecord, signal?: AbortSignal): Promise<void>
  deleteMeta(roomId: string, key: string, signal?: AbortSignal): Promise<void>
  candidate(roomId: string, clientId: string, candidate: IceCandidate, signal?: AbortSignal): Promise<void>
  /** True when the hub grants the negotiation lock; false when it says "not now" (403/409). */
  isAllowNegotiate(roomId: string, clientId: string, signal?: AbortSignal): Promise<boolean>
  /** PUT negotiate: an offer returns the hub's answer, an answer returns null. */
  negotiate(roomId: string, clientId: string, description: SessionDescription, signal?: AbortSignal): Promise<Answer | null>
  setTrackSources(roomId: string, clientId: string, sources: TrackSourcesRequest, signal?: AbortSignal): Promise<void>
  subscribeTracks(roomId: string, clientId: string, tracks: SubscribeTracksRequest, signal?: AbortSignal): Promise<void>
  /** DELETE leave with keepalive, so it survives a closing page. */
  leave(roomId: string, clientId: string, signal?: AbortSignal): Promise<void>
  /** The URL `navigator.sendBeacon` POSTs to (the hub accepts POST there). */
  leaveUrl(roomId: string, clientId: string): string
  /** With `host` (Parley's hub, host controls) the key goes in `X-Parley-Host-Key` and the hub names who ended it. */
  endRoom(roomId: string, signal?: AbortSignal, host?: HostCredentials): Promise<void>
  /** Parley's hub only: asks a client to mute its microphone (host controls). */
  muteClient(roomId: string, clientId: string, host: HostCredentials, signal?: AbortSignal): Promise<void>
  /** Parley's hub only: removes a client from the room (host controls). */
  removeClient(roomId: string, clientId: string, host: HostCredentials, signal?: AbortSignal): Promise<void>
  /** Parley's hub only: locks the room to newcomers, or unlocks it (host controls); everyone hears `parley_room_locked`. */
  lockRoom(roomId: string, locked: boolean, host: HostCredentials, signal?: AbortSignal): Promise<void>
  /** Parley's hub only: makes another client a host too (host controls); it then claims the key (`claimHostKey`). */
  grantHost(roomId: string, clientId: string, host: HostCredentials, signal?: AbortSignal): Promise<void>
  /** Parley's hub only: the room's host key for a client a host made one, proven by its room pass. */
  claimHostKey(roomId: string, pass: string, signal?: AbortSignal): Promise<string>
  /** Parley's hub only: lets a person waiting in a locked room's lobby in, or not (host controls). */
  answerKnock(roomId: string, knockId: string, admit: boolean, host: HostCredentials, signal?: AbortSignal): Promise<void>
  /** Parley's hub only: the event stream that asks a locked room's host to let `name` in, and brings the answer. */
  knockUrl(roomId: string, name: string): string
  createChannel(roomId: string, name: string, ordered?: boolean, signal?: AbortSignal): Promise<void>
  /** The client's events stream; `lastEventId` asks the hub to replay what came after it (a new EventSource cannot send the header). */
  eventsUrl(roomId: string, clientId: string, lastEventId?: string): string
}

const NullData = v.unknown()

export function createHubClient(options: HubClientOptions): HubClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '')
  const url = <N extends RouteName>(name: N, params: RouteParams<N>) => `${baseUrl}${pathFor(name, params)}`
  /**
   * Each client's key from its latest register (Parley's hub; none from the hosted hub): every request acting
   * as that client carries it, so nobody else in the room can (protocol clientKey.ts).
   */
  const clientKeys = new Map<string, string>()

  async function send<N extends RouteName>(
    name: N,
    params: RouteParams<N>,
    init: { body?: unknown; signal?: AbortSignal; keepalive?: boolean; notFound?: HubErrorKind; headers?: Record<string, string> },
  ): Promise<{ status: number; data: unknown }> {
    const route = routes[name]
    const clientKey = clientKeys.get((params as { clientId?: string }).clientId!)
    const headers: Record<string, string> = { 'Content-Type': 'application/json', ...(clientKey ? { [CLIENT_KEY_HEADER]: clientKey } : {}), ...init.headers }
    if (route.auth && options.accessToken) headers.Authorization = `Bearer ${options.accessToken}`
    let response: FetchResponseLike
    try {
      response = await options.fetch(url(name, params), {
        method: route.method,
        headers,
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        ...(init.signal ? { signal: init.signal } : {}),
        ...(init.keepalive ? { keepalive: true } : {}),
      })
    } catch (error) {
      if (init.signal?.aborted) throw error
      throw new HubError('hub-unreachable', `${route.method} ${route.path}: ${messageOf(error)}`, 0)
    }
    let text: string
    try {
      text = await response.text()
    } catch (error) {
      if (init.signal?.aborted) throw error
      throw new HubError('hub-unreachable', `${route.method} ${route.path}: body cut off: ${messageOf(error)}`, response.status)
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      if (!response.ok) throw errorForStatus(response.status, `${route.method} ${route.path}: HTTP ${response.status}`, init.notFound)
      throw new HubError('invalid-response', `${route.method} ${route.path}: not JSON`, response.status)
    }
    const parsed = v.safeParse(EnvelopeSchema, json)
    if (!response.ok) {
      const message = parsed.success && parsed.output.message ? parsed.output.message : `HTTP ${response.status}`
      throw errorForStatus(response.status, `${route.method} ${route.path}: ${message}`, init.notFound, parsed.success ? parsed.output.data : null)
    }
    if (!parsed.success) {
      throw new HubError('invalid-response', `${route.method} ${route.path}: ${describeIssues(parsed.issues)}`, response.status)
    }
    return { status: response.status, data: parsed.output.data }
  }

  function validate<T>(schema: v.GenericSchema<unknown, T>, name: RouteName, data: unknown, status: number): T {
    const parsed = v.safeParse(schema, data)
    if (!parsed.success) {
      const route = routes[name]
      throw new HubError('invalid-response', `${route.method} ${route.path}: data ${describeIssues(parsed.issues)}`, status)
    }
    return parsed.output
  }

  async function call<T>(
    name: RouteName,
    params: Record<string, string>,
    schema: v.GenericSchema<unknown, T>,
    init: { body?: unknown; signal?: AbortSignal; keepalive?: boolean; notFound?: HubErrorKind; headers?: Record<string, string> },
  ): Promise<T> {
    const { status, data } = await send(name, params as RouteParams<typeof name>, init)
    return validate(schema, name, data, status)
  }

  const signalOf = (signal?: AbortSignal) => (signal ? { signal } : {})
  const asHost = (host: HostCredentials) => ({ headers: { [HOST_KEY_HEADER]: host.key }, body: { by_client_id: host.clientId } })

  return {
    baseUrl,
    createRoom: (body, signal) => call('createRoom', {}, CreatedRoomSchema, { body, ...signalOf(signal) }),
    getRoom: (roomId, signal) => call('getRoom', { roomId }, RoomSchema, { ...signalOf(signal), notFound: 'room-not-found' }),
    register: (roomId, body, signal, credentials = {}) => {
      const headers: Record<string, string> = {
        ...(credentials.hostKey ? { [HOST_KEY_HEADER]: credentials.hostKey } : {}),
        ...(credentials.pass ? { [ROOM_PASS_HEADER]: credentials.pass } : {}),
      }
      return call('register', { roomId }, RegisteredClientSchema, { body, ...signalOf(signal), headers, notFound: 'room-not-found' }).then((client) => {
        if (client.parley_client_key) clientKeys.set(client.client_id, client.parley_client_key)
        return client
      })
    },
    getClient: (roomId, clientId, signal) =>
      call('getClient', { roomId, clientId }, ClientSchema, { ...signalOf(signal), notFound: 'client-gone' }),
    setName: (roomId, clientId, name, signal) =>
      call('setName', { roomId, clientId }, RegisteredClientSchema, { body: { name }, ...signalOf(signal), notFound: 'client-gone' }),
    getMeta: async (roomId, key, signal) => {
      const record = await call('getMeta', { roomId, key }, v.record(v.string(), v.unknown()), {
        ...signalOf(signal),
        notFound: 'bad-request',
      })
      return record[key]
    },
    setMeta: async (roomId, record, signal) => {
      await call('setMeta', { roomId }, NullData, { body: record, ...signalOf(signal), notFound: 'room-not-found' })
    },
    deleteMeta: async (roomId, key, signal) => {
      await call('deleteMeta', { roomId, key }, NullData, { ...signalOf(signal), notFound: 'bad-request' })
    },
    candidate: async (roomId, clientId, candidate, signal) => {
      await call('candidate', { roomId, clientId }, NullData, { body: candidate, ...signalOf(signal), notFound: 'client-gone' })
    },
    isAllowNegotiate: async (roomId, clientId, signal) => {
      try {
        await send('isAllowNegotiate', { roomId, clientId }, { ...signalOf(signal), notFound: 'client-gone' })
        return true
      } catch (error) {
        // "Not now": the hub is mid-offer and will send allowed_renegotation when it is done.
        if (error instanceof HubError && (error.status === 403 || error.status === 409)) return false
        throw error
      }
    },
    negotiate: async (roomId, clientId, description, signal) => {
      const { status, data } = await send('negotiate', { roomId, clientId }, { body: description, ...signalOf(signal), notFound: 'client-gone' })
      if (description.type === 'answer') return null
      return validate(NegotiateResultSchema, 'negotiate', data, status).answer
    },
    setTrackSources: async (roomId, clientId, sources, signal) => {
      await call('setTrackSources', { roomId, clientId }, NullData, { body: sources, ...signalOf(signal), notFound: 'client-gone' })
    },
    subscribeTracks: async (roomId, clientId, tracks, signal) => {
      await call('subscribeTracks', { roomId, clientId }, NullData, { body: tracks, ...signalOf(signal), notFound: 'client-gone' })
    },
    leave: async (roomId, clientId, signal) => {
      await call('leave', { roomId, clientId }, NullData, { ...signalOf(signal), keepalive: true, notFound: 'client-gone' })
    },
    leaveUrl: (roomId, clientId) => withClientKey(url('leaveBeacon', { roomId, clientId }), clientKeys.get(clientId)),
    endRoom: async (roomId, signal, host) => {
      await call('endRoom', { roomId }, NullData, { ...signalOf(signal), ...(host ? asHost(host) : {}), notFound: 'room-not-found' })
    },
    muteClient: async (roomId, clientId, host, signal) => {
      await call('muteClient', { roomId, clientId }, NullData, { ...signalOf(signal), ...asHost(host), notFound: 'client-gone' })
    },
    removeClient: async (roomId, clientId, host, signal) => {
      await call('removeClient', { roomId, clientId }, NullData, { ...signalOf(signal), ...asHost(host), notFound: 'client-gone' })
    },
    lockRoom: async (roomId, locked, host, signal) => {
      await call('lockRoom', { roomId }, NullData, { ...signalOf(signal), headers: { [HOST_KEY_HEADER]: host.key }, body: { by_client_id: host.clientId, locked }, notFound: 'room-not-found' })
    },
    grantHost: async (roomId, clientId, host, signal) => {
      await call('grantHost', { roomId, clientId }, NullData, { ...signalOf(signal), ...asHost(host), notFound: 'client-gone' })
    },
    claimHostKey: async (roomId, pass, signal) =>
      (await call('claimHostKey', { roomId }, ClaimedHostKeySchema, { ...signalOf(signal), headers: { [ROOM_PASS_HEADER]: pass }, notFound: 'room-not-found' })).host_key,
    answerKnock: async (roomId, knockId, admit, host, signal) => {
      await call('answerKnock', { roomId, knockId }, NullData, { ...signalOf(signal), headers: { [HOST_KEY_HEADER]: host.key }, body: { by_client_id: host.clientId, admit }, notFound: 'bad-request' })
    },
    knockUrl: (roomId, name) => `${url('knock', { roomId })}?${KNOCK_NAME_PARAM}=${encodeURIComponent(name)}`,
    createChannel: async (roomId, name, ordered = true, signal) => {
      await call('createChannel', { roomId }, NullData, { body: { name, mode: ordered }, ...signalOf(signal), notFound: 'room-not-found' })
    },
    eventsUrl: (roomId, clientId, lastEventId) =>
      withClientKey(url('events', { roomId, clientId }) + (lastEventId === undefined ? '' : `?lastEventId=${encodeURIComponent(lastEventId)}`), clientKeys.get(clientId)),
  }
}

function errorForStatus(status: number, message: string, notFound: HubErrorKind = 'bad-request', data?: unknown): HubError {
  // The hub's reason in `data` tells a locked room from a refused key (both 403).
  if ((data as { reason?: unknown } | null)?.reason === ROOM_LOCKED_REASON) return new HubError('room-locked', message, status)
  if (status === 404) return new HubError(notFound, message, status)
  if (status === 401 || status === 403) return new HubError('unauthorized', message, status)
  if (status === 409) return new HubError('conflict', message, status)
  if (status >= 500) return new HubError('hub-unreachable', message, status)
  return new HubError('bad-request', message, status)
}
