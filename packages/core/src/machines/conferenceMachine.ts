// The whole conference for one user: preview → join → in the room → leave. In the room eight regions
// run side by side: negotiation and events (child machines), connection (the word the UI shows),
// media (publishing our microphone/camera state), host (host controls), participants (the roster), stats (getStats,
// statsMachine.ts) and presence (hands and reactions). `user.leave` is accepted in every state and
// releases everything. Context holds plain data only; the streams and the peer connection live in
// holders the actors close over (conferenceActors.ts, negotiationActors.ts). The pre-join warms up the
// room's peer session (previewing.ready.peer, preparedPeer.ts), which the room then takes over. The chart is one machine
// in four files: this one (the top level), conferenceInRoom.ts (the in-room regions),
// conferenceSetup.ts (actors, guards, actions by name) and conferenceTypes.ts (context and events).
import { not, sendTo } from 'xstate'
import { toConferenceError } from '../errors.js'
import { emptyRoster } from '../roster.js'
import { emptySummary } from '../stats/analysis.js'
import { emptyPresence } from '../presence.js'
import { conferenceSetup } from './conferenceSetup.js'
import { inRoomState } from './conferenceInRoom.js'
import { JOIN_STEP_TIMEOUT_MS, hostKeyFor, joiningRoomId, passFor } from './conferenceTypes.js'

/** A hub that takes a connection and never answers must not hold the join forever (the request is aborted). */
const joinStepTimedOut = { target: '#conference.failed', actions: { type: 'storeError', params: { error: { kind: 'hub-unreachable', message: `no answer from the hub within ${JOIN_STEP_TIMEOUT_MS} ms` } } } } as const

export { CONNECT_DEADLINE_MS, JOIN_STEP_TIMEOUT_MS, LEAVE_TIMEOUT_MS, SETTLE_LIMIT_MS, type ConferenceContext, type ConferenceEvent, type ConferenceInput, type OpenedRoom } from './conferenceTypes.js'

export const conferenceMachine = conferenceSetup.createMachine({
  id: 'conference',
  context: ({ input }) => ({
    joinParams: null,
    previewMedia: null,
    room: null,
    clientId: null,
    displayName: null,
    local: { audioEnabled: true, videoEnabled: true, audioAvailable: false, videoAvailable: false },
    mediaError: null,
    roster: emptyRoster(),
    error: null,
    endedReason: null,
    endedBy: null,
    host: { created: false, key: null },
    pass: null,
    extrasRevision: 0,
    leaveViaBeacon: false,
    stats: emptySummary(),
    presence: emptyPresence(),
    screenStreamId: null,
    reconnectAttempt: 0,
    staleClientId: null,
    reconnectCause: null,
    roomIsNew: false,
    negotiationRecoveries: 0,
    tabId: input?.tabId ?? '',
    elsewhere: null,
    deviceIds: {},
  }),
  invoke: [
    { id: 'releaseOnStop', src: 'releaseOnStop' },
    // The other tabs of this browser (tabsMachine.ts), for the conference's whole life.
    { id: 'tabs', systemId: 'tabs', src: 'tabs', input: ({ context }) => ({ tabId: context.tabId }) },
    // Device choice (devicesMachine.ts) holds from the pre-join screen through the call.
    { id: 'devices', systemId: 'devices', src: 'devices' },
    // The device's network changes (the pre-join gathers again, a call restarts ICE at once).
    { id: 'network', src: 'watchNetwork' },
    // How large the UI shows each remote video, for the hub (videoSizeMachine.ts); kept across sessions.
    { id: 'videoSize', systemId: 'videoSize', src: 'videoSize' },
  ],
  initial: 'idle',
  on: {
    // Valid in every state (the final ones excepted, which have already released everything).
    'user.leave': { target: '.leaving', actions: { type: 'storeLeaveMode', params: ({ event }) => event.viaBeacon ?? false } },
    'user.watchRoom': { actions: { type: 'watchRoom', params: ({ event }) => event.roomId } },
    'tabs.elsewhere': { actions: { type: 'storeElsewhere', params: ({ event }) => event.roomId } },
    'tabs.alone': { actions: 'clearElsewhere' },
    'user.selectDevice': { actions: sendTo('devices', ({ event }) => event) },
    'user.reopenDevice': { actions: sendTo('devices', ({ event }) => event) },
    'devices.selected': { actions: { type: 'storeDeviceIds', params: ({ event }) => event.selected } },
  },
  states: {
    idle: {
      on: {
        'user.preview': { target: 'previewing', actions: { type: 'storePreviewRequest', params: ({ event }) => event.media } },
        'user.join': { target: 'joining', actions: { type: 'storeJoinParams', params: ({ event }) => event.params } },
      },
    },
    previewing: {
      initial: 'acquiring',
      on: {
        'user.preview': {
          target: '.acquiring',
          reenter: true,
          actions: { type: 'storePreviewRequest', params: ({ event }) => event.media },
        },
        'user.join': { target: 'joining', actions: { type: 'storeJoinParams', params: ({ event }) => event.params } },
      },
      states: {
        acquiring: {
          tags: ['busy'],
          entry: 'resetLocalEnabled',
          invoke: {
            id: 'acquireLocalMedia',
            src: 'acquireLocalMedia',
            input: ({ context }) => ({ ...(context.previewMedia ?? { audio: true, video: true }), deviceIds: context.deviceIds }),
            onDone: { target: 'ready', actions: { type: 'storeLocalMedia', params: ({ event }) => event.output } },
            onError: { target: 'ready', actions: { type: 'storeMediaFailure', params: ({ event }) => toConferenceError(event.error) } },
          },
        },
        ready: {
          type: 'parallel',
          states: {
            media: {
              // The toggles re-enter `applying` only: handled on a region itself, they would re-enter
              // the whole parallel `ready`, and with it the warm-up.
              initial: 'applying',
              states: {
                applying: {
                  invoke: { id: 'applyLocalMedia', src: 'applyLocalMedia', input: ({ context }) => context.local },
                  on: {
                    'user.setMicrophone': { target: 'applying', reenter: true, actions: { type: 'setMicrophone', params: ({ event }) => event.enabled } },
                    'user.setCamera': { target: 'applying', reenter: true, actions: { type: 'setCamera', params: ({ event }) => event.enabled } },
                  },
                },
              },
            },
            peer: {
              // The room's peer session, warmed up while the person looks at the preview (as Meet does):
              // created with these tracks, its offer set, ICE gathered (warmUpActors.ts `warmUp`).
              // Join does not wait for it: from any of these states the room takes what is there
              // (preparedPeer.ts), so only register and the PUT of the offer stay after the click (a first offer needs no lock).
              // Without it (no WebRTC, a failed step) the room builds its own, as it always could.
              // Muting changes no offer; a device switch is put on the sender; new media start again here.
              // After a network change its candidates may name an address that is gone: it starts again
              // (the old one released), so that a long pre-join does not join with stale candidates.
              // (Handled on `warming`, not on the region: there it would re-enter the whole `ready`.)
              initial: 'warming',
              states: {
                warming: {
                  initial: 'preparing',
                  invoke: { id: 'warmUp', systemId: 'peerSession', src: 'warmUp' },
                  on: { 'warmup.failed': '.unprepared', 'network.changed': { target: 'warming', reenter: true } },
                  states: {
                    preparing: { on: { 'warmup.offerSet': 'gathering' } },
                    gathering: { on: { 'warmup.gathered': 'prepared' } },
                    prepared: {},
                    unprepared: {},
                  },
                },
              },
            },
          },
        },
      },
    },
    joining: {
      tags: ['busy'],
      initial: 'choosingRoom',
      entry: 'clearElsewhere',
      on: { 'tabs.takenOver': 'handingOver' },
      states: {
        choosingRoom: {
          // A room id joins that room; none creates one (and makes us its host).
          always: [{ guard: 'joinsKnownRoom', target: 'claimingTab' }, { target: 'creatingRoom' }],
        },
        claimingTab: {
          // Another tab of this browser in the room leaves it first (tabsMachine.ts); a new room is nobody's.
          entry: 'claimTab',
          on: { 'tabs.claimed': 'registering' },
        },
        creatingRoom: {
          // No id: we create the room (and are its host).
          invoke: {
            id: 'createRoom',
            src: 'createRoom',
            input: ({ context }) => ({ roomName: context.joinParams?.roomName ?? '' }),
            onDone: { target: 'registering', actions: { type: 'storeRoom', params: ({ event }) => event.output } },
            onError: { target: '#conference.failed', actions: { type: 'storeError', params: ({ event }) => ({ error: event.error }) } },
          },
          after: { joinStepTimeout: joinStepTimedOut },
        },
        registering: {
          // Joining by id there is no lookup first: register's own answer says what it would (unreachable,
          // room-not-found, or the room is there); the room's details follow in the room (inRoom.room).
          // The room is ours to hold among the tabs (one we created had no claim before).
          entry: 'holdTab',
          invoke: {
            id: 'registerClient',
            src: 'registerClient',
            input: ({ context }) => ({
              roomId: joiningRoomId(context),
              displayName: context.joinParams?.displayName ?? '',
              hostKey: hostKeyFor(context, joiningRoomId(context)),
              pass: passFor(context, joiningRoomId(context)),
            }),
            onDone: [
              // The room we created is known; one joined by id exists now (the invite's name until the hub's).
              { guard: 'roomKnown', target: 'registered', actions: [{ type: 'storeClient', params: ({ event }) => event.output }, 'tellCredentials'] },
              { target: 'registered', actions: [{ type: 'storeClient', params: ({ event }) => event.output }, 'storeInvitedRoom', 'tellCredentials'] },
            ],
            onError: [
              { guard: { type: 'mayKnock', params: ({ event }: { event: { error: unknown } }) => event.error }, target: 'knocking', actions: 'forgetPass' },
              { target: '#conference.failed', actions: { type: 'storeError', params: ({ event }) => ({ error: event.error }) } },
            ],
          },
          after: { joinStepTimeout: joinStepTimedOut },
        },
        knocking: {
          // The host locked the room (Parley's hub): we ask to be let in, for as long as the person waits (the
          // hub ends an unanswered request after a while). Leaving this state withdraws the request (the
          // stream closes). A host's admission brings a room pass, and register with it lets us in.
          initial: 'asking',
          invoke: { id: 'knock', src: 'knock', input: ({ context }) => ({ roomId: joiningRoomId(context), name: context.joinParams?.displayName ?? '' }) },
          on: {
            'knock.admitted': { target: 'registering', actions: { type: 'storePass', params: ({ context, event }) => ({ roomId: joiningRoomId(context), value: event.pass, from: 'knock' as const }) } },
            'knock.refused': { target: '#conference.failed', actions: { type: 'storeKnockRefusal', params: ({ event }) => event.reason } },
            // The hub would not take the request (the room ended, has no lobby, too many wait): locked, as before.
            'knock.lost': { target: '#conference.failed', actions: { type: 'storeKnockLost', params: ({ event }) => event.message } },
          },
          states: {
            asking: {
              on: { 'knock.waiting': 'waiting' },
              after: { joinStepTimeout: joinStepTimedOut },
            },
            // A person decides now: no timeout of ours.
            waiting: {},
          },
        },
        registered: {
          // The preview's camera and microphone go on into the call; without them they are acquired now.
          always: [{ guard: 'canReusePreview', target: '#conference.inRoom' }, { target: 'acquiringMedia' }],
        },
        acquiringMedia: {
          entry: 'resetLocalEnabled',
          invoke: {
            id: 'acquireLocalMedia',
            src: 'acquireLocalMedia',
            input: ({ context }) => ({ ...(context.joinParams?.media ?? { audio: false, video: false }), deviceIds: context.deviceIds }),
            onDone: { target: '#conference.inRoom', actions: { type: 'storeLocalMedia', params: ({ event }) => event.output } },
            onError: {
              target: '#conference.failed',
              actions: [
                { type: 'storeMediaFailure', params: ({ event }) => toConferenceError(event.error) },
                { type: 'storeError', params: ({ event }) => ({ error: event.error }) },
              ],
            },
          },
        },
      },
    },
    inRoom: inRoomState,
    reconnecting: {
      // A full reconnect (reconnectMachine.ts): the roster and local media stay, so the call resumes
      // where it was once the new session is in the room.
      tags: ['busy'],
      invoke: {
        id: 'reconnect',
        src: 'reconnect',
        input: ({ context }) => ({
          room: context.room ?? { id: '', name: '' },
          displayName: context.displayName ?? context.joinParams?.displayName ?? '',
          staleClientId: context.staleClientId,
          hostKey: hostKeyFor(context, context.room?.id ?? ''),
          pass: passFor(context, context.room?.id ?? ''),
        }),
        onDone: [
          {
            guard: { type: 'hasReconnected', params: ({ event }) => event.output },
            target: 'inRoom',
            actions: [{ type: 'storeReconnected', params: ({ event }) => event.output }, 'tellCredentials'],
          },
          // The server stopped and did not come back in time: it ended the call (its wording, Join again).
          { guard: 'reconnectCauseKnown', target: 'ended', actions: 'storeGaveUpAfterStop' },
          { target: 'failed', actions: { type: 'storeReconnectError', params: ({ event }) => event.output } },
        ],
      },
      on: {
        'reconnect.attempt': { actions: { type: 'storeReconnectAttempt', params: ({ event }) => event.attempt } },
        'tabs.takenOver': 'handingOver',
      },
    },
    handingOver: {
      // The person joined this room in another tab of this browser (tabsMachine.ts): we leave it as
      // `leaving` does (the room's children already stopped: camera and peer connection are released),
      // then end with our own reason. The claim is released when the conference ends.
      tags: ['busy'],
      entry: { type: 'storeEndedReason', params: { reason: 'moved-to-another-tab' } },
      // Not registered yet, or between sessions (reconnecting): nothing to tell the hub.
      always: { guard: not('needsLeaveRequest'), target: 'ended' },
      on: { 'user.leave': {} },
      invoke: {
        id: 'leaveRoom',
        src: 'leaveRoom',
        input: ({ context }) => ({ roomId: context.room?.id ?? null, clientId: context.clientId ?? null, viaBeacon: false }),
        onDone: 'ended',
        onError: 'ended',
      },
      after: { leaveTimeout: 'ended' },
    },
    endingRoom: {
      tags: ['busy'],
      invoke: {
        id: 'endRoom',
        src: 'endRoom',
        input: ({ context }) => ({
          roomId: context.room?.id ?? '',
          ...(context.host.key !== null && context.clientId !== null ? { host: { key: context.host.key, clientId: context.clientId } } : {}),
        }),
        // Ended for everyone: the hub already dropped every client, a leave request would only 404.
        onDone: 'roomClosed',
        onError: { target: 'leaving' },
      },
    },
    leaving: {
      tags: ['busy'],
      entry: 'releaseTab',
      // Without a hub session there is nothing to tell the hub; stopping the actor releases local media.
      always: { guard: not('needsLeaveRequest'), target: 'left' },
      // Already leaving: a second request must not restart (and abort) the first.
      on: { 'user.leave': {} },
      invoke: {
        id: 'leaveRoom',
        src: 'leaveRoom',
        input: ({ context }) => ({ roomId: context.room?.id ?? null, clientId: context.clientId ?? null, viaBeacon: context.leaveViaBeacon }),
        onDone: 'left',
        onError: 'left',
      },
      after: { leaveTimeout: 'left' },
    },
    left: { type: 'final' },
    // We ended the room for everyone and the hub accepted: nothing is left to leave on the hub, and
    // stopping the actor releases our side. A UI shows it as `left` with endedReason 'ended-by-me'.
    roomClosed: { type: 'final' },
    ended: {
      // The hub ended our session; leaving tells it nothing new but releases our side.
      type: 'final',
    },
    failed: {
      // Release the session on the hub and our side; the person decides what next.
      entry: ['clearRoster', 'forgetLocalMedia', 'releaseTab'],
      invoke: {
        id: 'releaseSession',
        src: 'leaveRoom',
        input: ({ context }) => ({ roomId: context.room?.id ?? null, clientId: context.clientId ?? null, viaBeacon: false }),
        // Until the hub confirmed, the client stays in context so that a leave from here still
        // reaches it; once it did, a leave has nothing more to tell the hub.
        onDone: { actions: 'forgetClient' },
      },
      on: {
        'user.retry': { guard: 'hasJoinParams', target: 'joining', actions: ['clearSession', 'clearError'] },
        'user.join': { target: 'joining', actions: ['clearSession', { type: 'storeJoinParams', params: ({ event }) => event.params }] },
        'user.preview': { target: 'previewing', actions: ['clearSession', { type: 'storePreviewRequest', params: ({ event }) => event.media }] },
      },
    },
  },
})

export type ConferenceMachine = typeof conferenceMachine

