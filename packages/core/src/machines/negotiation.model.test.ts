// Model-based test of the negotiation machine: paths generated from the statechart with xstate/graph
// drive the REAL machine (real actor implementations, the real peer session) through fake ports, one
// async boundary at a time. On every path the hub's protocol holds for what the fake hub received
// (test-support/hubProtocol.ts); after stop nothing is left open. The run measures state and
// transition coverage.
import { afterAll, describe, expect, it } from 'vitest'
import { createActor, fromPromise, raise, setup, type AnyEventObject, type AnyMachineSnapshot } from 'xstate'
import { createHubClient } from '../hubClient.js'
import { LocalMedia } from '../localMedia.js'
import { PeerStats } from '../stats/peerStats.js'
import { ScreenMedia } from '../screenMedia.js'
import { RemoteStreams } from '../remoteStreams.js'
import { CoverageRecorder } from '../test-support/coverage.js'
import { hubProtocolViolations } from '../test-support/hubProtocol.js'
import { edgeCoveringPaths, runPath, type ModelPath } from '../test-support/modelPaths.js'
import { FAKE_ANSWER_SDP, FAKE_HUB_URL, FAKE_OFFER_SDP, createFakeWorld, flush, type FakePeerConnection, type PendingCalls } from '../test-support/index.js'
import { negotiationActors } from './negotiationActors.js'
import { ICE_RECHECK_MS, ICE_RESTART_TIMEOUT_MS, LOCK_RETRY_MS, negotiationMachine } from './negotiationMachine.js'
import { DataChannels } from '../dataChannels.js'
import { PreparedPeer } from '../preparedPeer.js'
import { CameraSender } from '../sendResolution.js'
import { CAMERA_LAYERS } from '../peerSession.js'
import type { LayerFigures } from '../sendLayers.js'
import { FakeMediaStream, FakeMediaStreamTrack } from '../test-support/fakeMedia.js'
import { resolutionHoldActors } from './resolutionHoldActors.js'
import { resolutionHoldMachine } from './resolutionHoldMachine.js'
import { sendLayersActors } from './sendLayersActors.js'
import { sendLayersMachine } from './sendLayersMachine.js'

const INPUT = { roomId: 'room1', clientId: 'client1', maxIceRestarts: 1 }
const HUB_OFFER = 'v=0\r\no=hub 1 1 IN IP4 127.0.0.1\r\ns=hub\r\n'
const LOCAL_CANDIDATE = { candidate: 'candidate:2 1 udp 2122260223 127.0.0.1 50001 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'efgh' }

// Done/error events are not part of the machine's event type; one cast here.
const done = (id: string, output?: unknown) => ({ type: `xstate.done.actor.${id}`, output }) as AnyEventObject
const failure = (id: string) => ({ type: `xstate.error.actor.${id}`, error: new Error(`${id} failed`) }) as AnyEventObject
const LOCK_RETRY_EVENT = 'xstate.after.lockRetry.negotiation.signaling.free.seekingLock.waitingForLock'
const ICE_RESTART_TIMEOUT_EVENT = 'xstate.after.iceRestartTimeout.negotiation.ice.restoring'
const ICE_RECHECK_EVENT = 'xstate.after.iceRecheck.negotiation.ice.restoring.answered'
const ANSWER_LEAVING_EVENT = 'xstate.after.answerLeaving.negotiation.signaling.exchanging.exchange.answering.sendingAnswer.leaving'
/** Our answer's PUT called, the task after it not yet run (answerLeaving, 0 ms). */
const ANSWER_LEAVING = { signaling: { exchanging: { exchange: { answering: { sendingAnswer: 'leaving' } } } } }
const SESSION_FAILED = 'xstate.error.actor.peerSession'
/** The states waiting for a peer session step. */
const PEER_STEPS = [{ offering: 'creatingOffer' }, { offering: 'applyingAnswer' }, { answering: 'creatingAnswer' }]

const events: AnyEventObject[] = [
  { type: 'negotiation.change' },
  { type: 'hub.offer', sdp: HUB_OFFER },
  { type: 'hub.allowedRenegotiation' },
  { type: 'peer.iceCandidate', candidate: LOCAL_CANDIDATE },
  { type: 'peer.iceFailed' },
  { type: 'peer.iceConnected' },
  { type: 'peer.dtlsFailed' },
  { type: 'network.changed' },
  { type: 'peer.offer', sdp: FAKE_OFFER_SDP },
  { type: 'peer.answer', sdp: FAKE_ANSWER_SDP },
  { type: 'peer.answerApplied' },
  { type: 'peer.error', message: 'failed (fake)' },
  done('requestLock', true),
  done('requestLock', false),
  failure('requestLock'),
  done('sendOffer', FAKE_ANSWER_SDP),
  failure('sendOffer'),
  done('sendAnswer'),
  failure('sendAnswer'),
  failure('peerSession'),
  { type: LOCK_RETRY_EVENT },
  { type: ICE_RESTART_TIMEOUT_EVENT },
  { type: ICE_RECHECK_EVENT },
  { type: ANSWER_LEAVING_EVENT },
]

// The traversal is pure: the notifications to the parent are the only actions that need a parent.
// In `ice.restoring` the fake connection is always `failed` (only peer.iceConnected leaves it, and only
// peer.iceFailed enters it), which is what a browser stuck after a restart shows: the recheck finds it failed.
const traversalMachine = negotiationMachine.provide({
  actions: { notifyConnected: () => {}, notifyReconnecting: () => {}, notifyAnswering: () => {}, notifyAnswered: () => {}, notifyFailed: () => {}, recheckIce: raise({ type: 'peer.iceFailed' }) },
})
const initialKey = JSON.stringify(comparable(createActor(traversalMachine, { input: INPUT }).getSnapshot()))

const { paths, stats } = edgeCoveringPaths(traversalMachine, {
  events,
  input: INPUT,
  filterEvents: (snapshot, event) => {
    switch (event.type) {
      // The peer connection can only fail to exist as the negotiation starts.
      case SESSION_FAILED:
        return JSON.stringify(comparable(snapshot)) === initialKey
      // The peer session answers its commands only: each reply in the state that sent the command.
      case 'peer.offer':
        return snapshot.matches({ signaling: { exchanging: { exchange: { offering: 'creatingOffer' } } } })
      case 'peer.answerApplied':
        return snapshot.matches({ signaling: { exchanging: { exchange: { offering: 'applyingAnswer' } } } })
      case 'peer.answer':
        return snapshot.matches({ signaling: { exchanging: { exchange: { answering: 'creatingAnswer' } } } })
      case 'peer.error':
        return PEER_STEPS.some((step) => snapshot.matches({ signaling: { exchanging: { exchange: step } } }))
      // The peer connection gathers candidates only once it has a local description: not while the
      // first offer or an answer is still being created, nor before any (seeking the lock).
      case 'peer.iceCandidate':
        return (
          !snapshot.matches({ signaling: { free: 'seekingLock' } }) &&
          !snapshot.matches({ signaling: { exchanging: { exchange: { offering: 'creatingOffer' } } } }) &&
          !snapshot.matches({ signaling: { exchanging: { exchange: { answering: 'creatingAnswer' } } } })
        )
      // Advancing the clock that far would also fire a pending lock retry (3 s) or recheck (2 s), or the answer's
      // 0 ms: one timer at a time.
      case LOCK_RETRY_EVENT:
        return !snapshot.matches({ ice: { restoring: 'answered' } }) && !snapshot.matches(ANSWER_LEAVING)
      case ICE_RESTART_TIMEOUT_EVENT:
        return !snapshot.matches({ signaling: { free: { seekingLock: 'waitingForLock' } } }) && !snapshot.matches({ ice: { restoring: 'answered' } }) && !snapshot.matches(ANSWER_LEAVING)
      case ICE_RECHECK_EVENT:
        return !snapshot.matches(ANSWER_LEAVING)
      default:
        return true
    }
  },
  // `failed` ends the negotiation: the conference tears it down.
  stopWhen: (snapshot) => snapshot.matches({ signaling: 'failed' }),
})

const coverage = new CoverageRecorder()

function startRun(path: ModelPath) {
  const world = createFakeWorld()
  world.hub.calls.gate('hub.isAllowNegotiate', 'hub.negotiate')
  world.peers.calls.gate('*')
  if (path.steps[0]?.event.type === SESSION_FAILED) world.peers.failNextCreation()
  const hub = createHubClient({ baseUrl: FAKE_HUB_URL, fetch: world.hub.fetch })
  // A camera to send as layers, so the peer session reports it (peer.cameraSending, peer.cameraLayers) and the
  // resolution hold and the layers' watch run beside every path.
  const local = new LocalMedia()
  local.set(new FakeMediaStream([new FakeMediaStreamTrack('video')]))
  const camera = new CameraSender()
  const stats = new PeerStats()
  const machine = negotiationMachine.provide({
    actors: {
      ...negotiationActors({ hub, peerConnection: world.peers.factory, peerConfig: {}, local, remote: new RemoteStreams(), stats, screen: new ScreenMedia(), prepared: new PreparedPeer(), camera, shape: { cameraLayers: CAMERA_LAYERS } }),
      resolutionHold: resolutionHoldMachine.provide({ actors: resolutionHoldActors({ camera }) }),
      // Its first read never answers: the watch sets no timer after it, so a run still comes to rest (drain).
      sendLayers: sendLayersMachine.provide({ actors: { ...sendLayersActors({ camera, peerStats: stats, rids: ['high', 'mid', 'low'], channels: new DataChannels() }), readLayers: fromPromise<LayerFigures>(() => new Promise(() => undefined)) } }),
    },
  })
  const toParent: AnyEventObject[] = []
  const parentMachine = setup({ actors: { negotiation: machine } }).createMachine({
    invoke: { id: 'negotiation', src: 'negotiation', input: INPUT },
    on: { '*': { actions: ({ event }) => void toParent.push(event) } },
  })
  const parent = createActor(parentMachine, { clock: world.clock, inspect: coverage.inspector('negotiation') }).start()
  const child = parent.getSnapshot().children.negotiation!
  const snapshot = () => child.getSnapshot() as AnyMachineSnapshot
  /** When each hub offer reached the machine, as a position in the hub's log. */
  const hubOffersAt: number[] = []
  return { world, pc: world.peers.all[0] as FakePeerConnection, parent, child, snapshot, toParent, hubOffersAt }
}

type Run = ReturnType<typeof startRun>

async function waitForCall(calls: PendingCalls, label: string | ((label: string) => boolean)) {
  for (let i = 0; i < 20; i++) {
    const call = calls.find(label)
    if (call) return call
    await flush(1)
  }
  throw new Error(`expected a pending ${String(label)} call`)
}

async function settle(run: Run, label: string, value?: unknown) {
  const calls = label.startsWith('hub.') ? run.world.hub.calls : run.world.peers.calls
  ;(await waitForCall(calls, label)).resolve(value)
  await flush(2)
}

/** The peer connection step in flight fails. */
async function failPeerStep(run: Run) {
  ;(await waitForCall(run.world.peers.calls, (label: string) => label.startsWith('pc.') && label !== 'pc.addIceCandidate')).reject(new Error('failed (fake)'))
  await flush(2)
}

function executors(run: Run) {
  const send = (event: AnyEventObject) => run.child.send(event as never)
  return {
    'negotiation.change': send,
    'hub.offer': (event: AnyEventObject) => {
      run.hubOffersAt.push(run.world.hub.log.length)
      send(event)
    },
    'hub.allowedRenegotiation': send,
    'peer.iceCandidate': (event: AnyEventObject) => run.pc.emitIceCandidate(event.candidate),
    'peer.iceFailed': () => run.pc.setIceConnectionState('failed'),
    'peer.iceConnected': () => run.pc.setIceConnectionState('connected'),
    // DTLS fails on a working ICE path. In `ice.restoring` ICE is failed (above): the session reports
    // nothing and the machine, which takes it only while watching, ignores it; ICE stays as it is there.
    'peer.dtlsFailed': () => {
      if (!run.snapshot().matches({ ice: 'restoring' })) run.pc.iceConnectionState = 'connected'
      run.pc.setConnectionState('failed')
    },
    // The pair in use is gone with the old network; the browser has not said so yet (Chromium: seconds).
    // So the model's `restoring` holds as for a failure: the connection is failed until ICE connects again.
    'network.changed': (event: AnyEventObject) => {
      run.pc.iceConnectionState = 'failed'
      send(event)
    },
    'peer.offer': async () => {
      await settle(run, 'pc.createOffer')
      await settle(run, 'pc.setLocalDescription')
    },
    'peer.answer': async () => {
      await settle(run, 'pc.setRemoteDescription')
      await settle(run, 'pc.createAnswer')
      await settle(run, 'pc.setLocalDescription')
    },
    'peer.answerApplied': () => settle(run, 'pc.setRemoteDescription'),
    'peer.error': () => failPeerStep(run),
    'xstate.done.actor.requestLock': (event: AnyEventObject) => settle(run, 'hub.isAllowNegotiate', { status: event.output ? 200 : 403 }),
    'xstate.error.actor.requestLock': () => settle(run, 'hub.isAllowNegotiate', { status: 503 }),
    'xstate.done.actor.sendOffer': () => settle(run, 'hub.negotiate'),
    'xstate.error.actor.sendOffer': () => settle(run, 'hub.negotiate', { status: 500 }),
    'xstate.done.actor.sendAnswer': () => settle(run, 'hub.negotiate'),
    'xstate.error.actor.sendAnswer': () => settle(run, 'hub.negotiate', { status: 500 }),
    // Armed before the run started (startRun): creating the peer connection is what fails.
    [SESSION_FAILED]: () => flush(2),
    [LOCK_RETRY_EVENT]: () => run.world.clock.advance(LOCK_RETRY_MS),
    [ICE_RECHECK_EVENT]: async () => {
      run.world.clock.advance(ICE_RECHECK_MS)
      await flush(2)
    },
    [ICE_RESTART_TIMEOUT_EVENT]: async () => {
      run.world.clock.advance(ICE_RESTART_TIMEOUT_MS)
      await flush(2)
    },
    [ANSWER_LEAVING_EVENT]: () => run.world.clock.advance(0),
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
    if (run.snapshot().matches({ signaling: { free: 'stable' } })) return
  }
  throw new Error(`negotiation did not come to rest: ${JSON.stringify(run.snapshot().value)}`)
}

/** What the fake hub received keeps the hub's protocol; `atRest`: nothing may be owed any more either. */
function expectHubProtocol(run: Run, atRest: boolean) {
  const snapshot = run.snapshot()
  const failed = snapshot.matches({ signaling: 'failed' })
  const violations = hubProtocolViolations({
    log: run.world.hub.log,
    hubOffersAt: run.hubOffersAt,
    settled: atRest && !failed,
    offerCreationFailed: failed && /^createOffer with the lock held/.test(String(snapshot.context.error)),
  })
  expect(violations, 'the hub protocol').toEqual([])
}

/** The parent heard of every answer: `answering` at each hub offer answered, `answered` once per answer PUT. */
function expectAnswersTold(run: Run) {
  const told = (type: string) => run.toParent.filter((event) => event.type === type).length
  const answersSent = run.world.hub.requests('negotiate').filter((request) => (request.body as { type?: string }).type === 'answer').length
  expect(told('negotiation.answered'), 'answers told to the parent').toBe(answersSent)
  expect(told('negotiation.answering'), 'offers being answered').toBeGreaterThanOrEqual(answersSent)
}

function expectNothingOpen(run: Run) {
  expect(run.world.peers.openCount, 'peer connections').toBe(0)
  expect(run.pc?.listenerCount ?? 0, 'peer connection listeners').toBe(0)
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
      const run = startRun(path)
      await runPath(path, executors(run), (expected) => expectState(run, expected))
      expectHubProtocol(run, false)
      await drain(run)
      expectHubProtocol(run, true)
      expectAnswersTold(run)
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
