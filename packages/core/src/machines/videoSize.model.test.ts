// Model-based test of the video size machine: paths generated from the statechart (every edge, with
// xstate/graph's exploration, test-support/modelPaths.ts) drive the REAL machine over the real
// `internal` channel actor, a DataChannels holder with fake channels the hub opens and closes, and a
// manual clock. On every step the machine is where the model says with the same sizes, none of a track
// not announced then; on every path
// each frame the hub got parses as the protocol's `video_size`, no track gets two frames within an
// interval, no frame leaves for a track while it is not announced (before its announcement, after its
// end), and once the machine rests on an open channel the hub's last word on each track it keeps is its
// latest size, framed by the incoming choice: a camera 0x0 with audio only, within the data saver's area
// with it, a screen as drawn always.
import { INTERNAL_CHANNEL_LABEL, parseInternalFrame } from '@parley/protocol'
import { afterAll, describe, expect, it } from 'vitest'
import { createActor, type AnyEventObject, type AnyMachineSnapshot } from 'xstate'
import { DataChannels } from '../dataChannels.js'
import { CoverageRecorder } from '../test-support/coverage.js'
import { FakeDataChannel, ManualClock } from '../test-support/index.js'
import { edgeCoveringPaths, runPath } from '../test-support/modelPaths.js'
import { LOW_VIDEO_PIXELS } from './incomingVideo.js'
import { videoSizeActors } from './videoSizeActors.js'
import { VIDEO_SIZE_INTERVAL_MS, videoSizeMachine, type VideoSizeContext } from './videoSizeMachine.js'

const AFTER = 'xstate.after.videoSizeInterval.videoSize.open.coolingDown'
const events: AnyEventObject[] = [
  { type: 'video.resized', trackId: 't1', width: 640, height: 360 },
  // Off screen or hidden.
  { type: 'video.resized', trackId: 't1', width: 0, height: 0 },
  // The conference's roster: the hub announces t1; its publisher left, it no longer does.
  { type: 'tracks.announced', trackIds: ['t1'] },
  { type: 'tracks.announced', trackIds: [] },
  // t1 announced as a shared screen (every incoming choice sends a screen as drawn).
  { type: 'tracks.announced', trackIds: ['t1'], screenTrackIds: ['t1'] },
  // The user's choice of others' video: audio only, the data saver, back to each as drawn.
  { type: 'user.setIncomingVideo', mode: 'off' },
  { type: 'user.setIncomingVideo', mode: 'low' },
  { type: 'user.setIncomingVideo', mode: 'auto' },
  { type: 'internal.open' },
  { type: 'internal.closed' },
  { type: AFTER },
]

const { paths, stats } = edgeCoveringPaths(videoSizeMachine, {
  events,
  // The hub opens a channel when there is none, or a fresh session's replaces the old one; it closes an open one.
  filterEvents: (snapshot, event) => event.type !== 'internal.closed' || snapshot.matches('open'),
})
const coverage = new CoverageRecorder()

function startRun() {
  const clock = new ManualClock()
  const channels = new DataChannels()
  const opened: FakeDataChannel[] = []
  /** The tracks the hub does not announce now (none is at first). */
  const unannounced = new Set(['t1'])
  /** Each frame the hub got: which channel, when, what, and whether its track was announced then. */
  const frames: { channel: number; at: number; trackId: string; size: string; announced: boolean }[] = []
  const actor = createActor(videoSizeMachine.provide({ actors: videoSizeActors(channels) }), { clock, inspect: coverage.inspector('videoSize') }).start()
  const record = (channel: FakeDataChannel, index: number) => {
    const send = channel.send.bind(channel)
    channel.send = (data: string) => {
      send(data)
      const parsed = parseInternalFrame(data)
      if (!parsed.ok || parsed.message.type !== 'video_size') throw new Error(`not a video_size frame: ${data}`)
      const { track_id: trackId, width, height } = parsed.message.data
      frames.push({ channel: index, at: clock.now(), trackId, size: `${width}x${height}`, announced: !unannounced.has(trackId) })
    }
  }
  const execute: Record<string, (event: AnyEventObject) => unknown> = {
    'video.resized': (event) => actor.send(event as never),
    'user.setIncomingVideo': (event) => actor.send(event as never),
    'tracks.announced': (event) => {
      if ((event.trackIds as string[]).includes('t1')) unannounced.delete('t1')
      else unannounced.add('t1')
      actor.send(event as never)
    },
    'internal.open': () => {
      const channel = new FakeDataChannel(INTERNAL_CHANNEL_LABEL)
      record(channel, opened.push(channel) - 1)
      channels.add(channel)
      channel.open()
    },
    'internal.closed': () => opened.at(-1)!.close(),
    [AFTER]: () => clock.advance(VIDEO_SIZE_INTERVAL_MS),
  }
  return { clock, actor, frames, opened, unannounced, execute }
}

const comparable = (snapshot: AnyMachineSnapshot) => ({ value: snapshot.value, context: snapshot.context as VideoSizeContext })

describe('videoSizeMachine (model)', () => {
  it('the graph is explored', () => {
    console.log(`videoSize model: ${stats.states} states, ${stats.edges} edges, ${stats.distinctSteps} distinct steps, ${paths.length} paths run`)
    expect(paths.length).toBeGreaterThan(0)
  })

  for (const path of paths) {
    it(path.description, async () => {
      const run = startRun()
      await runPath(path, run.execute, async (expected) => {
        expect(comparable(run.actor.getSnapshot())).toEqual(comparable(expected))
        // No size is kept of a track not announced now.
        expect(Object.keys((expected.context as VideoSizeContext).sizes).filter((id) => run.unannounced.has(id))).toEqual([])
      })
      // At most one frame per track and channel each interval.
      for (const [i, frame] of run.frames.entries()) {
        const previous = run.frames.slice(0, i).findLast((f) => f.channel === frame.channel && f.trackId === frame.trackId)
        if (previous) expect(frame.at - previous.at).toBeGreaterThanOrEqual(VIDEO_SIZE_INTERVAL_MS)
      }
      // Nothing left for a track while it was not announced; rested on an open channel, the hub's last
      // word on each track kept is its latest size.
      run.clock.advance(VIDEO_SIZE_INTERVAL_MS)
      expect(run.frames.filter((f) => !f.announced)).toEqual([])
      const snapshot = run.actor.getSnapshot()
      if (snapshot.matches('open')) {
        const current = run.opened.length - 1
        const latest = Object.fromEntries(run.frames.filter((f) => f.channel === current).map((f) => [f.trackId, f.size]))
        const context = snapshot.context as VideoSizeContext
        for (const [id, frame] of Object.entries(context.sizes)) {
          const { data } = JSON.parse(frame) as { data: { width: number; height: number } }
          expect(latest[id]).toBe(`${data.width}x${data.height}`)
          const drawn = context.drawn[id]!
          const expected = context.screens.includes(id) || context.incoming === 'auto' ? drawn : context.incoming === 'off' ? { width: 0, height: 0 } : undefined
          if (expected) expect(latest[id]).toBe(`${expected.width}x${expected.height}`)
          else expect(data.width * data.height).toBeLessThanOrEqual(LOW_VIDEO_PIXELS)
        }
      }
      run.actor.stop()
      expect(run.clock.pendingTimers).toBe(0)
    })
  }

  afterAll(() => {
    const report = coverage.report(videoSizeMachine)
    console.log(`videoSize coverage: states ${report.states.visited}/${report.states.total}, transitions ${report.transitions.visited}/${report.transitions.total}`)
    expect(report.states.missing).toEqual([])
    expect(report.transitions.missing).toEqual([])
  })
})
