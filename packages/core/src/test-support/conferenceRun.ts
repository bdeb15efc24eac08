// A conference over the fake world, started or joined, for the createConference tests
// (conference.*.test.ts): one copy of the setup they share.
import { waitFor } from 'xstate'
import type { ConferenceDelays } from '../api.js'
import { createConference, type ConferenceSnapshot } from '../conference.js'
import { FAKE_HUB_URL, createFakeWorld, flush, type FakePeerConnection } from './index.js'

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

/** Started, joined as Ada into a new room, its events open and ICE connected. */
export async function joined(configure?: (world: ReturnType<typeof createFakeWorld>) => void, delays?: ConferenceDelays) {
  const run = start(configure, delays)
  run.conference.join({ displayName: 'Ada', roomName: 'Standup', media: { audio: true, video: true } })
  await run.until((s) => s.matches('inRoom'))
  await flush()
  run.world.eventSources.latest().open()
  run.pc().setIceConnectionState('connected')
  await flush()
  return run
}
