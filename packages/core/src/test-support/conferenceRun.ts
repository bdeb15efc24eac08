// A conference over the fake world, started or joined, for the createConference tests
// (conference.*.test.ts): one copy of the setup they share (the journeys join through it too).
import { waitFor } from 'xstate'
import type { ConferenceDelays } from '../api.js'
import { createConference, type Conference, type ConferenceSnapshot } from '../conference.js'
import { FAKE_HUB_URL } from './fakeHub.js'
import type { FakePeerConnection } from './fakePeerConnection.js'
import { createFakeWorld, type FakeWorld } from './index.js'
import { flush } from './pendingCalls.js'
import { SETTLE_LIMIT_MS } from '../machines/conferenceTypes.js'

/** Plain data only (arrays, plain objects, primitives): what a view or a fact may hold. */
export function isPlain(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(isPlain)
  if (value === null || typeof value !== 'object') return value === null || ['string', 'boolean', 'number', 'undefined'].includes(typeof value)
  return Object.getPrototypeOf(value) === Object.prototype && Object.values(value).every(isPlain)
}

export function start(configure?: (world: ReturnType<typeof createFakeWorld>) => void, delays?: ConferenceDelays) {
  const world = createFakeWorld()
  configure?.(world)
  const conference = createConference({ hub: { baseUrl: FAKE_HUB_URL }, ports: world.ports, ...(delays ? { delays } : {}) })
  conference.actor.start()
  const view = () => conference.selectView(conference.actor.getSnapshot())
  const until = (predicate: (snapshot: ConferenceSnapshot) => boolean) => waitFor(conference.actor, predicate, { timeout: 1000 })
  return { world, conference, view, until, pc: () => world.peers.latest() as FakePeerConnection }
}

export const track = (clientId: string, name: string, streamId: string, trackId: string, kind: 'audio' | 'video' = 'video') => ({
  id: trackId,
  track_id: trackId,
  client_id: clientId,
  client_name: name,
  stream_id: streamId,
  kind,
  source: 'media' as const,
})

/** A started conference over the fakes, as `start` here and the journeys (journeys.ts) make one. */
export interface StartedRun {
  world: FakeWorld
  conference: Conference
  until(predicate: (snapshot: ConferenceSnapshot) => boolean): Promise<unknown>
  pc(): FakePeerConnection
}

/** Joins as Ada into a new room, then opens its events and connects ICE. */
export async function joinAndConnect(run: StartedRun): Promise<void> {
  run.conference.join({ displayName: 'Ada', roomName: 'Standup', media: { audio: true, video: true } })
  await run.until((s) => s.matches('inRoom'))
  await flush()
  run.world.eventSources.latest().open()
  run.pc().setIceConnectionState('connected')
  await flush()
}

/**
 * After a join was sent: in the room, its events open, ICE connected and the first answer's hold over
 * (`settling`), so the view says `connected`.
 */
export async function settleInRoom(run: StartedRun): Promise<void> {
  await run.until((s) => s.matches('inRoom'))
  await flush()
  run.world.eventSources.latest().open()
  run.pc().setIceConnectionState('connected')
  run.world.clock.advance(SETTLE_LIMIT_MS)
  await flush()
}

/** Started, joined as Ada into a new room, its events open and ICE connected. */
export async function joined(configure?: (world: ReturnType<typeof createFakeWorld>) => void, delays?: ConferenceDelays) {
  const run = start(configure, delays)
  await joinAndConnect(run)
  return run
}
