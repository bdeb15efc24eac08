// reportVideoSize through the conference: a size goes to the hub's `internal` channel by the hub's track id
// (the one the view carries, whatever the receiving browser calls the track), and once the hub no longer
// announces a track (its publisher left) the next report forgets it, so a fresh session's channel hears
// only of the tracks still there.
import { describe, expect, it } from 'vitest'
import { mediaStateMetaKey } from '@parley/protocol'
import { joined, track } from './test-support/conferenceRun.js'
import { FakeDataChannel, FakeMediaStream, FakeMediaStreamTrack } from './test-support/index.js'
import { flush } from './test-support/pendingCalls.js'

describe('video sizes through the conference', () => {
  it("reports by the hub's track id, and forgets a departed publisher's track at the next report", async () => {
    const run = await joined()
    const source = run.world.eventSources.latest()
    source.emit('tracks_available', { tracks: { t1: track('c2', 'Bo', 's2', 't1'), t3: track('c3', 'Linus', 's3', 't3') } })
    // Received under ids of the browser's own (as Firefox's are), matched by stream.
    for (const [id, streamId] of [['{recv-2}', 's2'], ['{recv-3}', 's3']] as const) {
      const stream = new FakeMediaStream([new FakeMediaStreamTrack('video', id)], streamId)
      run.pc().emitTrack('video', stream, stream.getTracks()[0])
    }
    await flush()
    const videoTracks = run.view().participants.map((p) => p.tracks.find((t) => t.kind === 'video' && t.live)?.trackId)
    expect(videoTracks).toEqual(['t1', 't3'])
    const channel = new FakeDataChannel('internal')
    run.pc().dispatch('datachannel', { channel })
    channel.open()
    run.conference.reportVideoSize?.('t1', 640, 360)
    run.conference.reportVideoSize?.('t3', 320, 180)
    run.world.clock.advance(1000)
    const sizes = (frames: string[]) => frames.map((frame) => (JSON.parse(frame) as { data: { track_id: string; width: number } }).data).map((d) => `${d.track_id} ${d.width}`)
    expect(sizes(channel.sent)).toEqual(['t1 640', 't3 320'])
    // Linus leaves; his tile goes and says 0×0, which the core does not keep.
    source.emit('meta_changed', { [mediaStateMetaKey('c3')]: null })
    run.conference.reportVideoSize?.('t3', 0, 0)
    run.world.clock.advance(1000)
    expect(Object.keys(run.conference.actor.system.get('videoSize')?.getSnapshot().context.sizes)).toEqual(['t1'])
    // A fresh session's channel hears of Bo's track only.
    const next = new FakeDataChannel('internal')
    run.pc().dispatch('datachannel', { channel: next })
    next.open()
    expect(sizes(next.sent)).toEqual(['t1 640'])
    expect(sizes(channel.sent)).toEqual(['t1 640', 't3 320'])
  })
})
