// Model-based test of the reconnect machine: paths generated with xstate/graph drive the REAL machine
// (real hub client over the fake hub, every request held until its step, the manual clock) under a
// recording parent. On every path: state and context are what the model predicts, the parent heard
// each attempt, the old client is released before anything else and never named again, a lost room is
// re-created by its id with its name and options; after stop no timer or request is left.
import { afterAll, describe, expect, it } from 'vitest'
import type { AnyEventObject, AnyMachineSnapshot } from 'xstate'
import { mediaStateMetaKey } from '@parley/protocol'
import { createHubClient, HubError } from '../hubClient.js'
import { CoverageRecorder } from '../test-support/coverage.js'
import { runAsChild } from '../test-support/harness.js'
import { hubProtocolViolations } from '../test-support/hubProtocol.js'
import { edgeCoveringPaths, runPath } from '../test-support/modelPaths.js'
import { FAKE_HUB_URL, createFakeWorld, flush } from '../test-support/index.js'
import { conferenceActors } from './conferenceActors.js'
import { RECONNECT_DEADLINE_MS, RELEASE_TIMEOUT_MS, reconnectActors, reconnectBackoffMs, reconnectMachine, type ReconnectContext, type ReconnectInput } from './reconnectMachine.js'
import { LocalMedia } from '../localMedia.js'
import { RemoteStreams } from '../remoteStreams.js'
import { PreparedPeer } from '../preparedPeer.js'

const OPTIONS = { bitrates: {}, quality_presets: {}, codecs: ['vp8'], pli_interval_ns: 0, empty_room_timeout_ns: 0 }
const INPUT: ReconnectInput = { room: { id: 'room1', name: 'Standup', options: OPTIONS as never }, displayName: 'Ada', staleClientId: 'old' }
/** Attempts the model's machine makes before giving up (the real one makes more). */
const MODEL_MAX_ATTEMPTS = 2

const done = (id: string, output?: unknown) => ({ type: `xstate.done.actor.${id}`, output }) as AnyEventObject
const failure = (id: string) => ({ type: `xstate.error.actor.${id}`, error: new Error(`${id} failed`) }) as AnyEventObject
const after = (delay: string, state: string) => ({ type: `xstate.after.${delay}.reconnect${state ? `.${state}` : ''}` }) as AnyEventObject

const events: AnyEventObject[] = [
  done('releaseClient'),
  after('releaseTimeout', 'releasing'),
  after('retryBackoff', 'waiting'),
  after('reconnectDeadline', ''),
  done('reopenRoom', { room: { id: 'room1', name: 'Standup', options: OPTIONS }, recreated: false }),
  failure('reopenRoom'),
  done('registerClient', { clientId: 'client2', name: 'Ada' }),
  failure('registerClient'),
  // The host locked the room and nothing of ours lets us in: no later attempt would.
  { type: 'xstate.error.actor.registerClient', error: new HubError('room-locked', 'POST register: locked', 403) },
]

const modelGuards = { attemptsExhausted: ({ context }: { context: ReconnectContext }) => context.attempt >= MODEL_MAX_ATTEMPTS }
/** One millisecond more than the real back-off, so that even the first attempt's (0 ms) `waiting` is observable. */
const modelBackoffMs = (attempt: number) => reconnectBackoffMs(attempt) + 1
const modelDelays = { retryBackoff: ({ context }: { context: ReconnectContext }) => modelBackoffMs(context.attempt) }
const traversalMachine = reconnectMachine.provide({ actions: { notifyAttempt: () => {} }, guards: modelGuards, delays: modelDelays })
const { paths, stats } = edgeCoveringPaths(traversalMachine, { events, input: INPUT, stopWhen: (snapshot) => snapshot.status !== 'active' })

const coverage = new CoverageRecorder()

function startRun(input: ReconnectInput) {
  const world = createFakeWorld()
  world.hub.rooms.set('room1', { id: 'room1', name: 'Standup' })
  world.hub.calls.gate('hub.getRoom', 'hub.createRoom', 'hub.register', 'hub.deleteMeta', 'hub.leave')
  const hub = createHubClient({ baseUrl: FAKE_HUB_URL, fetch: world.hub.fetch })
  const { registerClient } = conferenceActors({ hub, local: new LocalMedia(), remote: new RemoteStreams(), devices: world.ports.media, prepared: new PreparedPeer() })
  const machine = reconnectMachine.provide({ actors: { ...reconnectActors(hub), registerClient }, guards: modelGuards, delays: modelDelays })
  const run = runAsChild(machine, input, { clock: world.clock, inspect: coverage.inspector('reconnect') })
  return { world, ...run, snapshot: () => run.child.getSnapshot() as AnyMachineSnapshot }
}

type Run = ReturnType<typeof startRun>

async function settle(run: Run, label: string, answer?: { status: number; data?: unknown }) {
  for (let i = 0; i < 20 && !run.world.hub.calls.find(label); i++) await flush(1)
  const call = run.world.hub.calls.find(label)
  if (!call) throw new Error(`expected a pending ${label} in ${JSON.stringify(run.snapshot().value)}`)
  call.resolve(answer)
  await flush(2)
}

function executors(run: Run): Record<string, (event: AnyEventObject) => unknown> {
  return {
    'xstate.done.actor.releaseClient': async () => {
      await settle(run, 'hub.deleteMeta')
      // Already gone on the hub (it restarted): that is what we wanted.
      await settle(run, 'hub.leave', { status: 404 })
    },
    [after('releaseTimeout', 'releasing').type]: () => run.world.clock.advance(RELEASE_TIMEOUT_MS),
    [after('retryBackoff', 'waiting').type]: () => {
      const delay = modelBackoffMs((run.snapshot().context as ReconnectContext).attempt)
      run.world.clock.advance(delay - 1)
      expect(run.snapshot().value, 'not one millisecond early').toBe('waiting')
      run.world.clock.advance(1)
    },
    [after('reconnectDeadline', '').type]: () => run.world.clock.advance(RECONNECT_DEADLINE_MS),
    // The hub lost the room: it is re-created by its id, with its name and options.
    'xstate.done.actor.reopenRoom': async () => {
      const { room } = run.snapshot().context as ReconnectContext
      await settle(run, 'hub.getRoom', { status: 404 })
      await settle(run, 'hub.createRoom')
      expect(run.world.hub.requests('createRoom').at(-1)?.body).toEqual({ id: room.id, name: room.name, options: room.options })
    },
    'xstate.error.actor.reopenRoom': () => settle(run, 'hub.getRoom', { status: 503 }),
    'xstate.done.actor.registerClient': () => settle(run, 'hub.register'),
    'xstate.error.actor.registerClient': (event) =>
      settle(run, 'hub.register', (event.error as { kind?: string }).kind === 'room-locked' ? { status: 403, data: { reason: 'room_locked' } } : { status: 503 }),
  }
}

async function expectState(run: Run, expected: AnyMachineSnapshot) {
  const comparable = (s: AnyMachineSnapshot) => {
    const c = s.context as ReconnectContext
    return { value: s.value, status: s.status, attempt: c.attempt, client: c.client !== null, error: c.error?.kind ?? null }
  }
  for (let i = 0; i < 10 && JSON.stringify(comparable(run.snapshot())) !== JSON.stringify(comparable(expected)); i++) await flush(1)
  expect(comparable(run.snapshot())).toEqual(comparable(expected))
  // The parent heard every attempt that started, in order.
  const attempts = run.received.filter((e) => e.type === 'reconnect.attempt').map((e) => (e as unknown as { attempt: number }).attempt)
  const started = run.snapshot().matches('releasing') ? 0 : (run.snapshot().context as ReconnectContext).attempt
  expect(attempts).toEqual(Array.from({ length: started }, (_, i) => i + 1))
}

describe('reconnectMachine (model)', () => {
  it('the graph is explored', () => {
    console.log(`reconnect model: ${stats.states} states, ${stats.edges} edges, ${stats.distinctSteps} distinct steps, ${paths.length} paths run`)
    expect(paths.length).toBeGreaterThan(0)
  })

  for (const path of paths) {
    it(path.description, async () => {
      const run = startRun(INPUT)
      await runPath(path, executors(run), (expected) => expectState(run, expected))
      run.parent.stop()
      for (const call of run.world.hub.calls.pending) call.resolve()
      await flush(2)
      expect(run.world.clock.pendingTimers, 'timers left').toBe(0)
      // The old client is released first (its media state, then itself) and never named again.
      const named = run.world.hub.log.filter((r) => r.params.clientId === 'old' || r.params.key === mediaStateMetaKey('old'))
      expect(run.world.hub.log.slice(0, named.length)).toEqual(named)
      expect(hubProtocolViolations({ log: run.world.hub.log, hubOffersAt: [], settled: false })).toEqual([])
    })
  }

  it('backs off 0 s, 0.5 s, 1 s, 2 s, then 4 s', () => {
    expect([1, 2, 3, 4, 5, 6].map(reconnectBackoffMs)).toEqual([0, 500, 1000, 2000, 4000, 4000])
  })

  it('skips the release when there is no old client to release', async () => {
    const run = startRun({ ...INPUT, staleClientId: null })
    expect(run.snapshot().value).toBe('waiting')
    run.parent.stop()
  })

  afterAll(() => {
    const report = coverage.report(reconnectMachine)
    const pct = (n: number, d: number) => ((100 * n) / d).toFixed(1)
    console.log(
      `reconnect coverage: states ${report.states.visited}/${report.states.total} (${pct(report.states.visited, report.states.total)} %), ` +
        `transitions ${report.transitions.visited}/${report.transitions.total} (${pct(report.transitions.visited, report.transitions.total)} %)`,
    )
    if (report.transitions.missing.length) console.log('reconnect transitions not driven by the model:', report.transitions.missing)
    expect(report.states.missing).toEqual([])
    expect(report.transitions.missing).toEqual([])
  })
})
