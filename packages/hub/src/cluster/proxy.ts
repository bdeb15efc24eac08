// The cluster's routes in front of the v1 API (mounted under /v1 before it): a request for a room another
// node holds is forwarded to that node and its answer streamed back (SSE included: the response body is
// piped as it arrives, and the client's socket drains before more is read from the other node, so a slow
// reader slows the stream instead of filling memory); a new room goes to the node placement picks; and
// `GET /v1/parley/cluster` shows the nodes, their load and the rooms. A forwarded request carries
// `X-Parley-Cluster-Hop` and is never forwarded again.
import { Status } from '@parley/protocol'
import { type Context, Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { Clock } from '../clock.js'
import type { Logger } from '../log.js'
import { reply } from '../http/middleware.js'
import type { RedisRoomRegistry } from '../registry/redis.js'
import type { ClusterNode, RoomRoute } from './cluster.js'
import type { NodeInfo } from './nodes.js'

export const HOP_HEADER = 'X-Parley-Cluster-Hop'
export const CLUSTER_STATUS_PATH = '/parley/cluster'
/** How long a changing request waits for its registry writes to reach Redis before it is answered anyway. */
export const SETTLE_TIMEOUT_MS = 1_000

// Headers that belong to one connection, not to the request or response.
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'host', 'content-length', 'content-encoding']

export interface ClusterRouterDeps {
  /** The node, once it has joined the cluster (until then, 503: the router is mounted before the hub listens). */
  cluster: () => ClusterNode | undefined
  registry: RedisRoomRegistry
  clock: Clock
  log: Logger
  /** Node-to-node HTTP. Default: the global fetch (undici). */
  fetch?: typeof fetch
}

export function createClusterRouter(deps: ClusterRouterDeps): Hono {
  const { log } = deps
  const send = deps.fetch ?? globalThis.fetch
  const router = new Hono<{ Variables: { cluster: ClusterNode } }>()
  router.use('*', async (c, next) => {
    const cluster = deps.cluster()
    if (!cluster) return reply(c, Status.serviceUnavailable, 'this hub node is joining its cluster; try again shortly', null, { 'Retry-After': '1' })
    c.set('cluster', cluster)
    await next()
  })

  type ClusterContext = Context<{ Variables: { cluster: ClusterNode } }>
  const forward = async (c: ClusterContext, node: NodeInfo, body?: ArrayBuffer): Promise<Response> => {
    const incoming = new URL(c.req.url)
    const target = `${node.url}${incoming.pathname}${incoming.search}`
    const headers = new Headers(c.req.raw.headers)
    for (const name of HOP_BY_HOP) headers.delete(name)
    headers.set(HOP_HEADER, c.var.cluster.nodeId)
    const hasBody = c.req.method !== 'GET' && c.req.method !== 'HEAD'
    let answer: Response
    try {
      answer = await send(target, {
        method: c.req.method,
        headers,
        // Request bodies are small (the body limit ran before): read whole; responses stream.
        body: hasBody ? (body ?? (await c.req.arrayBuffer())) : undefined,
        redirect: 'manual',
        signal: c.req.raw.signal,
      })
    } catch (error) {
      log('warn', 'cluster: the room\'s node did not answer', { node: node.id, path: incoming.pathname, error })
      return reply(c, Status.serviceUnavailable, `the hub node holding this room (${node.id}) does not answer; try again shortly`, null, { 'Retry-After': '1' })
    }
    const out = new Headers(answer.headers)
    for (const name of HOP_BY_HOP) out.delete(name)
    const onLost = (error: unknown) => log('warn', 'cluster: the room\'s node went away mid-response; the stream ends (clients reconnect)', { node: node.id, path: incoming.pathname, error })
    return new Response(answer.body && endWhenCut(answer.body, c.req.raw.signal, onLost), { status: answer.status, statusText: answer.statusText, headers: out })
  }

  const settle = async () => {
    let timer: unknown
    await Promise.race([deps.registry.settled(), new Promise<void>((resolve) => (timer = deps.clock.setTimeout(resolve, SETTLE_TIMEOUT_MS)))])
    deps.clock.clearTimeout(timer)
  }

  const local = async (next: () => Promise<void>, c: ClusterContext) => {
    await next()
    // A change is answered once it is in Redis (where another node would read it), or after 1 s with Redis away.
    if (c.req.method !== 'GET') await settle()
  }

  const isHop = (c: ClusterContext) => c.req.header(HOP_HEADER) !== undefined
  const routeTo = (c: ClusterContext, next: () => Promise<void>, route: RoomRoute, body?: ArrayBuffer) =>
    route.kind === 'local' ? local(next, c) : forward(c, route.node, body)

  router.get(CLUSTER_STATUS_PATH, async (c) => reply(c, Status.ok, 'cluster status', await c.var.cluster.status()))

  router.post(
    '/rooms/create',
    createMiddleware<{ Variables: { cluster: ClusterNode } }>(async (c, next) => {
      const cluster = c.var.cluster
      if (isHop(c)) return local(next, c)
      const body = await c.req.arrayBuffer()
      const id = requestedId(body)
      const route = await cluster.placeRoom()
      if (id === undefined) return routeTo(c, next, route, body)
      // A named id is reserved in the room → node map first (HSETNX): of two creates of one id racing on
      // two nodes exactly one gets it. The other goes to the node it is reserved for, which answers 409
      // (or 201, if it gets there before the winner's own request: still one room, one 201).
      const target = route.kind === 'local' ? cluster.nodeId : route.node.id
      if (!(await cluster.reserveRoom(id, target))) {
        const holder = await cluster.holderOf(id)
        if (!holder) return reply(c, Status.conflict, `room "${id}" already exists`, null)
        return routeTo(c, next, holder.id === cluster.nodeId ? { kind: 'local' } : { kind: 'remote', node: holder }, body)
      }
      const answered = await routeTo(c, next, route, body)
      const status = answered instanceof Response ? answered.status : c.res.status
      if (status !== Status.created) {
        await cluster.releaseRoom(id, target).catch((error: unknown) => log('warn', 'cluster: could not release the id of a room whose create failed', { roomId: id, error }))
      }
      return answered
    }),
  )

  const roomRequest = createMiddleware<{ Variables: { cluster: ClusterNode } }>(async (c, next) => {
    const roomId = c.req.param('roomId')
    // POST /rooms/create matches `/rooms/:roomId` too; the create route above has decided it.
    const isCreate = c.req.method === 'POST' && roomId === 'create' && c.req.path.endsWith('/rooms/create')
    if (isCreate) return next()
    if (isHop(c) || roomId === undefined) return local(next, c)
    return routeTo(c, next, await c.var.cluster.routeRoom(roomId))
  })
  for (const path of ['/rooms/:roomId', '/rooms/:roomId/*', '/room/:roomId/*']) router.all(path, roomRequest)
  // Mounted into the app under /v1, whose routes know nothing of `c.var.cluster`.
  return new Hono().route('/', router)
}

/**
 * The forwarded body, read only as the client's side asks for more (back-pressure). It ends when the
 * client went away (the forwarding fetch is aborted with it: nothing to report) or when the room's node
 * did (reported to `onLost`): an event stream's client then reconnects, as after any dropped stream.
 */
function endWhenCut(body: ReadableStream<Uint8Array>, signal: AbortSignal, onLost: (error: unknown) => void): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read()
        if (done) controller.close()
        else controller.enqueue(value)
      } catch (error) {
        if (!signal.aborted) onLost(error)
        controller.close()
      }
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 })
}

/** The `id` of a create-room body, when it names one (anything unreadable is left to the API's validation). */
function requestedId(body: ArrayBuffer): string | undefined {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(body)) as unknown
    const id = typeof parsed === 'object' && parsed !== null ? (parsed as { id?: unknown }).id : undefined
    return typeof id === 'string' && id !== '' ? id : undefined
  } catch {
    return undefined
  }
}
