// Cluster capacity benchmark (issue 13): one fixed load — ROOMS rooms of SIZE Node participants (the
// core over werift, synthetic audio + video, everyone subscribing to everyone) — put on a cluster of 1,
// 2 and 3 hub processes sharing one redis-server on this machine. Each room is created through one node
// (placement picks where it lives) and its participants enter through the nodes in turn, so most of
// their HTTP and event streams cross the forwarding hop. Per cluster size: the rooms and participants
// served (every subscriber received every other publisher and the room delivered ≥ 95 % of its packets in
// the window), the delivery, each node's CPU and forwarded packets/s (from its heartbeat: the load
// placement reads) and the rooms placed on it, the generator's CPU, and the load average next to each
// row. Cluster sizes alternate in order round by round (`--rounds 2` runs 1,2,3 then 3,2,1), so a change
// in the shared machine's load does not favour one. Prints one table; asserts nothing. The cost of the
// forwarding hop itself is `packages/hub/bench/cluster-hop.bench.spec.ts`.
//
//   flock /tmp/parley-e2e.lock unshare -n sh -c 'ip link set lo up && PARLEY_NETNS=lo \
//     npm run pnpm -- --filter @parley/loadtest run cluster -- --rooms 6 --size 3 --seconds 8'
import { readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { assertLoopbackOnly, type HubProcess, pollUntil, type RedisServer, startHubProcess, startRedisServer } from '@parley/testkit'
import { createRoom } from './create-room.js'
import { defaultVideoKbps, publisherPacketsPerSecond, type VideoShape } from './media-source.js'
import { createLoadParticipant, type LoadParticipant } from './participant.js'
import { pauseAndDrain } from './run.js'

interface BenchOptions {
  nodes: number[]
  rooms: number
  size: number
  seconds: number
  rounds: number
  video: VideoShape
}

interface NodeStatus {
  id: string
  participants: number
  cpu: number
  forwardedPacketsPerSecond: number
  roomsMapped: number
}

interface ClusterRow {
  nodes: number
  roomsServed: number
  participantsServed: number
  deliveryPercent: number
  nodeCpuPercent: number[]
  nodeForwardedPps: number[]
  roomsPerNode: number[]
  generatorCpuPercent: number
  loadAverage: number
}

const SERVED_DELIVERY_PERCENT = 95
const TICKS_PER_SECOND = 100

function parseArgs(argv: readonly string[]): BenchOptions {
  const values = new Map<string, string>()
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index]!
    if (flag === '--') continue
    const match = /^--(nodes|rooms|size|seconds|rounds|fps|resolution)$/.exec(flag)
    const value = argv[index + 1]
    if (!match || value === undefined) throw new Error(`unknown or bad option ${flag} (use --nodes 1,2,3 --rooms 6 --size 3 --seconds 8 --rounds 1 --resolution 320x240 --fps 15)`)
    values.set(match[1]!, value)
    index++
  }
  const integer = (name: string, fallback: number) => {
    const value = Number(values.get(name) ?? fallback)
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`)
    return value
  }
  const [width, height] = (values.get('resolution') ?? '320x240').split('x').map(Number)
  if (!width || !height) throw new Error('--resolution must be WIDTHxHEIGHT')
  const fps = integer('fps', 15)
  const nodes = (values.get('nodes') ?? '1,2,3').split(',').map(Number)
  if (nodes.some((count) => !Number.isInteger(count) || count < 1)) throw new Error('--nodes must list positive integers')
  const size = integer('size', 3)
  if (size < 2) throw new Error('--size: a room needs at least 2 participants')
  return { nodes, rooms: integer('rooms', 6), size, seconds: integer('seconds', 8), rounds: integer('rounds', 1), video: { width, height, fps, kbps: defaultVideoKbps(width, height, fps) } }
}

/** CPU seconds (user + system) of a process so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

async function cluster(url: string): Promise<{ nodes: NodeStatus[] }> {
  const response = await fetch(`${url}/v1/parley/cluster`)
  return ((await response.json()) as { data: { nodes: NodeStatus[] } }).data
}

async function measureCluster(count: number, options: BenchOptions, log: (line: string) => void): Promise<ClusterRow> {
  const { rooms, size } = options
  let redis: RedisServer | undefined
  const hubs: HubProcess[] = []
  const roomsOf: LoadParticipant[][] = []
  try {
    redis = await startRedisServer()
    // Starting a hub from source takes long on a loaded machine: a generous start timeout.
    for (let index = 0; index < count; index++) hubs.push(await startHubProcess({ args: ['--redis', redis.url, '--node-id', `n${index + 1}`], startTimeoutMs: 120_000 }))
    await pollUntil(async () => (await cluster(hubs[0]!.url)).nodes.length === count, { description: `${count} nodes in the directory` })
    const joinTimeoutMs = 30_000 + 2_000 * rooms * size
    for (let room = 0; room < rooms; room++) {
      const roomId = await createRoom(hubs[room % count]!.url, `cluster-bench-${room}`)
      const participants: LoadParticipant[] = []
      for (let index = 0; index < size; index++) {
        // Entering through the nodes in turn: most requests cross the forwarding hop.
        const participant = createLoadParticipant({ name: `r${room}-p${index}`, hubUrl: hubs[(room + index) % count]!.url, video: options.video })
        participants.push(participant)
        participant.conference.join({ roomId, displayName: participant.name, media: { audio: true, video: true } })
        await sleep(50)
      }
      roomsOf.push(participants)
    }
    const all = roomsOf.flat()
    await Promise.all(all.map((participant) => participant.connected(joinTimeoutMs).catch((error: Error) => log(error.message))))
    const receivesEveryone = (participant: LoadParticipant) => participant.received.count('video', 5) >= size - 1 && participant.received.count('audio', 5) >= size - 1
    const deadline = performance.now() + joinTimeoutMs
    while (!all.every(receivesEveryone) && performance.now() < deadline) await sleep(100)
    await sleep(1_500)
    log(`${count} node(s): ${all.filter(receivesEveryone).length}/${all.length} participants receive everyone; measuring ${options.seconds} s`)

    await pauseAndDrain(all)
    const sentBefore = all.map((participant) => participant.camera.packetsSent)
    const receivedBefore = all.map((participant) => participant.received.packets)
    const cpuBefore = hubs.map((hub) => cpuSeconds(hub.pid))
    const generatorBefore = process.cpuUsage()
    for (const participant of all) participant.camera.paused = false
    const startedAt = performance.now()
    await sleep(options.seconds * 1000)
    const elapsed = (performance.now() - startedAt) / 1000
    // Read while media flows: the heartbeat's forwarded packets/s covers its last second.
    const status = await cluster(hubs[0]!.url)
    const nodeCpuPercent = hubs.map((hub, index) => Math.round(((cpuSeconds(hub.pid) - cpuBefore[index]!) / elapsed) * 100))
    const generator = process.cpuUsage(generatorBefore)
    const loadAverage = loadavg()[0]!
    await pauseAndDrain(all)

    let roomsServed = 0
    let expected = 0
    let received = 0
    for (const participants of roomsOf) {
      const indexOf = (participant: LoadParticipant) => all.indexOf(participant)
      const sent = participants.reduce((sum, participant) => sum + participant.camera.packetsSent - sentBefore[indexOf(participant)]!, 0)
      const got = participants.reduce((sum, participant) => sum + participant.received.packets - receivedBefore[indexOf(participant)]!, 0)
      const owed = sent * (size - 1)
      expected += owed
      received += got
      if (participants.every(receivesEveryone) && owed > 0 && (got / owed) * 100 >= SERVED_DELIVERY_PERCENT) roomsServed++
    }
    const byId = new Map(status.nodes.map((node) => [node.id, node]))
    const ids = hubs.map((_, index) => `n${index + 1}`)
    return {
      nodes: count,
      roomsServed,
      participantsServed: roomsServed * size,
      deliveryPercent: expected > 0 ? (received / expected) * 100 : 0,
      nodeCpuPercent,
      nodeForwardedPps: ids.map((id) => Math.round(byId.get(id)?.forwardedPacketsPerSecond ?? 0)),
      roomsPerNode: ids.map((id) => byId.get(id)?.roomsMapped ?? 0),
      generatorCpuPercent: Math.round(((generator.user + generator.system) / 1e6 / elapsed) * 100),
      loadAverage,
    }
  } finally {
    for (const participant of roomsOf.flat()) participant.leave()
    await sleep(500)
    for (const participant of roomsOf.flat()) participant.stop()
    await Promise.all(hubs.map((hub) => hub.close()))
    await redis?.close()
  }
}

const options = parseArgs(process.argv.slice(2))
assertLoopbackOnly()
const log = (line: string) => console.error(`[cluster] ${line}`)
const rows: ClusterRow[] = []
for (let round = 0; round < options.rounds; round++) {
  const order = round % 2 === 0 ? options.nodes : [...options.nodes].reverse()
  for (const count of order) {
    const row = await measureCluster(count, options, log)
    rows.push(row)
    log(`${count} node(s): ${row.roomsServed}/${options.rooms} rooms served, delivery ${row.deliveryPercent.toFixed(1)} %, load ${row.loadAverage.toFixed(2)}`)
  }
}
const { video, rooms, size } = options
const pps = publisherPacketsPerSecond(video)
console.log(
  `\nParley hub cluster, fixed load: ${rooms} rooms × ${size} participants (${video.width}x${video.height}@${video.fps} video ${video.kbps} kbit/s + opus), ` +
    `${pps.toFixed(1)} pkt/s per publisher, so ≈ ${Math.round(rooms * size * (size - 1) * pps)} pkt/s to forward in all; ${options.seconds} s windows; ` +
    `a room is served when every subscriber receives every other publisher and it delivers ≥ ${SERVED_DELIVERY_PERCENT} %; ${cpus().length} cores, shared with the generator and Redis\n`,
)
console.log('| nodes | rooms served | participants served | delivery % | node CPU % | node forwarded pkt/s (heartbeat) | rooms per node | generator CPU % | load avg (1 min) |')
console.log('|---|---|---|---|---|---|---|---|---|')
for (const row of rows) {
  console.log(
    `| ${row.nodes} | ${row.roomsServed}/${rooms} | ${row.participantsServed}/${rooms * size} | ${row.deliveryPercent.toFixed(1)} | ${row.nodeCpuPercent.join(' / ')} | ` +
      `${row.nodeForwardedPps.join(' / ')} | ${row.roomsPerNode.join(' / ')} | ${row.generatorCpuPercent} | ${row.loadAverage.toFixed(2)} |`,
  )
}
console.log('\nThe forwarding hop (latency per request, CPU per proxied SSE event): packages/hub/bench/cluster-hop.bench.spec.ts.')
