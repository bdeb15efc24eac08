// The conference machine's model for conference.model.test.ts: the events it is walked with, the
// constraints that keep the graph the sum of the room's side features, and the edge-covering paths.
// How each event is performed on the fakes, and what is checked after it, stays in the test.
import type { AnyEventObject, AnyMachineSnapshot } from 'xstate'
import { edgeCoveringPaths } from './modelPaths.js'
import { conferenceMachine } from '../machines/conferenceMachine.js'
import { emptySummary } from '../stats/analysis.js'
import { HubError } from '../hubClient.js'

const done = (id: string, output?: unknown) => ({ type: `xstate.done.actor.${id}`, output }) as AnyEventObject
const failure = (id: string) => ({ type: `xstate.error.actor.${id}`, error: new Error(`${id} failed`) }) as AnyEventObject
export const LEAVE_TIMEOUT_EVENT = 'xstate.after.leaveTimeout.conference.leaving'
export const HAND_OVER_TIMEOUT_EVENT = 'xstate.after.leaveTimeout.conference.handingOver'
export const CREATE_ROOM_TIMEOUT_EVENT = 'xstate.after.joinStepTimeout.conference.joining.creatingRoom'
export const REGISTER_TIMEOUT_EVENT = 'xstate.after.joinStepTimeout.conference.joining.registering'
export const KNOCK_TIMEOUT_EVENT = 'xstate.after.joinStepTimeout.conference.joining.knocking.asking'
export const CONNECT_DEADLINE_EVENT = 'xstate.after.connectDeadline.conference.inRoom.connection.connecting'
export const SETTLE_LIMIT_EVENT = 'xstate.after.settleLimit.conference.inRoom.connection.connected.settling'
export const ANSWER_LIMIT_EVENT = 'xstate.after.settleLimit.conference.inRoom.answer.answering'
/** Another tab of the same browser, played by hand on the shared broadcast channel. */
export const OTHER_TAB = 'other-tab'
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
  // The host locked the room: we ask to be let in (the lobby), and a host answers.
  { type: 'xstate.error.actor.registerClient', error: new HubError('room-locked', 'POST register: locked', 403) },
  { type: 'knock.waiting' },
  { type: 'knock.admitted', pass: 'pass-k1' },
  { type: 'knock.refused', reason: 'declined' },
  { type: 'knock.lost', message: 'refused' },
  { type: KNOCK_TIMEOUT_EVENT },
  done('publishMediaState'),
  failure('publishMediaState'),
  done('endRoom'),
  failure('endRoom'),
  done('leaveRoom'),
  failure('leaveRoom'),
  done('releaseSession'),
  { type: LEAVE_TIMEOUT_EVENT },
  { type: 'negotiation.connected' },
  // A hub offer answered: our answer's PUT sent, or not within settleLimit (in `settling` too: its first answer).
  { type: 'negotiation.answering' },
  { type: 'negotiation.answered' },
  { type: SETTLE_LIMIT_EVENT },
  { type: ANSWER_LIMIT_EVENT },
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
  { type: 'user.muteEveryone' },
  { type: 'user.setRoomLocked', locked: true },
  { type: 'user.answerKnock', knockId: 'k1', admit: true },
  { type: 'user.admitEveryone' },
  { type: 'user.grantHost', clientId: 'c2' },
  // A host made us one (Parley's hub) and the host machine claimed the key (hostMachine.test.ts, coHost.test.ts).
  { type: 'host.keyClaimed', key: 'key-granted' },
  { type: 'user.sendChat', text: 'hello', at: 0 },
  { type: 'user.readChat' },
  { type: 'hub.candidate', candidate: REMOTE_CANDIDATE },
  { type: 'hub.allowedRenegotiation' },
  { type: 'hub.tracksAdded', tracks: { mine: { ...BO_TRACK, id: 'mine', track_id: 'mine', client_id: 'client1', client_name: 'Ada' } } },
  { type: 'hub.tracksAvailable', tracks: { [BO_TRACK.track_id]: BO_TRACK } },
  { type: 'hub.metaChanged', key: 'parley.media.c2', value: { audio: false, video: true, name: 'Bo' } },
  // A mark cleared for someone not marked: the edge is walked without copying the graph per mark (roster.test.ts covers the mark).
  { type: 'hub.connectionProblem', clientId: 'c2', problem: false },
  // Likewise a pause lifted that was never set (roster.test.ts and conference.room.test.ts cover the mark).
  { type: 'hub.videoPaused', clientId: 'c2', trackId: 't1', paused: false, reason: 'bandwidth' },
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
  { type: 'user.reopenDevice', kind: 'videoinput' },
  // The choice as the devices child reports it; an unchanged one, so the walk does not copy the whole graph per choice.
  { type: 'devices.selected', selected: {} },
]

const SETTLING_EVENTS = new Set(['negotiation.answering', SETTLE_LIMIT_EVENT, 'negotiation.reconnecting', 'events.reconnecting', 'negotiation.failed', 'user.leave'])
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
export const { paths, stats } = edgeCoveringPaths(conferenceMachine, {
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
    // A hub offer being answered ends (sent, or past the limit) before anything else, or the person leaves; our first
    // answer still due (`settling`) likewise, or the connection drops: the room's features are walked once settled.
    const settling = snapshot.matches({ inRoom: { connection: { connected: 'settling' } } })
    // (The two limits are one delay: each is fired alone, so the answer's only outside `settling`.)
    if (snapshot.matches({ inRoom: { answer: 'answering' } })) return event.type === 'negotiation.answered' || (event.type === ANSWER_LIMIT_EVENT && !settling) || event.type === 'user.leave'
    if (settling) return SETTLING_EVENTS.has(event.type)
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
      // A hub offer to answer once connected (settling or not), the rest at rest; its answer sent only after it.
      case 'negotiation.answering':
        return snapshot.matches({ inRoom: { connection: 'connected', answer: 'idle' } }) && (Object.keys(atRest) as Feature[]).every((feature) => atRest[feature](c))
      case 'negotiation.answered':
        return snapshot.matches({ inRoom: { answer: 'answering' } })
      // Device choice is handled the same in every state (devices.model.test.ts covers the child): once, before anything.
      case 'user.selectDevice':
      case 'user.reopenDevice':
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
      // The knock stream's events come only while we knock (elsewhere no stream is open to carry them).
      case 'knock.waiting':
      case 'knock.admitted':
      case 'knock.refused':
      case 'knock.lost':
        return snapshot.matches({ joining: 'knocking' })
      // Once (the model's rooms are ours, so we hold the creator's key: the claimed one replaces it, as it would a missing one).
      case 'host.keyClaimed':
        return c.host.key !== 'key-granted'
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

