// The middleware of the v1 routes: the JSON envelope every response uses, the API key, the room and
// the client a path names (resolved into `c.var`, a 404 before any body is read), and the request body
// (read by the hub's rules, then validated with @hono/valibot-validator so handlers read `c.req.valid('json')`).
import { createHash, timingSafeEqual } from 'node:crypto'
import { CLIENT_KEY_HEADER, CLIENT_KEY_PARAM, describeIssues, envelope, Status } from '@parley/protocol'
import { vValidator } from '@hono/valibot-validator'
import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type * as v from 'valibot'
import type { Client } from '../client.js'
import { badRequest, HubError } from '../errors.js'
import type { Hub } from '../hub.js'
import type { Room } from '../room.js'
import { type BodyRules, checkBody, parseJsonBody } from './body.js'

/** The envelope `{code, message, data}` with `code` = the HTTP status. */
export function reply(c: Context, status: number, message: string, data: unknown = null, headers: Record<string, string> = {}): Response {
  for (const [name, value] of Object.entries(headers)) c.header(name, value)
  return c.json(envelope(status, message, data), status as ContentfulStatusCode)
}

/** `Authorization: Bearer <apiKey>` when the hub has a key; the routes the hosted hub wants a token on use it. */
export function requireApiKey(apiKey: string | undefined) {
  const expected = apiKey ? digest(apiKey) : undefined
  return createMiddleware(async (c, next) => {
    if (expected) {
      const match = /^Bearer\s+(.+)$/i.exec((c.req.header('authorization') ?? '').trim())
      if (!match) throw new HubError(Status.unauthorized, 'this endpoint needs an "Authorization: Bearer <api key>" header')
      if (!timingSafeEqual(digest(match[1]!), expected)) throw new HubError(Status.unauthorized, 'the API key is not valid')
    }
    await next()
  })
}

export type RoomEnv = { Variables: { room: Room } }
export type ClientEnv = { Variables: { room: Room; client: Client } }

/** `c.var.room`: the room of `:roomId`, or 404. */
export function roomOf(hub: Hub) {
  return createMiddleware<RoomEnv>(async (c, next) => {
    c.set('room', hub.room(c.req.param('roomId') ?? ''))
    await next()
  })
}

/**
 * `c.var.room` and `c.var.client`: the client of `:clientId` in that room, or 404. `actingAs` (every route
 * but the read-only GET of a client): the request acts as that client, so a client bound to its key
 * (clientKey.ts) needs it, in the header or the query; 403 otherwise, before any body is read.
 */
export function clientOf(hub: Hub, { actingAs }: { actingAs: boolean }) {
  return createMiddleware<ClientEnv>(async (c, next) => {
    const room = hub.room(c.req.param('roomId') ?? '')
    c.set('room', room)
    const client = room.client(c.req.param('clientId') ?? '')
    if (actingAs) client.key.check(client.id, c.req.header(CLIENT_KEY_HEADER) ?? c.req.query(CLIENT_KEY_PARAM))
    c.set('client', client)
    await next()
  })
}

/**
 * The JSON body validated against `schema` (then `c.req.valid('json')`): read under any content type by
 * the hub's rules (body.ts), handed to the valibot validator as the JSON it is, and refused with
 * `invalid <what>: <field>: <problem>` when it does not match.
 */
export function jsonBody<S extends v.GenericSchema>(schema: S, rules: BodyRules) {
  const read = createMiddleware(async (c, next) => {
    const body = checkBody(parseJsonBody(await c.req.arrayBuffer()), rules)
    // The validator reads the body as JSON text through Hono's body cache, and only under a JSON content
    // type. The cache holds pending reads (c.req.json() awaits it), though its declared type names the value.
    c.req.bodyCache.text = Promise.resolve(JSON.stringify(body)) as unknown as string
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) c.req.raw.headers.set('content-type', 'application/json')
    await next()
  })
  const validate = vValidator('json', schema, (result) => {
    if (!result.success) throw badRequest(`invalid ${rules.what}: ${describeIssues(result.issues)}`)
  })
  return [read, validate] as const
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}
