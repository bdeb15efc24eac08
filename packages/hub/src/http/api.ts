// The Hub API v1 routes, one handler per route written where it is mounted, from the protocol's route
// table (`routes`): path parameters are typed from the table's templates, the room and client a path
// names come from middleware in `c.var`, bodies from `c.req.valid('json')`.
import {
  AnswerKnockRequestSchema,
  type ClaimedHostKeySchema,
  CreateChannelRequestSchema,
  CreateRoomRequestSchema,
  HOST_KEY_HEADER,
  HostActionRequestSchema,
  IceCandidateSchema,
  KNOCK_NAME_PARAM,
  LAST_EVENT_ID_HEADER,
  LAST_EVENT_ID_QUERY,
  LockRoomRequestSchema,
  RegisterRequestSchema,
  ROOM_PASS_HEADER,
  type RoomLock,
  routes,
  SessionDescriptionSchema,
  SetMetaRequestSchema,
  SetNameRequestSchema,
  Status,
  SubscribeTracksRequestSchema,
  TrackSourcesRequestSchema,
} from '@parley/protocol'
import { Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import { stream } from 'hono/streaming'
import type * as v from 'valibot'
import { actedBy, checkHostKey, claimHostKey, grantHost, moderationTarget, muteClient, registerNewcomer, requireHostControls, setRoomLocked } from '../hostControls.js'
import type { Hub } from '../hub.js'
import { knockName } from '../lobby.js'
import { revokePassOf } from '../roomPass.js'
import { eventStreamBody, type SseSink } from '../sse.js'
import { refuseReservedMetaKeys } from './body.js'
import { clientOf, jsonBody, reply, requireApiKey, type RoomEnv, roomOf } from './middleware.js'

/** An event stream's response headers (no proxy buffers it, nobody caches it). */
const eventStreamHeaders = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
}

/** The routes under `/v1`. */
export function createApi(hub: Hub, options: { apiKey?: string }): Hono {
  const api = new Hono()
  const auth = requireApiKey(options.apiKey)
  const room = roomOf(hub)
  const client = clientOf(hub, { actingAs: true })
  const clientToRead = clientOf(hub, { actingAs: false })

  // Rooms

  api.on(routes.createRoom.method, routes.createRoom.path, auth, ...jsonBody(CreateRoomRequestSchema, { what: 'room', whenEmpty: {} }), (c) => {
    const created = hub.createRoom(c.req.valid('json'))
    const { hostKey } = created.parley
    return reply(c, Status.created, 'room created', hostKey === undefined ? created.describe() : { ...created.describe(), host_key: hostKey })
  })

  api.on(routes.getRoom.method, routes.getRoom.path, auth, room, (c) => reply(c, Status.ok, 'room found', c.var.room.describe()))

  // With host controls (Parley) the host key is required; the optional body names the host's client.
  const hostAction = jsonBody(HostActionRequestSchema, { what: 'host action', whenEmpty: {} })
  api.on(routes.endRoom.method, routes.endRoom.path, auth, room, ...hostAction, (c) => {
    checkHostKey(c.var.room, c.req.header(HOST_KEY_HEADER))
    c.var.room.close('ended', actedBy(c.var.room, c.req.valid('json').by_client_id))
    return reply(c, Status.ok, 'room ended')
  })

  // Moderation (Parley's hub, rooms with host controls): the target is looked up after the key is checked.

  api.on(routes.muteClient.method, routes.muteClient.path, room, ...hostAction, (c) => {
    requireHostControls(c.var.room)
    checkHostKey(c.var.room, c.req.header(HOST_KEY_HEADER))
    muteClient(c.var.room, moderationTarget(c.var.room, c.req.param('clientId')), actedBy(c.var.room, c.req.valid('json').by_client_id))
    return reply(c, Status.ok, 'client asked to mute its microphone; its media state now says muted')
  })

  api.on(routes.removeClient.method, routes.removeClient.path, room, ...hostAction, (c) => {
    requireHostControls(c.var.room)
    checkHostKey(c.var.room, c.req.header(HOST_KEY_HEADER))
    const target = moderationTarget(c.var.room, c.req.param('clientId'))
    // Its room pass would let it straight back in once the room is locked.
    revokePassOf(c.var.room, target)
    c.var.room.removeClient(target, 'removed', 'removed by the host', actedBy(c.var.room, c.req.valid('json').by_client_id))
    return reply(c, Status.ok, 'client removed')
  })

  // The host is checked before the body is read: without the key the body is nobody's business.
  const asHost = (what: string) =>
    createMiddleware<RoomEnv>(async (c, next) => {
      requireHostControls(c.var.room, what)
      checkHostKey(c.var.room, c.req.header(HOST_KEY_HEADER))
      await next()
    })
  api.on(routes.lockRoom.method, routes.lockRoom.path, room, asHost('lock the room'), ...jsonBody(LockRoomRequestSchema, { what: 'room lock' }), (c) => {
    const { locked, by_client_id } = c.req.valid('json')
    setRoomLocked(c.var.room, locked, actedBy(c.var.room, by_client_id))
    return reply(c, Status.ok, locked ? 'room locked: nobody new may join' : 'room unlocked', { locked } satisfies RoomLock)
  })

  // A co-host: the target's room pass is marked a host's and it is told so; it claims the key with that pass.
  api.on(routes.grantHost.method, routes.grantHost.path, room, asHost('make anyone a host'), ...hostAction, (c) => {
    grantHost(c.var.room, moderationTarget(c.var.room, c.req.param('clientId')), actedBy(c.var.room, c.req.valid('json').by_client_id))
    return reply(c, Status.ok, `client made a host: it claims the host key with its room pass (${routes.claimHostKey.method} ${routes.claimHostKey.path})`)
  })

  // The only answer that carries the key besides the room's creation: kept by no cache.
  api.on(routes.claimHostKey.method, routes.claimHostKey.path, room, (c) => {
    requireHostControls(c.var.room, 'claim its host key')
    const hostKey = claimHostKey(c.var.room, c.req.header(ROOM_PASS_HEADER))
    return reply(c, Status.ok, 'host key claimed', { host_key: hostKey } satisfies v.InferOutput<typeof ClaimedHostKeySchema>, { 'Cache-Control': 'no-store' })
  })

  // The lobby (Parley's hub, rooms with host controls; lobby.ts): knock, and the host's answer.

  api.on(routes.knock.method, routes.knock.path, room, (c) => {
    requireHostControls(c.var.room, 'knock on it (it is never locked: register directly)')
    const name = knockName(c.req.query(KNOCK_NAME_PARAM))
    // A HEAD (Hono routes it here as a GET) must not put anyone in the lobby.
    if (c.req.method === 'HEAD') return c.body(null, 200, eventStreamHeaders)
    const lobby = c.var.room.lobby
    // The knocker went away: out of the lobby.
    let withdraw = () => {}
    const { body, sink } = eventStreamBody(() => withdraw())
    // Made (or refused with a JSON 4xx) before the response starts.
    const knockId = lobby.knock(name, sink)
    if (knockId !== undefined) withdraw = () => lobby.withdraw(knockId)
    return c.body(body, 200, eventStreamHeaders)
  })

  api.on(routes.answerKnock.method, routes.answerKnock.path, room, asHost('answer a knock on it'), ...jsonBody(AnswerKnockRequestSchema, { what: 'knock answer' }), (c) => {
    const { admit, by_client_id } = c.req.valid('json')
    c.var.room.lobby.answer(c.req.param('knockId'), admit, actedBy(c.var.room, by_client_id))
    return reply(c, Status.ok, admit ? 'knock answered: let in' : 'knock answered: not let in')
  })

  // Clients

  // A locked room (host controls) lets in only a registration that carries its host key or a room pass.
  api.on(routes.register.method, routes.register.path, auth, room, ...jsonBody(RegisterRequestSchema, { what: 'registration', whenEmpty: {} }), (c) => {
    const credentials = { hostKey: c.req.header(HOST_KEY_HEADER), pass: c.req.header(ROOM_PASS_HEADER) }
    return reply(c, Status.ok, 'client registered', registerNewcomer(c.var.room, c.req.valid('json'), credentials))
  })

  api.on(routes.getClient.method, routes.getClient.path, clientToRead, (c) => reply(c, Status.ok, 'client found', c.var.client.describe()))

  api.on(routes.setName.method, routes.setName.path, client, ...jsonBody(SetNameRequestSchema, { what: 'name change' }), (c) => {
    c.var.client.rename(c.req.valid('json').name)
    return reply(c, Status.ok, 'name changed', c.var.room.registered(c.var.client))
  })

  for (const leave of [routes.leave, routes.leaveBeacon]) {
    api.on(leave.method, leave.path, client, (c) => {
      c.var.room.leave(c.var.client)
      return reply(c, Status.ok, 'client left')
    })
  }

  // Metadata

  api.on(routes.getMeta.method, routes.getMeta.path, room, (c) => reply(c, Status.ok, 'meta found', c.var.room.getMeta(c.req.param('key'))))

  api.on(
    routes.setMeta.method,
    routes.setMeta.path,
    room,
    ...jsonBody(SetMetaRequestSchema, { what: 'metadata', refuse: refuseReservedMetaKeys }),
    (c) => {
      c.var.room.setMeta(c.req.valid('json'))
      return reply(c, Status.ok, 'meta set')
    },
  )

  api.on(routes.deleteMeta.method, routes.deleteMeta.path, room, (c) => {
    c.var.room.deleteMeta(c.req.param('key'))
    return reply(c, Status.ok, 'meta deleted')
  })

  // Negotiation

  api.on(routes.candidate.method, routes.candidate.path, client, ...jsonBody(IceCandidateSchema, { what: 'candidate' }), async (c) => {
    await c.var.client.addCandidate(c.req.valid('json'))
    return reply(c, Status.ok, 'candidate added')
  })

  api.on(routes.isAllowNegotiate.method, routes.isAllowNegotiate.path, client, (c) => {
    c.var.client.requestTurn()
    return reply(c, Status.ok, 'negotiation allowed; send your offer with PUT negotiate')
  })

  api.on(routes.negotiate.method, routes.negotiate.path, client, ...jsonBody(SessionDescriptionSchema, { what: 'session description' }), async (c) => {
    const answer = await c.var.client.negotiate(c.req.valid('json'))
    return reply(c, Status.ok, answer ? 'offer answered' : 'answer applied', { answer })
  })

  // Tracks

  api.on(
    routes.setTrackSources.method,
    routes.setTrackSources.path,
    client,
    ...jsonBody(TrackSourcesRequestSchema, { what: 'track sources', shape: 'array' }),
    (c) => {
      c.var.room.setTrackSources(c.var.client, c.req.valid('json'))
      return reply(c, Status.ok, 'track sources set')
    },
  )

  api.on(
    routes.subscribeTracks.method,
    routes.subscribeTracks.path,
    client,
    ...jsonBody(SubscribeTracksRequestSchema, { what: 'subscription', shape: 'array' }),
    (c) => {
      c.var.room.subscribeTracks(c.var.client, c.req.valid('json'))
      return reply(c, Status.ok, 'tracks subscribed')
    },
  )

  // Data channels (the SDK's singular `room` path and the plural one)

  for (const create of [routes.createChannel, routes.createChannelPlural]) {
    api.on(create.method, create.path, room, ...jsonBody(CreateChannelRequestSchema, { what: 'data channel' }), (c) => {
      const { name, mode, ordered_mode } = c.req.valid('json')
      c.var.room.createChannel(name, mode ?? ordered_mode ?? true)
      return reply(c, Status.ok, 'data channel created', { name })
    })
  }

  // Server-Sent Events

  api.on(routes.events.method, routes.events.path, client, (c) => {
    // The header (a browser's own reconnect) wins over the query (a fresh EventSource cannot set headers).
    const lastEventId = c.req.header(LAST_EVENT_ID_HEADER) ?? c.req.query(LAST_EVENT_ID_QUERY)
    for (const [header, value] of Object.entries(eventStreamHeaders)) c.header(header, value)
    // A HEAD (Hono routes it here as a GET) must not take over the client's live stream.
    if (c.req.method === 'HEAD') return c.body(null, 200)
    const { client: target } = c.var
    return stream(c, async (response) => {
      // The stream stays open until the client goes away or the hub closes it (style-anchors F).
      await new Promise<void>((resolve) => {
        const sink: SseSink = { write: (text) => void response.write(text), close: resolve }
        try {
          target.openEvents(sink, lastEventId)
        } catch {
          // The client was removed between the lookup and now: end the stream.
          resolve()
          return
        }
        response.onAbort(() => {
          target.sse.detach(sink)
          resolve()
        })
      }).catch(() => {})
    })
  })

  return api
}
