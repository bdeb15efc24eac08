// createConference in the room (conference.ts): mute, track sources and subscriptions, participants and
// their names as others join and leave. Shared setup: test-support/conferenceRun.ts.
import { describe, expect, it } from 'vitest'
import { mediaStateMetaKey } from '@parley/protocol'
import type { ConferenceFact } from './api.js'
import { GUEST_NAME } from './guestName.js'
import { FakeMediaStream, FakeMediaStreamTrack, flush } from './test-support/index.js'
import { joined, track } from './test-support/conferenceRun.js'

describe('createConference', () => {
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
    // Listed among the others' streams (a UI may bind it before the view shows it); our own is not.
    expect(run.conference.streams.remoteIds()).toEqual(['s2'])
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
    expect(run.conference.streams.remoteIds()).toEqual([])
  })

  it("gives a hub offer's streams to the registry once our answer has left, before the view lists their tracks", async () => {
    const run = await joined()
    const source = run.world.eventSources.latest()
    source.emit('tracks_available', { tracks: { t1: track('c2', 'Bo', 's2', 't1') } })
    await flush()
    run.world.peers.calls.gate('pc.createAnswer')
    source.emit('offer', { type: 'offer', sdp: 'v=0\r\n' })
    await run.until((s) => run.conference.answeringOffer!(s))
    await flush()
    // The browser fires `track` while it applies the offer: held while the answer is made.
    const stream = new FakeMediaStream([new FakeMediaStreamTrack('video', 'recv-v')], 's2')
    run.pc().emitTrack('video', stream, stream.getTracks()[0])
    expect(run.conference.streams.remoteIds()).toEqual([])
    const seen: [string[], string[] | undefined][] = []
    run.conference.streams.subscribe(() => seen.push([run.conference.streams.remoteIds(), run.view().participants[0]?.streamIds]))
    run.world.peers.calls.find('pc.createAnswer')!.resolve()
    await run.until((s) => !run.conference.answeringOffer!(s))
    await flush()
    expect(run.world.hub.requests('negotiate').at(-1)?.body).toMatchObject({ type: 'answer' })
    // The registry heard first, while the view did not list the track yet; then the view.
    expect(seen[0]).toEqual([['s2'], []])
    expect(run.view().participants[0]?.streamIds).toEqual(['s2'])
  })

  it("marks each video track Parley's hub paused for our link, until it resumes it or the track goes", async () => {
    const run = await joined()
    const source = run.world.eventSources.latest()
    source.emit('tracks_available', {
      tracks: { cam: track('c2', 'Bo', 's2', 'cam'), mic: track('c2', 'Bo', 's2', 'mic', 'audio'), scr: { ...track('c2', 'Bo', 's3', 'scr'), source: 'screen' } },
    })
    const camera = new FakeMediaStream([new FakeMediaStreamTrack('video', 'recv-v'), new FakeMediaStreamTrack('audio', 'recv-a')], 's2')
    const screen = new FakeMediaStream([new FakeMediaStreamTrack('video', 'recv-s')], 's3')
    run.pc().emitTrack('video', camera, camera.getTracks()[0])
    run.pc().emitTrack('audio', camera, camera.getTracks()[1])
    run.pc().emitTrack('video', screen, screen.getTracks()[0])
    const paused = () => Object.fromEntries((run.view().participants[0]?.tracks ?? []).map((t) => [t.trackId, t.pausedByHub ?? null]))
    expect(paused()).toEqual({ cam: null, mic: null, scr: null })
    // Per track: their camera and their screen are paused and resumed one by one; their audio never is.
    source.emit('parley_video_paused', { client_id: 'c2', track_id: 'cam', paused: true, reason: 'bandwidth' })
    source.emit('parley_video_paused', { client_id: 'c2', track_id: 'scr', paused: true, reason: 'bandwidth' })
    expect(paused()).toEqual({ cam: 'bandwidth', mic: null, scr: 'bandwidth' })
    // Theirs is a different fact: nothing says they have a connection problem.
    expect(run.view().participants[0]?.connectionProblem).toBeUndefined()
    source.emit('parley_video_paused', { client_id: 'c2', track_id: 'cam', paused: false, reason: 'bandwidth' })
    expect(paused()).toEqual({ cam: null, mic: null, scr: 'bandwidth' })
    // An event that breaks the contract changes nothing (and is reported).
    source.emit('parley_video_paused', { client_id: 'c2', track_id: 'cam', paused: true, reason: 'cpu' })
    expect(paused()).toEqual({ cam: null, mic: null, scr: 'bandwidth' })
    // The paused screen share stops: its mark goes with it.
    screen.getTracks()[0]!.end()
    expect(paused()).toEqual({ cam: null, mic: null })
    expect(run.conference.actor.getSnapshot().context.roster.pausedVideo).toEqual({})
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
})
