// Model-based test of the events machine: paths generated from the statechart with xstate/graph drive
// the REAL machine (real EventSource handling and client check) through a fake EventSource factory,
// the fake hub (GET client held until its step) and the manual clock. On every path: the state and
// context are what the model predicts, the parent hears what it should (typed hub events, open,
// reconnecting with the back-off delay, closed with its reason), a reconnect waits exactly its
// back-off; after stop no EventSource, timer or request is left open. The run measures coverage.
import { afterAll, describe, expect, it } from 'vitest'
import type { AnyEventObject, AnyMachineSnapshot } from 'xstate'
import { createHubClient } from '../hubClient.js'
import { CoverageRecorder } from '../test-support/coverage.js'
import { runAsChild } from '../test-support/harness.js'
import { edgeCoveringPaths, runPath } from '../test-support/modelPaths.js'
import { HUB_EVENT_RECIPIENTS, type HubEvent } from '../events.js'
import { FAKE_HUB_URL, createFakeWorld, flush } from '../test-support/index.js'
import {
  CLIENT_CHECK_TIMEOUT_MS,
  STREAM_SILENCE_MS,
  eventsActors,
  eventsMachine,
  isReplayedId,
  reconnectDelayMs,
  type EventsContext,
} from './eventsMachine.js'

const INPUT = { roomId: 'room1', clientId: 'client1' }
const TRACK = { id: 't1', track_id: 't1', client_id: 'c2', client_name: 'Bo', stream_id: 's1', kind: 'video' as const, source: 'media' as const }
const CANDIDATE = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' }
const RECONNECT_EVENT = 'xstate.after.reconnectDelay.events.reconnecting'
const SILENT_CONNECTING_EVENT = 'xstate.after.streamSilence.events.streaming.connecting'
const SILENT_OPEN_EVENT = 'xstate.after.streamSilence.events.streaming.open.listening'
const CHECK_TIMEOUT_EVENT = 'xstate.after.clientCheckTimeout.events.checking'
/** Failed reconnects in a row the model's machine allows before the stream is lost (the real one allows more). */
const MODEL_MAX_RECONNECTS = 2
/** The one event the model sends with an SSE id: once it is new, after that a replay. */
const META_EVENT_ID = '1'

const done = (id: string, output?: unknown) => ({ type: `xstate.done.actor.${id}`, output }) as AnyEventObject
const failure = (id: string) => ({ type: `xstate.error.actor.${id}`, error: new Error(`${id} failed`) }) as AnyEventObject

const events: AnyEventObject[] = [
  { type: 'stream.opened' },
  { type: 'stream.error' },
  { type: 'stream.invalid', event: 'offer', error: 'bad offer' },
  { type: 'stream.activity' },
  { type: 'hub.offer', sdp: 'v=0\r\n' },
  { type: 'hub.candidate', candidate: CANDIDATE },
  { type: 'hub.tracksAdded', tracks: { t1: TRACK } },
  { type: 'hub.tracksAvailable', tracks: { t1: TRACK } },
  { type: 'hub.allowedRenegotiation' },
  { type: 'hub.metaChanged', key: 'parley.media.c2', value: { audio: false, video: true, name: 'Bo' }, eventId: META_EVENT_ID },
  // Carries the same id: a replay of an event already processed once the meta event was.
  { type: 'hub.left', reason: 'ended', eventId: META_EVENT_ID },
  done('checkClient', true),
  done('checkClient', false),
  failure('checkClient'),
  { type: RECONNECT_EVENT },
  { type: SILENT_CONNECTING_EVENT },
  { type: SILENT_OPEN_EVENT },
  { type: CHECK_TIMEOUT_EVENT },
]

const modelGuards = { attemptsExhausted: ({ context }: { context: EventsContext }) => context.attempt >= MODEL_MAX_RECONNECTS }

// The traversal is pure: the notifications to the parent are the only actions that need a parent.
const traversalMachine = eventsMachine.provide({
  actions: { deliverHubEvent: () => {}, notifyOpen: () => {}, notifyReconnecting: () => {}, notifyClosed: () => {}, notifyInvalid: () => {} },
  guards: modelGuards,
})

const { paths, stats } = edgeCoveringPaths(traversalMachine, {
  events,
  input: INPUT,
  filterEvents: (snapshot, event) => {
    const c = snapshot.context as EventsContext
    switch (event.type) {
      // A few reconnects show the back-off growing; more only multiply states.
      case 'stream.error':
        return c.attempt <= MODEL_MAX_RECONNECTS
      // Silence is one way into the check: once per attempt count is enough.
      case SILENT_CONNECTING_EVENT:
      case SILENT_OPEN_EVENT:
        return c.attempt === 0 && c.duplicates === 0
      // One invalid event shows it is counted, not forwarded.
      case 'stream.invalid':
        return c.invalidEvents === 0
      case 'stream.activity':
        return c.invalidEvents === 0 && c.duplicates === 0
      // The id'd event: new once, then one replay of it.
      case 'hub.metaChanged':
      case 'hub.left':
        return c.duplicates === 0
      default:
        return true
    }
  },
  stopWhen: (snapshot) => snapshot.status !== 'active',
})

const coverage = new CoverageRecorder()

function startRun() {
  const world = createFakeWorld()
  world.hub.clients.add(INPUT.clientId)
  world.hub.calls.gate('hub.getClient')
  const hub = createHubClient({ baseUrl: FAKE_HUB_URL, fetch: world.hub.fetch })
  const machine = eventsMachine.provide({ actors: eventsActors({ hub, eventSource: world.eventSources.factory }), guards: modelGuards })
  const run = runAsChild(machine, INPUT, { clock: world.clock, inspect: coverage.inspector('events'), systemIds: ['negotiation', 'peerSession'] })
  return { world, ...run, snapshot: () => run.child.getSnapshot() as AnyMachineSnapshot }
}

type Run = ReturnType<typeof startRun>

async function settleClientCheck(run: Run, answer?: { status: number }) {
  for (let i = 0; i < 20 && !run.world.hub.calls.find('hub.getClient'); i++) await flush(1)
  const call = run.world.hub.calls.find('hub.getClient')
  if (!call) throw new Error(`expected a pending GET client in ${JSON.stringify(run.snapshot().value)}`)
  call.resolve(answer)
  await flush(2)
}

function executors(run: Run): Record<string, (event: AnyEventObject) => unknown> {
  const source = () => run.world.eventSources.latest()
  const emitted = (name: string, data: unknown, expected: AnyEventObject, id?: string) => () => {
    const before = run.received.length
    source().emit(name, data, id)
    // Delivered once, parsed and typed, to its recipient (a `left` is followed by events.closed, checked by the state).
    expect(run.received.slice(before).filter((e) => e.type.startsWith('hub.'))).toEqual([expected])
    const recipient = HUB_EVENT_RECIPIENTS[expected.type as HubEvent['type']] ?? 'parent'
    expect(run.receivedBy[recipient]?.at(-1 - (expected.type === 'hub.left' ? 1 : 0)), `delivered to ${recipient}`).toEqual(expected)
  }
  return {
    'stream.opened': () => source().open(),
    'stream.error': () => source().fail(),
    'stream.invalid': () => {
      const before = run.received.length
      source().emit('offer', { type: 'answer', sdp: 'v=0' })
      expect(run.received.slice(before).map((e) => e.type), 'an invalid event is reported, not forwarded').toEqual(['events.invalid'])
    },
    'stream.activity': () => source().emit('ping', {}),
    [SILENT_CONNECTING_EVENT]: () => run.world.clock.advance(STREAM_SILENCE_MS),
    [SILENT_OPEN_EVENT]: () => run.world.clock.advance(STREAM_SILENCE_MS),
    [CHECK_TIMEOUT_EVENT]: () => run.world.clock.advance(CLIENT_CHECK_TIMEOUT_MS),
    'hub.offer': (event) => emitted('offer', { type: 'offer', sdp: event.sdp }, event)(),
    'hub.candidate': (event) => emitted('candidate', event.candidate, event)(),
    'hub.tracksAdded': (event) => emitted('tracks_added', { tracks: event.tracks }, event)(),
    'hub.tracksAvailable': (event) => emitted('tracks_available', { tracks: event.tracks }, event)(),
    'hub.allowedRenegotiation': (event) => emitted('allowed_renegotation', 'ok', event)(),
    'hub.metaChanged': (event) => {
      const { eventId, ...delivered } = event
      if (!isReplayedId(eventId as string, (run.snapshot().context as EventsContext).lastEventId)) {
        return emitted('meta_changed', { [event.key]: event.value }, delivered as AnyEventObject, eventId as string)()
      }
      const before = run.received.length
      source().emit('meta_changed', { [event.key]: event.value }, eventId as string)
      expect(run.received.length, 'a replay already processed is skipped').toBe(before)
    },
    'hub.left': (event) => {
      const { eventId, ...delivered } = event
      if (!isReplayedId(eventId as string, (run.snapshot().context as EventsContext).lastEventId)) {
        return emitted('left', { reason: event.reason }, delivered as AnyEventObject, eventId as string)()
      }
      const before = run.received.length
      source().emit('left', { reason: event.reason }, eventId as string)
      expect(run.received.length, 'a replayed left is skipped').toBe(before)
    },
    'xstate.done.actor.checkClient': (event) => settleClientCheck(run, event.output ? undefined : { status: 404 }),
    'xstate.error.actor.checkClient': () => settleClientCheck(run, { status: 503 }),
    [RECONNECT_EVENT]: () => {
      // Exactly the back-off of this attempt: one millisecond early nothing happens.
      const delay = reconnectDelayMs((run.snapshot().context as EventsContext).attempt)
      const streams = run.world.eventSources.all.length
      run.world.clock.advance(delay - 1)
      expect(run.snapshot().value).toBe('reconnecting')
      run.world.clock.advance(1)
      expect(run.world.eventSources.all.length, 'a new EventSource after the back-off').toBe(streams + 1)
    },
  }
}

/** What the parent must have heard last, given the state the machine is in. */
function expectNotification(run: Run) {
  const snapshot = run.snapshot()
  const context = snapshot.context as EventsContext
  const last = run.received.filter((e) => e.type.startsWith('events.') && e.type !== 'events.invalid').at(-1)
  if (snapshot.matches('reconnecting')) {
    expect(last).toEqual({ type: 'events.reconnecting', attempt: context.attempt + 1, delayMs: reconnectDelayMs(context.attempt) })
  } else if (snapshot.matches({ streaming: 'open' })) {
    expect(last).toEqual({ type: 'events.open' })
  } else if (snapshot.matches('closed')) {
    expect(last).toEqual({ type: 'events.closed', reason: context.closedReason })
  }
}

async function expectState(run: Run, expected: AnyMachineSnapshot) {
  const comparable = (s: AnyMachineSnapshot) => ({ value: s.value, status: s.status, context: s.context as EventsContext })
  for (let i = 0; i < 10 && JSON.stringify(comparable(run.snapshot())) !== JSON.stringify(comparable(expected)); i++) await flush(1)
  expect(comparable(run.snapshot())).toEqual(comparable(expected))
  // Exactly one EventSource is open while streaming, none otherwise.
  expect(run.world.eventSources.openCount).toBe(run.snapshot().matches('streaming') ? 1 : 0)
  expectNotification(run)
}

describe('eventsMachine (model)', () => {
  it('the graph is explored', () => {
    console.log(`events model: ${stats.states} states, ${stats.edges} edges, ${stats.distinctSteps} distinct steps, ${paths.length} paths run`)
    expect(paths.length).toBeGreaterThan(0)
  })

  for (const path of paths) {
    it(path.description, async () => {
      const run = startRun()
      await runPath(path, executors(run), (expected) => expectState(run, expected))
      run.parent.stop()
      // A client check still in flight is aborted by the stop; let it finish to prove nothing leaks.
      for (const call of run.world.hub.calls.pending) call.resolve()
      await flush(2)
      expect(run.world.eventSources.openCount, 'EventSources left open').toBe(0)
      expect(run.world.clock.pendingTimers, 'timers left').toBe(0)
      expect(run.world.hub.calls.pending.map((c) => c.label), 'requests still held').toEqual([])
    })
  }

  afterAll(() => {
    const report = coverage.report(eventsMachine)
    const pct = (n: number, d: number) => ((100 * n) / d).toFixed(1)
    console.log(
      `events coverage: states ${report.states.visited}/${report.states.total} (${pct(report.states.visited, report.states.total)} %), ` +
        `transitions ${report.transitions.visited}/${report.transitions.total} (${pct(report.transitions.visited, report.transitions.total)} %)`,
    )
    if (report.transitions.missing.length) console.log('events transitions not driven by the model:', report.transitions.missing)
    expect(report.states.missing).toEqual([])
    expect(report.transitions.missing).toEqual([])
  })
})
