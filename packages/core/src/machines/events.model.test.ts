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
import { eventsActors, eventsMachine, reconnectDelayMs, type EventsContext } from './eventsMachine.js'

const INPUT = { roomId: 'room1', clientId: 'client1' }
const TRACK = { id: 't1', track_id: 't1', client_id: 'c2', client_name: 'Bo', stream_id: 's1', kind: 'video' as const, source: 'media' as const }
const CANDIDATE = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' }
const RECONNECT_EVENT = 'xstate.after.reconnectDelay.events.reconnecting'
/** Reconnects the model explores in a row (each one is a longer back-off). */
const MAX_ATTEMPTS = 3

const done = (id: string, output?: unknown) => ({ type: `xstate.done.actor.${id}`, output }) as AnyEventObject
const failure = (id: string) => ({ type: `xstate.error.actor.${id}`, error: new Error(`${id} failed`) }) as AnyEventObject

const events: AnyEventObject[] = [
  { type: 'stream.opened' },
  { type: 'stream.error' },
  { type: 'stream.invalid', error: 'bad offer' },
  { type: 'hub.offer', sdp: 'v=0\r\n' },
  { type: 'hub.candidate', candidate: CANDIDATE },
  { type: 'hub.tracksAdded', tracks: { t1: TRACK } },
  { type: 'hub.tracksAvailable', tracks: { t1: TRACK } },
  { type: 'hub.allowedRenegotiation' },
  { type: 'hub.metaChanged', key: 'parley.media.c2', value: { audio: false, video: true, name: 'Bo' } },
  { type: 'hub.left', reason: 'ended' },
  done('checkClient', true),
  done('checkClient', false),
  failure('checkClient'),
  { type: RECONNECT_EVENT },
]

// The traversal is pure: the notifications to the parent are the only actions that need a parent.
const traversalMachine = eventsMachine.provide({
  actions: { deliverHubEvent: () => {}, notifyOpen: () => {}, notifyReconnecting: () => {}, notifyClosed: () => {} },
})

const { paths, stats } = edgeCoveringPaths(traversalMachine, {
  events,
  input: INPUT,
  filterEvents: (snapshot, event) => {
    const c = snapshot.context as EventsContext
    switch (event.type) {
      // A few reconnects show the back-off growing; more only multiply states.
      case 'stream.error':
        return c.attempt < MAX_ATTEMPTS
      // One invalid event shows it is counted, not forwarded.
      case 'stream.invalid':
        return c.invalidEvents === 0
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
  const machine = eventsMachine.provide({ actors: eventsActors({ hub, eventSource: world.eventSources.factory }) })
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
  const emitted = (name: string, data: unknown, expected: AnyEventObject) => () => {
    const before = run.received.length
    source().emit(name, data)
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
      expect(run.received.length, 'an invalid event is not forwarded').toBe(before)
    },
    'hub.offer': (event) => emitted('offer', { type: 'offer', sdp: event.sdp }, event)(),
    'hub.candidate': (event) => emitted('candidate', event.candidate, event)(),
    'hub.tracksAdded': (event) => emitted('tracks_added', { tracks: event.tracks }, event)(),
    'hub.tracksAvailable': (event) => emitted('tracks_available', { tracks: event.tracks }, event)(),
    'hub.allowedRenegotiation': (event) => emitted('allowed_renegotation', 'ok', event)(),
    'hub.metaChanged': (event) => emitted('meta_changed', { [event.key]: event.value }, event)(),
    'hub.left': (event) => emitted('left', { reason: event.reason }, event)(),
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
  const last = run.received.filter((e) => e.type.startsWith('events.')).at(-1)
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
