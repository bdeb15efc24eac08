// The Hub API v1 over HTTP: CORS, the body limit, the v1 routes (api.ts), 405s, the web app and the
// 404. Holds no socket; `startHub` (server.ts) listens. Every response, errors included, is
// `{code, message, data}`.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import { API_VERSION, CLIENT_KEY_HEADER, HOST_KEY_HEADER, ROOM_PASS_HEADER, routes, Status } from '@parley/protocol'
import { type Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { cors } from 'hono/cors'
import { HTTPException } from 'hono/http-exception'
import { HubError } from '../errors.js'
import { Hub, type HubDeps } from '../hub.js'
import { type Logger, silentLogger } from '../log.js'
import { createApi } from './api.js'
import { reply } from './middleware.js'

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
  /** Cluster mode: routes mounted under /v1 in front of the API (src/cluster/proxy.ts). */
  clusterRouter?: Hono
  /**
   * Settings the served app's `/config.json` carries on top of the file's own (what this hub's media plane
   * cannot do, e.g. `{ simulcast: false }`); only with `staticDir`.
   */
  appConfig?: Record<string, unknown>
}

export type AppDeps = HttpOptions & (
  | { /** An existing registry; the app does not own it. */ hub: Hub; log?: Logger }
  | (HubDeps & { hub?: undefined })
)

export type HubApp = Hono & { readonly hub: Hub }

export function createApp(deps: AppDeps): HubApp {
  const hub = deps.hub ?? new Hub(deps)
  const log = deps.log ?? hub.log ?? silentLogger
  const app = new Hono()
  const prefix = `/${API_VERSION}`

  app.onError((error, c) => {
    if (error instanceof HubError) return reply(c, error.status, error.message, error.data, error.headers)
    if (error instanceof HTTPException) return reply(c, error.status, error.message || 'request rejected')
    log('error', 'unexpected error', { error, method: c.req.method, path: c.req.path })
    return reply(c, 500, 'internal error (this is a bug in the hub; it has been logged)')
  })

  app.use(
    '*',
    cors({
      origin: deps.corsOrigin ?? '*',
      allowHeaders: ['Content-Type', 'Authorization', 'Last-Event-ID', HOST_KEY_HEADER, ROOM_PASS_HEADER, CLIENT_KEY_HEADER],
      allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
      exposeHeaders: ['X-Access-Token-Expired'],
      maxAge: 600,
    }),
  )

  const limit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES
  // The rest of the body is never read, so the connection cannot carry another request: say so,
  // or a keep-alive client sends its next request into a socket the server is about to drop.
  const tooLarge = (c: Context) => reply(c, Status.payloadTooLarge, `request body is larger than the limit of ${limit} bytes`, null, { Connection: 'close' })
  const limitStreamedBody = bodyLimit({ maxSize: limit, onError: tooLarge })
  // hono's bodyLimit reads `c.req.raw.body`, which makes @hono/node-server build a full web Request (an
  // AbortController, a body stream) for every request, GETs included: the largest single cost of a request
  // under API load (loadtest README, "API load beside a live call"). A request without a body, or with a
  // declared length (Node's parser holds the body to it), is checked here; only a chunked body streams.
  app.use(`${prefix}/*`, (c, next) => {
    const method = c.req.method
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next()
    const length = c.req.header('content-length')
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) return Number(length) > limit ? Promise.resolve(tooLarge(c)) : next()
    return limitStreamedBody(c, next)
  })

  // A hub shutting down has closed its rooms but still answers until its socket closes: a room it would
  // call "not found" is only on its way to the registry, so a client retrying now must hear "come back".
  app.use(`${prefix}/*`, async (c, next) => {
    if (!hub.closing) return next()
    return reply(c, Status.serviceUnavailable, 'the hub is shutting down; try again shortly', null, { 'Retry-After': '1', Connection: 'close' })
  })

  if (deps.clusterRouter) app.route(prefix, deps.clusterRouter)
  app.route(prefix, createApi(hub, { apiKey: deps.apiKey }))

  // Known paths with another method: 405, with the methods that do work.
  const methodsByPath = new Map<string, string[]>()
  for (const route of Object.values(routes)) methodsByPath.set(route.path, [...(methodsByPath.get(route.path) ?? []), route.method])
  for (const [path, methods] of methodsByPath) {
    const allowed = methods.join(', ')
    app.all(`${prefix}${path}`, (c) => reply(c, Status.methodNotAllowed, `${c.req.method} is not allowed on ${c.req.path}; use ${allowed}`, null, { Allow: allowed }))
  }

  if (deps.staticDir && existsSync(join(deps.staticDir, 'index.html'))) {
    const root = deps.staticDir
    const appConfig = deps.appConfig
    if (appConfig) app.get('/config.json', (c) => c.json({ ...staticAppConfig(root), ...appConfig }))
    const files = serveStatic({ root })
    const index = serveStatic({ root, path: 'index.html' })
    app.get('*', async (c, next) => {
      if (c.req.path.startsWith(`${prefix}/`) || c.req.path === prefix) return next()
      const noop = async () => {}
      return (await files(c, noop)) ?? (await index(c, noop)) ?? next()
    })
  }

  app.notFound((c) => reply(c, Status.notFound, `no such endpoint: ${c.req.method} ${c.req.path}`))

  return Object.assign(app, { hub })
}

/** The served app's own `config.json` (an object), or `{}` when it has none or it does not parse. */
function staticAppConfig(root: string): Record<string, unknown> {
  try {
    const json: unknown = JSON.parse(readFileSync(join(root, 'config.json'), 'utf8'))
    return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
