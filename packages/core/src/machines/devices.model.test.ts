// Model-based test of the devices machine: paths generated from the statechart with xstate/graph
// drive the REAL machine (real actors over a fake media-devices port and a real LocalMedia holding
// a fake stream) inside a parent that stands in for the conference, with a recording stand-in for
// the peer session under its systemId. On every path: a device that opened is handed to the sender
// exactly once (`session.replaceTrack`, never a renegotiation), the parent hears every choice, the
// held stream keeps its id and exactly one live track per kind, and stopping leaves no device open.
import { afterAll, describe, expect, it } from 'vitest'
import { assign, createActor, fromCallback, setup, type AnyEventObject, type AnyMachineSnapshot } from 'xstate'
import { LocalMedia } from '../localMedia.js'
import { CoverageRecorder } from '../test-support/coverage.js'
import { FakeMediaDevices, flush, type FakeMediaStreamTrack } from '../test-support/index.js'
import { edgeCoveringPaths, runPath } from '../test-support/modelPaths.js'
import { devicesActors } from './devicesActors.js'
import { devicesMachine } from './devicesMachine.js'

const MICS = [
  { deviceId: 'mic', kind: 'audioinput', label: 'Built-in microphone' },
  { deviceId: 'mic2', kind: 'audioinput', label: 'USB headset' },
]
const opened = (deviceId: string) => ({ type: 'xstate.done.actor.switchDevice', output: { kind: 'audioinput', deviceId, label: '', opened: true } }) as AnyEventObject
const FAILED = { type: 'xstate.error.actor.switchDevice', error: { kind: 'media-in-use', message: 'NotReadableError (fake device)' } } as AnyEventObject

const events: AnyEventObject[] = [
  { type: 'devices.listed', lists: { audioinput: MICS.map(({ deviceId, label }) => ({ deviceId, label })), videoinput: [], audiooutput: [] } },
  { type: 'user.selectDevice', kind: 'audioinput', deviceId: 'mic2' },
  { type: 'user.reopenDevice', kind: 'audioinput' },
  { type: 'devices.trackEnded', kind: 'audioinput' },
  opened('mic2'),
  FAILED,
]

// The walk has no parent to tell: the same assignment, without the sends.
const traversalMachine = devicesMachine.provide({
  actions: {
    // A reopen with nothing chosen opens the default ('') and leaves the choice as it was.
    useDevice: assign(({ context }, output: { kind: 'audioinput' | 'videoinput'; deviceId: string; label: string }) => ({
      selected: context.request && 'deviceId' in context.request && context.request.deviceId === '' ? context.selected : { ...context.selected, [output.kind]: output.deviceId },
      notice: context.request?.fallback ? { kind: 'fallback' as const, device: output.kind, label: output.label } : null,
      request: null,
    })),
  },
})
const { paths, stats } = edgeCoveringPaths(traversalMachine, {
  events,
  filterEvents: (snapshot, event) => {
    const c = snapshot.context as { audioinput: unknown[]; selected: Record<string, string>; request: unknown }
    switch (event.type) {
      // Listing is the same in every selection state: once, at the start.
      case 'devices.listed':
        return c.audioinput.length === 0 && Object.keys(c.selected).length === 0 && c.request === null
      // The watch lists at start, before anything else can happen.
      default:
        return c.audioinput.length > 0
    }
  },
})
const coverage = new CoverageRecorder()

async function startRun() {
  const devices = new FakeMediaDevices()
  devices.devices = MICS.map((device) => ({ ...device }))
  const local = new LocalMedia()
  local.set(await devices.getUserMedia({ audio: { deviceId: { exact: 'mic' } }, video: false }))
  const streamId = local.stream!.id
  devices.calls.gate('getUserMedia')
  const heard: string[] = []
  const recorder = (name: string) => fromCallback<AnyEventObject>(({ receive }) => receive((event) => void heard.push(`${name}:${event.type}`)))
  const parentMachine = setup({ actors: { devices: devicesMachine.provide({ actors: devicesActors({ devices, local }) }), peerSession: recorder('peerSession') } }).createMachine({
    invoke: [
      { id: 'peerSession', systemId: 'peerSession', src: 'peerSession' },
      { id: 'devices', systemId: 'devices', src: 'devices' },
    ],
    on: { '*': { actions: ({ event }) => void heard.push(`parent:${event.type}`) } },
  })
  const parent = createActor(parentMachine, { inspect: coverage.inspector('devices') }).start()
  const child = parent.getSnapshot().children.devices!
  return { devices, local, streamId, parent, child, heard, snapshot: () => child.getSnapshot() as AnyMachineSnapshot }
}

type Run = Awaited<ReturnType<typeof startRun>>

async function answerDevice(run: Run, failure?: string) {
  for (let i = 0; i < 20 && !run.devices.calls.find('getUserMedia'); i++) await flush(1)
  // A switch that succeeds replaces the microphone in use: that one ending meanwhile (unplugged as the
  // person picked another) changes nothing, since it is not watched during the switch and not in use after.
  if (!failure) (run.local.tracks.find((t) => t.kind === 'audio') as FakeMediaStreamTrack | undefined)?.end()
  run.devices.failures = failure ? { audio: failure } : {}
  run.devices.calls.find('getUserMedia')!.resolve()
  await flush(3)
  run.devices.failures = {}
}

function executors(run: Run): Record<string, (event: AnyEventObject) => unknown> {
  return {
    // The watch lists at start; a listing that changed nothing is not reported again.
    'devices.listed': () => flush(3),
    'user.selectDevice': async (event) => {
      run.child.send(event as never)
      await flush(2)
    },
    'user.reopenDevice': async (event) => {
      run.child.send(event as never)
      await flush(2)
    },
    // The microphone in use is unplugged: its track ends, as a browser ends it.
    'devices.trackEnded': async () => {
      ;(run.local.tracks.find((t) => t.kind === 'audio') as FakeMediaStreamTrack).end()
      await flush(3)
    },
    'xstate.done.actor.switchDevice': () => answerDevice(run),
    'xstate.error.actor.switchDevice': () => answerDevice(run, 'NotReadableError'),
  }
}

/** The model's ids and labels are placeholders: compared are the state, the notice's kind and whether a switch is under way. */
function comparable(snapshot: AnyMachineSnapshot) {
  const c = snapshot.context as { audioinput: unknown[]; notice: { kind: string } | null; request: unknown; selected: Record<string, string> }
  return { value: snapshot.value, listed: c.audioinput.length > 0, notice: c.notice?.kind ?? null, switching: c.request !== null, chosen: 'audioinput' in c.selected }
}

describe('devicesMachine (model)', () => {
  it('the graph is explored', () => {
    console.log(`devices model: ${stats.states} states, ${stats.edges} edges, ${stats.distinctSteps} distinct steps, ${paths.length} paths run`)
    expect(paths.length).toBeGreaterThan(0)
  })

  for (const path of paths) {
    it(path.description, async () => {
      const run = await startRun()
      await runPath(path, executors(run), async (expected) => {
        expect(comparable(run.snapshot())).toEqual(comparable(expected))
      })
      const opens = run.heard.filter((h) => h === 'peerSession:session.replaceTrack').length
      const choices = run.heard.filter((h) => h === 'parent:devices.selected').length
      // Every device that opened reaches the sender once; nothing else is asked of the peer session.
      expect(run.heard.filter((h) => h.startsWith('peerSession:') && h !== 'peerSession:session.replaceTrack')).toEqual([])
      expect(opens).toBe(choices)
      // The stream others see keeps its id, with one live microphone track (a failure keeps the old one).
      const liveAudio = run.local.tracks.filter((t) => t.kind === 'audio' && t.readyState === 'live')
      const lost = (run.snapshot().context as { notice: { kind: string } | null }).notice?.kind === 'lost'
      expect(run.local.stream?.id).toBe(run.streamId)
      if (!lost && !run.snapshot().matches({ selection: 'switching' })) expect(liveAudio).toHaveLength(1)
      run.parent.stop()
      run.local.release()
      await flush(1)
      expect(run.devices.liveTrackCount, 'device tracks after stop').toBe(0)
    })
  }

  afterAll(() => {
    const report = coverage.report(devicesMachine)
    const pct = (n: number, d: number) => ((100 * n) / d).toFixed(1)
    console.log(
      `devices coverage: states ${report.states.visited}/${report.states.total} (${pct(report.states.visited, report.states.total)} %), ` +
        `transitions ${report.transitions.visited}/${report.transitions.total} (${pct(report.transitions.visited, report.transitions.total)} %)`,
    )
    expect(report.states.missing).toEqual([])
    expect(report.transitions.missing).toEqual([])
  })
})
