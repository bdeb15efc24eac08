// Host controls through createConference on the fake world: who is host, End room, moderation, and
// the wording facts of an ended call (who ended it, why).
import { describe, expect, it } from 'vitest'
import { waitFor } from 'xstate'
import { mediaStateMetaKey } from '@parley/protocol'
import { createConference, type ConferenceSnapshot } from './conference.js'
import { SETTLE_LIMIT_MS } from './machines/conferenceMachine.js'
import { FAKE_HUB_URL, FakeDataChannel, createFakeWorld, flush, type FakePeerConnection } from './test-support/index.js'

type World = ReturnType<typeof createFakeWorld>

async function inRoom(join: { roomId?: string; roomName?: string }, configure?: (world: World) => void) {
  const world = createFakeWorld()
  configure?.(world)
  const conference = createConference({ hub: { baseUrl: FAKE_HUB_URL }, ports: world.ports })
  conference.actor.start()
  const until = (predicate: (snapshot: ConferenceSnapshot) => boolean) => waitFor(conference.actor, predicate, { timeout: 1000 })
  conference.join({ displayName: 'Ada', ...join, media: { audio: true, video: true } })
  await until((s) => s.matches('inRoom'))
  await flush()
  world.eventSources.latest().open()
  ;(world.peers.latest() as FakePeerConnection).setIceConnectionState('connected')
  // Joined by id our first answer would be due (the fake hub offers nothing): past the settle limit, connected.
  world.clock.advance(SETTLE_LIMIT_MS)
  await flush()
  return { world, conference, until, view: () => conference.selectView(conference.actor.getSnapshot()), sse: () => world.eventSources.latest() }
}

describe('host controls', () => {
  it('the creator asks for host controls, is host, and ends the room with its key and client id', async () => {
    const run = await inRoom({ roomName: 'Standup' })
    expect(run.world.hub.requests('createRoom')[0]?.body).toMatchObject({ options: { parley: { host_controls: true } } })
    expect(run.view().host).toMatchObject({ isHost: true, canModerate: true, hostClientId: 'client1', hostName: 'Ada' })
    expect(run.world.hub.meta[mediaStateMetaKey('client1')]).toMatchObject({ host: true })
    run.conference.endRoom()
    await run.until((s) => s.status === 'done')
    expect(run.world.hub.requests('endRoom')[0]).toMatchObject({ headers: { 'X-Parley-Host-Key': 'key-room1' }, body: { by_client_id: 'client1' } })
    expect(run.view()).toMatchObject({ status: 'left', endedReason: 'ended-by-me' })
  })

  it('against the hosted hub (no key) the creator is still host, without moderation, and ends without a key', async () => {
    const run = await inRoom({ roomName: 'Standup' }, (world) => {
      world.hub.next('createRoom', { status: 201, data: { id: 'r9', name: 'Standup', options: HOSTED_OPTIONS } })
      world.hub.rooms.set('r9', { id: 'r9', name: 'Standup' })
    })
    expect(run.view().host).toMatchObject({ isHost: true, canModerate: false })
    run.conference.muteParticipant('c2')
    await flush()
    expect(run.world.hub.requests('muteClient')).toEqual([])
    run.conference.endRoom()
    await run.until((s) => s.status === 'done')
    expect(run.world.hub.requests('endRoom')[0]?.headers['X-Parley-Host-Key']).toBeUndefined()
  })

  it('a participant who joined is not host: End room is ignored and moderation asks nothing', async () => {
    const run = await inRoom({ roomId: 'room1' }, (world) => void world.hub.rooms.set('room1', { id: 'room1', name: 'Standup' }))
    expect(run.view().host).toMatchObject({ isHost: false, canModerate: false })
    expect(run.world.hub.requests('createRoom')).toEqual([])
    run.conference.endRoom()
    run.conference.removeParticipant('c2')
    await flush()
    expect(run.view().status).toBe('connected')
    expect(run.world.hub.requests('endRoom')).toEqual([])
    expect(run.world.hub.requests('removeClient')).toEqual([])
  })

  it('mutes and removes others through the hub with the key; a refusal shows in the view', async () => {
    const run = await inRoom({ roomName: 'Standup' })
    run.conference.muteParticipant('c2')
    await flush()
    expect(run.world.hub.requests('muteClient')[0]).toMatchObject({ params: { clientId: 'c2' }, headers: { 'X-Parley-Host-Key': 'key-room1' } })
    run.world.hub.next('removeClient', { status: 404 })
    run.conference.removeParticipant('gone')
    await flush()
    expect(run.view().host.failure).toMatchObject({ action: 'remove', clientId: 'gone' })
    run.conference.removeParticipant('c2')
    await flush()
    expect(run.view().host.failure).toBeUndefined()
  })

  it('mutes everyone else whose microphone may be on, one request each, as the roster says now', async () => {
    const run = await inRoom({ roomName: 'Standup' })
    const track = (clientId: string, name: string) => ({ id: `${clientId}-a`, track_id: `${clientId}-a`, client_id: clientId, client_name: name, stream_id: `${clientId}-s`, kind: 'audio', source: 'media' })
    // Bo and Cy publish their state (Cy muted already); Di's client publishes none (the official SDK): she may be heard.
    run.sse().emit('tracks_available', { tracks: { 'bo-a': track('bo', 'Bo'), 'cy-a': track('cy', 'Cy'), 'di-a': track('di', 'Di') } })
    run.sse().emit('meta_changed', { [mediaStateMetaKey('bo')]: { audio: true, video: true, name: 'Bo' } })
    run.sse().emit('meta_changed', { [mediaStateMetaKey('cy')]: { audio: false, video: true, name: 'Cy' } })
    await flush()
    run.conference.muteEveryone?.()
    await flush()
    expect(run.world.hub.requests('muteClient').map((request) => request.params.clientId)).toEqual(['bo', 'di'])
    expect(run.world.hub.requests('muteClient').every((request) => request.headers['X-Parley-Host-Key'] === 'key-room1')).toBe(true)
  })

  it('obeys the host’s mute: the microphone goes off and is published, and the view says who did it', async () => {
    const run = await inRoom({ roomId: 'room1' }, (world) => void world.hub.rooms.set('room1', { id: 'room1', name: 'Standup' }))
    run.sse().emit('parley_mute', { kind: 'audio', by: { client_id: 'c9', name: 'Bo' } })
    await flush()
    expect(run.view().local.audioEnabled).toBe(false)
    expect(run.view().host).toMatchObject({ mutedBy: { clientId: 'c9', name: 'Bo' }, mutedCount: 1 })
    expect(run.world.hub.meta[mediaStateMetaKey('client1')]).toMatchObject({ audio: false })
  })
})

describe('why the call ended', () => {
  const cases = [
    [{ reason: 'ended', by: { client_id: 'c9', name: 'Bo' } }, 'host-ended', { clientId: 'c9', name: 'Bo' }],
    [{ reason: 'ended' }, 'host-ended', undefined],
    [{ reason: 'removed', by: { client_id: 'c9', name: 'Bo' } }, 'removed', { clientId: 'c9', name: 'Bo' }],
  ] as const
  for (const [left, reason, by] of cases) {
    it(`left ${JSON.stringify(left)} → ${reason}${by ? ` by ${by.name}` : ''}`, async () => {
      const run = await inRoom({ roomName: 'Standup' })
      run.sse().emit('left', left)
      await run.until((s) => s.status === 'done')
      expect(run.view()).toMatchObject({ status: 'ended', endedReason: reason })
      expect(run.view().endedBy).toEqual(by)
      expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
    })
  }
  // The hub dropped us (timeout), restarts (shutdown) or lost what we missed: not an ending, a reconnect.
  for (const reason of ['timeout', 'shutdown', 'events_lost']) {
    it(`left {"reason":"${reason}"} → reconnecting, not ended`, async () => {
      const run = await inRoom({ roomName: 'Standup' })
      run.sse().emit('left', { reason })
      await run.until((s) => s.matches('reconnecting'))
      expect(run.view()).toMatchObject({ status: 'reconnecting', reconnect: { attempt: 1 } })
      expect(run.view().endedReason).toBeUndefined()
      // The hub said we are gone: nothing to release (a leave would only be answered 404).
      await flush()
      run.world.clock.advance(0)
      await flush()
      expect(run.world.hub.requests('leave')).toEqual([])
      expect(run.world.hub.requests('deleteMeta')).toEqual([])
      // Back in the room the hub kept: its chat channel is still there, so the host does not ask again (409).
      await run.until((s) => s.matches('inRoom'))
      await flush()
      expect(run.world.hub.requests('createChannel')).toHaveLength(1)
    })
  }
})

const HOSTED_OPTIONS = {
  bitrates: { audio: 1, audio_red: 1, video: 1, video_high: 1, video_high_pixels: 1, video_mid: 1, video_mid_pixels: 1, video_low: 1, video_low_pixels: 1, initial_bandwidth: 1 },
  quality_presets: { high: { sid: 2, tid: 2 }, mid: { sid: 1, tid: 1 }, low: { sid: 0, tid: 0 } },
  codecs: ['video/VP8'],
  pli_interval_ns: 0,
  empty_room_timeout_ns: 0,
}

describe('chat through the conference', () => {
  it('creates the chat channel, queues until the hub’s channel opens, sends, receives, and drops malformed and non-string frames', async () => {
    const run = await inRoom({ roomName: 'Standup' })
    expect(run.world.hub.requests('createChannel')[0]?.body).toEqual({ name: 'parley.chat', mode: true })
    run.conference.sendChat('before open')
    await flush()
    expect(run.view().chat).toMatchObject({ channel: 'connecting', messages: [{ text: 'before open', status: 'queued' }] })
    const channel = new FakeDataChannel('parley.chat')
    ;(run.world.peers.latest() as FakePeerConnection).dispatch('datachannel', { channel })
    channel.open()
    await flush()
    expect(channel.sent.map((frame) => (JSON.parse(frame) as { text: string }).text)).toEqual(['before open'])
    expect(run.view().chat).toMatchObject({ channel: 'open', messages: [{ status: 'sent' }] })
    channel.deliver('{not json')
    channel.deliver(JSON.stringify({ type: 'chat', id: '1', from: 'c2', name: 'Bo', time: 1, text: 42 }))
    channel.deliver(JSON.stringify({ type: 'chat', id: '1', from: 'c2', name: 'Bo', time: 1, text: 'hi <b>Ada</b>' }))
    await flush()
    expect(run.view().chat.messages.map((m) => m.text)).toEqual(['before open', 'hi <b>Ada</b>'])
    expect(run.view().chat.unread).toBe(1)
    run.conference.readChat()
    await flush()
    expect(run.view().chat.unread).toBe(0)
    run.conference.leave()
    await run.until((s) => s.status === 'done')
    expect(channel.listenerCount()).toBe(0)
  })
})
