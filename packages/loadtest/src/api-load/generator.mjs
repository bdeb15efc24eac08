// The API load of the api-load benchmark (src/api-load-bench.ts) and its fast case (e2e/api-load.spec.ts),
// in a worker thread of its own so that its fetches do not delay the receiving participant's packet
// timestamps: open loop (requests go out on schedule whether or not earlier ones were answered), `rate`
// requests per second for `durationMs`, either GETs of `roomUrl`'s room (`mix: 'get'`) or the mix below
// (`mix: 'mix'`) against rooms of its own, which it sets up before the clock starts and cleans up after.
// Plain JavaScript: the TypeScript loader registers itself on the main thread only (scripts/ts-loader.mjs).
// Posts { sent, latencies: ms of each answer, statuses: count by status, byKind: { kind: ms[] }, failed, hung }.
import { Agent, request } from 'node:http'
import { parentPort, workerData } from 'node:worker_threads'

const TICK_MS = 10
/** A request unanswered this long is a hang. */
const HANG_MS = 10_000
const HOST_KEY_HEADER = 'X-Parley-Host-Key'
const POOL_ROOMS = 10
const MAX_CLIENTS_PER_POOL_ROOM = 20

/**
 * The mix, per 20 requests: what a busy hub of short meetings sees besides media. Rooms come and go,
 * people register and leave at the same pace (so the rooms stay the same size), look their room and
 * themselves up, rename, and write and read room metadata.
 */
export const MIX = [
  ['get room', 5],
  ['register', 3],
  ['leave', 3],
  ['get client', 2],
  ['setmeta', 2],
  ['getmeta', 2],
  ['setname', 1],
  ['create room', 1],
  ['end room', 1],
]
const WHEEL = MIX.flatMap(([kind, weight]) => Array.from({ length: weight }, () => kind))

const pick = (items) => items[Math.floor(Math.random() * items.length)]

/**
 * `connections` > 0: at most that many keep-alive connections (node:http), requests queueing for one, as
 * a bounded population of clients would; 0: fetch, a new connection for each request in flight.
 */
const agent = workerData?.connections > 0 ? new Agent({ keepAlive: true, maxSockets: workerData.connections }) : undefined

function sendOverAgent(base, method, path, body, headers) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const outgoing = request(`${base}/v1${path}`, { method, agent, headers: { 'content-type': 'application/json', ...(payload ? { 'content-length': Buffer.byteLength(payload) } : {}), ...headers }, signal: AbortSignal.timeout(HANG_MS) }, (incoming) => {
      const chunks = []
      incoming.on('data', (chunk) => chunks.push(chunk))
      incoming.on('end', () => {
        let parsed = null
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString())
        } catch {
          // not JSON: the status is what counts
        }
        resolve({ status: incoming.statusCode, data: parsed?.data })
      })
      incoming.on('error', reject)
    })
    outgoing.on('error', (error) => reject(error.name === 'AbortError' ? Object.assign(new Error('hung'), { name: 'TimeoutError' }) : error))
    outgoing.end(payload)
  })
}

async function send(base, method, path, body, headers = {}) {
  if (agent) return sendOverAgent(base, method, path, body, headers)
  const response = await fetch(`${base}/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(HANG_MS),
  })
  const parsed = await response.json().catch(() => null)
  return { status: response.status, data: parsed?.data }
}

/** Rooms of the mix: each with its host key and the clients whose register was answered. */
function createWorld(base) {
  const rooms = []
  let serial = 0
  const world = {
    rooms,
    async createRoom() {
      const created = await send(base, 'POST', '/rooms/create', { name: `api-load-${serial++}` })
      if (created.status !== 201) return created
      const room = { id: created.data.id, hostKey: created.data.host_key, clients: [], registering: 0 }
      rooms.push(room)
      // Its topic, which getmeta reads: one more request per created room (5 % more), not measured.
      const topic = send(base, 'POST', `/rooms/${room.id}/setmeta`, { topic: 'api load' }).catch(() => undefined)
      return { ...created, topic }
    },
    async cleanUp() {
      for (const room of rooms.splice(0)) await send(base, 'PUT', `/rooms/${room.id}/end`, {}, room.hostKey ? { [HOST_KEY_HEADER]: room.hostKey } : {}).catch(() => undefined)
    },
  }
  return world
}

/** One request of the mix, chosen by the wheel; a kind whose state is not there yet (nobody to leave) falls back to a GET. */
function mixRequest(base, world) {
  let kind = pick(WHEEL)
  const room = pick(world.rooms)
  const member = room?.clients.length ? pick(room.clients) : undefined
  if (!room || (['leave', 'get client', 'setname'].includes(kind) && !member)) kind = 'get room'
  if (kind === 'register' && room.clients.length + room.registering >= MAX_CLIENTS_PER_POOL_ROOM) kind = 'get room'
  if (kind === 'end room' && world.rooms.length <= POOL_ROOMS) kind = 'create room'
  switch (kind) {
    case 'get room':
      return [kind, send(base, 'GET', `/rooms/${room.id}`)]
    case 'register': {
      room.registering += 1
      const answered = send(base, 'POST', `/rooms/${room.id}/register`, { name: 'guest' })
      void answered.then((reply) => reply.status === 200 && room.clients.push(reply.data.client_id)).finally(() => (room.registering -= 1)).catch(() => undefined)
      return [kind, answered]
    }
    case 'leave':
      room.clients.splice(room.clients.indexOf(member), 1)
      return [kind, send(base, 'DELETE', `/rooms/${room.id}/leave/${member}`)]
    case 'get client':
      return [kind, send(base, 'GET', `/rooms/${room.id}/client/${member}`)]
    case 'setname':
      return [kind, send(base, 'PUT', `/rooms/${room.id}/setname/${member}`, { name: `guest ${Math.floor(Math.random() * 100)}` })]
    case 'setmeta':
      return [kind, send(base, 'POST', `/rooms/${room.id}/setmeta`, { topic: `api load ${Math.floor(Math.random() * 100)}`, [`note-${Math.floor(Math.random() * 20)}`]: 'x' })]
    case 'getmeta':
      return [kind, send(base, 'GET', `/rooms/${room.id}/getmeta/topic`)]
    case 'create room':
      return [kind, world.createRoom()]
    case 'end room': {
      // The oldest room beyond the pool: its clients go with it.
      const [ended] = world.rooms.splice(0, 1)
      return [kind, send(base, 'PUT', `/rooms/${ended.id}/end`, {}, ended.hostKey ? { [HOST_KEY_HEADER]: ended.hostKey } : {})]
    }
    default:
      throw new Error(`unknown kind ${kind}`)
  }
}

async function generate({ base, roomId, mix, rate, durationMs }) {
  const latencies = []
  const byKind = {}
  const statuses = {}
  const pending = []
  let failed = 0
  let hung = 0
  let sent = 0
  const world = createWorld(base)
  if (mix === 'mix') for (let index = 0; index < POOL_ROOMS; index += 1) await (await world.createRoom()).topic
  const next = () => (mix === 'mix' ? mixRequest(base, world) : ['get room', send(base, 'GET', `/rooms/${roomId}`)])
  const started = performance.now()
  while (performance.now() - started < durationMs) {
    // As many as the schedule owes by now (a late tick catches up).
    const due = Math.floor(((performance.now() - started) / 1000) * rate)
    for (; sent < due; sent++) {
      const at = performance.now()
      const [kind, answered] = next()
      pending.push(
        answered.then(
          ({ status }) => {
            const ms = performance.now() - at
            latencies.push(ms)
            ;(byKind[kind] ??= []).push(ms)
            statuses[status] = (statuses[status] ?? 0) + 1
          },
          (error) => {
            if (error?.name === 'TimeoutError') hung += 1
            else failed += 1
          },
        ),
      )
    }
    await new Promise((resolve) => setTimeout(resolve, TICK_MS))
  }
  await Promise.all(pending)
  await world.cleanUp()
  return { sent, latencies, byKind, statuses, failed, hung }
}

parentPort?.postMessage(await generate(workerData))
