// One load run: the hub in its own process, then per room size a fresh room of N participants that
// publish and subscribe to everything (with `rooms` > 1, that many such rooms at once); once every
// subscriber receives every other publisher of its room, one measurement window; the participants
// leave before the next size. Stops after the first size at which the hub collapsed (table.ts hubCollapsed).
import { availableParallelism, loadavg } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { startEventLoopMonitor } from './event-loop.js'
import { startWindowProfile } from './generator-profile.js'
import { ownUdpDrops } from './socket-drops.js'
import { startHubProcess, type HubProcess, type HubSend } from './hub-process.js'
import { publisherPacketsPerSecond, type VideoShape } from './media-source.js'
import { createLoadParticipant, type LoadParticipant } from './participant.js'
import { checkSources, describeSilentForwardings, type CheckedParticipant } from './source-check.js'
import { hubCollapsed, toRow, type Baseline, type Row, type WindowCounts } from './table.js'

export interface LoadOptions {
  sizes: readonly number[]
  video: VideoShape
  /** Length of each measurement window. */
  seconds: number
  /** Hubs measured side by side (each size on each, alternating which goes first). Default: the fast send only. */
  sends?: readonly HubSend[]
  /** Instead of `sends`: hubs side by side by their --media-workers (fast send), labelled `workers <n>`. */
  mediaWorkers?: readonly number[]
  /** Another version's hub src (--before-hub): hubs `before` (that code) and `after` (this checkout), fast send. */
  beforeHub?: string
  /** The plane of both --before-hub hubs (default: werift with the fast send). */
  mediaPlane?: 'werift' | 'ndc'
  /** Rooms of each size at once, measured in one window (default 1). */
  rooms?: number
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void
}

export interface LoadResult {
  rows: Row[]
  /** Packets per second each publisher sends (audio + video). */
  publisherPps: number
  /** The first size at which a hub collapsed, if one did (later sizes were not run on it). */
  collapsedAt: number | undefined
  /** Things the reader must know about the figures (a room that never fully subscribed, ...). */
  notes: string[]
}

const BASELINE_SECONDS = 2
/** After every subscriber receives everyone: let joins' keyframe requests and renegotiations settle. */
const SETTLE_MS = 1500

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const log = options.log ?? (() => undefined)
  const notes: string[] = []
  const rows: Row[] = []
  const variants = hubVariants(options)
  const sends = variants.map((variant) => variant.label)
  const collapsed = new Set<string>()
  // A hub with media workers may use up to one core per worker: it has collapsed at 98 % of those.
  const hubs = new Map<string, { hub: HubProcess; previous: Row | Baseline; cores: number }>()
  try {
    for (const { label: send, ...variant } of variants) {
      const hub = await startHubProcess(variant)
      const cores = Math.max(1, Math.min(variant.mediaWorkers, availableParallelism()))
      hubs.set(send, { hub, previous: { cpuMicrosPerSecond: 0 }, cores })
      await hub.startWindow()
      await sleep(BASELINE_SECONDS * 1000)
      const idle = await hub.sampleWindow()
      const previous = { cpuMicrosPerSecond: idle.cpuMicros / (idle.wallMs / 1000) }
      hubs.set(send, { hub, previous, cores })
      log(`hub (${send}) pid ${hub.pid} at ${hub.url}; idle CPU ${(previous.cpuMicrosPerSecond / 1e4).toFixed(1)} %`)
    }
    for (const [index, size] of options.sizes.entries()) {
      // Alternate which hub goes first, so that a change in the machine's load does not favour one.
      const order = index % 2 === 0 ? sends : [...sends].reverse()
      for (const send of order) {
        if (collapsed.has(send)) continue
        const measured = hubs.get(send)!
        const counts = await measureRooms(measured.hub, size, options, notes, log)
        const row: Row = { ...toRow(counts, measured.previous), ...(sends.length > 1 || options.mediaWorkers ? { send } : {}) }
        rows.push(row)
        measured.previous = row
        log(`N=${size} (${send}): ${row.forwardedPps.toFixed(0)} pkt/s forwarded, hub CPU ${row.hubCpuPercent.toFixed(1)} %, delivery ${row.deliveryPercent.toFixed(2)} %, load ${row.loadAverage.toFixed(2)}`)
        const allocated = counts.hub.allocatedBytes
        if (allocated !== undefined && counts.receivedPackets > 0) {
          notes.push(`N=${size} (${send}): ${(allocated / counts.receivedPackets).toFixed(0)} B allocated on the hub's JS heap per forwarded packet (${(allocated / 1e6).toFixed(0)} MB over the window, PARLEY_LOAD_ALLOC_PROF).`)
        }
        if (hubCollapsed(row, measured.cores)) {
          collapsed.add(send)
          notes.push(`The hub (${send}) collapsed at N=${size} (CPU ≥ 98 % of the cores it can use, delivery < 75 % or event-loop p99 ≥ 1 s); larger sizes were not run on it.`)
        }
      }
      if (sends.every((send) => collapsed.has(send))) break
    }
  } finally {
    await Promise.all([...hubs.values()].map(({ hub }) => hub.close()))
  }
  const collapsedAt = rows.find((row) => hubCollapsed(row, hubs.get(row.send ?? sends[0]!)?.cores))?.size
  return { rows, publisherPps: publisherPacketsPerSecond(options.video), collapsedAt, notes }
}

/** The hubs a run measures: by send (`--compare`), or by media workers (`--media-workers`). */
function hubVariants(options: LoadOptions): { label: string; send: HubSend; mediaWorkers: number; hubSource?: string }[] {
  const send: HubSend = options.mediaPlane === 'ndc' ? 'ndc' : 'fast'
  if (options.beforeHub) return [{ label: 'before', send, mediaWorkers: 0, hubSource: options.beforeHub }, { label: 'after', send, mediaWorkers: 0 }]
  if (options.mediaWorkers) return options.mediaWorkers.map((mediaWorkers) => ({ label: `workers ${mediaWorkers}`, send: 'fast', mediaWorkers }))
  return (options.sends ?? ['fast']).map((send) => ({ label: send, send, mediaWorkers: 0 }))
}

async function measureRooms(hub: HubProcess, size: number, options: LoadOptions, notes: string[], log: (line: string) => void): Promise<WindowCounts> {
  const rooms: LoadParticipant[][] = []
  const participants: LoadParticipant[] = []
  const join = (room: number, index: number) => {
    const participant = createLoadParticipant({ name: `load-${size}-${room}-${index}`, hubUrl: hub.url, video: options.video })
    participants.push(participant)
    rooms[room]!.push(participant)
    return participant
  }
  try {
    const joinTimeoutMs = 30_000 + 2_000 * size * (options.rooms ?? 1)
    for (let room = 0; room < (options.rooms ?? 1); room += 1) {
      rooms.push([])
      const first = join(room, 0)
      first.conference.join({ roomName: `load-${size}-${room}`, displayName: first.name, media: { audio: true, video: true } })
      const roomId = (await first.connected(joinTimeoutMs)).room!.id
      for (let index = 1; index < size; index += 1) {
        const participant = join(room, index)
        participant.conference.join({ roomId, displayName: participant.name, media: { audio: true, video: true } })
        await sleep(50) // a staggered arrival, as in a real meeting; the core serialises its own negotiation
      }
    }
    await Promise.all(participants.map((participant) => participant.connected(joinTimeoutMs)))

    const everyoneReceivesEveryone = () =>
      participants.every((p) => p.received.count('video', 5) >= size - 1 && p.received.count('audio', 5) >= size - 1)
    const deadline = performance.now() + joinTimeoutMs
    while (!everyoneReceivesEveryone() && performance.now() < deadline) await sleep(100)
    if (!everyoneReceivesEveryone()) {
      const short = participants
        .filter((p) => p.received.count('video', 5) < size - 1)
        .map((p) => {
          const view = p.view()
          const live = view.participants.filter((remote) => remote.tracks.some((track) => track.kind === 'video' && track.live)).length
          const why = view.endedReason ? ` ${view.endedReason}` : view.error ? ` ${view.error.kind}` : ''
          return `${p.name} receives ${p.received.count('video', 5)} (core: ${view.status}${why}, ${live} remote videos live)`
        })
      notes.push(`N=${size}: not every subscriber received all ${size - 1} other videos before the window: ${short.join('; ')}.`)
      const silent = describeSilentForwardings((await hub.sources()) ?? [], checked(participants, new Map()))
      if (silent.length > 0) notes.push(`N=${size}: at the hub then: ${silent.join(' | ')}.`)
    }
    await sleep(SETTLE_MS)
    const stuck = participants.filter((p) => p.dtlsStates().some((state) => state !== 'connected'))
    if (stuck.length > 0) notes.push(`N=${size}: DTLS not connected at the generator before the window (werift states; the core said ${stuck.map((p) => p.view().status).join(', ')}): ${stuck.map((p) => `${p.name} ${p.dtlsStates().join('/')}`).join('; ')}.`)
    log(`N=${size}: ${rooms.length} × ${size} participants joined, measuring ${options.seconds} s`)
    const counts = await measureWindow(hub, size, rooms, options.seconds, notes, log)
    if (counts.receivedPackets < counts.expectedPackets / 2) {
      const statuses = new Map<string, number>()
      for (const participant of participants) {
        const view = participant.view()
        const status = `${view.status}${view.endedReason ? ` ${view.endedReason}` : ''}`
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
      }
      notes.push(`N=${size}: less than half the expected packets arrived; the core's status after the window: ${[...statuses].map(([status, count]) => `${count} ${status}`).join(', ')}.`)
    }
    const untapped = participants.reduce((sum, p) => sum + p.untappedTransports(), 0)
    if (untapped > 0) throw new Error(`N=${size}: ${untapped} transports started SRTP before the receive tap was installed; counts would be short`)
    return counts
  } finally {
    for (const participant of participants) participant.leave()
    await sleep(1000) // leave reaches the hub and the room empties before the next size
    for (const participant of participants) participant.stop()
  }
}

/** Quiet for this long with every camera paused: nothing is left in flight. */
const DRAINED_AFTER_MS = 300
const DRAIN_TIMEOUT_MS = 5_000

/**
 * Pauses every camera and waits until no packet has arrived for DRAINED_AFTER_MS, so that the packets
 * counted between two drains are exactly those sent between them (a lagging hub would otherwise carry
 * packets across a window's edges and make delivery read above or below the truth).
 */
export async function pauseAndDrain(participants: readonly LoadParticipant[]): Promise<boolean> {
  for (const participant of participants) participant.camera.paused = true
  const total = () => participants.reduce((sum, p) => sum + p.received.packets, 0)
  const deadline = performance.now() + DRAIN_TIMEOUT_MS
  let last = total()
  let quietSince = performance.now()
  while (performance.now() < deadline) {
    await sleep(50)
    const now = total()
    if (now !== last) {
      last = now
      quietSince = performance.now()
    } else if (performance.now() - quietSince >= DRAINED_AFTER_MS) {
      return true
    }
  }
  return false
}

async function retransmitted(participants: readonly LoadParticipant[]): Promise<number> {
  const counts = await Promise.all(participants.map((participant) => participant.retransmittedPackets()))
  return counts.reduce((sum, count) => sum + count, 0)
}

async function measureWindow(
  hub: HubProcess,
  size: number,
  rooms: readonly (readonly LoadParticipant[])[],
  seconds: number,
  notes: string[],
  log: (line: string) => void,
): Promise<WindowCounts> {
  const participants = rooms.flat()
  if (!(await pauseAndDrain(participants))) notes.push(`N=${size}: packets still arriving ${DRAIN_TIMEOUT_MS} ms after the cameras paused before the window.`)
  const sourcesBefore = await hub.sources()
  const sentBefore = participants.map((p) => p.camera.packetsSent)
  const fastSentBefore = participants.reduce((sum, p) => sum + p.camera.fastPacketsSent, 0)
  const videoSentBefore = new Map(participants.map((p) => [p, p.camera.videoPacketsSent]))
  const resentBefore = await Promise.all(rooms.map((room) => retransmitted(room)))
  const receivedBefore = participants.map((p) => p.received.packets)
  const pastSocketTap = () => participants.reduce((sum, p) => sum + p.received.pastSocketTap, 0)
  const pastSocketTapBefore = pastSocketTap()
  const dropsBefore = ownUdpDrops()
  for (const participant of participants) {
    participant.received.startWindow()
    participant.camera.paused = false
  }
  await hub.startWindow()
  const profile = await startWindowProfile()
  const generatorLoop = startEventLoopMonitor()
  const cpuBefore = process.cpuUsage()
  const startedAt = performance.now()
  await sleep(seconds * 1000)
  const hubSample = await hub.sampleWindow()
  const elapsedSeconds = (performance.now() - startedAt) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  const generatorDelay = generatorLoop.read()
  generatorLoop.stop()
  await profile.stop(`N${size}`)
  for (const participant of participants) participant.received.endWindow()
  if (!(await pauseAndDrain(participants))) notes.push(`N=${size}: packets still arriving ${DRAIN_TIMEOUT_MS} ms after the cameras paused after the window.`)
  const generatorDrops = ownUdpDrops() - dropsBefore
  const pastTap = pastSocketTap() - pastSocketTapBefore
  if (pastTap > 0) notes.push(`N=${size}: ${pastTap} RTP packets got past the socket tap and were counted at the DTLS transport (counted all the same, at a higher cost to the generator).`)
  const sent = participants.reduce((sum, p, i) => sum + p.camera.packetsSent - sentBefore[i]!, 0)
  const fastSent = participants.reduce((sum, p) => sum + p.camera.fastPacketsSent, 0) - fastSentBefore
  log(`N=${size}: the publishers sent ${sent} packets in the window, ${((100 * fastSent) / Math.max(1, sent)).toFixed(1)} % through the fast send`)
  const resentAfter = await Promise.all(rooms.map((room) => retransmitted(room)))
  const resent = resentAfter.reduce((sum, count, room) => sum + count - resentBefore[room]!, 0)
  const sourcesAfter = sourcesBefore && (await hub.sources())
  if (sourcesBefore && sourcesAfter) {
    const received = new Map(participants.map((p, i) => [p, p.received.packets - receivedBefore[i]!]))
    // Per room: a publisher's subscribers are its room's other participants.
    for (const room of rooms) {
      const check = checkSources(sourcesBefore, sourcesAfter, checked(room, received, videoSentBefore))
      log(`N=${size}: at the hub over the window: ${check.summary}`)
      if (check.problems.length > 0) notes.push(`N=${size}: where packets stopped in the window: ${check.problems.join(' | ')}.`)
    }
  }
  return {
    size,
    seconds: elapsedSeconds,
    // Every subscriber subscribes to every other publisher of its room: each packet a publisher put on
    // the wire (retransmissions on the hub's NACKs included: the hub forwards those too) is owed to N−1
    // subscribers (rooms are all of size N, so the sums over rooms multiply alike).
    expectedPackets: (sent + resent) * (size - 1),
    retransmittedPackets: resent,
    // Sent in the window, received by the end of the drain after it.
    receivedPackets: participants.reduce((sum, p, i) => sum + p.received.packets - receivedBefore[i]!, 0),
    freezes: participants.reduce((sum, p) => sum + p.received.freezes, 0),
    longestGapMs: Math.max(...participants.map((p) => p.received.longestGapMs)),
    hub: hubSample,
    generatorCpuMicros: cpu.user + cpu.system,
    generatorEventLoopP99Ms: generatorDelay.p99Ms,
    generatorDrops,
    loadAverage: loadavg()[0]!,
  }
}

/** The participants as the source check reads them; `received` and `videoSentBefore` turn totals into the window's. */
function checked(participants: readonly LoadParticipant[], received: ReadonlyMap<LoadParticipant, number>, videoSentBefore?: ReadonlyMap<LoadParticipant, number>): CheckedParticipant[] {
  return participants.map((p) => ({
    name: p.name,
    clientId: p.view().clientId,
    videoSent: p.camera.videoPacketsSent - (videoSentBefore?.get(p) ?? 0),
    received: received.get(p) ?? p.received.packets,
  }))
}
