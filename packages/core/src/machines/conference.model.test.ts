// Model-based test of the conference machine: xstate/graph paths drive createConference's REAL
// machines (conference + its negotiation and events children) through fake ports. Every join step
// and hub request the model sees is held by the fakes until its step; the children's notifications
// are produced by the fakes (ICE state, SSE errors, a 404 from the hub). After every path the user
// leaves (or the conference has ended) and nothing may be left open.
import { afterAll, describe, expect, it } from 'vitest'
import type { AnyEventObject, AnyMachineSnapshot } from 'xstate'
import { createConference } from '../conference.js'
import { CoverageRecorder } from '../test-support/coverage.js'
import { hubProtocolViolations } from '../test-support/hubProtocol.js'
import { runPath } from '../test-support/modelPaths.js'
import { FAKE_HUB_URL, FakeMediaStream, FakeMediaStreamTrack, FakeTabChannels, createFakeWorld, flush, type FakePeerConnection, type PendingCalls } from '../test-support/index.js'
import { conferenceMachine, CONNECT_DEADLINE_MS, JOIN_STEP_TIMEOUT_MS, LEAVE_TIMEOUT_MS, SETTLE_LIMIT_MS } from './conferenceMachine.js'
import { TAB_CHANNEL_NAME, type TabMessage } from './tabsActors.js'
import { TAB_QUERY_WINDOW_MS } from './tabsMachine.js'
import { RECONNECT_DEADLINE_MS } from './reconnectMachine.js'
import type { emptySummary } from '../stats/analysis.js'
import { ANSWER_LIMIT_EVENT, CONNECT_DEADLINE_EVENT, CREATE_ROOM_TIMEOUT_EVENT, SETTLE_LIMIT_EVENT, HAND_OVER_TIMEOUT_EVENT, KNOCK_TIMEOUT_EVENT, LEAVE_TIMEOUT_EVENT, OTHER_TAB, REGISTER_TIMEOUT_EVENT, paths, stats } from '../test-support/conferenceModel.js'

const coverage = new CoverageRecorder()

function startRun() {
  const world = createFakeWorld()
  world.hub.calls.gate('hub.createRoom', 'hub.getRoom', 'hub.register', 'hub.setMeta', 'hub.deleteMeta', 'hub.leave', 'hub.endRoom')
  world.devices.calls.gate('getUserMedia')
  // Like real ones, the peer connections gather candidates: they must reach the hub only after our offer.
  world.peers.gatherCandidates = true
  const tabs = new FakeTabChannels()
  const otherTab = tabs.open(TAB_CHANNEL_NAME)
  const conference = createConference({ hub: { baseUrl: FAKE_HUB_URL }, ports: { ...world.ports, tabs: tabs.tab() }, inspect: coverage.inspector('conference') })
  conference.actor.start()
  const snapshot = () => conference.actor.getSnapshot() as unknown as AnyMachineSnapshot
  /** When each hub offer was sent on the events channel, as a position in the hub's log. */
  const hubOffersAt: number[] = []
  return { world, conference, snapshot, pc: () => world.peers.latest() as FakePeerConnection, hubOffersAt, tabs, otherTab }
}

type Run = ReturnType<typeof startRun>

/** The negotiation child has no exchange in flight (a hub offer now is answered at once, not held). */
function negotiationAtRest(run: Run): boolean {
  const negotiation = run.snapshot().children.negotiation?.getSnapshot() as AnyMachineSnapshot | undefined
  return negotiation?.matches({ signaling: { free: 'stable' } }) === true
}

/** Lets the held createAnswer through: the negotiation sends our answer (its PUT is not held). */
async function releaseAnswer(run: Run) {
  run.world.peers.calls.ungate('pc.createAnswer')
  await settle(run, run.world.peers.calls, 'pc.createAnswer')
  await flush(3)
}

/** Settles the newest held call with this label (older ones belong to actors that were stopped). */
async function settle(run: Run, calls: PendingCalls, label: string, value?: unknown) {
  for (let i = 0; i < 20 && !calls.find(label); i++) await flush(1)
  const call = calls.pending.filter((c) => c.label === label).at(-1)
  if (!call) throw new Error(`expected a pending ${label} call in ${JSON.stringify(run.snapshot().value)}`)
  call.resolve(value)
  await flush(2)
}

/** In the room a hand or reaction is written to the room metadata: lets that write (not a media-state one) through. */
async function settlePresenceWrite(run: Run, act: () => void) {
  const writes = () => run.world.hub.calls.pending.filter((c) => c.label === 'hub.setMeta')
  const before = new Set(writes())
  act()
  if (!('inRoom' in (run.snapshot().value as object))) return
  let write = writes().find((c) => !before.has(c))
  for (let i = 0; i < 20 && !write; i++) {
    await flush(1)
    write = writes().find((c) => !before.has(c))
  }
  if (!write) throw new Error('expected a presence write to the room metadata')
  write.resolve()
  await flush(2)
}

/** Lets the reconnect run: held hub calls answered (a reopen with 503 when `failRoom`), its back-off run, until `until()`. */
async function driveReconnect(run: Run, { failRoom, until }: { failRoom: boolean; until: () => boolean }) {
  for (let i = 0; i < 30 && !until(); i++) {
    await flush(1)
    const held = run.world.hub.calls.pending.at(0)
    if (held) held.resolve(failRoom && held.label === 'hub.getRoom' ? { status: 503 } : undefined)
    else run.world.clock.runNext()
    await flush(2)
  }
  expect(until(), `reconnect did not get there from ${JSON.stringify(run.snapshot().value)}`).toBe(true)
}

/** Rejects device requests until the acquisition gives up (it retries each device alone). */
async function failDevices(run: Run) {
  run.world.devices.failures = { audio: 'NotAllowedError', video: 'NotAllowedError' }
  for (let i = 0; i < 5; i++) {
    await flush(1)
    const call = run.world.devices.calls.pending.filter((c) => c.label === 'getUserMedia').at(-1)
    if (!call) break
    call.resolve()
    await flush(2)
  }
  run.world.devices.failures = {}
}

function executors(run: Run): Record<string, (event: AnyEventObject) => unknown> {
  const hub = run.world.hub.calls
  /** The events stream the hub would write to now (a pending reconnect is let through first). */
  const sse = () => {
    if (run.world.eventSources.latest().closed) run.world.clock.runNext()
    return run.world.eventSources.latest()
  }
  let remote: { track: FakeMediaStreamTrack; stream: FakeMediaStream } | undefined
  const clientId = () => run.conference.actor.getSnapshot().context.clientId ?? ''
  return {
    // The warm-up that follows the preview holds at its offer until the model's step (warmup.offerSet).
    'user.preview': (event) => {
      run.world.peers.calls.gate('pc.createOffer')
      run.conference.preview(event.media)
    },
    'warmup.offerSet': async () => {
      run.world.peers.calls.ungate('pc.createOffer')
      await settle(run, run.world.peers.calls, 'pc.createOffer')
    },
    'warmup.failed': async () => {
      run.world.peers.calls.ungate('pc.createOffer')
      run.pc().failNext('createOffer')
      await settle(run, run.world.peers.calls, 'pc.createOffer')
    },
    // The end-of-candidates event (the fake gathered its one host candidate when the offer was set).
    'warmup.gathered': async () => {
      run.pc().dispatch('icecandidate', { candidate: null })
      await flush(1)
    },
    // A join before the warm-up began (the preview's media still being acquired): nothing is held for it.
    'user.join': (event) => {
      run.world.peers.calls.ungate('pc.createOffer')
      run.conference.join(event.params)
    },
    'user.leave': () => run.conference.leave(),
    // In the pre-join the new warm-up holds at its offer again, as after the preview (in a call the restart's offer goes on).
    'network.changed': async () => {
      if (run.snapshot().matches('previewing')) run.world.peers.calls.gate('pc.createOffer')
      run.world.network.change()
      await flush(2)
    },
    'user.endRoom': () => run.conference.endRoom(),
    'user.retry': () => run.conference.retry(),
    'user.setMicrophone': (event) => run.conference.setMicrophone(event.enabled),
    'xstate.done.actor.acquireLocalMedia': () => settle(run, run.world.devices.calls, 'getUserMedia'),
    'xstate.error.actor.acquireLocalMedia': () => failDevices(run),
    // A first join creates the room; a retry after a failed reconnect registers in it by id, then looks it up.
    'xstate.done.actor.createRoom': () => settle(run, hub, 'hub.createRoom'),
    'xstate.error.actor.createRoom': () => settle(run, hub, 'hub.createRoom', { status: 503 }),
    'xstate.done.actor.lookUpRoom': () => settle(run, hub, 'hub.getRoom'),
    'xstate.error.actor.lookUpRoom': () => settle(run, hub, 'hub.getRoom', { status: 503 }),
    'xstate.done.actor.registerClient': () => settle(run, hub, 'hub.register'),
    'xstate.error.actor.registerClient': (event) =>
      settle(run, hub, 'hub.register', (event.error as { kind?: string }).kind === 'room-locked' ? { status: 403, data: { reason: 'room_locked' } } : { status: 404 }),
    // The knock stream (the newest EventSource while we knock): the hub's words, or its refusal.
    'knock.waiting': async () => {
      run.world.eventSources.latest().open()
      run.world.eventSources.latest().emit('parley_knock_waiting', { knock_id: 'k1' })
      await flush(1)
    },
    'knock.admitted': async (event) => {
      run.world.eventSources.latest().emit('parley_knock_answer', { admitted: true, pass: event.pass })
      await flush(1)
    },
    'knock.refused': async (event) => {
      run.world.eventSources.latest().emit('parley_knock_answer', { admitted: false, reason: event.reason })
      await flush(2)
    },
    'knock.lost': async () => {
      run.world.eventSources.latest().refuse()
      await flush(2)
    },
    [KNOCK_TIMEOUT_EVENT]: async () => {
      expect(run.world.clock.fireScheduled(JOIN_STEP_TIMEOUT_MS)).toBe(true)
      await flush(3)
    },
    'xstate.done.actor.publishMediaState': () => settle(run, hub, 'hub.setMeta'),
    'xstate.error.actor.publishMediaState': () => settle(run, hub, 'hub.setMeta', { status: 500 }),
    'xstate.done.actor.endRoom': () => settle(run, hub, 'hub.endRoom'),
    'xstate.error.actor.endRoom': () => settle(run, hub, 'hub.endRoom', { status: 500 }),
    'xstate.done.actor.leaveRoom': async () => {
      await settle(run, hub, 'hub.deleteMeta')
      await settle(run, hub, 'hub.leave')
    },
    // In `failed`: the release of the session is the same leave, told once.
    'xstate.done.actor.releaseSession': async () => {
      await settle(run, hub, 'hub.deleteMeta')
      await settle(run, hub, 'hub.leave')
    },
    'xstate.error.actor.leaveRoom': async () => {
      await settle(run, hub, 'hub.deleteMeta')
      await settle(run, hub, 'hub.leave', { status: 500 })
    },
    [LEAVE_TIMEOUT_EVENT]: () => run.world.clock.advance(LEAVE_TIMEOUT_MS),
    [HAND_OVER_TIMEOUT_EVENT]: () => run.world.clock.advance(LEAVE_TIMEOUT_MS),
    // Only the deadline's own timer: the hub request it abandons stays held (and is let through at the end).
    [CREATE_ROOM_TIMEOUT_EVENT]: async () => {
      expect(run.world.clock.fireScheduled(JOIN_STEP_TIMEOUT_MS)).toBe(true)
      await flush(3)
    },
    [REGISTER_TIMEOUT_EVENT]: async () => {
      expect(run.world.clock.fireScheduled(JOIN_STEP_TIMEOUT_MS)).toBe(true)
      await flush(3)
    },
    [CONNECT_DEADLINE_EVENT]: async () => {
      expect(run.world.clock.fireScheduled(CONNECT_DEADLINE_MS)).toBe(true)
      await flush(4)
    },
    // The pre-join asks; nobody answers within the query window.
    'user.watchRoom': async (event) => {
      run.conference.watchRoom(event.roomId)
      await flush(2)
      run.world.clock.advance(TAB_QUERY_WINDOW_MS)
    },
    'tabs.elsewhere': async (event) => {
      run.conference.watchRoom(event.roomId)
      run.otherTab.postMessage({ type: 'claim', roomId: event.roomId, from: OTHER_TAB } satisfies TabMessage)
      await flush(3)
    },
    'tabs.alone': async () => {
      run.otherTab.postMessage({ type: 'gone', roomId: 'room1', from: OTHER_TAB } satisfies TabMessage)
      await flush(3)
    },
    // A join by id asks the other tabs; none is in the room.
    'tabs.claimed': async () => {
      run.world.clock.advance(TAB_QUERY_WINDOW_MS)
      await flush(2)
    },
    'tabs.takenOver': async () => {
      const c = run.snapshot().context
      run.otherTab.postMessage({ type: 'takeOver', roomId: c.room?.id ?? c.joinParams?.roomId ?? '', from: OTHER_TAB } satisfies TabMessage)
      await flush(3)
    },
    'negotiation.connected': () => run.pc().setIceConnectionState('connected'),
    // The hub offers once our own exchange is over; our answer is held at createAnswer until its step.
    'negotiation.answering': async () => {
      for (let i = 0; i < 20 && !negotiationAtRest(run); i++) await flush(1)
      run.world.peers.calls.gate('pc.createAnswer')
      run.hubOffersAt.push(run.world.hub.log.length)
      sse().emit('offer', { type: 'offer', sdp: 'v=0\r\n' })
      await flush(3)
    },
    'negotiation.answered': () => releaseAnswer(run),
    [SETTLE_LIMIT_EVENT]: async () => {
      expect(run.world.clock.fireScheduled(SETTLE_LIMIT_MS)).toBe(true)
      await flush(2)
    },
    // The conference stops waiting; the answer still goes (the conference no longer listens for it).
    [ANSWER_LIMIT_EVENT]: async () => {
      expect(run.world.clock.fireScheduled(SETTLE_LIMIT_MS)).toBe(true)
      await flush(2)
      await releaseAnswer(run)
    },
    'negotiation.reconnecting': async () => {
      run.pc().setIceConnectionState('failed')
      await flush(3)
    },
    'negotiation.failed': async () => {
      run.pc().failNext('setRemoteDescription')
      run.hubOffersAt.push(run.world.hub.log.length)
      sse().emit('offer', { type: 'offer', sdp: 'v=0\r\n' })
      await flush(4)
    },
    'events.reconnecting': async () => {
      sse().fail()
      await flush(3)
    },
    'events.open': async () => {
      // A stream already open is broken first: what opens is the reconnected one.
      const latest = run.world.eventSources.latest()
      if (latest.readyState === 1 && !latest.closed) {
        latest.fail()
        await flush(3)
      }
      if (run.world.eventSources.latest().closed) run.world.clock.runNext()
      run.world.eventSources.latest().open()
      await flush(1)
    },
    'events.closed': async () => {
      run.world.hub.clients.delete(clientId())
      sse().fail()
      await flush(3)
    },
    'hub.left': (event) => sse().emit('left', { reason: event.reason }),
    'events.invalid': (event) =>
      event.event === 'offer' ? sse().emit('offer', { type: 'answer', sdp: 'v=0' }) : sse().emit('meta_changed', 'not json{'),
    // The first attempt fails (the hub answers 503), so a second one starts.
    'reconnect.attempt': () => driveReconnect(run, { failRoom: true, until: () => run.snapshot().context.reconnectAttempt === 2 }),
    'xstate.done.actor.reconnect': async (event) => {
      if ('client' in event.output) return driveReconnect(run, { failRoom: false, until: () => !run.snapshot().matches('reconnecting') })
      // Nothing answers: the reconnect gives up at its deadline.
      run.world.clock.advance(RECONNECT_DEADLINE_MS)
      await flush(3)
    },
    'user.setCamera': (event) => run.conference.setCamera(event.enabled),
    'user.muteParticipant': (event) => run.conference.muteParticipant(event.clientId),
    'user.removeParticipant': (event) => run.conference.removeParticipant(event.clientId),
    'user.muteEveryone': () => run.conference.muteEveryone?.(),
    'user.setRoomLocked': (event) => run.conference.setRoomLocked?.(event.locked),
    'user.answerKnock': (event) => run.conference.answerKnock?.(event.knockId, event.admit),
    'user.admitEveryone': () => run.conference.admitEveryone?.(),
    'user.grantHost': (event) => run.conference.grantHost?.(event.clientId),
    // As the host child sends it once it claimed the key (the model's rooms are ours: its machine already moderates).
    'host.keyClaimed': async (event) => {
      run.conference.actor.send(event as { type: 'host.keyClaimed'; key: string })
      await flush(2)
    },
    'user.sendChat': (event) => run.conference.sendChat(event.text),
    'user.readChat': () => run.conference.readChat(),
    'hub.candidate': (event) => sse().emit('candidate', event.candidate),
    'hub.allowedRenegotiation': () => sse().emit('allowed_renegotation', 'ok'),
    'hub.tracksAdded': (event) => sse().emit('tracks_added', { tracks: event.tracks }),
    'hub.tracksAvailable': (event) => sse().emit('tracks_available', { tracks: event.tracks }),
    'hub.metaChanged': (event) => sse().emit('meta_changed', { [event.key]: event.value }),
    'hub.connectionProblem': (event) => sse().emit('parley_connection', { client_id: event.clientId, problem: event.problem }),
    'hub.videoPaused': (event) => sse().emit('parley_video_paused', { client_id: event.clientId, track_id: event.trackId, paused: event.paused, reason: event.reason }),
    'peer.track': (event) => {
      const track = new FakeMediaStreamTrack(event.kind, event.trackId)
      remote = { track, stream: new FakeMediaStream([track], event.streamId) }
      run.pc().emitTrack(event.kind, remote.stream, track)
    },
    'peer.trackEnded': () => remote?.track.end(),
    // In the room the hand or reaction is written to the room metadata (held like every hub call).
    'user.setHand': (event) => settlePresenceWrite(run, () => run.conference.setHand(event.raised)),
    'user.react': (event) => settlePresenceWrite(run, () => run.conference.react(event.emoji)),
    // The stats child reads getStats, which the fake peer connection lacks: its report is delivered as it would send it.
    'stats.updated': async (event) => {
      run.conference.actor.send(event as { type: "stats.updated"; summary: ReturnType<typeof emptySummary> })
      await flush(1)
    },
    // Before a preview the devices child only remembers the choice, and tells the conference.
    'user.selectDevice': async (event) => {
      run.conference.selectDevice(event.kind, event.deviceId)
      await flush(2)
    },
    // Nothing is open before a preview: the devices child opens nothing.
    'user.reopenDevice': async (event) => {
      run.conference.reopenDevice(event.kind)
      await flush(2)
    },
    'devices.selected': async (event) => {
      run.conference.actor.send(event as { type: 'devices.selected'; selected: Record<string, string> })
      await flush(1)
    },
    'screen.published': async () => {
      run.conference.startScreenShare()
      await flush(2)
    },
    'screen.unpublished': async () => {
      run.conference.stopScreenShare()
      await flush(2)
    },
  }
}

/** What the model predicts exactly: the state, and the shape (not the ids or texts) of the context. */
function comparable(snapshot: AnyMachineSnapshot) {
  const c = snapshot.context
  return {
    value: snapshot.value,
    status: snapshot.status,
    joined: c.clientId !== null,
    room: c.room !== null,
    local: { ...c.local, streamId: c.local.streamId !== undefined },
    error: c.error !== null,
    reconnectAttempt: c.reconnectAttempt,
    staleClient: c.staleClientId !== null,
    negotiationRecoveries: c.negotiationRecoveries,
    endedReason: c.endedReason,
    host: { created: c.host.created, key: c.host.key !== null },
    hasJoinParams: c.joinParams !== null,
    roster: c.roster,
    sharing: c.screenStreamId !== null,
    elsewhere: c.elsewhere !== null,
  }
}

async function expectState(run: Run, expected: AnyMachineSnapshot) {
  const want = comparable(expected)
  for (let i = 0; i < 10 && JSON.stringify(comparable(run.snapshot())) !== JSON.stringify(want); i++) await flush(1)
  expect(comparable(run.snapshot())).toEqual(want)
}

/** The user leaves (unless the conference is already over); every held call is let through. */
async function leaveAndSettle(run: Run) {
  if (run.snapshot().status !== 'done') run.conference.leave()
  for (let i = 0; i < 50 && run.snapshot().status !== 'done'; i++) {
    await flush(1)
    const held = run.world.hub.calls.find() ?? run.world.devices.calls.find()
    if (held) held.resolve()
    else run.world.clock.runNext()
  }
  // Calls still held were abandoned by the machine; let them finish to prove nothing leaks from them.
  for (const call of [...run.world.devices.calls.pending, ...run.world.hub.calls.pending]) call.resolve()
  await flush(3)
  expect(run.snapshot().status).toBe('done')
  expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  // Only the hand-played other tab's channel is still open: ours closed with the conference.
  expect(run.tabs.openCount).toBe(1)
  // The user left: hub offers still owed an answer were dropped with the session.
  expect(hubProtocolViolations({ log: run.world.hub.log, hubOffersAt: run.hubOffersAt, settled: false })).toEqual([])
}

describe('conferenceMachine (model)', () => {
  it('the graph is explored', () => {
    console.log(`conference model: ${stats.states} states, ${stats.edges} edges, ${stats.distinctSteps} distinct steps, ${paths.length} paths run`)
    expect(paths.length).toBeGreaterThan(0)
  })

  for (const path of paths) {
    it(path.description, async () => {
      const run = startRun()
      await runPath(path, executors(run), (expected) => expectState(run, expected))
      await leaveAndSettle(run)
    })
  }

  afterAll(() => {
    const report = coverage.report(conferenceMachine)
    const pct = (n: number, d: number) => ((100 * n) / d).toFixed(1)
    console.log(
      `conference coverage: states ${report.states.visited}/${report.states.total} (${pct(report.states.visited, report.states.total)} %), ` +
        `transitions ${report.transitions.visited}/${report.transitions.total} (${pct(report.transitions.visited, report.transitions.total)} %)`,
    )
    if (report.transitions.missing.length) console.log('conference transitions not driven by the model:', report.transitions.missing)
    expect(report.states.missing).toEqual([])
    expect(report.transitions.missing).toEqual([])
  })
})
