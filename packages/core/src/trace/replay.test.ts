import { describe, expect, it } from 'vitest'
import { waitFor } from 'xstate'
import { createConference } from '../conference.js'
import { FAKE_HUB_URL, createFakeWorld, flush, type FakePeerConnection } from '../test-support/index.js'
import type { Trace } from './format.js'
import { createTraceRecorder } from './recorder.js'
import { replayTrace } from './replay.js'

async function recordJoinAndLeave(): Promise<Trace> {
  const world = createFakeWorld()
  const recorder = createTraceRecorder({ now: world.clock.now })
  const conference = createConference({ hub: { baseUrl: FAKE_HUB_URL }, ports: world.ports, trace: recorder })
  conference.actor.start()
  conference.join({ displayName: 'Ada', roomName: 'Standup', media: { audio: true, video: true } })
  await waitFor(conference.actor, (s) => s.matches('inRoom'), { timeout: 1000 })
  await flush()
  world.eventSources.latest().open()
  ;(world.peers.latest() as FakePeerConnection).setIceConnectionState('connected')
  await flush()
  conference.leave()
  await waitFor(conference.actor, (s) => s.status === 'done', { timeout: 1000 })
  return conference.exportTrace()
}

describe('replayTrace', () => {
  it('replays a recorded join and leave as the same path', async () => {
    const trace = await recordJoinAndLeave()
    const result = await replayTrace(trace)
    expect(result.message).toMatch(/^Same path/)
    expect(result.verdict).toBe('same path')
    expect(result.compared).toBeGreaterThan(50)
  })

  it('reports the first divergence of an edited trace: the register answer turned into a 500', async () => {
    const trace = await recordJoinAndLeave()
    const register = trace.entries.find((e) => e.kind === 'http.request' && e.url.endsWith('/register'))
    const answer = trace.entries.find((e) => e.kind === 'http.response' && register?.kind === 'http.request' && e.req === register.req)
    if (answer?.kind !== 'http.response') throw new Error('no register answer recorded')
    answer.status = 500
    const result = await replayTrace(trace)
    expect(result.verdict).toBe('diverged')
    expect(result.divergence).toMatchObject({ stream: 'state conference', after: expect.stringMatching(/^http.response 500 to POST \/v1\/rooms\/.*\/register/) })
    expect(result.divergence?.expected).toMatch(/"joining":"acquiringMedia"/)
    expect(result.divergence?.actual).toMatch(/"failed"/)
  })
})
