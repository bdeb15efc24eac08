// Model-based test of the screen-share machine: paths generated from the statechart with xstate/graph
// drive the REAL machine (real actors over a fake media-devices port) inside a parent that stands in
// for the conference, with recording stand-ins for the peer session and the negotiation registered
// under their systemIds. On every path: entering `sharing` publishes exactly once and asks for
// exactly one renegotiation; entering `stopping` unpublishes and asks for exactly one more; a share
// is told to the parent before its renegotiation; after stop no capture is left running.
import { afterAll, describe, expect, it } from 'vitest'
import { createActor, fromCallback, setup, type AnyEventObject, type AnyMachineSnapshot } from 'xstate'
import { ScreenMedia } from '../screenMedia.js'
import { CoverageRecorder } from '../test-support/coverage.js'
import { FakeMediaDevices, flush, type FakeMediaStreamTrack } from '../test-support/index.js'
import { edgeCoveringPaths, runPath } from '../test-support/modelPaths.js'
import { screenShareActors } from './screenShareActors.js'
import { screenShareMachine } from './screenShareMachine.js'

const done = (id: string, output?: unknown) => ({ type: `xstate.done.actor.${id}`, output }) as AnyEventObject
const DENIED = { type: 'xstate.error.actor.requestScreen', error: { kind: 'denied', message: 'NotAllowedError: NotAllowedError (fake device)' } } as AnyEventObject

const events: AnyEventObject[] = [
  { type: 'user.startScreenShare' },
  { type: 'user.stopScreenShare' },
  { type: 'screen.ended' },
  done('requestScreen', { streamId: 'screen' }),
  DENIED,
  done('releaseScreen'),
]

const traversalMachine = screenShareMachine.provide({ actions: { notifyPublished: () => {}, notifyUnpublished: () => {}, renegotiate: () => {} } })
const { paths, stats } = edgeCoveringPaths(traversalMachine, { events })
const coverage = new CoverageRecorder()

function startRun() {
  const devices = new FakeMediaDevices()
  devices.calls.gate('getDisplayMedia')
  const screen = new ScreenMedia()
  const machine = screenShareMachine.provide({ actors: screenShareActors({ devices, screen }) })
  /** Everything the stand-ins and the parent heard, in order. */
  const heard: string[] = []
  const recorder = (name: string) => fromCallback<AnyEventObject>(({ receive }) => receive((event) => void heard.push(`${name}:${event.type}`)))
  const parentMachine = setup({ actors: { screenShare: machine, peerSession: recorder('peerSession'), negotiation: recorder('negotiation') } }).createMachine({
    invoke: [
      { id: 'peerSession', systemId: 'peerSession', src: 'peerSession' },
      { id: 'negotiation', systemId: 'negotiation', src: 'negotiation' },
      { id: 'screenShare', systemId: 'screenShare', src: 'screenShare' },
    ],
    on: { '*': { actions: ({ event }) => void heard.push(`parent:${event.type}`) } },
  })
  const parent = createActor(parentMachine, { inspect: coverage.inspector('screenShare') }).start()
  const child = parent.getSnapshot().children.screenShare!
  return { devices, screen, parent, child, heard, snapshot: () => child.getSnapshot() as AnyMachineSnapshot }
}

type Run = ReturnType<typeof startRun>

async function answerPicker(run: Run, failure?: string) {
  for (let i = 0; i < 20 && !run.devices.calls.find('getDisplayMedia'); i++) await flush(1)
  run.devices.displayFailure = failure
  run.devices.calls.find('getDisplayMedia')!.resolve()
  await flush(2)
  run.devices.displayFailure = undefined
}

function executors(run: Run): Record<string, (event: AnyEventObject) => unknown> {
  const send = (event: AnyEventObject) => run.child.send(event as never)
  return {
    'user.startScreenShare': send,
    'user.stopScreenShare': async (event) => {
      send(event)
      await flush(2)
    },
    // What the browser's "Stop sharing" does: the capture's video track ends.
    'screen.ended': async () => {
      ;(run.screen.tracks.find((t) => t.kind === 'video') as FakeMediaStreamTrack).end()
      await flush(2)
    },
    'xstate.done.actor.requestScreen': () => answerPicker(run),
    'xstate.error.actor.requestScreen': () => answerPicker(run, 'NotAllowedError'),
    'xstate.done.actor.releaseScreen': () => flush(2),
  }
}

/** The model's stream id is a placeholder: only whether one is held is compared. */
function comparable(snapshot: AnyMachineSnapshot) {
  const { streamId, ...rest } = snapshot.context as { streamId: string | null }
  return { value: snapshot.value, context: { ...rest, holdsStream: streamId !== null } }
}

describe('screenShareMachine (model)', () => {
  it('the graph is explored', () => {
    console.log(`screen share model: ${stats.states} states, ${stats.edges} edges, ${stats.distinctSteps} distinct steps, ${paths.length} paths run`)
    expect(paths.length).toBeGreaterThan(0)
  })

  for (const path of paths) {
    it(path.description, async () => {
      const run = startRun()
      await runPath(path, executors(run), async (expected) => {
        // `releaseScreen` settles within the stop's own turn: the real actor may already be idle.
        const want = comparable(expected)
        if (!(expected.value === 'stopping' && run.snapshot().value === 'idle')) expect(comparable(run.snapshot())).toEqual(want)
      })
      const published = run.heard.filter((h) => h === 'peerSession:session.publishScreen').length
      const unpublished = run.heard.filter((h) => h === 'peerSession:session.unpublishScreen').length
      // Each publish or unpublish is followed by exactly one renegotiation request, and nothing else asks for one.
      expect(run.heard.filter((h) => h === 'negotiation:negotiation.change')).toHaveLength(published + unpublished)
      const expectedOrder = run.heard.filter((h) => h !== 'parent:screen.published' && h !== 'parent:screen.unpublished')
      for (const [i, entry] of expectedOrder.entries()) {
        if (entry.startsWith('peerSession:')) expect(expectedOrder[i + 1], `renegotiation after ${entry}`).toBe('negotiation:negotiation.change')
      }
      // The conference learns the screen's stream before the renegotiation that makes the hub announce it.
      for (const [i, entry] of run.heard.entries()) {
        if (entry === 'peerSession:session.publishScreen') expect(run.heard[i - 1]).toBe('parent:screen.published')
      }
      expect(published - unpublished).toBe(run.snapshot().matches('sharing') ? 1 : 0)
      // A held stream is exactly the published one, and its capture runs only while sharing.
      expect(run.devices.liveScreenTrackCount > 0).toBe(run.snapshot().matches('sharing'))
      run.parent.stop()
      await flush(1)
      expect(run.devices.liveScreenTrackCount, 'screen tracks after stop').toBe(0)
      expect(run.screen.stream).toBeUndefined()
    })
  }

  it('a capture without video is refused as failed, and no track of it keeps running', async () => {
    const run = startRun()
    run.devices.getDisplayMedia = async () => {
      const { FakeMediaStream, FakeMediaStreamTrack } = await import('../test-support/index.js')
      const audio = new FakeMediaStreamTrack('audio')
      run.devices.screens.push(new FakeMediaStream([audio]))
      return run.devices.screens.at(-1)!
    }
    run.child.send({ type: 'user.startScreenShare' })
    await flush(3)
    expect(run.snapshot().value).toBe('idle')
    expect(run.snapshot().context.error).toMatchObject({ kind: 'failed' })
    expect(run.devices.liveScreenTrackCount).toBe(0)
    run.parent.stop()
  })

  it('without getDisplayMedia the request fails as unsupported', async () => {
    const screen = new ScreenMedia()
    const devices = new FakeMediaDevices() as Partial<FakeMediaDevices>
    delete (devices as { getDisplayMedia?: unknown }).getDisplayMedia
    Object.defineProperty(devices, 'getDisplayMedia', { value: undefined })
    const actor = createActor(screenShareMachine.provide({ actors: screenShareActors({ devices: devices as FakeMediaDevices, screen }) })).start()
    actor.send({ type: 'user.startScreenShare' })
    await flush(2)
    expect(actor.getSnapshot().value).toBe('idle')
    expect(actor.getSnapshot().context.error).toMatchObject({ kind: 'unsupported' })
    actor.stop()
  })

  it('a picker answered after the request was cancelled stops that capture at once', async () => {
    const run = startRun()
    run.child.send({ type: 'user.startScreenShare' })
    await flush(1)
    run.child.send({ type: 'user.stopScreenShare' })
    await answerPicker(run)
    expect(run.snapshot().value).toBe('idle')
    expect(run.devices.screens).toHaveLength(1)
    expect(run.devices.liveScreenTrackCount).toBe(0)
    expect(run.heard.filter((h) => h.startsWith('peerSession:'))).toEqual([])
    run.parent.stop()
  })

  afterAll(() => {
    const report = coverage.report(screenShareMachine)
    const pct = (n: number, d: number) => ((100 * n) / d).toFixed(1)
    console.log(
      `screen share coverage: states ${report.states.visited}/${report.states.total} (${pct(report.states.visited, report.states.total)} %), ` +
        `transitions ${report.transitions.visited}/${report.transitions.total} (${pct(report.transitions.visited, report.transitions.total)} %)`,
    )
    expect(report.states.missing).toEqual([])
    expect(report.transitions.missing).toEqual([])
  })
})
