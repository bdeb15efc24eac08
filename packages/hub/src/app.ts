// The Hub API v1 over HTTP: routes, validation, envelopes, CORS, auth, SSE. Holds no socket;
// `startHub` (server.ts) listens. Every response, errors included, is `{code, message, data}`.
import { createHash, timingSafeEqual } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import {
  API_VERSION,
  CreateChannelRequestSchema,
  CreateRoomRequestSchema,
  IceCandidateSchema,
  RegisterRequestSchema,
  type Route,
  SessionDescriptionSchema,
  SetMetaRequestSchema,
  SetNameRequestSchema,
  Status,
  SubscribeTracksRequestSchema,
  TrackSourcesRequestSchema,
  describeIssues,
  envelope,
  routes,
} from '@parley/protocol'
import { type Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { cors } from 'hono/cors'
import { HTTPException } from 'hono/http-exception'
import { stream } from 'hono/streaming'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import * as v from 'valibot'
import { HubError, badRequest, messageOf } from './errors.js'
import { Hub, type HubDeps } from './hub.js'
import { type Logger, silentLogger } from './log.js'
import type { SseSink } from './sse.js'

export const DEFAULT_BODY_LIMIT_BYTES = 256 * 1024

export interface HttpOptions {
  /** When set, create room, get room, register and end require `Authorization: Bearer <apiKey>`. */
  apiKey?: string
  /** Origins allowed by CORS: '*' (default) or a list. */
  corsOrigin?: string | string[]
  /** Largest request body accepted (413 beyond). Default 256 KiB. */
  bodyLimitBytes?: number
  /** A built web app to serve at `/` (SPA fallback to index.html for non-API GETs). */
  staticDir?: string
}

export type AppDeps = HttpOptions & (
  | { /** An existing registry; the app does not own it. */ hub: Hub; log?: Logger }
  | (HubDeps & { hub?: undefined })
)

export type HubApp = Hono & { readonly hub: Hub }

type Handler = (c: Context) => Response | Promise<Response>

export function createApp(deps: AppDeps): HubApp {
  const hub = deps.hub ?? new Hub(deps)
  const log = deps.log ?? hub.log ?? silentLogger
  const app = new Hono()
  const corsOrigin = deps.corsOrigin ?? '*'
  const apiKeyDigest = deps.apiKey ? digest(deps.apiKey) : undefined

  const reply = (c: Context, status: number, message: string, data: unknown = null, headers: Record<string, string> = {}) => {
    for (const [name, value] of Object.entries(headers)) c.header(name, value)
    return c.json(envelope(status, message, data), status as ContentfulStatusCode)
  }

  app.onError((error, c) => {
    if (error instanceof HubError) return reply(c, error.status, error.message, null, error.headers)
    if (error instanceof HTTPException) return reply(c, error.status, error.message || 'request rejected')
    log('error', 'unexpected error', { error, method: c.req.method, path: c.req.path })
    return reply(c, 500, 'internal error (this is a bug in the hub; it has been logged)')
  })

  app.use(
    '*',
    cors({
      origin: corsOrigin,
      allowHeaders: ['Content-Type', 'Authorization', 'Last-Event-ID'],
      allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
      exposeHeaders: ['X-Access-Token-Expired'],
      maxAge: 600,
    }),
  )

  const limit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES
  app.use(
    `/${API_VERSION}/*`,
    bodyLimit({
      maxSize: limit,
      // The rest of the body is never read, so the connection cannot carry another request: say so,
      // or a keep-alive client sends its next request into a socket the server is about to drop.
      onError: (c) => reply(c, Status.payloadTooLarge, `request body is larger than the limit of ${limit} bytes`, null, { Connection: 'close' }),
    }),
  )

  const requireAuth = (c: Context) => {
    if (!apiKeyDigest) return
    const header = c.req.header('authorization') ?? ''
    const match = /^Bearer\s+(.+)$/i.exec(header.trim())
    if (!match) throw new HubError(Status.unauthorized, 'this endpoint needs an "Authorization: Bearer <api key>" header')
    if (!timingSafeEqual(digest(match[1]!), apiKeyDigest)) throw new HubError(Status.unauthorized, 'the API key is not valid')
  }

  const methodsByPath = new Map<string, string[]>()
  const handle = (route: Route, handler: Handler) => {
    const path = `/${API_VERSION}${route.path}`
    methodsByPath.set(path, [...(methodsByPath.get(path) ?? []), route.method])
    app.on(route.method, path, async (c) => {
      if (route.auth) requireAuth(c)
      return handler(c)
    })
  }
  const param = (c: Context, name: string) => c.req.param(name) ?? ''
  const room = (c: Context) => hub.room(param(c, 'roomId'))
  /** The room and a client id that exists in it: an unknown room or client is a 404 before the body is read. */
  const clientOf = (c: Context) => {
    const target = room(c)
    const clientId = param(c, 'clientId')
    target.client(clientId)
    return { target, clientId }
  }

  handle(routes.createRoom, async (c) => {
    const body = parse(CreateRoomRequestSchema, (await readJson(c)) ?? {}, 'room')
    const created = hub.createRoom(body)
    return reply(c, Status.created, 'room created', created.describe())
  })

  handle(routes.getRoom, (c) => reply(c, Status.ok, 'room found', room(c).describe()))

  handle(routes.register, async (c) => {
    const target = room(c)
    const body = parse(RegisterRequestSchema, (await readJson(c)) ?? {}, 'registration')
    return reply(c, Status.ok, 'client registered', target.register(body))
  })

  handle(routes.getClient, (c) => reply(c, Status.ok, 'client found', room(c).describeClient(param(c, 'clientId'))))

  handle(routes.setName, async (c) => {
    const { target, clientId } = clientOf(c)
    const body = parse(SetNameRequestSchema, await readJson(c), 'name change')
    return reply(c, Status.ok, 'name changed', target.setName(clientId, body.name))
  })

  handle(routes.getMeta, (c) => reply(c, Status.ok, 'meta found', room(c).getMeta(param(c, 'key'))))

  handle(routes.setMeta, async (c) => {
    const target = room(c)
    target.setMeta(parse(SetMetaRequestSchema, checkMetaKeys(await readJson(c)), 'metadata'))
    return reply(c, Status.ok, 'meta set')
  })

  handle(routes.deleteMeta, (c) => {
    room(c).deleteMeta(param(c, 'key'))
    return reply(c, Status.ok, 'meta deleted')
  })

  handle(routes.candidate, async (c) => {
    const { target, clientId } = clientOf(c)
    await target.addCandidate(clientId, parse(IceCandidateSchema, await readJson(c), 'candidate'))
    return reply(c, Status.ok, 'candidate added')
  })

  handle(routes.isAllowNegotiate, (c) => {
    room(c).isAllowNegotiate(param(c, 'clientId'))
    return reply(c, Status.ok, 'negotiation allowed; send your offer with PUT negotiate')
  })

  handle(routes.negotiate, async (c) => {
    const { target, clientId } = clientOf(c)
    const description = parse(SessionDescriptionSchema, await readJson(c), 'session description')
    const answer = await target.negotiate(clientId, description)
    return reply(c, Status.ok, answer ? 'offer answered' : 'answer applied', { answer })
  })

  handle(routes.setTrackSources, async (c) => {
    const { target, clientId } = clientOf(c)
    target.setTrackSources(clientId, parse(TrackSourcesRequestSchema, await readJson(c), 'track sources', 'array'))
    return reply(c, Status.ok, 'track sources set')
  })

  handle(routes.subscribeTracks, async (c) => {
    const { target, clientId } = clientOf(c)
    target.subscribeTracks(clientId, parse(SubscribeTracksRequestSchema, await readJson(c), 'subscription', 'array'))
    return reply(c, Status.ok, 'tracks subscribed')
  })

  const leave: Handler = (c) => {
    room(c).leave(param(c, 'clientId'))
    return reply(c, Status.ok, 'client left')
  }
  handle(routes.leave, leave)
  handle(routes.leaveBeacon, leave)

  handle(routes.endRoom, (c) => {
    room(c).close('ended')
    return reply(c, Status.ok, 'room ended')
  })

  const createChannel: Handler = async (c) => {
    const target = room(c)
    const body = parse(CreateChannelRequestSchema, await readJson(c), 'data channel')
    target.createChannel(body.name, body.mode ?? body.ordered_mode ?? true)
    return reply(c, Status.ok, 'data channel created', { name: body.name })
  }
  handle(routes.createChannel, createChannel)
  handle(routes.createChannelPlural, createChannel)

  handle(routes.events, (c) => {
    const { target, clientId } = clientOf(c)
    const lastEventId = c.req.header('last-event-id')
    c.header('Content-Type', 'text/event-stream')
    c.header('Cache-Control', 'no-cache')
    c.header('Connection', 'keep-alive')
    c.header('X-Accel-Buffering', 'no')
    // A HEAD (Hono routes it here as a GET) must not take over the client's live stream.
    if (c.req.method === 'HEAD') return c.body(null, 200)
    return stream(c, async (response) => {
      // The stream must stay open until the client goes away or the hub closes it (style-anchors F).
      await new Promise<void>((resolve) => {
        const sink: SseSink = {
          write: (text) => void response.write(text),
          close: resolve,
        }
        let client
        try {
          client = target.openEvents(clientId, sink, lastEventId)
        } catch {
          // The client was removed between the lookup and now: end the stream.
          resolve()
          return
        }
        response.onAbort(() => {
          client.sse.detach(sink)
          resolve()
        })
      }).catch(() => {})
    })
  })

  // Known paths with another method: 405, with the methods that do work.
  for (const [path, methods] of methodsByPath) {
    app.all(path, (c) => {
      const allowed = methods.join(', ')
      return reply(c, Status.methodNotAllowed, `${c.req.method} is not allowed on ${c.req.path}; use ${allowed}`, null, { Allow: allowed })
    })
  }

  if (deps.staticDir && existsSync(join(deps.staticDir, 'index.html'))) {
    const root = deps.staticDir
    const api = `/${API_VERSION}/`
    const files = serveStatic({ root })
    const index = serveStatic({ root, path: 'index.html' })
    app.get('*', async (c, next) => {
      if (c.req.path.startsWith(api) || c.req.path === `/${API_VERSION}`) return next()
      const noop = async () => {}
      return (await files(c, noop)) ?? (await index(c, noop)) ?? next()
    })
  }

  app.notFound((c) => reply(c, Status.notFound, `no such endpoint: ${c.req.method} ${c.req.path}`))

  return Object.assign(app, { hub })
}

/** Deeper JSON is refused: nothing in the API nests like that, and serialising it again could overflow the stack. */
export const MAX_JSON_DEPTH = 32

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** The request body as JSON; undefined when empty. Any content type is read (sendBeacon sends text/plain). */
async function readJson(c: Context): Promise<unknown> {
  let text: string
  try {
    text = utf8.decode(await c.req.arrayBuffer())
  } catch {
    throw badRequest('request body is not valid UTF-8')
  }
  if (text.trim() === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(text) as unknown
  } catch (error) {
    throw badRequest(`request body is not valid JSON: ${messageOf(error)}`)
  }
  if (depthExceeds(value, MAX_JSON_DEPTH)) throw badRequest(`request body nests deeper than ${MAX_JSON_DEPTH} levels`)
  return value
}

/** Iterative, so a hostile body cannot overflow the stack here either. */
function depthExceeds(root: unknown, maxDepth: number): boolean {
  const pending: [unknown, number][] = [[root, 1]]
  while (pending.length > 0) {
    const [value, depth] = pending.pop()!
    if (value === null || typeof value !== 'object') continue
    if (depth > maxDepth) return true
    for (const child of Object.values(value)) pending.push([child, depth + 1])
  }
  return false
}

/**
 * Keys the metadata schema would silently drop (valibot skips them as prototype-pollution guards):
 * refused instead, so a client learns that its key was not stored.
 */
const RESERVED_META_KEYS = new Set(['__proto__', 'prototype', 'constructor'])

function checkMetaKeys(body: unknown): unknown {
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const reserved = Object.keys(body).filter((key) => RESERVED_META_KEYS.has(key))
    if (reserved.length > 0) throw badRequest(`invalid metadata: key ${JSON.stringify(reserved[0])} is reserved; use another name`)
  }
  return body
}

/** Validates a body. `shape` is checked first: valibot's object and record schemas accept arrays too. */
function parse<S extends v.GenericSchema>(schema: S, value: unknown, what: string, shape: 'object' | 'array' = 'object'): v.InferOutput<S> {
  if (value === undefined) throw badRequest(`request body is missing: expected a JSON ${what}`)
  const list = shape === 'array'
  if (list !== Array.isArray(value) || value === null || typeof value !== 'object') {
    throw badRequest(`invalid ${what}: the body must be a JSON ${list ? 'array' : 'object'}`)
  }
  const result = v.safeParse(schema, value)
  if (!result.success) throw badRequest(`invalid ${what}: ${describeIssues(result.issues)}`)
  return result.output
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}
