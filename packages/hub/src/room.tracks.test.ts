// One room over the fake plane: track routing and the client-compatibility rule, a throwing media
// plane, the room's bitrates. Shared setup: test-support/roomTests.ts.
import { MAX_SDP_LENGTH, mediaStateMetaKey, PARLEY_VIDEO_PAUSED_EVENT, pathFor, TracksEventSchema } from '@parley/protocol'
import * as v from 'valibot'
import { describe, expect, it, vi } from 'vitest'
import { connectClient, createTestHub, settle, TEST_ANSWER, TEST_OFFER, type TestHub } from './test-support/harness.js'
import { roomTests, tracksOf } from './test-support/roomTests.js'

let hub: TestHub
const { roomWith } = roomTests(() => hub, (made) => (hub = made))

describe('tracks and the client-compatibility rule', () => {
  it('subscribes every connected client at once and tells the publisher tracks_added (batched)', async () => {
    await roomWith(['a', 'b'], ['c'])
    const a = await hub.events('r1', 'a')
    // Published in one tick, as the tracks of one client offer are: one tracks_added for both.
    await Promise.all([hub.plane.peer('a').publish('cam', 'video', 'streamA'), hub.plane.peer('a').publish('mic', 'audio', 'streamA')])
    // Rule (a): no settracksources/subscribetracks needed for media to flow.
    expect([...hub.plane.peer('b').subscribed.keys()]).toEqual(['cam', 'mic'])
    expect(hub.plane.peer('c').subscribed.size).toBe(0) // not connected yet
    expect(hub.plane.peer('a').subscribed.size).toBe(0) // never its own
    await vi.advanceTimersByTimeAsync(100)
    await a.waitFor('tracks_added')
    expect(a.named('tracks_added')).toHaveLength(1)
    expect(tracksOf(a, 'tracks_added')).toEqual({
      cam: { id: 'cam', track_id: 'cam', client_id: 'a', client_name: 'name-a', stream_id: 'streamA', kind: 'video', source: 'unknown' },
      mic: { id: 'mic', track_id: 'mic', client_id: 'a', client_name: 'name-a', stream_id: 'streamA', kind: 'audio', source: 'unknown' },
    })
    await a.cancel()
  })

  it('announces tracks_available to the others when the publisher sets sources', async () => {
    await roomWith(['a', 'b'])
    const [a, b] = [await hub.events('r1', 'a'), await hub.events('r1', 'b')]
    await hub.plane.peer('a').publish('screen1', 'video', 'sA')
    await vi.advanceTimersByTimeAsync(100)
    await a.waitFor('tracks_added')
    const set = await hub.request('PUT', pathFor('setTrackSources', { roomId: 'r1', clientId: 'a' }), [{ track_id: 'screen1', source: 'screen' }])
    expect(set.status).toBe(200)
    await b.waitFor('tracks_available')
    expect(tracksOf(b, 'tracks_available')).toEqual({
      screen1: { id: 'screen1', track_id: 'screen1', client_id: 'a', client_name: 'name-a', stream_id: 'sA', kind: 'video', source: 'screen' },
    })
    // The grace period no longer applies, and the publisher never hears of its own track as available.
    await vi.advanceTimersByTimeAsync(5_000)
    expect(b.named('tracks_available')).toHaveLength(1)
    expect(a.named('tracks_available')).toHaveLength(0)
    await Promise.all([a.cancel(), b.cancel()])
  })

  it('announces a source that changes after the grace period again', async () => {
    await roomWith(['a', 'b'])
    const b = await hub.events('r1', 'b')
    await hub.plane.peer('a').publish('share')
    await vi.advanceTimersByTimeAsync(1_000)
    await b.waitFor('tracks_available')
    const sources = pathFor('setTrackSources', { roomId: 'r1', clientId: 'a' })
    await hub.request('PUT', sources, [{ track_id: 'share', source: 'media' }]) // unchanged: nothing new
    await hub.request('PUT', sources, [{ track_id: 'share', source: 'screen' }])
    await b.waitFor('tracks_available', 2)
    expect(b.named('tracks_available')).toHaveLength(2)
    expect(tracksOf(b, 'tracks_available', 1).share).toMatchObject({ source: 'screen' })
    await b.cancel()
  })

  it('announces a track as media after the grace period when the publisher never sets sources', async () => {
    await roomWith(['a', 'b'])
    const b = await hub.events('r1', 'b')
    await hub.plane.peer('a').publish('cam')
    await vi.advanceTimersByTimeAsync(999)
    await settle()
    expect(b.named('tracks_available')).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    await b.waitFor('tracks_available')
    expect(tracksOf(b, 'tracks_available').cam).toMatchObject({ source: 'media', client_id: 'a' })
    await b.cancel()
  })

  it('gives a late joiner every existing track once its peer connects', async () => {
    await roomWith(['a'])
    await hub.plane.peer('a').publish('cam', 'video', 'sA')
    await hub.plane.peer('a').publish('mic', 'audio', 'sA')
    await hub.request('PUT', pathFor('setTrackSources', { roomId: 'r1', clientId: 'a' }), [{ track_id: 'cam', source: 'media' }])
    await hub.request('POST', pathFor('register', { roomId: 'r1' }), { uid: 'late', name: 'Late' })
    const late = await hub.events('r1', 'late')
    await hub.request('PUT', pathFor('negotiate', { roomId: 'r1', clientId: 'late' }), { type: 'offer', sdp: 'v=0\r\n' })
    await settle()
    expect(late.named('tracks_available')).toHaveLength(0)
    expect(hub.plane.peer('late').subscribed.size).toBe(0)
    await hub.plane.peer('late').setConnectionState('connected')
    expect([...hub.plane.peer('late').subscribed.keys()]).toEqual(['cam', 'mic'])
    await late.waitFor('tracks_available')
    // Only available tracks are announced; `mic` follows after its grace period.
    expect(Object.keys(tracksOf(late, 'tracks_available'))).toEqual(['cam'])
    await vi.advanceTimersByTimeAsync(1_000)
    await late.waitFor('tracks_available', 2)
    expect(Object.keys(tracksOf(late, 'tracks_available', 1))).toEqual(['mic'])
    await late.cancel()
  })

  it("subscribes a joining client at its first offer when it has receive slots the plane fills, and tells it of the available tracks then, once", async () => {
    await roomWith(['a'])
    await hub.plane.peer('a').publish('cam', 'video', 'sA')
    await hub.plane.peer('a').publish('mic', 'audio', 'sA')
    await hub.request('PUT', pathFor('setTrackSources', { roomId: 'r1', clientId: 'a' }), [{ track_id: 'cam', source: 'media' }])
    const slots = { type: 'offer', sdp: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendonly\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=recvonly\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=recvonly\r\n' }
    // A plane that does not fill slots: as before, nothing until the peer connects.
    await hub.request('POST', pathFor('register', { roomId: 'r1' }), { uid: 'plain', name: 'Plain' })
    await hub.request('PUT', pathFor('negotiate', { roomId: 'r1', clientId: 'plain' }), slots)
    await settle()
    expect(hub.plane.peer('plain').subscribed.size).toBe(0)
    // One that does, and an offer without recvonly m-lines: nothing either.
    await hub.request('POST', pathFor('register', { roomId: 'r1' }), { uid: 'sends', name: 'Sends' })
    hub.plane.peer('sends').receivesInAnswer = true
    await hub.request('PUT', pathFor('negotiate', { roomId: 'r1', clientId: 'sends' }), { type: 'offer', sdp: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendonly\r\n' })
    await settle()
    expect(hub.plane.peer('sends').subscribed.size).toBe(0)
    // Slots, and a plane that fills them: subscribed before the offer is answered, told of `cam` at once.
    await hub.request('POST', pathFor('register', { roomId: 'r1' }), { uid: 'late', name: 'Late' })
    const late = await hub.events('r1', 'late')
    hub.plane.peer('late').receivesInAnswer = true
    await hub.request('PUT', pathFor('negotiate', { roomId: 'r1', clientId: 'late' }), slots)
    expect([...hub.plane.peer('late').subscribed.keys()]).toEqual(['cam', 'mic'])
    expect(hub.plane.peer('late').clientOffers).toHaveLength(1)
    await late.waitFor('tracks_available')
    expect(Object.keys(tracksOf(late, 'tracks_available'))).toEqual(['cam'])
    // Connecting changes nothing for it; `mic` is announced after its grace, once.
    await hub.plane.peer('late').setConnectionState('connected')
    await vi.advanceTimersByTimeAsync(1_000)
    await late.waitFor('tracks_available', 2)
    expect(Object.keys(tracksOf(late, 'tracks_available', 1))).toEqual(['mic'])
    await vi.advanceTimersByTimeAsync(5_000)
    expect(late.named('tracks_available')).toHaveLength(2)
    expect(hub.plane.peer('late').subscribeCalls).toEqual(['cam', 'mic'])
    await late.cancel()
  })

  it('lets a client that never connected publish to nobody, and routes its tracks once it connects', async () => {
    await roomWith(['b'], ['a'])
    const b = await hub.events('r1', 'b')
    const a = await hub.events('r1', 'a')
    await hub.request('PUT', pathFor('negotiate', { roomId: 'r1', clientId: 'a' }), TEST_OFFER)
    await hub.plane.peer('a').publish('cam', 'video', 'sA')
    await hub.plane.peer('a').publish('mic', 'audio', 'sA')
    await hub.request('PUT', pathFor('setTrackSources', { roomId: 'r1', clientId: 'a' }), [{ track_id: 'cam', source: 'screen' }])
    const asked = await hub.request('POST', pathFor('subscribeTracks', { roomId: 'r1', clientId: 'b' }), [{ client_id: 'a', track_id: 'cam' }])
    expect(asked.status).toBe(200)
    await vi.advanceTimersByTimeAsync(5_000)
    // Its own tracks_added still comes; the others receive and hear of nothing.
    await a.waitFor('tracks_added')
    expect(hub.plane.peer('b').subscribeCalls).toEqual([])
    expect(b.named('tracks_available')).toHaveLength(0)
    await hub.plane.peer('a').setConnectionState('connected')
    expect([...hub.plane.peer('b').subscribed.keys()]).toEqual(['cam', 'mic'])
    await b.waitFor('tracks_available')
    expect(tracksOf(b, 'tracks_available')).toMatchObject({ cam: { source: 'screen' } })
    // `mic` had no source: its grace starts at the connect.
    await vi.advanceTimersByTimeAsync(1_000)
    await b.waitFor('tracks_available', 2)
    expect(Object.keys(tracksOf(b, 'tracks_available', 1))).toEqual(['mic'])
    await Promise.all([a.cancel(), b.cancel()])
  })

  it('subscribetracks is idempotent and skips own tracks', async () => {
    await roomWith(['a', 'b'])
    await hub.plane.peer('a').publish('cam')
    await hub.plane.peer('b').publish('bcam')
    const response = await hub.request('POST', pathFor('subscribeTracks', { roomId: 'r1', clientId: 'b' }), [
      { client_id: 'a', track_id: 'cam', stream_id: 'whatever' },
      { client_id: 'b', track_id: 'bcam' },
    ])
    expect(response.status).toBe(200)
    expect(hub.plane.peer('b').subscribeCalls).toEqual(['cam', 'cam'])
    expect([...hub.plane.peer('b').subscribed.keys()]).toEqual(['cam'])
  })

  it('removes a subscriber rather than send it a hub offer over the protocol\'s SDP limit', async () => {
    await roomWith(['a', 'b'])
    const b = await hub.events('r1', 'b')
    await hub.plane.peer('a').publish('t'.repeat(MAX_SDP_LENGTH))
    await vi.advanceTimersByTimeAsync(100)
    await b.waitFor('left')
    expect(b.named('offer')).toHaveLength(0)
    expect(JSON.parse(b.named('left')[0]!.data)).toEqual({ reason: 'removed' })
    await b.cancel()
  })

  it('forwards at most max-subscribed-tracks-per-client tracks to one subscriber; the rest wait for a free slot, and subscribetracks for them answers 429', async () => {
    await roomWith(['a', 'b', 'c'], [], { limits: { maxSubscribedTracksPerClient: 3 } })
    const c = await hub.events('r1', 'c')
    const a = hub.plane.peer('a')
    const b = hub.plane.peer('b')
    const aMic = await a.publish('a-mic', 'audio', 'sA')
    await a.publish('a-cam', 'video', 'sA')
    await b.publish('b-mic', 'audio', 'sB')
    await b.publish('b-cam', 'video', 'sB')
    expect([...hub.plane.peer('c').subscribed.keys()]).toEqual(['a-mic', 'a-cam', 'b-mic'])
    // The publishers are under the cap: each gets the other's two tracks.
    expect([...a.subscribed.keys()]).toEqual(['b-mic', 'b-cam'])
    // The subscriber still hears of every track; asking for the one past the cap names the limit.
    await vi.advanceTimersByTimeAsync(5_000)
    await c.waitFor('tracks_available')
    expect(c.named('tracks_available').flatMap((e) => Object.keys(v.parse(TracksEventSchema, JSON.parse(e.data)).tracks)).sort()).toEqual(['a-cam', 'a-mic', 'b-cam', 'b-mic'])
    const refused = await hub.request('POST', pathFor('subscribeTracks', { roomId: 'r1', clientId: 'c' }), [{ client_id: 'b', track_id: 'b-cam' }])
    expect(refused.status).toBe(429)
    expect(refused.body.message).toMatch(/over the limit of 3 tracks per subscriber \(max-subscribed-tracks-per-client\)/)
    // Asking again for what it already receives is fine.
    const ensured = await hub.request('POST', pathFor('subscribeTracks', { roomId: 'r1', clientId: 'c' }), [{ client_id: 'a', track_id: 'a-cam' }])
    expect(ensured.status).toBe(200)
    // A forwarded track ends: the waiting one takes its slot.
    await a.unpublish(aMic)
    expect([...hub.plane.peer('c').subscribed.keys()].sort()).toEqual(['a-cam', 'b-cam', 'b-mic'])
    // A publisher leaves: its slots free, nothing else waits.
    await hub.request('DELETE', pathFor('leave', { roomId: 'r1', clientId: 'b' }))
    expect([...hub.plane.peer('c').subscribed.keys()]).toEqual(['a-cam'])
    await c.cancel()
  })

  it('stops an unpublished track for every subscriber, which then gets a hub offer', async () => {
    await roomWith(['a', 'b', 'c'])
    const b = await hub.events('r1', 'b')
    const cam = await hub.plane.peer('a').publish('cam')
    await vi.advanceTimersByTimeAsync(100)
    await b.waitFor('offer')
    await hub.request('PUT', pathFor('negotiate', { roomId: 'r1', clientId: 'b' }), TEST_ANSWER)
    await hub.plane.peer('a').unpublish(cam)
    expect(hub.plane.peer('b').subscribed.size).toBe(0)
    expect(hub.plane.peer('c').subscribed.size).toBe(0)
    await vi.advanceTimersByTimeAsync(100)
    await b.waitFor('offer', 2)
    // Gone for subscribetracks too.
    const late = await hub.request('POST', pathFor('subscribeTracks', { roomId: 'r1', clientId: 'c' }), [{ client_id: 'a', track_id: 'cam' }])
    expect(late.status).toBe(404)
    await b.cancel()
  })

  it('stops a leaving publisher\'s tracks for everyone and drops its media-state meta', async () => {
    await roomWith(['a', 'b'])
    const b = await hub.events('r1', 'b')
    await hub.request('POST', pathFor('setMeta', { roomId: 'r1' }), { [mediaStateMetaKey('a')]: { audio: true, video: true } })
    await hub.plane.peer('a').publish('cam')
    await hub.plane.peer('a').publish('mic', 'audio')
    await hub.request('DELETE', pathFor('leave', { roomId: 'r1', clientId: 'a' }))
    expect(hub.plane.peer('b').unsubscribeCalls.sort()).toEqual(['cam', 'mic'])
    expect(hub.plane.peer('b').subscribed.size).toBe(0)
    await b.waitFor('meta_changed', 2)
    expect(b.named('meta_changed')[1]!.data).toBe(JSON.stringify({ [mediaStateMetaKey('a')]: null }))
    await b.cancel()
  })

  it('forwards room data-channel messages to the other clients only, and opens channels for later clients', async () => {
    await roomWith(['a', 'b'], ['c'])
    await hub.request('POST', pathFor('createChannel', { roomId: 'r1' }), { name: 'chat', ordered_mode: false })
    expect(hub.plane.peer('a').dataChannels.get('chat')).toBe(false)
    expect(hub.plane.peer('b').dataChannels.get('chat')).toBe(false)
    expect(hub.plane.peer('c').dataChannels.size).toBe(0) // before its first offer
    await connectClient(hub, 'r1', 'c')
    expect(hub.plane.peer('c').dataChannels.get('chat')).toBe(false)
    await hub.plane.peer('a').receiveMessage('chat', 'hello')
    expect(hub.plane.peer('a').sentMessages).toEqual([])
    expect(hub.plane.peer('b').sentMessages).toEqual([{ label: 'chat', data: 'hello' }])
    expect(hub.plane.peer('c').sentMessages).toEqual([{ label: 'chat', data: 'hello' }])
    await hub.plane.peer('a').receiveMessage('internal', 'not a room channel')
    expect(hub.plane.peer('b').sentMessages).toHaveLength(1)
  })
})

describe('a video paused for bandwidth', () => {
  it('tells only the subscriber it was paused for, naming the publisher\'s track, then that it resumed', async () => {
    await roomWith(['a', 'b', 'c'])
    const b = await hub.events('r1', 'b')
    const c = await hub.events('r1', 'c')
    const cam = await hub.plane.peer('a').publish('cam')
    await hub.plane.peer('b').videoPaused(cam, true)
    await hub.plane.peer('b').videoPaused(cam, false)
    await b.waitFor(PARLEY_VIDEO_PAUSED_EVENT, 2)
    expect(b.named(PARLEY_VIDEO_PAUSED_EVENT).map((event) => JSON.parse(event.data) as unknown)).toEqual([
      { client_id: 'a', track_id: 'cam', paused: true, reason: 'bandwidth' },
      { client_id: 'a', track_id: 'cam', paused: false, reason: 'bandwidth' },
    ])
    expect(c.named(PARLEY_VIDEO_PAUSED_EVENT)).toEqual([])
    await b.cancel()
    await c.cancel()
  })
})

describe('media plane failures', () => {
  it('logs a throwing media-plane call instead of crashing, and the other subscribers still get the track', async () => {
    const logged: { level: string; msg: string }[] = []
    await roomWith(['a', 'b', 'c'], [], { log: (level, msg) => logged.push({ level, msg }) })
    hub.plane.peer('b').subscribe = () => {
      throw new Error('boom')
    }
    await expect(hub.plane.peer('a').publish('cam')).resolves.toMatchObject({ trackId: 'cam' })
    expect([...hub.plane.peer('c').subscribed.keys()]).toEqual(['cam'])
    expect(logged).toContainEqual({ level: 'error', msg: 'subscribing failed' })
    expect((await hub.request('GET', pathFor('getClient', { roomId: 'r1', clientId: 'b' }))).status).toBe(200)
  })
})

describe('bitrates', () => {
  it("hands the room's bitrates option to the media plane with each client's peer (it bounds what publishers are told)", async () => {
    hub = createTestHub()
    await hub.request('POST', pathFor('createRoom', {}), { id: 'r1', options: { bitrates: { video_high: 1_500_000 } } })
    await hub.request('POST', pathFor('register', { roomId: 'r1' }), { uid: 'a' })
    expect(hub.plane.bitratesOf.get('a')).toMatchObject({ video_high: 1_500_000, video_low: 90_000 })
  })
})
