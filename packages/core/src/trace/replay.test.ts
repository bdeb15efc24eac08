import { describe, expect, it } from 'vitest'
import { waitFor } from 'xstate'
import { createConference } from '../conference.js'
import { RECEIVE_SLOTS } from '../peerSession.js'
import { FAKE_HUB_URL, createFakeWorld, flush, type FakePeerConnection } from '../test-support/index.js'
import { roomExtrasJourney } from '../test-support/journeys.js'
import type { Trace } from './format.js'
import { createTraceRecorder } from './recorder.js'
import { replayTrace } from './replay.js'

async function recordJoinAndLeave(simulcast?: boolean, receiveSlots?: number): Promise<Trace> {
  const world = createFakeWorld()
  const recorder = createTraceRecorder({ now: world.clock.now })
  const options = { ...(simulcast === undefined ? {} : { simulcast }), ...(receiveSlots === undefined ? {} : { receiveSlots }) }
  const conference = createConference({ hub: { baseUrl: FAKE_HUB_URL }, ports: world.ports, trace: recorder, ...options })
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

  it("records the camera's simulcast layers as asked, and replays a call with them, or one without, as recorded", async () => {
    const layered = await recordJoinAndLeave(true)
    const transceivers = layered.entries.flatMap((e) => (e.kind === 'pc.call' && e.method === 'addTransceiver' ? [e.args as { track?: { kind?: string }; sendEncodings?: { rid?: string }[] }] : []))
    const camera = transceivers.find((args) => args.track?.kind === 'video')
    expect(camera?.sendEncodings?.map((layer) => layer.rid)).toEqual(['high', 'mid', 'low'])
    expect((await replayTrace(layered)).verdict).toBe('same path')
    const oneStream = await recordJoinAndLeave()
    expect(oneStream.entries.some((e) => e.kind === 'pc.call' && (e.args as { sendEncodings?: unknown } | undefined)?.sendEncodings)).toBe(false)
    expect((await replayTrace(oneStream)).verdict).toBe('same path')
  })

  it('replays a call with the receive slots it offered: today\'s default, one (a stop 44 trace) or none (before)', async () => {
    const recvonly = (trace: Trace) => trace.entries.filter((e) => e.kind === 'pc.call' && e.method === 'addTransceiver' && (e.args as { direction?: string }).direction === 'recvonly').length
    for (const slots of [undefined, 1, 0]) {
      const trace = await recordJoinAndLeave(undefined, slots)
      expect(recvonly(trace)).toBe(2 * (slots ?? RECEIVE_SLOTS))
      expect((await replayTrace(trace)).verdict).toBe('same path')
    }
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

describe('replayTrace over what the room machines read (stats, chat channel, screen share)', () => {
  const conferenceEvents = (trace: Trace) => {
    const root = trace.actors.find((a) => a.path === 'conference')!.ref
    return trace.entries.flatMap((e) => (e.kind === 'event' && e.actor === root ? [e.event.type] : []))
  }

  it('records a getStats answer that came after a hub event, and replays the stats report after it', async () => {
    const trace = await roomExtrasJourney()
    const events = conferenceEvents(trace)
    // The recorded order: the raised hand (hub event) reached the conference before the stats reading did.
    expect(events.indexOf('hub.metaChanged')).toBeGreaterThan(-1)
    expect(events.indexOf('hub.metaChanged')).toBeLessThan(events.indexOf('stats.updated'))
    const call = trace.entries.find((e) => e.kind === 'pc.call' && e.method === 'getStats')
    const answer = trace.entries.find((e) => e.kind === 'pc.result' && call?.kind === 'pc.call' && e.pc === call.pc && e.call === call.call)
    expect(answer).toMatchObject({ value: { stats: expect.arrayContaining([expect.objectContaining({ type: 'inbound-rtp' })]) } })
    const result = await replayTrace(trace)
    expect(result.message).toMatch(/^Same path/)
  })

  it('an answer moved before the hub event (what an unrecorded getStats gave) diverges at the conference', async () => {
    const trace = await roomExtrasJourney()
    const call = trace.entries.findIndex((e) => e.kind === 'pc.call' && e.method === 'getStats')
    const answer = trace.entries.findIndex((e, i) => i > call && e.kind === 'pc.result' && e.call === (trace.entries[call] as { call: number }).call)
    const [moved] = trace.entries.splice(answer, 1)
    trace.entries.splice(call + 1, 0, moved!)
    const result = await replayTrace(trace)
    // Diverged as soon as the answer was delivered early: the next stats timer came before the hand's.
    expect(result.verdict).toBe('diverged')
    expect(result.divergence?.after).toMatch(/^pc 1 call \d+ resolved/)
  })

  it('replays the chat channel the hub opened (its messages both ways) and a screen share the browser stopped', async () => {
    const trace = await roomExtrasJourney()
    const kinds = trace.entries.map((e) => (e.kind === 'dc.event' || e.kind === 'media.event' ? `${e.kind} ${e.type}` : e.kind))
    expect(kinds).toEqual(expect.arrayContaining(['dc.event open', 'dc.event message', 'dc.send', 'media.event trackended']))
    expect(trace.entries.find((e) => e.kind === 'dc.send')).toMatchObject({ data: expect.stringContaining('hello Bo') })
    const result = await replayTrace(trace)
    expect(result.message).toMatch(/^Same path/)
    // Had the replay not sent the stop-sharing end, or dropped the message, the chat or screen-share paths would differ.
    expect(conferenceEvents(trace)).toEqual(expect.arrayContaining(['extras.changed', 'screen.published', 'screen.unpublished']))
  })
})
