// The video sizes a UI reports reach the hub's `internal` channel as the protocol's `video_size` frames:
// only changes, at most one per track each interval (on the injected clock), all of them again on a
// new channel (a fresh session), none and no error while no channel is open (a hub without one); only the
// sizes of the tracks the conference says the hub announces, the others' forgotten as soon as it says so.
import { INTERNAL_CHANNEL_LABEL, parseInternalFrame, videoSizeFrame } from '@parley/protocol'
import { describe, expect, it } from 'vitest'
import { createActor } from 'xstate'
import { DataChannels } from '../dataChannels.js'
import { FakeDataChannel, ManualClock } from '../test-support/index.js'
import { videoSizeActors } from './videoSizeActors.js'
import { VIDEO_SIZE_INTERVAL_MS, videoSizeMachine } from './videoSizeMachine.js'

function sizes() {
  const clock = new ManualClock()
  const channels = new DataChannels()
  const actor = createActor(videoSizeMachine.provide({ actors: videoSizeActors(channels) }), { clock }).start()
  /** The conference: the tracks the hub announces to us now (its roster's, by track id). */
  const announce = (...trackIds: string[]) => actor.send({ type: 'tracks.announced', trackIds })
  announce('t1', 't2')
  const resize = (trackId: string, width: number, height: number) => actor.send({ type: 'video.resized', trackId, width, height })
  const hubOpens = () => {
    const channel = new FakeDataChannel(INTERNAL_CHANNEL_LABEL)
    channels.add(channel)
    channel.open()
    return channel
  }
  /** What the hub received, as it parses it. */
  const received = (channel: FakeDataChannel) =>
    channel.sent.map((frame) => {
      const parsed = parseInternalFrame(frame)
      if (!parsed.ok || parsed.message.type !== 'video_size') throw new Error(`not a video_size frame: ${frame}`)
      const { track_id, width, height } = parsed.message.data
      return `${track_id} ${width}x${height}`
    })
  return { clock, channels, actor, resize, announce, hubOpens, received }
}

describe('videoSizeMachine', () => {
  it('keeps the sizes while no channel is open, with no error, and sends the latest of each when it opens', () => {
    const run = sizes()
    run.resize('t1', 320, 180)
    run.resize('t1', 640, 360)
    run.resize('t2', 0, 0)
    run.clock.advance(10 * VIDEO_SIZE_INTERVAL_MS)
    expect(run.actor.getSnapshot().value).toBe('closed')
    expect(run.actor.getSnapshot().status).toBe('active')
    const channel = run.hubOpens()
    expect(run.received(channel)).toEqual(['t1 640x360', 't2 0x0'])
    run.actor.stop()
  })

  it('sends a change at once, then at most one frame per track each interval: the latest, and only if it changed', () => {
    const run = sizes()
    const channel = run.hubOpens()
    run.resize('t1', 640, 360)
    expect(run.received(channel)).toEqual(['t1 640x360'])
    // A window being dragged: many sizes within the interval, the last one leaves when it ends.
    run.resize('t1', 600, 338)
    run.resize('t1', 500, 281)
    run.resize('t2', 320, 180)
    run.clock.advance(VIDEO_SIZE_INTERVAL_MS - 1)
    expect(run.received(channel)).toHaveLength(1)
    run.clock.advance(1)
    expect(run.received(channel)).toEqual(['t1 640x360', 't1 500x281', 't2 320x180'])
    // The same size again, or a change undone within the interval, sends nothing.
    run.clock.advance(VIDEO_SIZE_INTERVAL_MS)
    run.resize('t1', 500, 281)
    run.resize('t1', 400, 225)
    run.resize('t2', 100, 100)
    run.resize('t2', 320, 180)
    run.clock.advance(10 * VIDEO_SIZE_INTERVAL_MS)
    expect(run.received(channel)).toEqual(['t1 640x360', 't1 500x281', 't2 320x180', 't1 400x225'])
    expect(run.clock.pendingTimers).toBe(0)
    run.actor.stop()
  })

  it("sends every track's latest size again on a new channel (a fresh session after recovery), 0x0 included", () => {
    const run = sizes()
    const first = run.hubOpens()
    run.resize('t1', 640, 360)
    run.clock.advance(VIDEO_SIZE_INTERVAL_MS)
    run.resize('t2', 0, 0)
    // The session ends: its connection and channels go (the peer session's end clears them, no close event).
    run.channels.clear()
    run.clock.advance(VIDEO_SIZE_INTERVAL_MS)
    run.resize('t1', 320, 180)
    const second = run.hubOpens()
    expect(run.received(first)).toEqual(['t1 640x360', 't2 0x0'])
    expect(run.received(second)).toEqual(['t1 320x180', 't2 0x0'])
    run.actor.stop()
  })

  it('a frame that cannot leave (the channel closed under it) waits for the next channel', () => {
    const run = sizes()
    const channel = run.hubOpens()
    channel.readyState = 'closing'
    run.resize('t1', 640, 360)
    expect(run.actor.getSnapshot().value).toBe('closed')
    channel.close()
    const next = run.hubOpens()
    expect(run.received(next)).toEqual(['t1 640x360'])
    run.actor.stop()
  })

  it("ignores what the hub says on the channel and stops watching it when stopped", () => {
    const run = sizes()
    const channel = run.hubOpens()
    channel.deliver('{"type":"vad_started","data":{}}')
    expect(run.actor.getSnapshot().value).toEqual({ open: 'idle' })
    run.actor.stop()
    expect(channel.listenerCount()).toBe(3) // the holder's own listeners, not the machine's watch
    channel.open()
    expect(channel.sent).toEqual([])
  })

  it('forgets the size of a track the hub no longer announces (its publisher left) at once, with no report: no later channel hears of it', () => {
    const run = sizes()
    run.resize('t1', 640, 360)
    run.resize('t2', 320, 180)
    const first = run.hubOpens()
    expect(run.received(first)).toEqual(['t1 640x360', 't2 320x180'])
    // t1's publisher left: the conference's roster no longer announces it. The UI says nothing.
    run.announce('t2')
    expect(run.actor.getSnapshot().context.sizes).toEqual({ t2: videoSizeFrame('t2', 320, 180) })
    run.clock.advance(VIDEO_SIZE_INTERVAL_MS)
    expect(run.received(first)).toEqual(['t1 640x360', 't2 320x180'])
    // The tile's last word on it (0×0 as it goes) comes after: not kept either.
    run.resize('t1', 0, 0)
    run.clock.advance(VIDEO_SIZE_INTERVAL_MS)
    expect(Object.keys(run.actor.getSnapshot().context.sizes)).toEqual(['t2'])
    expect(run.received(first)).toEqual(['t1 640x360', 't2 320x180'])
    run.channels.clear()
    const second = run.hubOpens()
    expect(run.received(second)).toEqual(['t2 320x180'])
    run.actor.stop()
  })

  it('keeps no size of a track not announced (yet, or any more); once announced, its next report is kept', () => {
    const run = sizes()
    const channel = run.hubOpens()
    run.resize('t3', 320, 180)
    expect(run.actor.getSnapshot().context.sizes).toEqual({})
    run.announce('t1', 't2', 't3')
    run.clock.advance(VIDEO_SIZE_INTERVAL_MS)
    expect(run.received(channel)).toEqual([])
    run.resize('t3', 160, 90)
    expect(run.received(channel)).toEqual(['t3 160x90'])
    // Forgotten, then announced again: nothing of it is kept until it is reported again.
    run.announce('t1')
    run.announce('t1', 't3')
    expect(run.actor.getSnapshot().context.sizes).toEqual({})
    run.clock.advance(VIDEO_SIZE_INTERVAL_MS)
    run.resize('t3', 160, 90)
    run.resize('t4', 100, 100)
    expect(Object.keys(run.actor.getSnapshot().context.sizes)).toEqual(['t3'])
    run.clock.advance(VIDEO_SIZE_INTERVAL_MS)
    // This channel's hub holds 160×90 for it still (it keeps sizes by track id): an unchanged size does not leave again.
    expect(run.received(channel)).toEqual(['t3 160x90'])
    run.actor.stop()
  })

  it("frames every size by the incoming choice, sends only what the choice changed, and keeps it for a new channel", () => {
    const run = sizes()
    run.actor.send({ type: 'tracks.announced', trackIds: ['t1', 't2', 's1'], screenTrackIds: ['s1'] })
    run.resize('t1', 640, 360)
    run.resize('t2', 0, 0)
    run.resize('s1', 800, 450)
    const channel = run.hubOpens()
    expect(run.received(channel)).toEqual(['t1 640x360', 't2 0x0', 's1 800x450'])
    // Audio only: the camera drawn goes to 0x0; the one drawn nowhere and the screen change nothing.
    run.clock.advance(VIDEO_SIZE_INTERVAL_MS)
    run.actor.send({ type: 'user.setIncomingVideo', mode: 'off' })
    expect(run.received(channel).slice(3)).toEqual(['t1 0x0'])
    // A resize meanwhile is kept as drawn and asks for nothing new.
    run.clock.advance(VIDEO_SIZE_INTERVAL_MS)
    run.resize('t1', 320, 180)
    run.clock.advance(VIDEO_SIZE_INTERVAL_MS)
    expect(run.received(channel).slice(4)).toEqual([])
    expect(run.actor.getSnapshot().context.drawn.t1).toEqual({ width: 320, height: 180 })
    // The data saver: the camera within its area, as the latest drawn size's shape.
    run.actor.send({ type: 'user.setIncomingVideo', mode: 'low' })
    expect(run.received(channel).slice(4)).toEqual(['t1 168x94'])
    // A new channel (a fresh session) hears the framed sizes.
    run.channels.clear()
    const next = run.hubOpens()
    expect(run.received(next)).toEqual(['t1 168x94', 't2 0x0', 's1 800x450'])
    // Back to each as drawn.
    run.clock.advance(VIDEO_SIZE_INTERVAL_MS)
    run.actor.send({ type: 'user.setIncomingVideo', mode: 'auto' })
    expect(run.received(next).slice(3)).toEqual(['t1 320x180'])
    run.actor.stop()
  })
})
