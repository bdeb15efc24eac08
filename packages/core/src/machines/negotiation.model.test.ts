// Model-based test of the negotiation machine: paths generated from the statechart with xstate/graph
// drive the REAL machine (real actor implementations) through fake ports, one async boundary at a
// time. On every path: a granted lock is followed by PUT negotiate or by the explicit `failed`
// state; after stop nothing is left open. The run measures state and transition coverage.
import { afterAll, describe, expect, it } from 'vitest'
import { createActor, setup, type AnyEventObject, type AnyMachineSnapshot } from 'xstate'
import { createHubClient } from '../hubClient.js'
import { MediaRegistry } from '../registry.js'
import { CoverageRecorder } from '../test-support/coverage.js'
import { edgeCoveringPaths, runPath } from '../test-support/modelPaths.js'
import { FAKE_HUB_URL, FAKE_OFFER_SDP, createFakeWorld, flush, type FakePeerConnection, type PendingCalls } from '../test-support/index.js'
import { LOCK_RETRY_MS, negotiationActors, negotiationMachine } from './negotiationMachine.js'

const INPUT = { roomId: 'room1', clientId: 'client1', maxIceRestarts: 1 }
const HUB_OFFER = 'v=0\r\no=hub 1 1 IN IP4 127.0.0.1\r\ns=hub\r\n'
const CANDIDATE = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' }
const LOCAL_CANDIDATE = { candidate: 'candidate:2 1 udp 2122260223 127.0.0.1 50001 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'efgh' }

// Done/error events are not part of the machine's event type; one cast here.
const done = (id: string, output?: unknown) => ({ type: `xstate.done.actor.${id}`, output }) as AnyEventObject
const failure = (id: string) => ({ type: `xstate.error.actor.${id}`, error: new Error(`${id} failed`) }) as AnyEventObject
const LOCK_RETRY_EVENT = 'xstate.after.lockRetry.negotiation.signaling.waitingForLock'

const events: AnyEventObject[] = [
  { type: 'negotiation.change' },
  { type: 'hub.offer', sdp: HUB_OFFER },
  { type: 'hub.candidate', candidate: CANDIDATE },
  { type: 'hub.allowedRenegotiation' },
  { type: 'peer.iceCandidate', candidate: LOCAL_CANDIDATE },
  { type: 'peer.iceFailed' },
  { type: 'peer.iceConnected' },
  done('requestLock', true),
  done('requestLock', false),
  failure('requestLock'),
  done('createOffer', { sdp: FAKE_OFFER_SDP }),
  failure('createOffer'),
  done('sendOffer'),
  failure('sendOffer'),
  done('answerOffer'),
  failure('answerOffer'),
  done('addRemoteCandidates', 1),
  { type: LOCK_RETRY_EVENT },
]

// The traversal is pure: the notifications to the parent are the only actions that need a parent.
const traversalMachine = negotiationMachine.provide({
  actions: { notifyConnected: () => {}, notifyReconnecting: () => {}, notifyStable: () => {}, notifyFailed: () => {} },
})

const { paths, stats } = edgeCoveringPaths(traversalMachine, {
  events,
  input: INPUT,
  // One queued remote candidate is enough to exercise the queue; more only multiplies states.
  filterEvents: (snapshot, event) =>
    !(event.type === 'hub.candidate' && snapshot.context.remoteCandidates.length > snapshot.context.applyingCandidates),
  // `failed` ends the negotiation: the conference tears it down.
  stopWhen: (snapshot) => snapshot.matches({ signaling: 'failed' }),
})

const coverage = new CoverageRecorder()

function startRun() {
  const world = createFakeWorld()
  world.hub.calls.gate('hub.isAllowNegotiate', 'hub.negotiate')
  world.peers.calls.gate('*')
  const hub = createHubClient({ baseUrl: FAKE_HUB_URL, fetch: world.hub.fetch })
  const media = new MediaRegistry()
  const pc = world.peers.factory({}) as FakePeerConnection
  media.setPeer(pc)
  const machine = negotiationMachine.provide({ actors: negotiationActors({ hub, media }) })
  const toParent: AnyEventObject[] = []
  const parentMachine = setup({ actors: { negotiation: machine } }).createMachine({
    invoke: { id: 'negotiation', src: 'negotiation', input: INPUT },
    on: { '*': { actions: ({ event }) => void toParent.push(event) } },
  })
  const parent = createActor(parentMachine, { clock: world.clock, inspect: coverage.inspector('negotiation') }).start()
  const child = parent.getSnapshot().children.negotiation!
  const snapshot = () => child.getSnapshot() as AnyMachineSnapshot
  return { world, pc, parent, child, snapshot, toParent }
}

type Run = ReturnType<typeof startRun>

async function waitForCall(calls: PendingCalls, label: string) {
  for (let i = 0; i < 20; i++) {
    const call = calls.find(label)
    if (call) return call
    await flush(1)
  }
  throw new Error(`expected a pending ${label} call`)
}

async function settle(run: Run, label: string, value?: unknown) {
  const calls = label.startsWith('hub.') ? run.world.hub.calls : run.world.peers.calls
  ;(await waitForCall(calls, label)).resolve(value)
  await flush(2)
}

async function reject(run: Run, label: string) {
  ;(await waitForCall(run.world.peers.calls, label)).reject(new Error(`${label} failed (fake)`))
  await flush(2)
}

function executors(run: Run) {
  const send = (event: AnyEventObject) => run.child.send(event as never)
  return {
    'negotiation.change': send,
    'hub.offer': send,
    'hub.candidate': send,
    'hub.allowedRenegotiation': send,
    'peer.iceCandidate': (event: AnyEventObject) => run.pc.emitIceCandidate(event.candidate),
    'peer.iceFailed': () => run.pc.setIceConnectionState('failed'),
    'peer.iceConnected': () => run.pc.setIceConnectionState('connected'),
    'xstate.done.actor.requestLock': (event: AnyEventObject) => settle(run, 'hub.isAllowNegotiate', { status: event.output ? 200 : 403 }),
    'xstate.error.actor.requestLock': () => settle(run, 'hub.isAllowNegotiate', { status: 503 }),
    'xstate.done.actor.createOffer': async () => {
      await settle(run, 'pc.createOffer')
      await settle(run, 'pc.setLocalDescription')
    },
    'xstate.error.actor.createOffer': () => reject(run, 'pc.createOffer'),
    'xstate.done.actor.sendOffer': async () => {
      await settle(run, 'hub.negotiate')
      await settle(run, 'pc.setRemoteDescription')
    },
    'xstate.error.actor.sendOffer': () => settle(run, 'hub.negotiate', { status: 500 }),
    'xstate.done.actor.answerOffer': async () => {
      await settle(run, 'pc.setRemoteDescription')
      await settle(run, 'pc.createAnswer')
      await settle(run, 'pc.setLocalDescription')
      await settle(run, 'hub.negotiate')
    },
    'xstate.error.actor.answerOffer': () => reject(run, 'pc.setRemoteDescription'),
    'xstate.done.actor.addRemoteCandidates': async () => {
      // Exactly the batch the running step took; candidates queued meanwhile are the next step's.
      const batch = run.snapshot().context.applyingCandidates as number
      for (let i = 0; i < batch; i++) await settle(run, 'pc.addIceCandidate')
    },
    [LOCK_RETRY_EVENT]: () => run.world.clock.advance(LOCK_RETRY_MS),
  }
}

/** The part of the context the model predicts exactly (error texts come from the fakes). */
function comparable(snapshot: AnyMachineSnapshot) {
  const { error, ...rest } = snapshot.context as Record<string, unknown>
  return { value: snapshot.value, context: { ...rest, failed: error !== null } }
}

async function expectState(run: Run, expected: AnyMachineSnapshot) {
  const want = comparable(expected)
  for (let i = 0; i < 10 && JSON.stringify(comparable(run.snapshot())) !== JSON.stringify(want); i++) await flush(1)
  expect(comparable(run.snapshot())).toEqual(want)
}

/** Lets every held call succeed and timers fire until the machine rests (stable or failed). */
async function drain(run: Run) {
  for (let i = 0; i < 200; i++) {
    await flush(1)
    if (run.snapshot().matches({ signaling: 'failed' })) return
    const held = run.world.hub.calls.find() ?? run.world.peers.calls.find()
    if (held) {
      held.resolve(held.label === 'hub.isAllowNegotiate' ? { status: 200 } : undefined)
      continue
    }
    if (run.world.clock.runNext()) continue
    if (run.snapshot().matches({ signaling: 'stable', pending: 'idle', hubOffer: 'none' })) return
  }
  throw new Error(`negotiation did not come to rest: ${JSON.stringify(run.snapshot().value)}`)
}

/** Hub protocol conformance: every granted lock is followed by PUT negotiate, or the machine says it cannot. */
function expectLockDiscipline(run: Run) {
  const log = run.world.hub.log.filter((r) => r.route === 'isAllowNegotiate' || (r.route === 'negotiate' && (r.body as { type: string }).type === 'offer'))
  log.forEach((record, i) => {
    const next = log[i + 1]
    if (record.route === 'negotiate') {
      // No offer without the lock.
      expect(log[i - 1]?.route === 'isAllowNegotiate' && log[i - 1]?.status === 200).toBe(true)
      return
    }
    if (record.status !== 200) return
    if (next) {
      expect(next.route, 'a granted lock must be followed by PUT negotiate').toBe('negotiate')
    } else {
      const snapshot = run.snapshot()
      expect(snapshot.matches({ signaling: 'failed' }), 'a granted lock without PUT negotiate must end in failed').toBe(true)
      expect(String(snapshot.context.error)).toMatch(/lock/)
    }
  })
}

function expectNothingOpen(run: Run) {
  expect(run.pc.listenerCount, 'peer connection listeners').toBe(0)
  expect(run.world.clock.pendingTimers, 'timers').toBe(0)
  expect(run.world.hub.calls.pending.map((c) => c.label), 'hub requests still held').toEqual([])
}

describe('negotiationMachine (model)', () => {
  it('the graph is explored', () => {
    console.log(`negotiation model: ${stats.states} states, ${stats.edges} edges, ${stats.distinctSteps} distinct steps, ${paths.length} paths run`)
    expect(paths.length).toBeGreaterThan(0)
  })

  for (const path of paths) {
    it(path.description, async () => {
      const run = startRun()
      await runPath(path, executors(run), (expected) => expectState(run, expected))
      await drain(run)
      expectLockDiscipline(run)
      run.parent.stop()
      await flush(1)
      expectNothingOpen(run)
    })
  }

  afterAll(() => {
    const report = coverage.report(negotiationMachine)
    const pct = (n: number, d: number) => ((100 * n) / d).toFixed(1)
    console.log(
      `negotiation coverage: states ${report.states.visited}/${report.states.total} (${pct(report.states.visited, report.states.total)} %), ` +
        `transitions ${report.transitions.visited}/${report.transitions.total} (${pct(report.transitions.visited, report.transitions.total)} %)`,
    )
    if (report.states.missing.length) console.log('missing states:', report.states.missing)
    if (report.transitions.missing.length) console.log('missing transitions:', report.transitions.missing)
    expect(report.states.missing).toEqual([])
    expect(report.transitions.missing).toEqual([])
  })
})
