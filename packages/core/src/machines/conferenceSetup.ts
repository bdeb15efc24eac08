// The conference machine's implementations, by name: its child machines and I/O actors (the latter
// provided by conference.ts), delays, guards and actions. conferenceMachine.ts builds the chart from
// this setup; conferenceInRoom.ts holds the in-room region's state config.
import { assign, emit, enqueueActions, sendTo, setup } from 'xstate'
import type { TrackInfo } from '@parley/protocol'
import type { ConferenceError, ConferenceFact, EndedReason, JoinParams, RoomInfo } from '../api.js'
import { toConferenceError } from '../errors.js'
import type { HubActor } from '../events.js'
import { announce, emptyRoster, type Roster } from '../roster.js'
import { participantChanges } from '../view.js'
import type { AcquiredLocalMedia, ConferenceActors, HubRequest } from './conferenceActors.js'
import { eventsMachine } from './eventsMachine.js'
import { chatMachine } from './chatMachine.js'
import { hostMachine } from './hostMachine.js'
import { negotiationMachine } from './negotiationMachine.js'
import { statsMachine } from './statsMachine.js'
import { emptySummary, type StatsSummary } from '../stats/analysis.js'
import { emptyPresence, isReaction, ownReaction, type Presence } from '../presence.js'
import type { PresenceActors, PresenceRequest } from './presenceActors.js'
import type { WarmUpActors } from './warmUpActors.js'
import type { LobbyActors } from './lobbyActors.js'
import type { KnockRefusal } from '@parley/protocol'
import { HubError } from '../hubClient.js'
import type { RegisteredAs } from './conferenceActors.js'
import { screenShareMachine } from './screenShareMachine.js'
import { devicesMachine } from './devicesMachine.js'
import { videoSizeMachine, type VideoSizeEvent } from './videoSizeMachine.js'
import type { DeviceKind } from '../api.js'
import { notProvided } from './notProvided.js'
import { reconnectMachine, type ReconnectOutput } from './reconnectMachine.js'
import { tabsMachine, type TabsEvent } from './tabsMachine.js'
import { type ConferenceContext, type ConferenceEvent, type ConferenceInput, type OpenedRoom, type RoomPass, CONNECT_DEADLINE_MS, JOIN_STEP_TIMEOUT_MS, LEAVE_TIMEOUT_MS, SETTLE_LIMIT_MS, hostKeyFor, joiningRoomId, passFor } from './conferenceTypes.js'

/** The room we are in now, and whether we are its host. */
function roomOpened(context: ConferenceContext, opened: OpenedRoom): Pick<ConferenceContext, 'room' | 'roomIsNew' | 'host'> {
  return {
    room: opened.room,
    roomIsNew: opened.host.created,
    // Back in the room we created (Retry, a full reconnect): still its host, with its key.
    host: !opened.host.created && context.host.created && context.host.roomId === opened.room.id ? context.host : { ...opened.host, roomId: opened.room.id },
  }
}

/**
 * A roster change, and what it means for who is here; the video sizes hear which tracks are announced
 * whenever that may have changed (videoSizeMachine.ts keeps only theirs). Not told of a reset's empty
 * roster (a reconnect, `failed`): the sizes outlive a session, and the next one's announcement tells.
 */
function rosterChanged(enqueue: { assign(values: { roster: Roster }): void; emit(fact: ConferenceFact): void; sendTo(to: 'videoSize', event: VideoSizeEvent): void }, before: Roster, roster: Roster) {
  enqueue.assign({ roster })
  for (const change of participantChanges(before, roster)) enqueue.emit(change)
  if (roster.announced !== before.announced) {
    const tracks = Object.values(roster.announced)
    enqueue.sendTo('videoSize', { type: 'tracks.announced', trackIds: tracks.map((t) => t.trackId), screenTrackIds: tracks.filter((t) => t.source === 'screen').map((t) => t.trackId) })
  }
}

export const conferenceSetup = setup({
  types: {} as { context: ConferenceContext; events: ConferenceEvent; emitted: ConferenceFact; input: ConferenceInput | undefined },
  actors: {
    acquireLocalMedia: notProvided<ConferenceActors['acquireLocalMedia']>('acquireLocalMedia'),
    applyLocalMedia: notProvided<ConferenceActors['applyLocalMedia']>('applyLocalMedia'),
    createRoom: notProvided<ConferenceActors['createRoom']>('createRoom'),
    lookUpRoom: notProvided<ConferenceActors['lookUpRoom']>('lookUpRoom'),
    registerClient: notProvided<ConferenceActors['registerClient']>('registerClient'),
    watchRemoteTracks: notProvided<ConferenceActors['watchRemoteTracks']>('watchRemoteTracks'),
    hubRequests: notProvided<ConferenceActors['hubRequests']>('hubRequests'),
    publishMediaState: notProvided<ConferenceActors['publishMediaState']>('publishMediaState'),
    endRoom: notProvided<ConferenceActors['endRoom']>('endRoom'),
    leaveRoom: notProvided<ConferenceActors['leaveRoom']>('leaveRoom'),
    releaseOnStop: notProvided<ConferenceActors['releaseOnStop']>('releaseOnStop'),
    watchNetwork: notProvided<ConferenceActors['watchNetwork']>('watchNetwork'),
    presenceRequests: notProvided<PresenceActors['presenceRequests']>('presenceRequests'),
    warmUp: notProvided<WarmUpActors['warmUp']>('warmUp'),
    knock: notProvided<LobbyActors['knock']>('knock'),
    negotiation: negotiationMachine,
    events: eventsMachine,
    stats: statsMachine,
    host: hostMachine,
    chat: chatMachine,
    screenShare: screenShareMachine,
    reconnect: reconnectMachine,
    tabs: tabsMachine,
    devices: devicesMachine,
    videoSize: videoSizeMachine,
  },
  delays: {
    leaveTimeout: LEAVE_TIMEOUT_MS,
    joinStepTimeout: JOIN_STEP_TIMEOUT_MS,
    connectDeadline: CONNECT_DEADLINE_MS,
    settleLimit: SETTLE_LIMIT_MS,
  },
  guards: {
    canReusePreview: ({ context }) =>
      context.previewMedia !== null &&
      context.joinParams !== null &&
      context.local.streamId !== undefined &&
      context.previewMedia.audio === context.joinParams.media.audio &&
      context.previewMedia.video === context.joinParams.media.video,
    hasJoinParams: ({ context }) => context.joinParams !== null,
    /** The room we created (or opened) before registering; joined by id, only the invite names it. */
    roomKnown: ({ context }) => context.room !== null,
    /** Joining a room by id (an invite, a retry): another tab of ours may be in it. A new room is nobody's. */
    joinsKnownRoom: ({ context }) => Boolean(context.joinParams?.roomId),
    /** Created by us, or brought back by a reconnect: the room's name and options are already known. */
    roomDetailsKnown: ({ context }) => context.roomIsNew || context.room?.options !== undefined,
    /**
     * The hub offers only to deliver others' tracks (our first offer already carries m=application for every
     * data channel): none is due in a room we just created, nor when the answer to our own offer already
     * brought the others' media (the hub's receive slots, peerSession.ts).
     */
    noOfferDue: ({ context }) => context.roomIsNew || Object.keys(context.roster.live).length > 0,
    needsLeaveRequest: ({ context }) => context.clientId !== null && context.room !== null,
    /**
     * The host locked the room (Parley's hub): we ask to be let in, unless a host's admission just let us in and
     * register still refused it (asking again would go round in a circle).
     */
    mayKnock: ({ context }, error: unknown) =>
      error instanceof HubError && error.kind === 'room-locked' && !(context.pass?.from === 'knock' && context.pass.roomId === joiningRoomId(context)),
    // The creator, or a host Parley's hub made one (its key): End room is theirs; against Parley's hub the key proves it.
    isHost: ({ context }) => context.host.created || context.host.key !== null,
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
    /**
     * What an earlier load of the page kept for this room (`room.credentials`): its host key makes us its host
     * again, its pass lets us in while it is locked.
     */
    storeJoinParams: assign((_, params: JoinParams) => {
      const { roomId, credentials } = params
      return {
        joinParams: params,
        error: null,
        ...(roomId && credentials?.pass ? { pass: { roomId, value: credentials.pass, from: 'saved' as const } } : {}),
        ...(roomId && credentials?.hostKey ? { host: { created: true, key: credentials.hostKey, roomId } } : {}),
      }
    }),
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
    storeRoom: assign(({ context }, opened: OpenedRoom) => roomOpened(context, opened)),
    /** Registered in the room asked for by id: it exists. Its name is the invite's until the hub's arrives. */
    storeInvitedRoom: assign(({ context }) =>
      roomOpened(context, { room: { id: joiningRoomId(context), name: context.joinParams?.roomName ?? '' }, host: { created: false, key: null } }),
    ),
    /** The hub's word on the room we joined by id (its name, its options for a reconnect that must re-create it). */
    storeRoomDetails: assign({
      room: ({ context }, details: RoomInfo) =>
        context.room && context.room.id === details.id ? { ...context.room, name: details.name || context.room.name, ...(details.options ? { options: details.options } : {}) } : context.room,
    }),
    storeClient: assign(({ context }, client: RegisteredAs) => ({
      clientId: client.clientId,
      displayName: client.name,
      ...(client.pass ? { pass: { roomId: joiningRoomId(context), value: client.pass, from: 'register' as const } } : {}),
    })),
    storePass: assign({ pass: (_, pass: RoomPass) => pass }),
    /** A host made us one (co-host): the room's key is ours, and with it everything the creator may do. */
    storeGrantedHostKey: assign(({ context }, key: string) => ({ host: { ...context.host, key, roomId: context.room?.id ?? '' } })),
    /** A pass register refused (revoked: the host removed us): asking to be let in is what is left. */
    forgetPass: assign({ pass: null }),
    storeKnockRefusal: assign({
      error: (_, reason: KnockRefusal): ConferenceError =>
        reason === 'declined'
          ? { kind: 'knock-declined', message: 'the host did not let us in' }
          : reason === 'expired'
            ? { kind: 'knock-expired', message: 'nobody let us in before the request expired' }
            : { kind: 'room-not-found', message: 'the room ended while we waited to be let in' },
    }),
    storeKnockLost: assign({ error: (_, message: string): ConferenceError => ({ kind: 'room-locked', message }) }),
    /** What gets us back into this room should the page load again (the app keeps it for the tab). */
    tellCredentials: enqueueActions(({ context, enqueue }) => {
      const roomId = context.room?.id ?? ''
      const hostKey = hostKeyFor(context, roomId)
      const pass = passFor(context, roomId)
      if (hostKey || pass) enqueue.emit({ type: 'room.credentials', roomId, credentials: { ...(hostKey ? { hostKey } : {}), ...(pass ? { pass } : {}) } })
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
      rosterChanged(enqueue, context.roster, roster)
    }),
    /** Every other roster change. */
    updateRoster: enqueueActions(({ context, enqueue }, roster: Roster) => rosterChanged(enqueue, context.roster, roster)),
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
    // Only entered with a room id (`joinsKnownRoom`).
    claimTab: sendTo('tabs', ({ context }): TabsEvent => ({ type: 'tabs.claim', roomId: context.joinParams?.roomId ?? '' })),
    holdTab: sendTo('tabs', ({ context }): TabsEvent => ({ type: 'tabs.hold', roomId: joiningRoomId(context) })),
    releaseTab: sendTo('tabs', { type: 'tabs.release' } satisfies TabsEvent),
    storeElsewhere: assign({ elsewhere: (_, roomId: string) => ({ roomId }) }),
    clearElsewhere: assign({ elsewhere: null }),
    countNegotiationRecovery: assign({ negotiationRecoveries: ({ context }) => context.negotiationRecoveries + 1 }),
    resetNegotiationRecoveries: assign({ negotiationRecoveries: 0 }),
    storeReconnectAttempt: assign({ reconnectAttempt: (_, attempt: number) => attempt }),
    /** The new hub session: a new client, and a roster the new session announces afresh (the others' ids changed too). */
    storeReconnected: assign(({ context }, output: ReconnectOutput) =>
      'client' in output
        ? {
            room: output.room,
            roomIsNew: output.recreatedRoom,
            clientId: output.client.clientId,
            displayName: output.client.name,
            roster: emptyRoster(),
            reconnectAttempt: 0,
            staleClientId: null,
            reconnectCause: null,
            ...(output.client.pass ? { pass: { roomId: output.room.id, value: output.client.pass, from: 'register' as const } } : {}),
          }
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
})
