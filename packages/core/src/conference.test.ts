import { describe, expect, it } from 'vitest'
import { waitFor } from 'xstate'
import { mediaStateMetaKey } from '@parley/protocol'
import type { ConferenceDelays, ConferenceFact } from './api.js'
import { createConference, type ConferenceSnapshot } from './conference.js'
import { RECONNECT_DEADLINE_MS } from './machines/reconnectMachine.js'
import { CONNECT_DEADLINE_MS, JOIN_STEP_TIMEOUT_MS } from './machines/conferenceMachine.js'
import { ICE_RECHECK_MS } from './machines/negotiationMachine.js'
import { GUEST_NAME } from './guestName.js'
import { FAKE_HUB_URL, FakeMediaStream, FakeMediaStreamTrack, createFakeWorld, flush, type FakePeerConnection } from './test-support/index.js'

function isPlain(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(isPlain)
  if (value === null || typeof value !== 'object') return value === null || ['string', 'boolean', 'number', 'undefined'].includes(typeof value)
  return Object.getPrototypeOf(value) === Object.prototype && Object.values(value).every(isPlain)
}

function start(configure?: (world: ReturnType<typeof createFakeWorld>) => void, delays?: ConferenceDelays) {
  const world = createFakeWorld()
  configure?.(world)
  const conference = createConference({ hub: { baseUrl: FAKE_HUB_URL }, ports: world.ports, ...(delays ? { delays } : {}) })
  conference.actor.start()
  const view = () => conference.selectView(conference.actor.getSnapshot())
  const until = (predicate: (snapshot: ConferenceSnapshot) => boolean) => waitFor(conference.actor, predicate, { timeout: 1000 })
  return { world, conference, view, until, pc: () => world.peers.latest() as FakePeerConnection }
}

const track = (clientId: string, name: string, streamId: string, trackId: string, kind: 'audio' | 'video' = 'video') => ({
  id: trackId,
  track_id: trackId,
  client_id: clientId,
  client_name: name,
  stream_id: streamId,
  kind,
  source: 'media' as const,
})

async function joined(configure?: (world: ReturnType<typeof createFakeWorld>) => void, delays?: ConferenceDelays) {
  const run = start(configure, delays)
  run.conference.join({ displayName: 'Ada', roomName: 'Standup', media: { audio: true, video: true } })
  await run.until((s) => s.matches('inRoom'))
  await flush()
  run.world.eventSources.latest().open()
  run.pc().setIceConnectionState('connected')
  await flush()
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
    expect(run.world.hub.log.map((r) => r.route).slice(0, 3)).toEqual(['createRoom', 'register', 'isAllowNegotiate'])
    expect(run.world.hub.requests('register')[0]?.body).toEqual({ name: 'Ada' })
    expect(run.pc().transceivers.map((t) => [t.sender.track?.kind, t.direction])).toEqual([
      ['audio', 'sendonly'],
      ['video', 'sendonly'],
    ])
    expect(run.world.hub.requests('negotiate')).toHaveLength(1)
    expect(run.world.hub.meta[mediaStateMetaKey('client1')]).toEqual({ audio: true, video: true, name: 'Ada', host: true })
    expect(view.stateValue).toEqual(
      expect.arrayContaining(['inRoom.connection.connected', 'inRoom.negotiation.signaling.free.stable', 'inRoom.events.streaming.open.listening']),
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
    expect(run.pc().transceivers.map((t) => t.direction)).toEqual(['recvonly', 'recvonly'])
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

  it('leaves from failed: the hub still hears of it', async () => {
    const run = start((world) => {
      world.devices.failures = { audio: 'NotAllowedError', video: 'NotAllowedError' }
      world.hub.calls.gate('hub.leave')
    })
    run.conference.join({ displayName: 'Dee', media: { audio: true, video: true } })
    await run.until((s) => s.matches('failed'))
    run.conference.leave()
    run.world.hub.calls.ungate('hub.leave')
    for (const call of [...run.world.hub.calls.pending]) call.resolve()
    await run.until((s) => s.status === 'done')
    expect(run.world.hub.requests('leave').filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1)
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
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

  it('mutes and unmutes: flips the track and publishes the media state, without disturbing the rest of the room', async () => {
    const run = await joined()
    const peersBefore = run.world.peers.all.length
    const streamsBefore = run.world.eventSources.all.length
    const negotiationsBefore = run.world.hub.requests('negotiate').length
    run.conference.setMicrophone(false)
    await flush()
    const audio = run.world.devices.tracks.find((t) => t.kind === 'audio')!
    expect(audio.enabled).toBe(false)
    expect(run.view().local.audioEnabled).toBe(false)
    expect(run.world.hub.meta[mediaStateMetaKey('client1')]).toEqual({ audio: false, video: true, name: 'Ada', host: true })
    run.conference.setCamera(false)
    await flush()
    expect(run.world.devices.tracks.find((t) => t.kind === 'video')!.enabled).toBe(false)
    expect(run.world.hub.meta[mediaStateMetaKey('client1')]).toEqual({ audio: false, video: false, name: 'Ada', host: true })
    // Only the media region moved: same peer connection, same event stream, no renegotiation.
    expect(run.world.peers.all.length).toBe(peersBefore)
    expect(run.world.eventSources.all.length).toBe(streamsBefore)
    expect(run.world.hub.requests('negotiate').length).toBe(negotiationsBefore)
    expect(run.view().status).toBe('connected')
  })

  it('sets own track sources, subscribes to others and shows them with their names and media state', async () => {
    const run = await joined()
    const source = run.world.eventSources.latest()
    source.emit('tracks_added', { tracks: { mine: track('client1', 'Ada', 'local-stream', 'mine') } })
    run.world.hub.meta[mediaStateMetaKey('c2')] = { audio: false, video: true, name: 'Bo' }
    source.emit('tracks_available', { tracks: { t1: track('c2', 'Bo', 's2', 't1'), t2: track('c2', 'Bo', 's2', 't2', 'audio') } })
    await flush()
    expect(run.world.hub.requests('setTrackSources')[0]?.body).toEqual([{ track_id: 'mine', source: 'media' }])
    expect(run.world.hub.requests('subscribeTracks')[0]?.body).toEqual([
      { client_id: 'c2', stream_id: 's2', track_id: 't1' },
      { client_id: 'c2', stream_id: 's2', track_id: 't2' },
    ])
    // A repeated announcement is not subscribed twice.
    source.emit('tracks_available', { tracks: { t1: track('c2', 'Bo', 's2', 't1') } })
    await flush()
    expect(run.world.hub.requests('subscribeTracks')).toHaveLength(1)
    let [bo] = run.view().participants
    expect(bo).toMatchObject({ clientId: 'c2', name: 'Bo', audioEnabled: false, videoEnabled: true, streamIds: [] })
    // The media arrives (receiver track ids differ from the publisher's): matched by stream id + kind.
    const stream = new FakeMediaStream([new FakeMediaStreamTrack('video', 'recv-v'), new FakeMediaStreamTrack('audio', 'recv-a')], 's2')
    run.pc().emitTrack('video', stream, stream.getTracks()[0])
    run.pc().emitTrack('audio', stream, stream.getTracks()[1])
    ;[bo] = run.view().participants
    expect(bo?.streamIds).toEqual(['s2'])
    expect(bo?.tracks.every((t) => t.live)).toBe(true)
    expect(run.conference.streams.get('s2')).toBe(stream)
    // Their state changes arrive as meta events.
    source.emit('meta_changed', { [mediaStateMetaKey('c2')]: { audio: true, video: false } })
    expect(run.view().participants[0]).toMatchObject({ audioEnabled: true, videoEnabled: false })
    // Parley's hub stops hearing them for a moment, then hears them again.
    source.emit('parley_connection', { client_id: 'c2', problem: true })
    expect(run.view().participants[0]).toMatchObject({ connectionProblem: true })
    source.emit('parley_connection', { client_id: 'c2', problem: false })
    expect(run.view().participants[0]?.connectionProblem).toBeUndefined()
    // They leave: tracks end and they disappear.
    stream.getTracks()[0]!.end()
    stream.getTracks()[1]!.end()
    expect(run.view().participants).toEqual([])
    expect(run.conference.streams.get('s2')).toBeUndefined()
  })

  it('emits participant.joined and participant.left, so a UI needs no diffing of views', async () => {
    const run = await joined()
    const heard: ConferenceFact[] = []
    run.conference.actor.on('*', (event) => heard.push(event))
    const source = run.world.eventSources.latest()
    // A stream that arrives before its announcement is nobody yet.
    const stream = new FakeMediaStream([new FakeMediaStreamTrack('video', 'recv-v')], 's2')
    run.pc().emitTrack('video', stream, stream.getTracks()[0])
    expect(heard).toEqual([])
    source.emit('tracks_available', { tracks: { t1: track('c2', 'Bo', 's2', 't1'), t9: track('c9', '', 's9', 't9') } })
    source.emit('tracks_available', { tracks: { t1: track('c2', 'Bo', 's2', 't1') } })
    source.emit('meta_changed', { [mediaStateMetaKey('c9')]: null })
    stream.getTracks()[0]!.end()
    expect(heard).toEqual([
      { type: 'participant.joined', clientId: 'c2', name: 'Bo' },
      { type: 'participant.joined', clientId: 'c9', name: GUEST_NAME },
      { type: 'participant.left', clientId: 'c9', name: GUEST_NAME },
      { type: 'participant.left', clientId: 'c2', name: 'Bo' },
    ])
  })

  it('shows tracks that arrive before tracks_available under a placeholder, then completes them', async () => {
    const run = await joined()
    const stream = new FakeMediaStream([new FakeMediaStreamTrack('video', 'early')], 's9')
    run.pc().emitTrack('video', stream, stream.getTracks()[0])
    expect(run.view().participants).toMatchObject([{ name: 'Guest', streamIds: ['s9'] }])
    run.world.eventSources.latest().emit('tracks_available', { tracks: { t9: track('c9', 'Eve', 's9', 't9') } })
    expect(run.view().participants).toMatchObject([{ clientId: 'c9', name: 'Eve', streamIds: ['s9'] }])
    // A removed track (stream removetrack) also ends the participant.
    stream.removeTrack(stream.getTracks()[0]!)
    expect(run.view().participants).toEqual([])
  })

  it('does not show a departed participant as a Guest while their tracks wind down', async () => {
    const run = await joined()
    const source = run.world.eventSources.latest()
    source.emit('meta_changed', { [mediaStateMetaKey('c3')]: { audio: true, video: true, name: 'Linus' } })
    source.emit('tracks_available', { tracks: { t3: track('c3', 'Linus', 's3', 't3'), t4: track('c3', 'Linus', 's3', 't4', 'audio') } })
    const stream = new FakeMediaStream([new FakeMediaStreamTrack('video', 'recv-v3'), new FakeMediaStreamTrack('audio', 'recv-a3')], 's3')
    run.pc().emitTrack('video', stream, stream.getTracks()[0])
    run.pc().emitTrack('audio', stream, stream.getTracks()[1])
    expect(run.view().participants).toMatchObject([{ clientId: 'c3', name: 'Linus', streamIds: ['s3'] }])
    // Linus leaves: his media-state key is deleted before the hub's next offer ends his tracks.
    source.emit('meta_changed', { [mediaStateMetaKey('c3')]: null })
    expect(run.view().participants).toEqual([])
    // A late re-announcement of the departed client does not bring him back either.
    source.emit('tracks_available', { tracks: { t3: track('c3', 'Linus', 's3', 't3') } })
    expect(run.view().participants).toEqual([])
    // Meanwhile a newcomer's tracks that arrive before their announcement still show.
    const early = new FakeMediaStream([new FakeMediaStreamTrack('video', 'recv-v5')], 's5')
    run.pc().emitTrack('video', early, early.getTracks()[0])
    expect(run.view().participants).toMatchObject([{ clientId: 'stream:s5', name: 'Guest', streamIds: ['s5'] }])
    // The tracks end: the departed stream is forgotten (nothing accumulates in context).
    stream.getTracks()[0]!.end()
    stream.getTracks()[1]!.end()
    expect(run.conference.actor.getSnapshot().context.roster.departedStreams).toEqual([])
    expect(run.conference.streams.get('s3')).toBeUndefined()
    expect(run.view().participants.map((p) => p.clientId)).toEqual(['stream:s5'])
  })

  it('still leaves when ending the room failed', async () => {
    const run = await joined()
    run.world.hub.next('endRoom', { status: 401 })
    run.conference.endRoom()
    await run.until((s) => s.status === 'done')
    expect(run.world.hub.requests('leave')).toHaveLength(1)
    // The room was not ended: the user merely left.
    expect(run.view()).toMatchObject({ status: 'left' })
    expect(run.view().endedReason).toBeUndefined()
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('leaves from the room and releases everything', async () => {
    const run = await joined()
    run.conference.leave()
    await run.until((s) => s.status === 'done')
    expect(run.view().status).toBe('left')
    expect(run.world.hub.requests('deleteMeta')[0]?.params.key).toBe(mediaStateMetaKey('client1'))
    expect(run.world.hub.requests('leave')[0]).toMatchObject({ method: 'DELETE', keepalive: true })
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('leaves on page unload through the beacon', async () => {
    const run = await joined()
    run.conference.leaveOnUnload()
    await run.until((s) => s.status === 'done')
    expect(run.world.beacons).toEqual([`${FAKE_HUB_URL}/v1/rooms/room1/leave/client1`])
    expect(run.world.hub.requests('leave')).toEqual([])
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('leaves mid-join: the pending request is aborted and nothing stays open', async () => {
    const run = start((world) => void world.hub.calls.gate('hub.register'))
    run.conference.join({ displayName: 'Ada', media: { audio: true, video: true } })
    await flush()
    run.conference.leave()
    await run.until((s) => s.status === 'done')
    expect(run.world.hub.aborted).toBe(1)
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('ends the room for everyone, then releases everything without a leave request', async () => {
    const run = await joined()
    run.conference.endRoom()
    await run.until((s) => s.status === 'done')
    // The end removed every client: no leave or metadata request follows (it could only 404).
    expect(run.world.hub.log.map((r) => r.route).slice(-1)).toEqual(['endRoom'])
    expect(run.view()).toMatchObject({ status: 'left', endedReason: 'ended-by-me' })
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('ends when the host ended the room (left event)', async () => {
    const first = await joined()
    first.world.eventSources.latest().emit('left', { reason: 'ended' })
    await first.until((s) => s.status === 'done')
    expect(first.view()).toMatchObject({ status: 'ended', endedReason: 'host-ended' })
    expect(first.conference.actor.getSnapshot().context.endedReason).toBe('host-ended')
    expect(first.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('reconnects in full when the hub forgot us (it restarted): same room, new client, new peer connection, same mic/camera', async () => {
    const run = await joined()
    run.conference.setMicrophone(false)
    await flush()
    const first = { clientId: run.view().clientId!, pc: run.pc(), room: run.view().room! }
    run.world.eventSources.latest().emit('tracks_available', { tracks: { t2: track('c2', 'Bo', 's2', 't2') } })
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

  it('releases everything when the actor is stopped without leaving', async () => {
    const run = await joined()
    run.conference.actor.stop()
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })
})
