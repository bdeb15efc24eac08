// createConference joining (conference.ts): the join's steps and their failures, media preview, and the
// deadlines that bound a join. Shared setup: test-support/conferenceRun.ts.
import { describe, expect, it } from 'vitest'
import { mediaStateMetaKey } from '@parley/protocol'
import type { ConferenceDelays } from './api.js'
import { RECONNECT_DEADLINE_MS } from './machines/reconnectMachine.js'
import { CONNECT_DEADLINE_MS, JOIN_STEP_TIMEOUT_MS, SETTLE_LIMIT_MS } from './machines/conferenceMachine.js'
import { ICE_RECHECK_MS } from './machines/negotiationMachine.js'
import { flush } from './test-support/index.js'
import { isPlain, joined, start } from './test-support/conferenceRun.js'
import { RECEIVE_SLOTS } from './peerSession.js'

/** Joined by id into the existing room `Standup`, its events open, ICE not up yet. */
async function inStandupById() {
  const run = start((world) => void world.hub.rooms.set('room1', { id: 'room1', name: 'Standup' }))
  run.conference.join({ displayName: 'Ada', roomId: 'room1', media: { audio: true, video: true } })
  await run.until((s) => s.matches('inRoom'))
  await flush()
  run.world.eventSources.latest().open()
  return run
}

describe('createConference', () => {
  it('joins: creates the room, registers with the name, publishes camera+mic, negotiates and opens events', async () => {
    const run = await joined()
    const view = run.view()
    expect(view.status).toBe('connected')
    expect(view.room).toEqual({ id: 'room1', name: 'Standup' })
    expect(view.clientId).toBe('client1')
    expect(view.displayName).toBe('Ada')
    expect(view.local).toMatchObject({ audioEnabled: true, videoEnabled: true, audioAvailable: true, videoAvailable: true })
    expect(run.conference.streams.get(view.local.streamId!)).toBeDefined()
    // The first offer needs no lock (the hub cannot be offering yet): it goes with register's answer.
    const routes = run.world.hub.log.map((r) => r.route)
    expect(routes.slice(0, 2)).toEqual(['createRoom', 'register'])
    expect(routes).toContain('negotiate')
    expect(routes).not.toContain('isAllowNegotiate')
    expect(run.world.hub.requests('register')[0]?.body).toEqual({ name: 'Ada' })
    expect(run.pc().transceivers.map((t) => [t.sender.track?.kind, t.direction])).toEqual([
      ['audio', 'sendonly'],
      ['video', 'sendonly'],
      // The receive slots the hub fills in its answer (peerSession.ts): audio and video, RECEIVE_SLOTS of each.
      ...Array.from({ length: 2 * RECEIVE_SLOTS }, () => [undefined, 'recvonly']),
    ])
    expect(run.world.hub.requests('negotiate')).toHaveLength(1)
    expect(run.world.hub.meta[mediaStateMetaKey('client1')]).toEqual({ audio: true, video: true, name: 'Ada', host: true })
    expect(view.stateValue).toEqual(
      expect.arrayContaining(['inRoom.connection.connected.settled', 'inRoom.answer.idle', 'inRoom.negotiation.signaling.free.stable', 'inRoom.events.streaming.open.listening']),
    )
    // Context is plain data: it survives JSON unchanged.
    const { context } = run.conference.actor.getSnapshot()
    expect(JSON.parse(JSON.stringify(context))).toEqual(context)
    expect(isPlain(context)).toBe(true)
  })

  it('joins an existing room by id (register first, no lookup) and reports a missing room as room-not-found, then retries', async () => {
    const run = start()
    run.conference.join({ roomId: 'nope', roomName: 'From the invite', displayName: 'Bo', media: { audio: false, video: false } })
    await run.until((s) => s.matches('failed'))
    expect(run.view().error).toMatchObject({ kind: 'room-not-found', status: 404 })
    // The message is technical detail (which request, what the hub said); UIs word the kind.
    expect(run.view().error?.message).toMatch(/^POST \/rooms\/:roomId\/register: /)
    // Not in a room: a UI shows the ended screen, not a call.
    expect(run.view().room).toBeUndefined()
    expect(run.world.hub.log.map((r) => r.route)).toEqual(['register'])
    run.world.hub.rooms.set('nope', { id: 'nope', name: 'Found' })
    run.conference.retry()
    await run.until((s) => s.matches('inRoom'))
    // The invite's name at once, the hub's once the lookup after register answers.
    await run.until((s) => s.matches({ inRoom: { room: 'known' } }))
    expect(run.view().room).toEqual({ id: 'nope', name: 'Found' })
    const routes = run.world.hub.log.map((r) => r.route)
    expect(routes.indexOf('getRoom')).toBeGreaterThan(routes.lastIndexOf('register'))
    // Without devices it still offers something to receive on.
    expect(run.pc().transceivers.map((t) => t.direction)).toEqual(Array(2 * RECEIVE_SLOTS).fill('recvonly'))
  })

  it('reports an unreachable hub', async () => {
    const run = start((world) => void world.hub.next('createRoom', { status: 502 }))
    run.conference.join({ displayName: 'Bo', media: { audio: false, video: false } })
    await run.until((s) => s.matches('failed'))
    expect(run.view()).toMatchObject({ status: 'failed', error: { kind: 'hub-unreachable', status: 502 } })
    expect(run.view().error?.message).toMatch(/^POST \/rooms\/create: /)
  })

  it('previews media, classifies device errors, and lets a failed device be dropped', async () => {
    const run = start((world) => void (world.devices.failures = { video: 'NotAllowedError' }))
    run.conference.preview({ audio: true, video: true })
    await run.until((s) => s.matches({ previewing: 'ready' }))
    // The microphone alone still works: joinable without the camera.
    expect(run.view().local).toMatchObject({ audioAvailable: true, videoAvailable: false, videoEnabled: false })
    expect(run.view().error).toMatchObject({ kind: 'media-denied', message: expect.stringMatching(/^camera: NotAllowedError/) })
    run.world.devices.failures = { audio: 'NotFoundError', video: 'NotFoundError' }
    run.conference.preview({ audio: true, video: true })
    await run.until((s) => s.matches({ previewing: 'ready' }))
    expect(run.view().error?.kind).toBe('media-not-found')
    expect(run.world.devices.liveTrackCount).toBe(0)
    run.world.devices.failures = { video: 'NotReadableError' }
    run.conference.preview({ audio: false, video: true })
    await run.until((s) => s.matches({ previewing: 'ready' }))
    expect(run.view().error?.kind).toBe('media-in-use')
    run.conference.preview({ audio: true, video: false })
    await run.until((s) => s.matches({ previewing: 'ready' }))
    expect(run.view().error).toBeUndefined()
    expect(run.view().local).toMatchObject({ audioAvailable: true, videoAvailable: false })
    // Joining with the same devices reuses the preview stream.
    const previewStream = run.view().local.streamId
    run.conference.join({ displayName: 'Cy', media: { audio: true, video: false } })
    await run.until((s) => s.matches('inRoom'))
    expect(run.view().local.streamId).toBe(previewStream)
    expect(run.world.devices.requests).toHaveLength(8)
  })

  it('fails with media-denied when no requested device can be used while joining', async () => {
    const run = start((world) => void (world.devices.failures = { audio: 'NotAllowedError', video: 'NotAllowedError' }))
    run.conference.join({ displayName: 'Dee', media: { audio: true, video: true } })
    await run.until((s) => s.matches('failed'))
    expect(run.view().error?.kind).toBe('media-denied')
    await flush()
    // The registered client was released on the hub.
    expect(run.world.hub.requests('leave')).toHaveLength(1)
  })

  it('fails the join when the hub takes the request and never answers, and Retry joins once it does', async () => {
    const run = start((world) => world.hub.calls.gate('hub.register'))
    run.conference.join({ displayName: 'Bo', media: { audio: false, video: false } })
    await run.until((s) => s.matches({ joining: 'registering' }))
    run.world.clock.advance(JOIN_STEP_TIMEOUT_MS)
    await run.until((s) => s.matches('failed'))
    expect(run.view()).toMatchObject({ status: 'failed', error: { kind: 'hub-unreachable', message: expect.stringMatching(/no answer from the hub/) } })
    // The abandoned request was aborted: answering it now changes nothing.
    for (const call of run.world.hub.calls.pending) call.resolve()
    await flush()
    expect(run.conference.actor.getSnapshot().matches('failed')).toBe(true)
    run.world.hub.calls.ungate('hub.register')
    run.conference.retry()
    await run.until((s) => s.matches('inRoom'))
  })

  it('bounds joining when media never connects: one fresh session after connectDeadline, then failed (Retry joins again)', async () => {
    const run = start()
    run.conference.join({ displayName: 'Ada', roomName: 'Standup', media: { audio: true, video: true } })
    await run.until((s) => s.matches('inRoom'))
    await flush()
    run.world.eventSources.latest().open()
    // ICE stays `checking` (no state change at all): only the deadline ends the wait.
    run.world.clock.advance(CONNECT_DEADLINE_MS - 1)
    await flush()
    expect(run.view().status).toBe('joining')
    run.world.clock.advance(1)
    await run.until((s) => s.matches('reconnecting'))
    const firstPc = run.pc()
    await flush()
    run.world.clock.advance(0)
    await run.until((s) => s.matches('inRoom'))
    await flush()
    expect(run.pc()).not.toBe(firstPc)
    run.world.eventSources.latest().open()
    run.world.clock.advance(CONNECT_DEADLINE_MS)
    await run.until((s) => s.matches('failed'))
    expect(run.view().error).toMatchObject({ kind: 'negotiation-failed', message: expect.stringMatching(/did not connect within/) })
    await flush()
    expect(run.world.openResources()).toMatchObject({ peerConnections: 0, liveTracks: 0, eventStreams: 0 })
    run.conference.retry()
    await run.until((s) => s.matches('inRoom'))
    await flush()
    run.pc().setIceConnectionState('connected')
    await flush()
    // Back in the room by id: our first answer to the hub's offer is due, so still joining, at most settleLimit.
    expect(run.view()).toMatchObject({ status: 'joining', busy: true })
    run.world.clock.advance(SETTLE_LIMIT_MS)
    await flush()
    expect(run.view().status).toBe('connected')
    run.conference.leave()
    await run.until((s) => s.status === 'done')
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('keeps the default join and reconnect deadlines unless the options name others', () => {
    const delaysOf = (delays?: ConferenceDelays) => {
      const machine = start(undefined, delays).conference.actor.logic
      const negotiation = machine.implementations.actors.negotiation as unknown as { implementations: { delays: Record<string, unknown> } }
      const reconnect = machine.implementations.actors.reconnect as unknown as { implementations: { delays: Record<string, unknown> } }
      return { ...machine.implementations.delays, iceRecheck: negotiation.implementations.delays.iceRecheck, reconnectDeadline: reconnect.implementations.delays.reconnectDeadline }
    }
    expect([CONNECT_DEADLINE_MS, JOIN_STEP_TIMEOUT_MS, ICE_RECHECK_MS]).toEqual([35_000, 20_000, 2_000])
    expect(delaysOf()).toMatchObject({ connectDeadline: CONNECT_DEADLINE_MS, joinStepTimeout: JOIN_STEP_TIMEOUT_MS, iceRecheck: ICE_RECHECK_MS })
    expect(delaysOf({ connectDeadline: 4_000 })).toMatchObject({ connectDeadline: 4_000, joinStepTimeout: JOIN_STEP_TIMEOUT_MS, iceRecheck: ICE_RECHECK_MS })
    expect(delaysOf({ iceRecheck: 500 })).toMatchObject({ connectDeadline: CONNECT_DEADLINE_MS, iceRecheck: 500 })
    expect(delaysOf().reconnectDeadline).toBe(RECONNECT_DEADLINE_MS)
    expect(delaysOf({ reconnectDeadline: 30_000 })).toMatchObject({ connectDeadline: CONNECT_DEADLINE_MS, iceRecheck: ICE_RECHECK_MS, reconnectDeadline: 30_000 })
  })

  it('ends the wait for media at a connectDeadline the options set', async () => {
    const run = start(undefined, { connectDeadline: 4_000 })
    run.conference.join({ displayName: 'Ada', roomName: 'Standup', media: { audio: true, video: true } })
    await run.until((s) => s.matches('inRoom'))
    await flush()
    run.world.eventSources.latest().open()
    run.world.clock.advance(3_999)
    await flush()
    expect(run.view().status).toBe('joining')
    run.world.clock.advance(1)
    await run.until((s) => s.matches('reconnecting'))
    run.conference.leave()
    await run.until((s) => s.status === 'done')
  })

  it("joined by id, ICE up is still 'joining' until our first answer to the hub's offer has left (`answeringOffer` meanwhile), then 'connected'", async () => {
    const run = await inStandupById()
    run.pc().setIceConnectionState('connected')
    await flush()
    expect(run.view()).toMatchObject({ status: 'joining', busy: true })
    // Our first answer is due from here (`settling`): a UI that renders now would delay it.
    expect(run.conference.answeringOffer!(run.conference.actor.getSnapshot())).toBe(true)
    const seen: [string, boolean][] = []
    const watch = run.conference.actor.subscribe((s) => seen.push([run.conference.statusOf(s), run.conference.answeringOffer!(s)]))
    run.world.eventSources.latest().emit('offer', { type: 'offer', sdp: 'v=0\r\n' })
    await run.until((s) => run.conference.statusOf(s) === 'connected')
    watch.unsubscribe()
    // Answering while joining, then connected once the answer's PUT is on its way: no clock advanced.
    expect(seen).toContainEqual(['joining', true])
    expect(seen.at(-1)).toEqual(['connected', false])
    expect(run.world.hub.requests('negotiate').map((r) => (r.body as { type?: string }).type)).toEqual(['offer', 'answer'])
    run.conference.leave()
    await run.until((s) => s.status === 'done')
  })

  it("joined by id, with the others' media already in the answer to our offer (the hub's receive slots), 'connected' comes with ICE: no hub offer is awaited", async () => {
    const run = await inStandupById()
    // The hub's answer filled our slots: the tracks arrive as it is applied, before ICE is up.
    run.pc().emitTrack('video')
    await flush()
    expect(run.view().status).toBe('joining')
    run.pc().setIceConnectionState('connected')
    await flush()
    expect(run.view()).toMatchObject({ status: 'connected' })
    expect(run.conference.answeringOffer!(run.conference.actor.getSnapshot())).toBe(false)
    expect(run.world.hub.requests('negotiate').map((r) => (r.body as { type?: string }).type)).toEqual(['offer'])
    run.conference.leave()
    await run.until((s) => s.status === 'done')
  })

  it('fails with negotiation-failed when the media connection cannot be negotiated', async () => {
    const run = await joined()
    run.pc().failNext('setRemoteDescription')
    run.world.eventSources.latest().emit('offer', { type: 'offer', sdp: 'v=0\r\n' })
    // One fresh session is tried first (a negotiation can fail while the hub is away)...
    await run.until((s) => s.matches('reconnecting'))
    await flush()
    run.world.clock.advance(0)
    await run.until((s) => s.matches('inRoom'))
    await flush()
    run.world.eventSources.latest().open()
    // ...and when that one fails too, it is a failure the person sees.
    run.pc().failNext('setRemoteDescription')
    run.world.eventSources.latest().emit('offer', { type: 'offer', sdp: 'v=0\r\n' })
    await run.until((s) => s.matches('failed'))
    expect(run.view().error?.kind).toBe('negotiation-failed')
    await flush()
    expect(run.world.openResources()).toMatchObject({ peerConnections: 0, liveTracks: 0, eventStreams: 0 })
    run.conference.leave()
    await run.until((s) => s.status === 'done')
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('fails when the peer connection cannot be created, and releases the hub session', async () => {
    const run = start((world) => world.peers.failNextCreation(new Error('RTCPeerConnection is not supported')))
    run.conference.join({ displayName: 'Ada', media: { audio: true, video: false } })
    // The fresh session of the one recovery fails the same way (WebRTC stays unavailable).
    await run.until((s) => s.matches('reconnecting'))
    run.world.peers.failNextCreation(new Error('RTCPeerConnection is not supported'))
    await flush()
    run.world.clock.advance(0)
    await run.until((s) => s.matches('failed'))
    await flush()
    expect(run.view().error).toMatchObject({ kind: 'negotiation-failed' })
    // The first client was released by the recovery, the second when it failed.
    expect(run.world.hub.requests('leave')).toHaveLength(2)
    expect(run.world.openResources()).toMatchObject({ liveTracks: 0, eventStreams: 0 })
    // A retry starts clean: the old error is not shown while joining again.
    run.conference.retry()
    expect(run.view()).toMatchObject({ status: 'joining' })
    expect(run.view().error).toBeUndefined()
    await run.until((s) => s.matches('inRoom'))
  })
})
