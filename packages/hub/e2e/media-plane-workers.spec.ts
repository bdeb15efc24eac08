// The worker plane (src/media/worker-plane.ts): the media-plane conformance suite with every peer in a
// worker thread running the werift plane, then a real hub over HTTP + SSE whose two rooms land on two
// workers; one worker crashes and the hub, its API and the other room's media go on, the crashed
// room's clients are removed, and the replacement worker takes a new room. Loopback-only namespace.
import { pathFor } from '@parley/protocol'
import { assertLoopbackOnly, pollUntil } from '@parley/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MediaPlane } from '../src/media/types.js'
import type { Logger } from '../src/log.js'
import { startHub, type RunningHub } from '../src/index.js'
import { createWorkerMediaPlane, type WorkerMediaPlane } from '../src/media/worker-plane.js'
import { MEDIA_WORKER_NICE } from '../src/media/thread-priority.js'
import { describeMediaPlaneConformance } from '../src/test-support/mediaPlaneConformance.js'
import { threadNice, threadNices } from '../src/test-support/threadNice.js'
import { call, joinHub, type HubParticipant } from './support/hub-participant.js'
import { createWeriftClient } from './support/werift-conformance-client.js'

const printErrors: Logger = (level, msg, fields) => {
  if (level === 'error') console.error(`[media] ${msg}`, fields ?? '')
}

beforeAll(() => {
  assertLoopbackOnly()
})

// Each test gets its own plane, started while the previous test ran: a worker loading the hub from
// TypeScript source takes seconds to start on a busy machine. One worker: the suite uses one room.
let spare: WorkerMediaPlane | undefined
const freshPlane = (): MediaPlane => {
  const plane = spare ?? createWorkerMediaPlane({ workers: 1, log: printErrors })
  spare = createWorkerMediaPlane({ workers: 1, log: printErrors })
  return plane
}
afterAll(async () => {
  await spare?.close()
})

describeMediaPlaneConformance('the worker plane', () => ({
  createPlane: freshPlane,
  createClient: createWeriftClient,
  timeoutMs: 20_000,
}), { media: true })

/** Packets `subscriber` received from `publisher` so far (audio + video). */
function packetsFrom(subscriber: HubParticipant, publisher: HubParticipant): number {
  return subscriber.media.received.filter((r) => r.streamId === publisher.media.streamId).reduce((sum, r) => sum + r.packets, 0)
}

// Each subscription is its own worker message and its negotiationNeeded its own event: the second of a
// join's reached the negotiator while the offer carrying both was made, and cost a second, identical offer
// (HubOffer.covers, negotiation.ts).
describe('a join on the worker plane', () => {
  it('makes one hub offer to the client already in the room', async () => {
    const plane = createWorkerMediaPlane({ workers: 1, log: printErrors })
    const hub = await startHub({ host: '127.0.0.1', port: 0, quiet: true, mediaPlane: plane })
    const joined: HubParticipant[] = []
    try {
      const created = await call(hub.url, 'POST', pathFor('createRoom', {}), { name: 'one-offer' })
      const roomId = (created.body.data as { id: string }).id
      const first = await joinHub(hub.url, roomId, 'first')
      joined.push(first)
      await first.negotiate()
      const second = await joinHub(hub.url, roomId, 'second')
      joined.push(second)
      await second.negotiate()
      await pollUntil(() => packetsFrom(first, second) >= 20, { description: "first receiving second's media", timeoutMs: 30_000 })
      // The second offer came 70–90 ms after the first.
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect(first.events.filter((event) => event === 'offer')).toHaveLength(1)
      expect(first.offersAnswered).toBe(1)
      expect(joined.flatMap((p) => p.errors)).toEqual([])
    } finally {
      for (const participant of joined) await participant.close().catch(() => undefined)
      await hub.close()
      await plane.close()
    }
  })
})

describe('a hub whose rooms are spread over two media workers', () => {
  let hub: RunningHub
  let plane: WorkerMediaPlane
  const participants: HubParticipant[] = []
  const logged: { level: string; msg: string }[] = []

  beforeAll(async () => {
    plane = createWorkerMediaPlane({ workers: 2, log: (level, msg) => void logged.push({ level, msg }) })
    hub = await startHub({ host: '127.0.0.1', port: 0, quiet: true, mediaPlane: plane })
  })

  afterAll(async () => {
    for (const participant of participants) await participant.close().catch(() => undefined)
    await hub?.close()
  })

  async function room(name: string): Promise<{ roomId: string; pair: [HubParticipant, HubParticipant] }> {
    const created = await call(hub.url, 'POST', pathFor('createRoom', {}), { name })
    expect(created.status).toBe(201)
    const roomId = (created.body.data as { id: string }).id
    const first = await joinHub(hub.url, roomId, `${name}-1`)
    participants.push(first)
    await first.negotiate()
    const second = await joinHub(hub.url, roomId, `${name}-2`)
    participants.push(second)
    await second.negotiate()
    return { roomId, pair: [first, second] }
  }

  async function receivesMore(subscriber: HubParticipant, publisher: HubParticipant, more = 20): Promise<void> {
    const before = packetsFrom(subscriber, publisher)
    await pollUntil(() => packetsFrom(subscriber, publisher) >= before + more, {
      description: `${subscriber.name} receiving ${more} more packets from ${publisher.name}`,
      timeoutMs: 30_000,
    })
  }

  it('places two rooms on two workers; a crashed worker takes only its own room down and is replaced', async () => {
    const a = await room('room-a')
    const b = await room('room-b')
    expect(plane.workerOf(a.roomId)).toBeDefined()
    expect(plane.workerOf(b.roomId)).toBeDefined()
    expect(plane.workerOf(a.roomId)).not.toBe(plane.workerOf(b.roomId))
    for (const { pair } of [a, b]) {
      await receivesMore(pair[0], pair[1])
      await receivesMore(pair[1], pair[0])
    }
    // Each worker raised its own thread's priority (thread-priority.ts), and only its own: the thread running
    // this test (the hub's HTTP and signalling) keeps its nice. Without the right, each said so instead.
    const nices = threadNices()
    if (logged.some((entry) => entry.msg === 'media worker priority not raised')) expect(nices.filter((nice) => nice === MEDIA_WORKER_NICE)).toEqual([])
    else expect(nices.filter((nice) => nice === MEDIA_WORKER_NICE).length).toBeGreaterThanOrEqual(2)
    expect(threadNice()).not.toBe(MEDIA_WORKER_NICE)

    const crashed = plane.workerOf(a.roomId)!
    const threadBefore = plane.workers()[crashed]!.threadId

    expect(plane.crashWorkerOf(a.roomId)).toBe(true)
    // Room A's clients are removed (their peers are gone); the hub and room B go on.
    await pollUntil(() => a.pair.every((p) => p.left), { description: "room A's clients told `left`", timeoutMs: 30_000 })
    await receivesMore(b.pair[0], b.pair[1])
    await receivesMore(b.pair[1], b.pair[0])
    expect(b.pair.some((p) => p.left)).toBe(false)
    expect(b.pair.flatMap((p) => p.errors)).toEqual([])
    const roomB = await call(hub.url, 'GET', pathFor('getRoom', { roomId: b.roomId }))
    expect(roomB.status).toBe(200)
    expect(logged.some((entry) => entry.level === 'error' && entry.msg.startsWith('media worker died'))).toBe(true)

    // The worker was replaced, and the next room can use it.
    const replaced = plane.workers()[crashed]!
    expect(replaced.restarts).toBe(1)
    expect(replaced.threadId).not.toBe(threadBefore)
    const c = await room('room-c')
    expect(plane.workerOf(c.roomId)).toBe(crashed)
    await receivesMore(c.pair[0], c.pair[1])
    await receivesMore(c.pair[1], c.pair[0])
    expect(plane.packetsForwarded()).toBeGreaterThan(0)
  })
})
