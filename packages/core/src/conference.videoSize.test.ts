// reportVideoSize through the conference: a size goes to the hub's `internal` channel by the hub's track id
// (the one the view carries, whatever the receiving browser calls the track), and once the hub no longer
// announces a track (its publisher left) the roster's change forgets it at once, with no report, so a
// fresh session's channel hears only of the tracks still there. A full reconnect's empty roster forgets
// nothing: the new session's channel hears the sizes, less those its announcement no longer names.
import { describe, expect, it } from 'vitest'
import { mediaStateMetaKey } from '@parley/protocol'
import { joined, track } from './test-support/conferenceRun.js'
import { FakeDataChannel, FakeMediaStream, FakeMediaStreamTrack } from './test-support/index.js'
import { flush } from './test-support/pendingCalls.js'

const sizes = (frames: string[]) => frames.map((frame) => (JSON.parse(frame) as { data: { track_id: string; width: number } }).data).map((d) => `${d.track_id} ${d.width}`)

async function withTwoVideos() {
  const run = await joined()
  run.world.eventSources.latest().emit('tracks_available', { tracks: { t1: track('c2', 'Bo', 's2', 't1'), t3: track('c3', 'Linus', 's3', 't3') } })
  // Received under ids of the browser's own (as Firefox's are), matched by stream.
  for (const [id, streamId] of [['{recv-2}', 's2'], ['{recv-3}', 's3']] as const) {
    const stream = new FakeMediaStream([new FakeMediaStreamTrack('video', id)], streamId)
    run.pc().emitTrack('video', stream, stream.getTracks()[0])
  }
  await flush()
  const hubOpens = () => {
    const channel = new FakeDataChannel('internal')
    run.pc().dispatch('datachannel', { channel })
    channel.open()
    return channel
  }
  const kept = () => Object.keys(run.conference.actor.system.get('videoSize')?.getSnapshot().context.sizes)
  return { run, hubOpens, kept }
}

describe('video sizes through the conference', () => {
  it("reports by the hub's track id, and forgets a departed publisher's track as the hub says it left", async () => {
    const { run, hubOpens, kept } = await withTwoVideos()
    const videoTracks = run.view().participants.map((p) => p.tracks.find((t) => t.kind === 'video' && t.live)?.trackId)
    expect(videoTracks).toEqual(['t1', 't3'])
    const channel = hubOpens()
    run.conference.reportVideoSize?.('t1', 640, 360)
    run.conference.reportVideoSize?.('t3', 320, 180)
    run.world.clock.advance(1000)
    expect(sizes(channel.sent)).toEqual(['t1 640', 't3 320'])
    // Linus leaves: forgotten with no word from the UI.
    run.world.eventSources.latest().emit('meta_changed', { [mediaStateMetaKey('c3')]: null })
    expect(kept()).toEqual(['t1'])
    // His tile goes and says 0×0, which the core does not keep either.
    run.conference.reportVideoSize?.('t3', 0, 0)
    run.world.clock.advance(1000)
    expect(kept()).toEqual(['t1'])
    // A fresh session's channel hears of Bo's track only.
    const next = hubOpens()
    expect(sizes(next.sent)).toEqual(['t1 640'])
    expect(sizes(channel.sent)).toEqual(['t1 640', 't3 320'])
  })

  it("keeps the sizes through a full reconnect; the new session's announcement forgets a track gone meanwhile", async () => {
    const { run, hubOpens, kept } = await withTwoVideos()
    run.conference.reportVideoSize?.('t1', 640, 360)
    run.conference.reportVideoSize?.('t3', 0, 0)
    // The hub restarted: it no longer knows the client; the reconnect's new session starts with an empty roster.
    run.world.hub.clients.clear()
    run.world.hub.rooms.clear()
    run.world.eventSources.latest().fail()
    await run.until((s) => s.matches('reconnecting'))
    await flush()
    run.world.clock.advance(0)
    await run.until((s) => s.matches('inRoom'))
    await flush()
    expect(run.conference.actor.getSnapshot().context.roster.announced).toEqual({})
    expect(kept()).toEqual(['t1', 't3'])
    // Linus did not come back: the new session announces Bo's track only.
    run.world.eventSources.latest().open()
    run.world.eventSources.latest().emit('tracks_available', { tracks: { t1: track('c2', 'Bo', 's2', 't1') } })
    expect(kept()).toEqual(['t1'])
    const channel = hubOpens()
    expect(sizes(channel.sent)).toEqual(['t1 640'])
  })

  it("asks for no camera with audio only, a shared screen still as drawn; the view says so; back to each as drawn; anything else ignored", async () => {
    const { run, hubOpens } = await withTwoVideos()
    run.world.eventSources.latest().emit('tracks_available', { tracks: { sc: { ...track('c2', 'Bo', 's2-screen', 'sc'), source: 'screen' } } })
    const channel = hubOpens()
    run.conference.reportVideoSize?.('t1', 640, 360)
    run.conference.reportVideoSize?.('t3', 320, 180)
    run.conference.reportVideoSize?.('sc', 800, 450)
    run.world.clock.advance(1000)
    expect(run.view().incomingVideo).toBe('auto')
    run.conference.setIncomingVideo?.('off')
    expect(sizes(channel.sent).slice(3)).toEqual(['t1 0', 't3 0'])
    const view = run.view()
    expect(view.incomingVideo).toBe('off')
    const videos = view.participants.flatMap((p) => p.tracks.filter((t) => t.kind === 'video').map((t) => `${t.trackId}${t.turnedOff ? ' off' : ''}`))
    expect(videos.sort()).toEqual(['sc', 't1 off', 't3 off'])
    run.conference.setIncomingVideo?.('high' as never)
    expect(run.view().incomingVideo).toBe('off')
    run.world.clock.advance(1000)
    run.conference.setIncomingVideo?.('auto')
    expect(sizes(channel.sent).slice(5)).toEqual(['t1 640', 't3 320'])
    expect(run.view().participants.flatMap((p) => p.tracks).some((t) => t.turnedOff)).toBe(false)
  })
})

