// The whole conference for one user: preview → join → in the room → leave. In the room eight regions
// run side by side: negotiation and events (child machines), connection (the word the UI shows),
// media (publishing our microphone/camera state), host (host controls), participants (the roster), stats (getStats,
// statsMachine.ts) and presence (hands and reactions). `user.leave` is accepted in every state and
// releases everything. Context holds plain data only; the streams and the peer connection live in
// holders the actors close over (conferenceActors.ts, negotiationActors.ts).
import { assign, emit, enqueueActions, not, sendTo, setup } from 'xstate'
import type { TrackInfo } from '@parley/protocol'
import type { ConferenceError, ConferenceFact, EndedReason, JoinParams, LocalMediaState, RoomInfo } from '../api.js'
import { toConferenceError } from '../errors.js'
import type { EventsParentEvent, HubActor, HubEvent } from '../events.js'
import type { RemoteTrackEvent } from '../remoteStreams.js'
import { announce, emptyRoster, mediaStateChanged, trackEnded, trackLive, type Roster } from '../roster.js'
import { participantChanges } from '../view.js'
import type { AcquiredLocalMedia, ConferenceActors, HubRequest } from './conferenceActors.js'
import { eventsMachine } from './eventsMachine.js'
import { chatMachine, type ChatInput } from './chatMachine.js'
import { hostMachine, type HostInput } from './hostMachine.js'
import { negotiationMachine, type NegotiationParentEvent } from './negotiationMachine.js'
import { statsMachine, type StatsParentEvent } from './statsMachine.js'
import { emptySummary, type StatsSummary } from '../stats/analysis.js'
import { emptyPresence, isReaction, ownReaction, presenceChanged, type Presence } from '../presence.js'
import type { PresenceActors, PresenceRequest } from './presenceActors.js'
import { screenShareMachine, type ScreenShareParentEvent } from './screenShareMachine.js'
import { devicesMachine, type DevicesParentEvent } from './devicesMachine.js'
import type { DeviceKind } from '../api.js'
import { notProvided } from './notProvided.js'
import { reconnectMachine, type ReconnectOutput, type ReconnectParentEvent } from './reconnectMachine.js'
import { tabsMachine, type TabsEvent, type TabsParentEvent } from './tabsMachine.js'

export type { EndedReason }

export interface ConferenceContext {
  /** The last join request, kept for `user.retry`. */
  joinParams: JoinParams | null
  /** What the preview asked for, so a join with the same devices reuses the stream. */
  previewMedia: { audio: boolean; video: boolean } | null
  room: RoomInfo | null
  clientId: string | null
  displayName: string | null
  local: LocalMediaState
  /** A device problem that did not stop us (shown on the pre-join screen). */
  mediaError: ConferenceError | null
  /** The other participants (roster.ts). */
  roster: Roster
  error: ConferenceError | null
  endedReason: EndedReason | null
  /** Who ended the room or removed us, when the hub said (Parley's host controls). */
  endedBy: HubActor | null
  /**
   * Whether we created the room `roomId` (then we are its host, also after a Retry or reconnect into
   * it), and the host key Parley's hub gave us for it (null against the hosted hub). The key is a
   * secret: it never goes into a view or a log line.
   */
  host: { created: boolean; key: string | null; roomId?: string }
  /** This session's open created the room (first join, or a reconnect re-created it): its chat channel is ours to create. */
  roomIsNew: boolean
  /** Bumped when the host or chat child changed: the view reads them, so the conference's snapshot moves with them. */
  extrasRevision: number
  /** Leave through `navigator.sendBeacon` (page unload) instead of fetch. */
  leaveViaBeacon: boolean
  /** The stats machine's last results (audio levels, speaking, quality), by receiver track id. */
  stats: StatsSummary
  /** Raised hands and reactions (presence.ts). */
  presence: Presence
  /** Our published screen stream (screenShareMachine), so the hub learns its tracks are `screen`. */
  screenStreamId: string | null
  /** The chosen camera/microphone (the devices child's choice, mirrored so a preview or join opens them). */
  deviceIds: Partial<Record<DeviceKind, string>>
  /** The full reconnect's attempt under way (state `reconnecting`), 0 otherwise. */
  reconnectAttempt: number
  /** While reconnecting: the client of the lost session, released by the reconnect (never used again). */
  staleClientId: string | null
  /**
   * While reconnecting: how the call ends should the reconnect give up, when the hub said why it let
   * us go (`left shutdown`: the server stopped); null when it just went away (then `failed`, Retry).
   */
  reconnectCause: EndedReason | null
  /** Full reconnects after a failed negotiation since media last connected (one is tried, then `failed`). */
  negotiationRecoveries: number
  /** This tab's id among the browser's tabs (tabsMachine.ts); '' where there are no tabs. */
  tabId: string
  /** Another tab of this browser is in the room the pre-join shows (tabsMachine.ts). */
  elsewhere: { roomId: string } | null
}

export interface ConferenceInput {
  /** This tab's id among the browser's tabs (random; createConference makes one where tabs exist). */
  tabId?: string
}

export type ConferenceEvent =
  | { type: 'user.preview'; media: { audio: boolean; video: boolean } }
  | { type: 'user.join'; params: JoinParams }
  | { type: 'user.leave'; viaBeacon?: boolean }
  | { type: 'user.endRoom' }
  | { type: 'user.setMicrophone'; enabled: boolean }
  | { type: 'user.setCamera'; enabled: boolean }
  | { type: 'user.retry' }
  | { type: 'user.setHand'; raised: boolean }
  | { type: 'user.react'; emoji: string }
  | { type: 'user.muteParticipant'; clientId: string }
  | { type: 'user.removeParticipant'; clientId: string }
  | { type: 'user.sendChat'; text: string; at: number }
  | { type: 'user.readChat' }
  | { type: 'extras.changed' }
  /** The pre-join shows this room: is this browser already in it in another tab? */
  | { type: 'user.watchRoom'; roomId: string }
  | { type: 'user.selectDevice'; kind: DeviceKind; deviceId: string }
  | DevicesParentEvent
  | RemoteTrackEvent
  | HubEvent
  | NegotiationParentEvent
  | EventsParentEvent
  | StatsParentEvent
  | ScreenShareParentEvent
  | ReconnectParentEvent
  | TabsParentEvent

export const LEAVE_TIMEOUT_MS = 5000

/** The room session's ids, as the children and the hub requests take them. */
const session = ({ context }: { context: ConferenceContext }) => ({ roomId: context.room?.id ?? '', clientId: context.clientId ?? '' })

/** What the room opened as: its id and name, and whether we created it (with the host key, on Parley's hub). */
export interface OpenedRoom {
  room: RoomInfo
  /** Whether we created the room (`roomId`), so a Retry or reconnect into it keeps us its host. */
  host: { created: boolean; key: string | null; roomId?: string }
}

/** The hub's reason for a `left`, in the core's words. */
function endedReasonOfLeft(reason: HubEvent & { type: 'hub.left' }): EndedReason {
  switch (reason.reason) {
    case 'ended':
      return 'host-ended'
    case 'timeout':
      return 'timeout'
    case 'shutdown':
      return 'server-stopped'
    default:
      return 'removed'
  }
}

export const conferenceMachine = setup({
  types: {
    context: {} as ConferenceContext,
    events: {} as ConferenceEvent,
    emitted: {} as ConferenceFact,
    input: {} as ConferenceInput | undefined,
  },
  actors: {
    acquireLocalMedia: notProvided<ConferenceActors['acquireLocalMedia']>('acquireLocalMedia'),
    applyLocalMedia: notProvided<ConferenceActors['applyLocalMedia']>('applyLocalMedia'),
    openRoom: notProvided<ConferenceActors['openRoom']>('openRoom'),
    registerClient: notProvided<ConferenceActors['registerClient']>('registerClient'),
    watchRemoteTracks: notProvided<ConferenceActors['watchRemoteTracks']>('watchRemoteTracks'),
    hubRequests: notProvided<ConferenceActors['hubRequests']>('hubRequests'),
    publishMediaState: notProvided<ConferenceActors['publishMediaState']>('publishMediaState'),
    endRoom: notProvided<ConferenceActors['endRoom']>('endRoom'),
    leaveRoom: notProvided<ConferenceActors['leaveRoom']>('leaveRoom'),
    releaseOnStop: notProvided<ConferenceActors['releaseOnStop']>('releaseOnStop'),
    presenceRequests: notProvided<PresenceActors['presenceRequests']>('presenceRequests'),
    negotiation: negotiationMachine,
    events: eventsMachine,
    stats: statsMachine,
    host: hostMachine,
    chat: chatMachine,
    screenShare: screenShareMachine,
    reconnect: reconnectMachine,
    tabs: tabsMachine,
    devices: devicesMachine,
  },
  delays: {
    leaveTimeout: LEAVE_TIMEOUT_MS,
  },
  guards: {
    canReusePreview: ({ context }) =>
      context.previewMedia !== null &&
      context.joinParams !== null &&
      context.local.streamId !== undefined &&
      context.previewMedia.audio === context.joinParams.media.audio &&
      context.previewMedia.video === context.joinParams.media.video,
    hasJoinParams: ({ context }) => context.joinParams !== null,
    /** Joining a room by id (an invite, a retry): another tab of ours may be in it. A new room is nobody's. */
    joinsKnownRoom: ({ context }) => Boolean(context.joinParams?.roomId),
    needsLeaveRequest: ({ context }) => context.clientId !== null && context.room !== null,
    // Only the creator is offered End room; against Parley's hub its key also proves it.
    isHost: ({ context }) => context.host.created,
    /** The hub session is gone without our asking: the stream was lost, the hub forgot us or restarts. */
    // shutdown: the hub stops for a restart; events_lost: it no longer holds what we missed; timeout: it dropped us.
    isHubRestart: (_, reason: string | undefined) => reason === 'shutdown' || reason === 'events_lost' || reason === 'timeout',
    /** A hub offer we could not parse leaves the session unable to negotiate: only a new one recovers. */
    isInvalidOffer: (_, event: string) => event === 'offer',
    hasReconnected: (_, output: ReconnectOutput) => 'client' in output,
    reconnectCauseKnown: ({ context }) => context.reconnectCause !== null,
    /** A negotiation that failed (e.g. ICE while the hub was away) gets one fresh session before `failed`. */
    mayRecoverNegotiation: ({ context }) => context.negotiationRecoveries < 1,
  },
  actions: {
    storePreviewRequest: assign({
      previewMedia: (_, media: { audio: boolean; video: boolean }) => media,
      mediaError: null,
    }),
    storeJoinParams: assign({ joinParams: (_, params: JoinParams) => params, error: null }),
    storeLocalMedia: assign(({ context }, acquired: AcquiredLocalMedia) => ({
      local: {
        ...context.local,
        audioAvailable: acquired.audio,
        videoAvailable: acquired.video,
        audioEnabled: acquired.audio && context.local.audioEnabled,
        videoEnabled: acquired.video && context.local.videoEnabled,
        streamId: acquired.streamId ?? undefined,
      },
      mediaError: acquired.error,
    })),
    storeMediaFailure: assign(({ context }, error: ConferenceError) => ({
      local: { ...context.local, audioAvailable: false, videoAvailable: false, audioEnabled: false, videoEnabled: false, streamId: undefined },
      mediaError: error,
    })),
    resetLocalEnabled: assign(({ context }) => ({ local: { ...context.local, audioEnabled: true, videoEnabled: true } })),
    storeRoom: assign({
      room: (_, opened: OpenedRoom) => opened.room,
      roomIsNew: (_, opened: OpenedRoom) => opened.host.created,
      // Back in the room we created (Retry, a full reconnect): still its host, with its key.
      host: ({ context }, opened: OpenedRoom) =>
        !opened.host.created && context.host.created && context.host.roomId === opened.room.id ? context.host : { ...opened.host, roomId: opened.room.id },
    }),
    storeClient: assign({
      clientId: (_, client: { clientId: string; name: string }) => client.clientId,
      displayName: (_, client: { clientId: string; name: string }) => client.name,
    }),
    storeError: assign({ error: (_, params: { error: unknown }) => toConferenceError(params.error) }),
    storeNegotiationError: assign({ error: (_, message: string): ConferenceError => ({ kind: 'negotiation-failed', message }) }),
    storeEndedReason: assign({
      endedReason: (_, ended: { reason: EndedReason; by?: HubActor }) => ended.reason,
      endedBy: (_, ended: { reason: EndedReason; by?: HubActor }) => ended.by ?? null,
    }),
    setMicrophone: assign(({ context }, enabled: boolean) => ({ local: { ...context.local, audioEnabled: enabled && context.local.audioAvailable } })),
    setCamera: assign(({ context }, enabled: boolean) => ({ local: { ...context.local, videoEnabled: enabled && context.local.videoAvailable } })),
    storeLeaveMode: assign({ leaveViaBeacon: (_, viaBeacon: boolean) => viaBeacon }),
    clearSession: assign({ clientId: null, room: null }),
    forgetClient: assign({ clientId: null }),
    clearError: assign({ error: null }),
    // releaseSession stops the local tracks: a retry acquires them again.
    forgetLocalMedia: assign(({ context }) => ({
      local: { ...context.local, streamId: undefined, audioAvailable: false, videoAvailable: false },
      previewMedia: null,
    })),
    /** tracks_added: the hub asks which of our tracks are camera/microphone and which a screen share. */
    sendTrackSources: enqueueActions(({ context, enqueue }, tracks: Record<string, TrackInfo>) => {
      const sources = Object.entries(tracks)
        .filter(([, info]) => info.client_id === context.clientId)
        .map(([trackId, info]) => ({
          track_id: trackId,
          source: info.source === 'screen' || (context.screenStreamId !== null && info.stream_id === context.screenStreamId) ? ('screen' as const) : ('media' as const),
        }))
      if (sources.length > 0) enqueue.sendTo('hubRequests', { type: 'request.setTrackSources', sources } satisfies HubRequest)
    }),
    /** tracks_available: the roster learns the tracks; we subscribe to new ones and fetch their owners' media state. */
    announceTracks: enqueueActions(({ context, enqueue }, tracks: Record<string, TrackInfo>) => {
      const { roster, subscribe, mediaStatesOf } = announce(context.roster, tracks, context.clientId)
      if (subscribe.length > 0) enqueue.sendTo('hubRequests', { type: 'request.subscribe', tracks: subscribe } satisfies HubRequest)
      if (mediaStatesOf.length > 0) enqueue.sendTo('hubRequests', { type: 'request.mediaStates', clientIds: mediaStatesOf } satisfies HubRequest)
      enqueue.assign({ roster })
      for (const change of participantChanges(context.roster, roster)) enqueue.emit(change)
    }),
    /** Every other roster change, and what it means for who is here. */
    updateRoster: enqueueActions(({ context, enqueue }, roster: Roster) => {
      enqueue.assign({ roster })
      for (const change of participantChanges(context.roster, roster)) enqueue.emit(change)
    }),
    clearRoster: assign({ roster: () => emptyRoster() }),
    bumpExtras: assign({ extrasRevision: ({ context }) => context.extrasRevision + 1 }),
    storeStats: assign({ stats: (_, summary: StatsSummary) => summary }),
    clearStats: assign({ stats: () => emptySummary(), presence: () => emptyPresence() }),
    setOwnHand: enqueueActions(({ context, enqueue }, raised: boolean) => {
      enqueue.assign({ presence: { ...context.presence, ownHand: raised } })
      enqueue.sendTo('presenceRequests', { type: 'presence.hand', hand: { raised } } satisfies PresenceRequest)
    }),
    react: enqueueActions(({ context, enqueue }, emoji: string) => {
      if (!isReaction(emoji)) return
      const presence = ownReaction(context.presence, emoji, context.clientId)
      enqueue.assign({ presence })
      if (presence.ownReaction) enqueue.sendTo('presenceRequests', { type: 'presence.reaction', reaction: presence.ownReaction } satisfies PresenceRequest)
    }),
    updatePresence: assign({ presence: (_, presence: Presence) => presence }),
    storeDeviceIds: assign({ deviceIds: (_, selected: Partial<Record<DeviceKind, string>>) => selected }),
    storeScreenStream: assign({ screenStreamId: (_, streamId: string | null) => streamId }),
    reportInvalidEvent: emit((_, invalid: { event: string; error: string }): ConferenceFact => ({ type: 'events.invalid', ...invalid })),
    /**
     * The lost session's client is the reconnect's to release, unless the hub already said it is gone
     * (`left`, or the stream's client check answered 404); Retry after a failed reconnect rejoins this room.
     */
    startReconnect: assign(({ context }, params?: { hubForgotUs: boolean; cause?: EndedReason }) => ({
      reconnectAttempt: 1,
      reconnectCause: params?.cause ?? null,
      staleClientId: params?.hubForgotUs ? null : context.clientId,
      clientId: null,
      joinParams: context.joinParams && context.room ? { ...context.joinParams, roomId: context.room.id } : context.joinParams,
    })),
    /** The tabs machine (tabsMachine.ts): a watched room, a claim before joining, a room held, released. */
    watchRoom: sendTo('tabs', (_, roomId: string): TabsEvent => ({ type: 'tabs.watch', roomId })),
    // Entry runs before the state's `always` passes a new room on: only a known room is claimed.
    claimTab: enqueueActions(({ context, enqueue }) => {
      const roomId = context.joinParams?.roomId
      if (roomId) enqueue.sendTo('tabs', { type: 'tabs.claim', roomId } satisfies TabsEvent)
    }),
    holdTab: sendTo('tabs', ({ context }): TabsEvent => ({ type: 'tabs.hold', roomId: context.room?.id ?? '' })),
    releaseTab: sendTo('tabs', { type: 'tabs.release' } satisfies TabsEvent),
    storeElsewhere: assign({ elsewhere: (_, roomId: string) => ({ roomId }) }),
    clearElsewhere: assign({ elsewhere: null }),
    countNegotiationRecovery: assign({ negotiationRecoveries: ({ context }) => context.negotiationRecoveries + 1 }),
    resetNegotiationRecoveries: assign({ negotiationRecoveries: 0 }),
    storeReconnectAttempt: assign({ reconnectAttempt: (_, attempt: number) => attempt }),
    /** The new hub session: a new client, and a roster the new session announces afresh (the others' ids changed too). */
    storeReconnected: assign(({ context }, output: ReconnectOutput) =>
      'client' in output
        ? { room: output.room, roomIsNew: output.recreatedRoom, clientId: output.client.clientId, displayName: output.client.name, roster: emptyRoster(), reconnectAttempt: 0, staleClientId: null, reconnectCause: null }
        : { reconnectAttempt: context.reconnectAttempt },
    ),
    storeReconnectError: assign({
      error: (_, output: ReconnectOutput) => ('error' in output ? output.error : null),
      reconnectAttempt: 0,
      staleClientId: null,
      reconnectCause: null,
    }),
    /** The reconnect gave up after the hub said it stopped: the call ended for that reason, not by a fault of ours. */
    storeGaveUpAfterStop: assign(({ context }) => ({ endedReason: context.reconnectCause, endedBy: null, reconnectAttempt: 0, staleClientId: null, reconnectCause: null })),
  },
}).createMachine({
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
  ],
  initial: 'idle',
  on: {
    // Valid in every state (the final ones excepted, which have already released everything).
    'user.leave': { target: '.leaving', actions: { type: 'storeLeaveMode', params: ({ event }) => event.viaBeacon ?? false } },
    'user.watchRoom': { actions: { type: 'watchRoom', params: ({ event }) => event.roomId } },
    'tabs.elsewhere': { actions: { type: 'storeElsewhere', params: ({ event }) => event.roomId } },
    'tabs.alone': { actions: 'clearElsewhere' },
    'user.selectDevice': { actions: sendTo('devices', ({ event }) => event) },
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
          invoke: { id: 'applyLocalMedia', src: 'applyLocalMedia', input: ({ context }) => context.local },
          on: {
            'user.setMicrophone': { target: 'ready', reenter: true, actions: { type: 'setMicrophone', params: ({ event }) => event.enabled } },
            'user.setCamera': { target: 'ready', reenter: true, actions: { type: 'setCamera', params: ({ event }) => event.enabled } },
          },
        },
      },
    },
    joining: {
      tags: ['busy'],
      initial: 'claimingTab',
      entry: 'clearElsewhere',
      on: { 'tabs.takenOver': 'handingOver' },
      states: {
        claimingTab: {
          // Another tab of this browser in the room leaves it first (tabsMachine.ts); a new room is nobody's.
          always: { guard: not('joinsKnownRoom'), target: 'openingRoom' },
          entry: 'claimTab',
          on: { 'tabs.claimed': 'openingRoom' },
        },
        openingRoom: {
          // Join the given room, or create one when there is no id.
          invoke: {
            id: 'openRoom',
            src: 'openRoom',
            input: ({ context }) => ({
              ...(context.joinParams?.roomId ? { roomId: context.joinParams.roomId } : {}),
              ...(context.joinParams?.roomName ? { roomName: context.joinParams.roomName } : {}),
            }),
            onDone: { target: 'registering', actions: { type: 'storeRoom', params: ({ event }) => event.output } },
            onError: { target: '#conference.failed', actions: { type: 'storeError', params: ({ event }) => ({ error: event.error }) } },
          },
        },
        registering: {
          // The room is ours to hold among the tabs (one we created had no claim before).
          entry: 'holdTab',
          invoke: {
            id: 'registerClient',
            src: 'registerClient',
            input: ({ context }) => ({ roomId: context.room?.id ?? '', displayName: context.joinParams?.displayName ?? '' }),
            onDone: [
              { guard: 'canReusePreview', target: '#conference.inRoom', actions: { type: 'storeClient', params: ({ event }) => event.output } },
              { target: 'acquiringMedia', actions: { type: 'storeClient', params: ({ event }) => event.output } },
            ],
            onError: { target: '#conference.failed', actions: { type: 'storeError', params: ({ event }) => ({ error: event.error }) } },
          },
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
    inRoom: {
      type: 'parallel',
      exit: 'clearStats',
      on: {
        'user.endRoom': { guard: 'isHost', target: 'endingRoom' },
        'extras.changed': { actions: 'bumpExtras' },
        'tabs.takenOver': 'handingOver',
        'negotiation.failed': [
          { guard: 'mayRecoverNegotiation', target: 'reconnecting', actions: ['countNegotiationRecovery', 'startReconnect'] },
          { target: 'failed', actions: { type: 'storeNegotiationError', params: ({ event }) => event.message } },
        ],
        // Gone without our asking (the stream lost, the hub forgot us, restarts or timed us out): reconnect.
        // (A stream closed by `left` never gets here: the `hub.left` before it already left inRoom.)
        'events.closed': {
          target: 'reconnecting',
          actions: { type: 'startReconnect', params: ({ event }) => ({ hubForgotUs: event.reason === 'client-gone' }) },
        },
        'hub.left': [
          {
            guard: { type: 'isHubRestart', params: ({ event }) => event.reason },
            target: 'reconnecting',
            actions: { type: 'startReconnect', params: ({ event }) => ({ hubForgotUs: true, ...(event.reason === 'shutdown' ? { cause: endedReasonOfLeft(event) } : {}) }) },
          },
          {
            target: 'ended',
            actions: { type: 'storeEndedReason', params: ({ event }) => ({ reason: endedReasonOfLeft(event), ...(event.by ? { by: event.by } : {}) }) },
          },
        ],
        'events.invalid': [
          {
            guard: { type: 'isInvalidOffer', params: ({ event }) => event.event },
            target: 'reconnecting',
            actions: [{ type: 'reportInvalidEvent', params: ({ event }) => event }, 'startReconnect'],
          },
          { actions: { type: 'reportInvalidEvent', params: ({ event }) => event } },
        ],
      },
      states: {
        negotiation: {
          // The hub's signaling events reach it by its systemId (events.ts), not through here.
          invoke: { id: 'negotiation', systemId: 'negotiation', src: 'negotiation', input: session },
        },
        connection: {
          initial: 'connecting',
          states: {
            connecting: { tags: ['busy'], on: { 'negotiation.connected': { target: 'connected', actions: 'resetNegotiationRecoveries' } } },
            connected: {
              on: { 'negotiation.reconnecting': 'reconnecting', 'events.reconnecting': 'reconnecting' },
            },
            reconnecting: {
              tags: ['busy'],
              on: { 'negotiation.connected': { target: 'connected', actions: 'resetNegotiationRecoveries' }, 'events.open': 'connected' },
            },
          },
        },
        events: {
          invoke: { id: 'events', src: 'events', input: session },
        },
        media: {
          // Our microphone/camera state, published as room metadata; a newer toggle restarts the publish.
          // The toggles are handled by the children, so the transition domain is this region: a
          // handler on the region node itself would re-enter the whole parallel inRoom state.
          initial: 'publishing',
          states: {
            publishing: {
              on: {
                'user.setMicrophone': { target: 'publishing', reenter: true, actions: { type: 'setMicrophone', params: ({ event }) => event.enabled } },
                'user.setCamera': { target: 'publishing', reenter: true, actions: { type: 'setCamera', params: ({ event }) => event.enabled } },
              },
              invoke: {
                id: 'publishMediaState',
                src: 'publishMediaState',
                input: ({ context }) => ({ ...session({ context }), local: context.local, name: context.displayName ?? '', host: context.host.created }),
                onDone: 'published',
                onError: 'published',
              },
            },
            published: {
              on: {
                'user.setMicrophone': { target: 'publishing', actions: { type: 'setMicrophone', params: ({ event }) => event.enabled } },
                'user.setCamera': { target: 'publishing', actions: { type: 'setCamera', params: ({ event }) => event.enabled } },
              },
            },
          },
        },
        host: {
          // Host controls (hostMachine.ts): our moderation of others, and the hub's mute requests to us.
          invoke: {
            id: 'host',
            systemId: 'host',
            src: 'host',
            input: ({ context }): HostInput => ({ ...session({ context }), hostKey: context.host.key }),
          },
          on: {
            'user.muteParticipant': { actions: sendTo('host', ({ event }) => event) },
            'user.removeParticipant': { actions: sendTo('host', ({ event }) => event) },
          },
        },
        chat: {
          // The room's chat (chatMachine.ts) over its data channel.
          invoke: {
            id: 'chat',
            systemId: 'chat',
            src: 'chat',
            input: ({ context }): ChatInput => ({ ...session({ context }), name: context.displayName ?? '', roomCreator: context.roomIsNew }),
          },
          on: {
            'user.sendChat': { actions: sendTo('chat', ({ event }) => event) },
            'user.readChat': { actions: sendTo('chat', ({ event }) => event) },
          },
        },
        screenShare: {
          // Our screen share (screenShareMachine.ts); UIs address it by its systemId.
          invoke: { id: 'screenShare', systemId: 'screenShare', src: 'screenShare' },
          // The share stops with the room session (its actor's cleanup stops the capture).
          exit: { type: 'storeScreenStream', params: null },
          on: {
            'screen.published': { actions: { type: 'storeScreenStream', params: ({ event }) => event.streamId } },
            'screen.unpublished': { actions: { type: 'storeScreenStream', params: null } },
          },
        },
        participants: {
          // The roster (roster.ts): the hub's announcements and media states, the tracks as they arrive.
          invoke: [
            { id: 'watchRemoteTracks', src: 'watchRemoteTracks' },
            { id: 'hubRequests', src: 'hubRequests', input: session },
          ],
          on: {
            'hub.tracksAdded': { actions: { type: 'sendTrackSources', params: ({ event }) => event.tracks } },
            'hub.tracksAvailable': { actions: { type: 'announceTracks', params: ({ event }) => event.tracks } },
            'hub.metaChanged': { actions: { type: 'updateRoster', params: ({ context, event }) => mediaStateChanged(context.roster, event, context.clientId) } },
            'peer.track': {
              actions: { type: 'updateRoster', params: ({ context, event }) => trackLive(context.roster, { trackId: event.trackId, streamId: event.streamId, kind: event.kind }) },
            },
            'peer.trackEnded': { actions: { type: 'updateRoster', params: ({ context, event }) => trackEnded(context.roster, event) } },
          },
        },
        stats: {
          // Audio levels, who speaks, quality and paused video from getStats (statsMachine.ts).
          invoke: { id: 'stats', systemId: 'stats', src: 'stats' },
          on: { 'stats.updated': { actions: { type: 'storeStats', params: ({ event }) => event.summary } } },
        },
        presence: {
          // Raised hands and reactions as room metadata (presence.ts); ours are known at once.
          invoke: { id: 'presenceRequests', src: 'presenceRequests', input: session },
          on: {
            'user.setHand': { actions: { type: 'setOwnHand', params: ({ event }) => event.raised } },
            'user.react': { actions: { type: 'react', params: ({ event }) => event.emoji } },
            'hub.metaChanged': { actions: { type: 'updatePresence', params: ({ context, event }) => presenceChanged(context.presence, event, context.clientId) } },
          },
        },
      },
    },
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
        }),
        onDone: [
          { guard: { type: 'hasReconnected', params: ({ event }) => event.output }, target: 'inRoom', actions: { type: 'storeReconnected', params: ({ event }) => event.output } },
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
