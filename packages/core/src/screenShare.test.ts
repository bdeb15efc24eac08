// Screen sharing through the conference handle: the view, the stream registry, the hub's
// `settracksources` labelling our screen stream `screen`, others' screens in the roster, and release.
import { describe, expect, it } from 'vitest'
import { waitFor } from 'xstate'
import { createConference, type ConferenceSnapshot } from './conference.js'
import { FAKE_HUB_URL, FakeMediaDevices, createFakeWorld, flush, type FakeMediaStreamTrack, type FakePeerConnection } from './test-support/index.js'

const track = (clientId: string, streamId: string, trackId: string, kind: 'audio' | 'video', source: 'media' | 'screen' | 'unknown' = 'unknown') => ({
  id: trackId,
  track_id: trackId,
  client_id: clientId,
  client_name: clientId === 'client1' ? 'Ada' : 'Bo',
  stream_id: streamId,
  kind,
  source,
})

async function joined(configure?: (world: ReturnType<typeof createFakeWorld>) => void) {
  const world = createFakeWorld()
  configure?.(world)
  const conference = createConference({ hub: { baseUrl: FAKE_HUB_URL }, ports: world.ports })
  conference.actor.start()
  const view = () => conference.selectView(conference.actor.getSnapshot())
  const until = (predicate: (snapshot: ConferenceSnapshot) => boolean) => waitFor(conference.actor, predicate, { timeout: 1000 })
  conference.join({ displayName: 'Ada', roomName: 'Standup', media: { audio: true, video: true } })
  await until((s) => s.matches('inRoom'))
  await flush()
  world.eventSources.latest().open()
  ;(world.peers.latest() as FakePeerConnection).setIceConnectionState('connected')
  await flush()
  return { world, conference, view, until }
}

describe('screen share (conference)', () => {
  it('is offered where getDisplayMedia exists, and not where it does not', () => {
    const world = createFakeWorld()
    expect(createConference({ hub: { baseUrl: FAKE_HUB_URL }, ports: world.ports }).capabilities.screenShare).toBe(true)
    const { getUserMedia, enumerateDevices } = new FakeMediaDevices()
    const noDisplay = { getUserMedia, enumerateDevices }
    expect(createConference({ hub: { baseUrl: FAKE_HUB_URL }, ports: { ...world.ports, media: noDisplay } }).capabilities.screenShare).toBe(false)
  })

  it('shares: the view says sharing, the registry holds the screen, and the hub learns its tracks are the screen', async () => {
    const run = await joined()
    expect(run.view().screenShare).toEqual({ state: 'idle' })
    run.conference.startScreenShare()
    await flush()
    const view = run.view()
    expect(view.screenShare.state).toBe('sharing')
    const streamId = view.screenShare.streamId!
    expect(run.conference.streams.get(streamId)).toBe(run.world.devices.screens[0])
    expect(view.stateValue).toEqual(expect.arrayContaining(['inRoom.screenShare.sharing']))
    const screenTracks = run.world.devices.screens[0]!.getTracks()
    run.world.eventSources.latest().emit('tracks_added', {
      tracks: {
        cam: track('client1', view.local.streamId!, 'cam', 'video'),
        [screenTracks[0]!.id]: track('client1', streamId, screenTracks[0]!.id, 'video'),
        [screenTracks[1]!.id]: track('client1', streamId, screenTracks[1]!.id, 'audio'),
      },
    })
    await flush()
    expect(run.world.hub.requests('setTrackSources').at(-1)?.body).toEqual([
      { track_id: 'cam', source: 'media' },
      { track_id: screenTracks[0]!.id, source: 'screen' },
      { track_id: screenTracks[1]!.id, source: 'screen' },
    ])
    // Context stays plain data.
    const { context } = run.conference.actor.getSnapshot()
    expect(JSON.parse(JSON.stringify(context))).toEqual(context)
    run.conference.stopScreenShare()
    await flush()
    expect(run.view().screenShare).toEqual({ state: 'idle' })
    expect(run.conference.streams.get(streamId)).toBeUndefined()
    expect(run.world.devices.liveScreenTrackCount).toBe(0)
  })

  it('a cancelled picker is a non-fatal error: the call goes on and a new request clears it', async () => {
    const run = await joined()
    run.world.devices.displayFailure = 'NotAllowedError'
    run.conference.startScreenShare()
    await flush()
    expect(run.view().status).toBe('connected')
    expect(run.view().screenShare).toMatchObject({ state: 'idle', error: { kind: 'denied' } })
    expect(run.view().error).toBeUndefined()
    run.world.devices.displayFailure = undefined
    run.conference.startScreenShare()
    await flush()
    expect(run.view().screenShare.state).toBe('sharing')
    expect(run.view().screenShare.error).toBeUndefined()
  })

  it("others' screens are tracks with source screen, after their camera", async () => {
    const run = await joined()
    const source = run.world.eventSources.latest()
    source.emit('tracks_available', {
      tracks: { c: track('c2', 'cam2', 'c', 'video', 'media'), s: track('c2', 'scr2', 's', 'video', 'screen') },
    })
    await flush()
    const pc = run.world.peers.latest() as FakePeerConnection
    pc.emitTrack('video', undefined, undefined)
    const { FakeMediaStream, FakeMediaStreamTrack } = await import('./test-support/index.js')
    const screenTrack = new FakeMediaStreamTrack('video', 's')
    pc.emitTrack('video', new FakeMediaStream([screenTrack], 'scr2'), screenTrack)
    const camTrack = new FakeMediaStreamTrack('video', 'c')
    pc.emitTrack('video', new FakeMediaStream([camTrack], 'cam2'), camTrack)
    await flush()
    const bo = run.view().participants.find((p) => p.clientId === 'c2')!
    expect(bo.streamIds).toEqual(['cam2', 'scr2'])
    expect(bo.tracks.find((t) => t.streamId === 'scr2')?.source).toBe('screen')
  })

  it('leaving while sharing stops the capture', async () => {
    const run = await joined()
    run.conference.startScreenShare()
    await flush()
    expect(run.world.devices.liveScreenTrackCount).toBe(2)
    run.conference.leave()
    await flush()
    expect(run.world.devices.liveScreenTrackCount).toBe(0)
    ;(run.world.devices.screens[0]!.getTracks()[0] as FakeMediaStreamTrack).end()
    await flush()
  })

  it('before the room there is nothing to share: the request is ignored', async () => {
    const world = createFakeWorld()
    const conference = createConference({ hub: { baseUrl: FAKE_HUB_URL }, ports: world.ports })
    conference.actor.start()
    conference.startScreenShare()
    await flush()
    expect(world.devices.screens).toHaveLength(0)
    expect(conference.selectView(conference.actor.getSnapshot()).screenShare).toEqual({ state: 'idle' })
    conference.actor.stop()
  })
})
