// createConference reconnecting (conference.ts): the hub restarting or shutting down, a lost event
// stream, an unusable hub event, and the reconnect deadline. Shared setup: test-support/conferenceRun.ts.
import { describe, expect, it } from 'vitest'
import { mediaStateMetaKey } from '@parley/protocol'
import type { ConferenceFact } from './api.js'
import { RECONNECT_DEADLINE_MS } from './machines/reconnectMachine.js'
import { flush } from './test-support/index.js'
import { joined, track } from './test-support/conferenceRun.js'

describe('createConference', () => {
  it('reconnects in full when the hub forgot us (it restarted): same room, new client, new peer connection, same mic/camera', async () => {
    const run = await joined()
    run.conference.setMicrophone(false)
    await flush()
    const first = { clientId: run.view().clientId!, pc: run.pc(), room: run.view().room! }
    run.world.eventSources.latest().emit('tracks_available', { tracks: { t2: track('c2', 'Bo', 's2', 't2') } })
    // The hub paused Bo's camera for our link: a fact of this session only.
    run.world.eventSources.latest().emit('parley_video_paused', { client_id: 'c2', track_id: 't2', paused: true, reason: 'bandwidth' })
    expect(run.view().participants[0]?.tracks[0]?.pausedByHub).toBe('bandwidth')
    // The hub restarted: it no longer knows the client (nor, without a registry, the room).
    run.world.hub.clients.clear()
    run.world.hub.rooms.clear()
    run.world.eventSources.latest().fail()
    await run.until((s) => s.matches('reconnecting'))
    // The tiles stay while the call resumes.
    expect(run.view()).toMatchObject({ status: 'reconnecting', reconnect: { attempt: 1 }, busy: true })
    expect(run.view().participants.map((p) => p.name)).toEqual(['Bo'])
    // The first attempt goes at once (a 0 ms back-off on the clock).
    await flush()
    run.world.clock.advance(0)
    await run.until((s) => s.matches('inRoom'))
    await flush()
    run.world.eventSources.latest().open()
    run.pc().setIceConnectionState('connected')
    await flush()
    const view = run.view()
    expect(view).toMatchObject({ status: 'connected', room: { id: first.room.id, name: first.room.name }, local: { audioEnabled: false, videoEnabled: true } })
    expect(view.reconnect).toBeUndefined()
    expect(view.clientId).not.toBe(first.clientId)
    // Re-created by its id, with its name.
    expect(run.world.hub.requests('createRoom').at(-1)?.body).toMatchObject({ id: first.room.id, name: first.room.name })
    // A re-created room has no chat channel: whoever re-created it asks for one again.
    expect(run.world.hub.requests('createChannel')).toHaveLength(2)
    expect(first.pc.signalingState).toBe('closed')
    expect(run.pc()).not.toBe(first.pc)
    expect(run.world.hub.meta[mediaStateMetaKey(view.clientId!)]).toEqual({ audio: false, video: true, name: 'Ada', host: true })
    expect(run.world.eventSources.latest().url).toContain(`/events/${view.clientId}`)
    // Nothing names the old client after the new one registered.
    const registeredAt = run.world.hub.log.findLastIndex((r) => r.route === 'register')
    expect(run.world.hub.log.slice(registeredAt).filter((r) => r.params.clientId === first.clientId)).toEqual([])
    // The new session starts unpaused: Bo's camera, announced again, is forwarded until the hub says otherwise.
    run.world.eventSources.latest().emit('tracks_available', { tracks: { t2: track('c2', 'Bo', 's2', 't2') } })
    expect(run.view().participants[0]?.tracks[0]).toMatchObject({ trackId: 't2' })
    expect(run.view().participants[0]?.tracks[0]?.pausedByHub).toBeUndefined()
  })

  it('reconnects when the hub says it is shutting down; if it never comes back, the call ended because the server stopped', async () => {
    const run = await joined((world) => world.hub.calls.gate('hub.getRoom'))
    run.world.eventSources.latest().emit('left', { reason: 'shutdown' })
    await run.until((s) => s.matches('reconnecting'))
    expect(run.view().status).toBe('reconnecting')
    // The hub never comes back.
    run.world.clock.advance(RECONNECT_DEADLINE_MS)
    await run.until((s) => s.matches('ended'))
    expect(run.view()).toMatchObject({ status: 'ended', endedReason: 'server-stopped' })
    expect(run.view().reconnect).toBeUndefined()
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('gives up a reconnect at a reconnectDeadline the options set', async () => {
    const run = await joined((world) => world.hub.calls.gate('hub.getRoom'), { reconnectDeadline: 10_000 })
    run.world.eventSources.latest().emit('left', { reason: 'shutdown' })
    await run.until((s) => s.matches('reconnecting'))
    run.world.clock.advance(9_999)
    await flush()
    expect(run.view().status).toBe('reconnecting')
    run.world.clock.advance(1)
    await run.until((s) => s.matches('ended'))
    expect(run.view()).toMatchObject({ status: 'ended', endedReason: 'server-stopped' })
  })

  it('reconnects when the event stream is lost, and gives up with an error the person can retry', async () => {
    const run = await joined((world) => world.hub.calls.gate('hub.getRoom'))
    run.world.hub.clients.delete(run.view().clientId!)
    run.world.eventSources.latest().fail()
    await run.until((s) => s.matches('reconnecting'))
    // The hub never answers again.
    run.world.clock.advance(RECONNECT_DEADLINE_MS)
    await run.until((s) => s.matches('failed'))
    expect(run.view()).toMatchObject({ status: 'failed', error: { kind: 'hub-unreachable' } })
    run.conference.leave()
    await run.until((s) => s.status === 'done')
    for (const call of run.world.hub.calls.pending) call.resolve()
    await flush()
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('reports an invalid hub event, and recovers from an unusable hub offer by reconnecting', async () => {
    const run = await joined()
    const heard: ConferenceFact[] = []
    run.conference.actor.on('*', (event) => heard.push(event))
    run.world.eventSources.latest().emit('meta_changed', 'not json{')
    expect(heard).toEqual([{ type: 'events.invalid', event: 'meta_changed', error: 'meta_changed: data is not JSON' }])
    expect(run.view().status).toBe('connected')
    const clientId = run.view().clientId
    run.world.eventSources.latest().emit('offer', { type: 'offer', sdp: 'x'.repeat(200 * 1024) })
    expect(heard.at(-1)).toMatchObject({ type: 'events.invalid', event: 'offer' })
    await run.until((s) => s.matches('reconnecting'))
    await flush()
    run.world.clock.advance(0)
    await run.until((s) => s.matches('inRoom') && s.context.clientId !== null && s.context.clientId !== clientId)
    // The old client was released, so the others do not see it twice.
    expect(run.world.hub.requests('leave').map((r) => r.params.clientId)).toEqual([clientId])
  })

  it('shows reconnecting while the events stream is restored', async () => {
    const run = await joined()
    run.world.eventSources.latest().fail()
    await flush()
    expect(run.view()).toMatchObject({ status: 'reconnecting', busy: true })
    run.world.clock.advance(500)
    run.world.eventSources.latest().open()
    expect(run.view().status).toBe('connected')
  })
})
