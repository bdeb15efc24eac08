// The pre-join's warm-up (preparedPeer.ts, warmUpActors.ts `warmUp`): the room's peer session is
// built during the preview and taken over by the room, so that after Join only register and the PUT
// of the ready offer remain (a first offer needs no lock). Covers the hand-over (one peer connection, one createOffer,
// the same SDP, the held candidates sent after register), a join while the offer is still being
// made, device changes before the join, failures (the room then builds its own) and the release
// of the prepared connection by every way out of the pre-join.
import { describe, expect, it } from 'vitest'
import { waitFor } from 'xstate'
import { createConference, type ConferenceOptions, type ConferenceSnapshot } from './conference.js'
import { PeerSession, RECEIVE_SLOTS } from './peerSession.js'
import { PreparedPeer, ReportRelay } from './preparedPeer.js'
import { FAKE_HUB_URL, FAKE_OFFER_SDP, FakeMediaStream, FakeMediaStreamTrack, FakePeerConnection, GATHERED_CANDIDATE, createFakeWorld, flush } from './test-support/index.js'
import { PendingCalls } from './test-support/pendingCalls.js'

const MEDIA = { audio: true, video: true }
const JOIN = { displayName: 'Ada', roomName: 'Standup', media: MEDIA }

function started(configure?: (world: ReturnType<typeof createFakeWorld>) => void, options: Pick<ConferenceOptions, 'simulcast' | 'receiveSlots'> = {}) {
  const world = createFakeWorld()
  world.peers.gatherCandidates = true
  world.devices.devices = [
    { deviceId: 'mic', kind: 'audioinput', label: 'Fake microphone' },
    { deviceId: 'cam', kind: 'videoinput', label: 'Fake camera' },
    { deviceId: 'cam2', kind: 'videoinput', label: 'Document camera' },
  ]
  configure?.(world)
  const conference = createConference({ hub: { baseUrl: FAKE_HUB_URL }, ports: world.ports, ...options })
  conference.actor.start()
  const until = (predicate: (snapshot: ConferenceSnapshot) => boolean) => waitFor(conference.actor, predicate, { timeout: 1000 })
  const warmUp = () => {
    const value = conference.actor.getSnapshot().value as { previewing?: { ready?: { peer?: { warming?: string } } } }
    return value.previewing?.ready?.peer?.warming
  }
  const localTrack = (kind: 'audio' | 'video') => world.ports.media && conference.streams.get(conference.actor.getSnapshot().context.local.streamId ?? '')?.getTracks().find((t) => t.kind === kind)
  return { world, conference, until, warmUp, localTrack }
}

type Run = ReturnType<typeof started>

/** Previews and lets the warm-up finish: offer set, the one host candidate gathered, then end-of-candidates. */
async function warmedUp(configure?: (world: ReturnType<typeof createFakeWorld>) => void, options: Pick<ConferenceOptions, 'simulcast' | 'receiveSlots'> = {}): Promise<Run> {
  const run = started(configure, options)
  run.conference.preview(MEDIA)
  await run.until(() => run.warmUp() === 'gathering')
  await flush(1)
  ;(run.world.peers.latest() as FakePeerConnection).dispatch('icecandidate', { candidate: null })
  await run.until(() => run.warmUp() === 'prepared')
  return run
}

async function inRoom(run: Run) {
  run.conference.join(JOIN)
  await run.until((s) => s.matches('inRoom'))
  await flush()
}

describe('the pre-join warm-up', () => {
  it('builds the peer connection with the preview tracks, sets the offer and gathers, and tells the hub nothing yet', async () => {
    const run = await warmedUp()
    const pc = run.world.peers.latest() as FakePeerConnection
    expect(run.world.peers.all).toHaveLength(1)
    expect(pc.transceivers.map((t) => [t.sender.track, t.direction])).toEqual([
      [run.localTrack('audio'), 'sendonly'],
      [run.localTrack('video'), 'sendonly'],
      ...Array.from({ length: 2 * RECEIVE_SLOTS }, () => [null, 'recvonly']),
    ])
    expect(pc.localDescription).toEqual({ type: 'offer', sdp: FAKE_OFFER_SDP })
    expect(pc.dataChannels.map((c) => c.label)).toEqual(['parley.bootstrap'])
    expect(run.world.hub.log).toEqual([])
    // Context stays plain data: the connection lives in the holder.
    const { context } = run.conference.actor.getSnapshot()
    expect(JSON.parse(JSON.stringify(context))).toEqual(context)
    run.conference.leave()
  })

  it("prepares the camera as one stream by default, as simulcast layers with `simulcast: true`; the room's own connection likewise", async () => {
    const rids = (pc: FakePeerConnection) => pc.transceivers.map((t) => (t.sender.getParameters?.().encodings as { rid?: string }[]).map((e) => e.rid ?? '-').join(','))
    for (const [simulcast, camera] of [[undefined, '-'], [false, '-'], [true, 'high,mid,low']] as const) {
      const run = await warmedUp(undefined, simulcast === undefined ? {} : { simulcast })
      expect(rids(run.world.peers.latest() as FakePeerConnection)).toEqual(['-', camera, ...Array(2 * RECEIVE_SLOTS).fill('-')])
      run.conference.leave()
      // A join without a pre-join: the room builds its own connection, with the same layers.
      const cold = started(undefined, simulcast === undefined ? {} : { simulcast })
      cold.conference.join(JOIN)
      await cold.until((s) => s.matches('inRoom'))
      await flush()
      expect(rids(cold.world.peers.latest() as FakePeerConnection)).toEqual(['-', camera, ...Array(2 * RECEIVE_SLOTS).fill('-')])
      cold.conference.leave()
    }
  })

  it('offers the receive slots asked for (`receiveSlots`), in the prepared connection and the room\'s own; a count no hub takes is refused at once', async () => {
    const recvonly = (pc: FakePeerConnection) => pc.transceivers.filter((t) => t.direction === 'recvonly').map((t) => t.receiver.track.kind)
    for (const receiveSlots of [0, 1, 5]) {
      const expected = Array.from({ length: receiveSlots }, () => ['audio', 'video']).flat()
      const run = await warmedUp(undefined, { receiveSlots })
      expect(recvonly(run.world.peers.latest() as FakePeerConnection)).toEqual(expected)
      run.conference.leave()
      const cold = started(undefined, { receiveSlots })
      cold.conference.join(JOIN)
      await cold.until((s) => s.matches('inRoom'))
      await flush()
      expect(recvonly(cold.world.peers.latest() as FakePeerConnection)).toEqual(expected)
      cold.conference.leave()
    }
    for (const receiveSlots of [-1, 1.5, 17, Number.NaN]) {
      expect(() => started(undefined, { receiveSlots })).toThrow(/receiveSlots must be an integer from 0 to 16/)
    }
  })

  it("sends the ready offer's PUT in the step that enters the room, before any observer of that step runs (a UI's render)", async () => {
    const run = await warmedUp()
    let routesWhenSeen: string[] | undefined
    run.conference.actor.subscribe((snapshot) => {
      if (snapshot.matches('inRoom')) routesWhenSeen ??= run.world.hub.log.map((r) => r.route)
    })
    run.conference.join(JOIN)
    await run.until((s) => s.matches('inRoom'))
    expect(routesWhenSeen).toContain('negotiate')
    expect(run.world.hub.requests('negotiate')[0]?.body).toMatchObject({ type: 'offer', sdp: FAKE_OFFER_SDP })
  })

  it('Join takes it over: register and the PUT of the same offer (no lock for a first offer); no second connection or createOffer; the held candidate follows', async () => {
    const run = await warmedUp()
    const pc = run.world.peers.latest() as FakePeerConnection
    await inRoom(run)
    expect(run.world.peers.all).toEqual([pc])
    expect(pc.offers).toHaveLength(1)
    const routes = run.world.hub.log.map((r) => r.route)
    expect(routes.slice(0, 2)).toEqual(['createRoom', 'register'])
    expect(routes).not.toContain('isAllowNegotiate')
    expect(run.world.hub.requests('negotiate')[0]?.body).toMatchObject({ type: 'offer', sdp: FAKE_OFFER_SDP })
    // Gathered in the pre-join, sent once there is a hub session (both hubs queue it until the offer).
    expect(run.world.hub.requests('candidate').map((r) => r.body)).toEqual([expect.objectContaining({ candidate: GATHERED_CANDIDATE.candidate })])
    expect(routes.indexOf('candidate')).toBeGreaterThan(routes.indexOf('register'))
    run.world.eventSources.latest().open()
    pc.setIceConnectionState('connected')
    await run.until((s) => s.matches({ inRoom: { connection: 'connected' } }))
    run.conference.leave()
    await run.until((s) => s.status === 'done')
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('a Join while the offer is still being made waits for that offer, not a new one', async () => {
    const run = started((world) => world.peers.calls.gate('pc.createOffer'))
    run.conference.preview(MEDIA)
    await run.until(() => run.warmUp() === 'preparing')
    run.world.peers.calls.ungate('pc.createOffer')
    await inRoom(run)
    expect(run.world.hub.requests('negotiate')).toHaveLength(0)
    run.world.peers.calls.find('pc.createOffer')!.resolve()
    await flush()
    const pc = run.world.peers.latest() as FakePeerConnection
    expect(run.world.peers.all).toEqual([pc])
    expect(pc.offers).toHaveLength(1)
    expect(run.world.hub.requests('negotiate')[0]?.body).toMatchObject({ type: 'offer', sdp: FAKE_OFFER_SDP })
    run.conference.leave()
  })

  it('a camera switched in the pre-join goes on the prepared sender, and the room still takes the connection', async () => {
    const run = await warmedUp()
    const pc = run.world.peers.latest() as FakePeerConnection
    run.conference.selectDevice('videoinput', 'cam2')
    await flush()
    const camera = run.localTrack('video') as FakeMediaStreamTrack
    expect(camera.deviceId).toBe('cam2')
    expect(pc.transceivers[1]?.sender.track).toBe(camera)
    expect(run.warmUp()).toBe('prepared')
    await inRoom(run)
    expect(run.world.peers.all).toEqual([pc])
    run.conference.leave()
  })

  it('a new preview closes the prepared connection and prepares another with the new tracks', async () => {
    const run = await warmedUp()
    const first = run.world.peers.latest() as FakePeerConnection
    run.conference.preview({ audio: true, video: false })
    await run.until(() => run.warmUp() === 'gathering')
    expect(first.closed).toBe(true)
    const second = run.world.peers.latest() as FakePeerConnection
    expect(second).not.toBe(first)
    expect(second.transceivers.map((t) => [t.sender.track?.kind ?? null, t.direction])).toEqual([
      ['audio', 'sendonly'],
      ...Array.from({ length: 2 * RECEIVE_SLOTS }, () => [null, 'recvonly']),
    ])
    expect(run.world.peers.openCount).toBe(1)
    run.conference.leave()
  })

  it('muting in the pre-join keeps the prepared connection (muting changes no offer)', async () => {
    const run = await warmedUp()
    run.conference.setCamera(false)
    run.conference.setMicrophone(false)
    await flush()
    expect(run.warmUp()).toBe('prepared')
    expect(run.world.peers.all).toHaveLength(1)
    await inRoom(run)
    expect(run.world.peers.all).toHaveLength(1)
    run.conference.leave()
  })

  it('joining with other media than the preview releases the prepared connection and builds one for the new tracks', async () => {
    const run = await warmedUp()
    const prepared = run.world.peers.latest() as FakePeerConnection
    run.conference.join({ ...JOIN, media: { audio: true, video: false } })
    await run.until((s) => s.matches('inRoom'))
    await flush()
    expect(prepared.closed).toBe(true)
    expect(run.world.peers.all).toHaveLength(2)
    expect(run.world.peers.openCount).toBe(1)
    run.conference.leave()
  })

  it('a failed warm-up leaves the room to build its own connection, as without one', async () => {
    const run = started((world) => world.peers.calls.gate('pc.createOffer'))
    run.conference.preview(MEDIA)
    await run.until(() => run.warmUp() === 'preparing')
    const prepared = run.world.peers.latest() as FakePeerConnection
    prepared.failNext('createOffer')
    run.world.peers.calls.ungate('pc.createOffer')
    run.world.peers.calls.find('pc.createOffer')!.resolve()
    await run.until(() => run.warmUp() === 'unprepared')
    expect(prepared.closed).toBe(true)
    await inRoom(run)
    expect(run.world.peers.all).toHaveLength(2)
    expect(run.world.hub.requests('negotiate')).toHaveLength(1)
    run.conference.leave()
  })

  it('without WebRTC the pre-join is unprepared and the join fails as it always did', async () => {
    const run = started((world) => world.peers.failNextCreation())
    run.conference.preview(MEDIA)
    await run.until(() => run.warmUp() === 'unprepared')
    expect(run.world.peers.all).toHaveLength(0)
    run.world.peers.failNextCreation()
    run.conference.join(JOIN)
    // The room's own attempt fails the same way, and so does the fresh session of the one recovery.
    await run.until((s) => s.matches('reconnecting'))
    run.world.peers.failNextCreation()
    await flush()
    run.world.clock.advance(0)
    await run.until((s) => s.matches('failed'))
    expect(run.conference.selectView(run.conference.actor.getSnapshot()).error).toMatchObject({ kind: 'negotiation-failed' })
    run.conference.leave()
    await run.until((s) => s.status === 'done')
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it.each([
    ['while the offer is being made', 'preparing'],
    ['once prepared', 'prepared'],
  ])('leaving the pre-join %s closes the prepared connection', async (_, at) => {
    const run = at === 'prepared' ? await warmedUp() : started((world) => world.peers.calls.gate('pc.createOffer'))
    if (at === 'preparing') {
      run.conference.preview(MEDIA)
      await run.until(() => run.warmUp() === 'preparing')
    }
    run.conference.leave()
    await run.until((s) => s.status === 'done')
    expect(run.world.peers.all).toHaveLength(1)
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('a join that fails at register releases the prepared connection', async () => {
    const run = await warmedUp((world) => world.hub.next('register', { status: 503 }))
    run.conference.join(JOIN)
    await run.until((s) => s.matches('failed'))
    await flush()
    expect(run.world.peers.openCount).toBe(0)
    run.conference.leave()
  })

  it('stopping the conference in the pre-join closes the prepared connection', async () => {
    const run = await warmedUp()
    run.conference.actor.stop()
    expect(run.world.openResources()).toMatchObject({ peerConnections: 0, liveTracks: 0 })
  })
})

describe('PreparedPeer and ReportRelay', () => {
  const local = () => {
    const tracks = [new FakeMediaStreamTrack('audio'), new FakeMediaStreamTrack('video')]
    const stream = new FakeMediaStream(tracks)
    return { stream, tracks }
  }

  it('hands the session over only for the same stream and tracks; otherwise closes it', () => {
    const holder = new PreparedPeer()
    const media = local()
    const pc = new FakePeerConnection({}, new PendingCalls())
    const held = holder.build(() => pc, media)
    expect(holder.take(media)).toBe(held)
    expect(holder.take(media)).toBeUndefined()
    const other = new FakePeerConnection({}, new PendingCalls())
    holder.build(() => other, media)
    expect(holder.take({ stream: media.stream, tracks: [media.tracks[0]!] })).toBeUndefined()
    expect(other.closed).toBe(true)
    expect(pc.closed).toBe(false)
  })

  it('release(which) closes only the session still held', () => {
    const holder = new PreparedPeer()
    const media = local()
    const first = holder.build(() => new FakePeerConnection({}, new PendingCalls()), media)
    const second = holder.build(() => new FakePeerConnection({}, new PendingCalls()), media)
    expect((first.pc as FakePeerConnection).closed).toBe(true)
    holder.release(first)
    expect((second.pc as FakePeerConnection).closed).toBe(false)
    holder.release()
    expect((second.pc as FakePeerConnection).closed).toBe(true)
    expect(holder.held).toBeUndefined()
  })

  it('the relay holds what the session reports until bound, then delivers it in order; gathering is the warm-up’s only', () => {
    const gathered: string[] = []
    const relay = new ReportRelay({ iceGathered: () => gathered.push('gathered') })
    const candidate = { candidate: 'c', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null }
    relay.event({ type: 'peer.iceCandidate', candidate })
    relay.iceGathered()
    const events: string[] = []
    relay.bind({ event: (event) => events.push(event.type), track: () => events.push('track') })
    relay.event({ type: 'peer.iceConnected' })
    relay.track(new FakeMediaStreamTrack('video'), new FakeMediaStream([]))
    relay.iceGathered()
    expect(events).toEqual(['peer.iceCandidate', 'peer.iceConnected', 'track'])
    expect(gathered).toEqual(['gathered'])
  })

  it('a prepared offer is the next createOffer, once; an ICE restart asked meanwhile makes a fresh one', async () => {
    const pc = new FakePeerConnection({}, new PendingCalls())
    const session = new PeerSession(pc, { stream: undefined, tracks: [] }, { event: () => undefined, track: () => undefined })
    const prepared = await session.prepareOffer()
    expect(await session.createOffer()).toBe(prepared)
    expect(pc.offers).toHaveLength(1)
    await session.createOffer()
    expect(pc.offers).toHaveLength(2)
    void session.prepareOffer()
    session.restartIce()
    await session.createOffer()
    expect(pc.offers.at(-1)).toEqual({ iceRestart: true })
  })
})
