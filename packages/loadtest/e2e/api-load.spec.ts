// Faults suite, API load beside a live call (issue 11), the fast case: the hub as its own process, two
// Node participants (public core, werift) in a call at 320x240, and a short window of the api-load
// benchmark's request mix (src/api-load/generator.mjs: rooms created and ended, register, leave, look-ups,
// rename, metadata) at 300 req/s from a worker thread (the benchmark's rates hang requests on this shared
// machine when its load average is high: see the README). Every request is answered with a 2xx or 4xx,
// none fails, none hangs, none is a 5xx; the viewer keeps receiving the publisher's video frames. No
// speed is asserted: `pnpm --filter @parley/loadtest run api-load` prints the figures.
// Loopback-only namespace required.
import { describe, expect, it } from 'vitest'
import { pollUntil } from '@parley/testkit'
import { useFaultHub, useLoadParticipants } from './fault-hub.js'
import { runApiLoad, statusClasses } from '../src/api-load/load.js'
import { createRoom } from '../src/faults/hub.js'
import { createLoadParticipant, type LoadParticipant } from '../src/participant.js'

const WINDOW_MS = 4_000
const RATE = 300

describe('faults: API load beside a live call', () => {
  const hub = useFaultHub()
  const participants = useLoadParticipants()

  it('answers every request of a 300 req/s mix with a 2xx or 4xx while the call keeps decoding', async () => {
    const roomId = await createRoom(hub().url, 'api-load-call')
    for (const name of ['ada', 'bo']) {
      const participant = createLoadParticipant({ name, hubUrl: hub().url, video: { width: 320, height: 240, fps: 15, kbps: 300 } })
      participant.conference.join({ roomId, displayName: name, media: { audio: true, video: true } })
      participants.push(participant)
    }
    const [, viewer] = participants as [LoadParticipant, LoadParticipant]
    await Promise.all(participants.map((participant) => participant.connected(30_000)))
    await pollUntil(() => viewer.received.videoFrames >= 1, { timeoutMs: 20_000, description: 'the viewer to receive the camera' })

    const framesBefore = viewer.received.videoFrames
    const api = await runApiLoad({ base: hub().url, mix: 'mix', rate: RATE, durationMs: WINDOW_MS })
    const framesDuring = viewer.received.videoFrames - framesBefore
    const classes = statusClasses(api.statuses)
    console.info('[faults api-load]', JSON.stringify({ sent: api.sent, classes, failed: api.failed, hung: api.hung, kinds: Object.keys(api.byKind), framesDuring }))

    expect(api.sent).toBeGreaterThan(RATE)
    expect({ failed: api.failed, hung: api.hung, '5xx': classes['5xx'] ?? 0 }).toEqual({ failed: 0, hung: 0, '5xx': 0 })
    expect((classes['2xx'] ?? 0) + (classes['4xx'] ?? 0)).toBe(api.sent)
    expect(Object.keys(api.byKind).sort()).toEqual(['create room', 'end room', 'get client', 'get room', 'getmeta', 'leave', 'register', 'setmeta', 'setname'])
    expect(framesDuring).toBeGreaterThan(0)
    // Still decoding after the load: frames keep coming.
    const framesAfter = viewer.received.videoFrames
    await pollUntil(() => viewer.received.videoFrames > framesAfter + 5, { timeoutMs: 10_000, description: 'frames after the load' })
  })
})
