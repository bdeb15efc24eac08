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
import { edgeCoveringPaths, runPath } from '../test-support/modelPaths.js'
import { FAKE_HUB_URL, FakeMediaStream, FakeMediaStreamTrack, FakeTabChannels, createFakeWorld, flush, type FakePeerConnection, type PendingCalls } from '../test-support/index.js'
import { conferenceMachine, CONNECT_DEADLINE_MS, JOIN_STEP_TIMEOUT_MS, LEAVE_TIMEOUT_MS } from './conferenceMachine.js'
import { TAB_CHANNEL_NAME, type TabMessage } from './tabsActors.js'
import { TAB_QUERY_WINDOW_MS } from './tabsMachine.js'
import { RECONNECT_DEADLINE_MS } from './reconnectMachine.js'
import { emptySummary } from '../stats/analysis.js'

const done = (id: string, output?: unknown) => ({ type: `xstate.done.actor.${id}`, output }) as AnyEventObject
const failure = (id: string) => ({ type: `xstate.error.actor.${id}`, error: new Error(`${id} failed`) }) as AnyEventObject
const LEAVE_TIMEOUT_EVENT = 'xstate.after.leaveTimeout.conference.leaving'
const HAND_OVER_TIMEOUT_EVENT = 'xstate.after.leaveTimeout.conference.handingOver'
const CREATE_ROOM_TIMEOUT_EVENT = 'xstate.after.joinStepTimeout.conference.joining.creatingRoom'
const REGISTER_TIMEOUT_EVENT = 'xstate.after.joinStepTimeout.conference.joining.registering'
const CONNECT_DEADLINE_EVENT = 'xstate.after.connectDeadline.conference.inRoom.connection.connecting'
/** Another tab of the same browser, played by hand on the shared broadcast channel. */
const OTHER_TAB = 'other-tab'
const MEDIA = { audio: true, video: true }
const BO_TRACK = { id: 't1', track_id: 't1', client_id: 'c2', client_name: 'Bo', stream_id: 's2', kind: 'video' as const, source: 'media' as const }
const REMOTE_CANDIDATE = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' }

const events: AnyEventObject[] = [
  { type: 'user.preview', media: MEDIA },
  { type: 'user.join', params: { displayName: 'Ada', roomName: 'Standup', media: MEDIA } },
  { type: 'user.leave' },
  { type: 'user.endRoom' },
  { type: 'user.retry' },
  { type: 'user.setMicrophone', enabled: false },
  { type: 'user.setMicrophone', enabled: true },
  done('acquireLocalMedia', { streamId: 'local', audio: true, video: true, error: null }),
  failure('acquireLocalMedia'),
  done('createRoom', { room: { id: 'room1', name: 'Standup' }, host: { created: true, key: 'key-room1' } }),
  failure('createRoom'),
  // Joined by id (a Retry after a failed reconnect): the room's details, looked up in the room.
  done('lookUpRoom', { id: 'room1', name: 'Standup', options: {} }),
  failure('lookUpRoom'),
  done('registerClient', { clientId: 'client1', name: 'Ada' }),
  failure('registerClient'),
  done('publishMediaState'),
  failure('publishMediaState'),
  done('endRoom'),
  failure('endRoom'),
  done('leaveRoom'),
  failure('leaveRoom'),
  done('releaseSession'),
  { type: LEAVE_TIMEOUT_EVENT },
  { type: 'negotiation.connected' },
  { type: 'negotiation.reconnecting' },
  { type: 'negotiation.failed', message: 'boom' },
  { type: 'events.reconnecting', attempt: 1, delayMs: 500 },
  { type: 'events.open' },
  { type: 'events.closed', reason: 'client-gone' },
  { type: 'hub.left', reason: 'ended' },
  { type: 'hub.left', reason: 'shutdown' },
  { type: 'events.invalid', event: 'offer', error: 'offer: type: Invalid type' },
  { type: 'events.invalid', event: 'meta_changed', error: 'meta_changed: data is not JSON' },
  { type: 'reconnect.attempt', attempt: 2 },
  done('reconnect', { room: { id: 'room1', name: 'Standup', options: {} }, client: { clientId: 'client2', name: 'Ada' } }),
  done('reconnect', { error: { kind: 'hub-unreachable', message: 'down' } }),
  { type: 'user.setCamera', enabled: false },
  { type: 'user.muteParticipant', clientId: 'c2' },
  { type: 'user.removeParticipant', clientId: 'c2' },
  { type: 'user.sendChat', text: 'hello', at: 0 },
  { type: 'user.readChat' },
  { type: 'hub.candidate', candidate: REMOTE_CANDIDATE },
  { type: 'hub.allowedRenegotiation' },
  { type: 'hub.tracksAdded', tracks: { mine: { ...BO_TRACK, id: 'mine', track_id: 'mine', client_id: 'client1', client_name: 'Ada' } } },
  { type: 'hub.tracksAvailable', tracks: { [BO_TRACK.track_id]: BO_TRACK } },
  { type: 'hub.metaChanged', key: 'parley.media.c2', value: { audio: false, video: true, name: 'Bo' } },
  // A mark cleared for someone not marked: the edge is walked without copying the graph per mark (roster.test.ts covers the mark).
  { type: 'hub.connectionProblem', clientId: 'c2', problem: false },
  { type: 'peer.track', trackId: 'recv-video', streamId: BO_TRACK.stream_id, kind: 'video' },
  { type: 'peer.trackEnded', trackId: 'recv-video', streamId: BO_TRACK.stream_id },
  { type: 'user.setHand', raised: true },
  { type: 'user.react', emoji: '👍' },
  { type: 'screen.published', streamId: 'screen' },
  { type: 'screen.unpublished' },
  { type: 'stats.updated', summary: emptySummary() },
  { type: 'user.watchRoom', roomId: 'room1' },
  { type: 'tabs.elsewhere', roomId: 'room1' },
  { type: 'tabs.alone' },
  { type: 'tabs.claimed' },
  { type: 'tabs.takenOver' },
  { type: HAND_OVER_TIMEOUT_EVENT },
  { type: CREATE_ROOM_TIMEOUT_EVENT },
  { type: REGISTER_TIMEOUT_EVENT },
  { type: CONNECT_DEADLINE_EVENT },
  // The pre-join's warm-up of the room's peer session: its offer set (or failing), its ICE gathered.
  { type: 'warmup.offerSet' },
  { type: 'warmup.gathered' },
  { type: 'warmup.failed', message: 'createOffer failed (fake)' },
  // The device's network changed: the pre-join prepares again, a call restarts ICE (the negotiation's own model covers that).
  { type: 'network.changed' },
  { type: 'user.selectDevice', kind: 'audioinput', deviceId: 'mic2' },
  // The choice as the devices child reports it; an unchanged one, so the walk does not copy the whole graph per choice.
  { type: 'devices.selected', selected: {} },
]

const TOP_LEVEL_PREJOIN = new Set(['idle', 'previewing'])
const topLevel = (value: unknown): string => (typeof value === 'string' ? value : (Object.keys(value as object)[0] ?? ''))

/**
 * The room's side features (our microphone/camera toggles, the remote participant, hands and
 * reactions, our screen share) are independent of each other: each is walked from a room where
 * the others are at rest, so the graph holds their sum, not their product (every mix of toggles ×
 * roster × presence × share was 12 000 room states for the same 251 distinct steps). Each one still
 * meets the join, the reconnect, the leave and the end.
 */
type Feature = 'local' | 'roster' | 'presence' | 'screen'
const FEATURE_OF: Partial<Record<string, Feature>> = {
  'user.setMicrophone': 'local',
  'user.setCamera': 'local',
  'hub.tracksAvailable': 'roster',
  'hub.metaChanged': 'roster',
  'peer.track': 'roster',
  'peer.trackEnded': 'roster',
  'user.setHand': 'presence',
  'user.react': 'presence',
  'screen.published': 'screen',
  'screen.unpublished': 'screen',
}
const atRest: Record<Feature, (c: AnyMachineSnapshot['context']) => boolean> = {
  local: (c) => c.local.audioEnabled && c.local.videoEnabled,
  roster: (c) => Object.keys(c.roster.announced).length + Object.keys(c.roster.live).length + Object.keys(c.roster.mediaStates).length + c.roster.subscribed.length === 0,
  presence: (c) => !c.presence.ownHand && c.presence.ownReaction === null,
  screen: (c) => c.screenStreamId === null,
}
const othersAtRest = (c: AnyMachineSnapshot['context'], feature: Feature) =>
  (Object.keys(atRest) as Feature[]).every((other) => other === feature || atRest[other](c))

// Only the notifications that change the conference's state are modelled; the rest are covered by
// the children's own tests.
const { paths, stats } = edgeCoveringPaths(conferenceMachine, {
  events,
  stopWhen: (snapshot) => snapshot.status !== 'active',
  filterEvents: (snapshot, event) => {
    const c = snapshot.context
    const feature = FEATURE_OF[event.type]
    if (feature && !othersAtRest(c, feature)) return false
    // Joined by id, the room's lookup runs beside everything else: its answer (or failure) comes first
    // here, or every other region's walk would be doubled (lookingUp × known).
    if (snapshot.matches({ inRoom: { room: 'lookingUp' } })) return event.type.endsWith('.actor.lookUpRoom') || event.type === 'user.leave'
    // The warm-up's steps come first (or the person leaves meanwhile): every other pre-join step is walked
    // from where it rests (prepared, or unprepared after a failure), not from each of its steps.
    // (A join during the warm-up takes the session as it is: negotiationActors.test.ts.)
    if (snapshot.matches({ previewing: { ready: { peer: { warming: 'preparing' } } } })) return event.type === 'warmup.offerSet' || event.type === 'warmup.failed' || event.type === 'user.leave'
    if (snapshot.matches({ previewing: { ready: { peer: { warming: 'gathering' } } } })) return event.type === 'warmup.gathered' || event.type === 'user.leave'
    switch (event.type) {
      // A toggle is only interesting once per value.
      case 'user.setMicrophone':
        return c.local.audioEnabled !== (event as unknown as { enabled: boolean }).enabled
      case 'user.setCamera':
        return c.local.videoEnabled
      // Without a hub session the release completes at once, with nothing to drive.
      case 'xstate.done.actor.releaseSession':
        return c.clientId !== null
      // One remote participant, announced once, whose track arrives once and ends once.
      case 'hub.tracksAvailable':
        return Object.keys(c.roster.announced).length === 0 && c.roster.subscribed.length === 0
      case 'hub.metaChanged':
        return Object.keys(c.roster.mediaStates).length === 0
      case 'peer.track':
        return Object.keys(c.roster.live).length === 0
      case 'peer.trackEnded':
        return Object.keys(c.roster.live).length === 1
      // Once each, in the room (elsewhere nothing handles them).
      case 'user.setHand':
        return !c.presence.ownHand
      case 'user.react':
        return c.presence.ownReaction === null
      // Our screen share (its own model covers its states): one share, stopped once.
      case 'screen.published':
        return c.screenStreamId === null
      case 'screen.unpublished':
        return c.screenStreamId !== null
      // A stats reading is stored the same in every room state: once the share is up is enough.
      case 'stats.updated':
        return c.screenStreamId !== null
      // Only the warm-up under way fails (later, a failed device switch; negotiationActors.test.ts).
      case 'warmup.failed':
        return snapshot.matches({ previewing: { ready: { peer: { warming: 'preparing' } } } })
      // Once prepared (the warm-up's steps are walked above), and once in a connected room where the rest is at rest.
      case 'network.changed':
        return (
          snapshot.matches({ previewing: { ready: { peer: { warming: 'prepared' } } } }) ||
          (snapshot.matches({ inRoom: { connection: 'connected' } }) && (Object.keys(atRest) as Feature[]).every((feature) => atRest[feature](c)))
        )
      // Device choice is handled the same in every state (devices.model.test.ts covers the child): once, before anything.
      case 'user.selectDevice':
      case 'devices.selected':
        return snapshot.value === 'idle'
      // One failed attempt shows the count moving; the rest only repeat it.
      case 'reconnect.attempt':
        return c.reconnectAttempt === 1
      // Another tab of this browser: seen from a pre-join (once), or taking over a room we hold.
      case 'user.watchRoom':
      case 'tabs.elsewhere':
        return TOP_LEVEL_PREJOIN.has(topLevel(snapshot.value)) && c.elsewhere === null
      case 'tabs.alone':
        return TOP_LEVEL_PREJOIN.has(topLevel(snapshot.value)) && c.elsewhere !== null
      case 'tabs.claimed':
        return snapshot.matches({ joining: 'claimingTab' })
      // Our tab holds the room once it claimed it (a join by id) or registered in the one it created.
      case 'tabs.takenOver':
        return !snapshot.matches({ joining: 'claimingTab' }) && (c.room !== null || Boolean(c.joinParams?.roomId))

      default:
        return true
    }
  },
})

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
    'xstate.error.actor.registerClient': () => settle(run, hub, 'hub.register', { status: 404 }),
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
    'user.sendChat': (event) => run.conference.sendChat(event.text),
    'user.readChat': () => run.conference.readChat(),
    'hub.candidate': (event) => sse().emit('candidate', event.candidate),
    'hub.allowedRenegotiation': () => sse().emit('allowed_renegotation', 'ok'),
    'hub.tracksAdded': (event) => sse().emit('tracks_added', { tracks: event.tracks }),
    'hub.tracksAvailable': (event) => sse().emit('tracks_available', { tracks: event.tracks }),
    'hub.metaChanged': (event) => sse().emit('meta_changed', { [event.key]: event.value }),
    'hub.connectionProblem': (event) => sse().emit('parley_connection', { client_id: event.clientId, problem: event.problem }),
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
