// The whole conference for one user: preview → join → in the room (negotiation, events channel,
// media state, participants as parallel regions) → leave. `user.leave` is accepted in every state
// and releases everything. Context holds plain data only; the peer connection and MediaStreams
// live in the MediaRegistry the actor implementations close over.
import { assign, fromCallback, fromPromise, not, sendTo, setup } from 'xstate'
import { clientIdOfMediaStateKey, mediaStateMetaKey, MediaStateSchema, type MediaState, type TrackInfo, type TrackSource } from '@parley/protocol'
import * as v from 'valibot'
import type { ConferenceError, EndedReason, JoinParams, LocalMediaState, RoomInfo } from '../api.js'
import { errorText, HubError, type HubClient } from '../hubClient.js'
import { acquireMedia } from '../media.js'
import type { MediaRegistry } from '../registry.js'
import type { BeaconLike, MediaDevicesLike, MediaStreamLike, MediaStreamTrackLike, PeerConnectionConfig, PeerConnectionFactory, TrackEventLike } from '../ports.js'
import type { EventsParentEvent, HubEvent } from '../events.js'
import { negotiationMachine, type NegotiationParentEvent } from './negotiationMachine.js'
import { eventsMachine } from './eventsMachine.js'
import { notProvided } from './notProvided.js'

/** A track the hub announced (tracks_available), keyed by the hub's track id. */
export interface AnnouncedTrack {
  trackId: string
  clientId: string
  clientName: string
  streamId: string
  kind: 'audio' | 'video'
  source: TrackSource | 'unknown'
}

/** A track the peer connection delivered, keyed by the receiver's track id. */
export interface LiveTrack {
  trackId: string
  streamId: string
  kind: 'audio' | 'video'
}

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
  announcedTracks: Record<string, AnnouncedTrack>
  liveTracks: Record<string, LiveTrack>
  subscribedTrackIds: string[]
  /** Each participant's published microphone/camera state, by client id. */
  mediaStates: Record<string, MediaState>
  /**
   * Participants known to have left (their media-state key was deleted) and the streams they
   * published. The hub ends those tracks a little later; until then they must not show as an
   * unnamed participant. A stream id is forgotten once its tracks ended.
   */
  departedClientIds: string[]
  departedStreamIds: string[]
  error: ConferenceError | null
  endedReason: EndedReason | null
  /** Leave through `navigator.sendBeacon` (page unload) instead of fetch. */
  leaveViaBeacon: boolean
}

export type ConferenceEvent =
  | { type: 'user.preview'; media: { audio: boolean; video: boolean } }
  | { type: 'user.join'; params: JoinParams }
  | { type: 'user.leave'; viaBeacon?: boolean }
  | { type: 'user.endRoom' }
  | { type: 'user.setMicrophone'; enabled: boolean }
  | { type: 'user.setCamera'; enabled: boolean }
  | { type: 'user.retry' }
  | { type: 'peer.track'; trackId: string; streamId: string; kind: 'audio' | 'video' }
  | { type: 'peer.trackEnded'; trackId: string; streamId: string }
  | HubEvent
  | NegotiationParentEvent
  | EventsParentEvent

/** Commands the participants region hands to the hub request worker. */
export type HubRequest =
  | { type: 'request.setTrackSources'; sources: { track_id: string; source: TrackSource }[] }
  | { type: 'request.subscribe'; tracks: { client_id: string; stream_id: string; track_id: string }[] }
  | { type: 'request.mediaStates'; clientIds: string[] }

export interface ConferenceDeps {
  hub: HubClient
  media: MediaRegistry
  devices: MediaDevicesLike
  peerConnection: PeerConnectionFactory
  peerConfig: PeerConnectionConfig
  beacon?: BeaconLike
}

export interface SessionInput {
  roomId: string | null
  clientId: string | null
}

/**
 * Any failure as a ConferenceError: the `kind` a UI words and acts on, and the technical detail
 * (the UI owns the sentences, so they are not shipped in the core).
 */
export function toConferenceError(error: unknown): ConferenceError {
  if (error instanceof HubError) {
    // A conflict or a rejected request is nothing the person can fix: treated like a failing hub.
    const kind = error.kind === 'conflict' || error.kind === 'bad-request' ? 'hub-unreachable' : error.kind
    return { kind, message: error.message, status: error.status }
  }
  if (isConferenceError(error)) return error
  return { kind: 'hub-unreachable', message: errorText(error) }
}

function isConferenceError(value: unknown): value is ConferenceError {
  return typeof value === 'object' && value !== null && 'kind' in value && 'message' in value && !(value instanceof Error)
}

function setTracksEnabled(tracks: MediaStreamTrackLike[], local: LocalMediaState): void {
  for (const track of tracks) {
    if (track.kind === 'audio') track.enabled = local.audioEnabled
    if (track.kind === 'video') track.enabled = local.videoEnabled
  }
}

/** The real actor implementations for one conference. */
export function conferenceActors(deps: ConferenceDeps) {
  const { hub, media } = deps
  return {
    acquireLocalMedia: fromPromise<{ streamId: string | null; audio: boolean; video: boolean; error: ConferenceError | null }, { audio: boolean; video: boolean }>(
      async ({ input, signal }) => {
        media.releaseLocalStream()
        const acquired = await acquireMedia(deps.devices, input)
        if (signal.aborted) {
          // Nobody waits for these any more (the user left or asked again): the camera must go off.
          for (const track of acquired.stream?.getTracks() ?? []) track.stop()
          throw new Error('Media acquisition was cancelled')
        }
        if (acquired.stream) media.setLocalStream(acquired.stream)
        return { streamId: acquired.stream?.id ?? null, audio: acquired.audio, video: acquired.video, error: acquired.error }
      },
    ),
    applyLocalMedia: fromPromise<void, LocalMediaState>(async ({ input }) => {
      setTracksEnabled(media.localTracks(), input)
    }),
    openRoom: fromPromise<RoomInfo, { roomId?: string; roomName?: string }>(async ({ input, signal }) => {
      const room = input.roomId ? await hub.getRoom(input.roomId, signal) : await hub.createRoom({ name: input.roomName ?? '' }, signal)
      return { id: room.id, name: room.name }
    }),
    registerClient: fromPromise<{ clientId: string; name: string }, { roomId: string; displayName: string }>(async ({ input, signal }) => {
      const client = await hub.register(input.roomId, input.displayName ? { name: input.displayName } : {}, signal)
      return { clientId: client.client_id, name: client.name || input.displayName }
    }),
    /** Owns the peer connection: created on start with the local tracks, closed on cleanup. */
    peerConnection: fromCallback<ConferenceEvent, LocalMediaState>(({ input }) => {
      const pc = deps.peerConnection(deps.peerConfig)
      media.setPeer(pc)
      const stream = media.getLocalStream()
      const tracks = media.localTracks()
      setTracksEnabled(tracks, input)
      for (const track of tracks) pc.addTransceiver(track, { direction: 'sendonly', ...(stream ? { streams: [stream] } : {}) })
      // A client without devices still offers m-lines, or it would have nothing to receive on.
      if (!tracks.some((t) => t.kind === 'audio')) pc.addTransceiver('audio', { direction: 'recvonly' })
      if (!tracks.some((t) => t.kind === 'video')) pc.addTransceiver('video', { direction: 'recvonly' })
      return () => media.closePeer()
    }),
    /** The peer connection's `track` events, and the end of each track, as machine events. */
    watchRemoteTracks: fromCallback<ConferenceEvent>(({ sendBack }) => {
      // No peer connection: its creation failed and inRoom is being left for `failed`.
      const pc = media.currentPeer()
      if (!pc) return undefined
      const cleanups = new Set<() => void>()
      const onTrack = (event: TrackEventLike) => {
        const stream: MediaStreamLike | undefined = event.streams[0]
        const track = event.track
        const kind = track.kind === 'audio' ? 'audio' : 'video'
        if (!stream) return
        media.setRemoteStream(stream)
        let done = false
        const ended = () => {
          if (done) return
          done = true
          cleanup()
          if (!stream.getTracks().some((t) => t.readyState === 'live' && t !== track)) media.deleteRemoteStream(stream.id)
          else media.notify()
          sendBack({ type: 'peer.trackEnded', trackId: track.id, streamId: stream.id })
        }
        const removed = () => {
          if (!stream.getTracks().includes(track)) ended()
          else media.notify()
        }
        const cleanup = () => {
          track.removeEventListener('ended', ended)
          stream.removeEventListener('removetrack', removed)
          cleanups.delete(cleanup)
        }
        track.addEventListener('ended', ended)
        stream.addEventListener('removetrack', removed)
        cleanups.add(cleanup)
        sendBack({ type: 'peer.track', trackId: track.id, streamId: stream.id, kind })
      }
      pc.addEventListener('track', onTrack)
      return () => {
        pc.removeEventListener('track', onTrack)
        for (const cleanup of [...cleanups]) cleanup()
      }
    }),
    /** Runs the participants region's hub requests one after another; cleanup aborts the one in flight. */
    hubRequests: fromCallback<HubRequest, { roomId: string; clientId: string }>(({ input, receive, sendBack }) => {
      const abort = new AbortController()
      let chain: Promise<void> = Promise.resolve()
      const run = async (request: HubRequest) => {
        switch (request.type) {
          case 'request.setTrackSources':
            if (request.sources.length === 0) break
            await hub.setTrackSources(input.roomId, input.clientId, request.sources, abort.signal)
            break
          case 'request.subscribe':
            if (request.tracks.length === 0) break
            await hub.subscribeTracks(input.roomId, input.clientId, request.tracks, abort.signal)
            break
          case 'request.mediaStates':
            for (const clientId of request.clientIds) {
              const key = mediaStateMetaKey(clientId)
              const value = await hub.getMeta(input.roomId, key, abort.signal).catch(() => undefined)
              if (value !== undefined && !abort.signal.aborted) sendBack({ type: 'hub.metaChanged', key, value })
            }
            break
        }
      }
      receive((request) => {
        chain = chain.then(() => run(request)).catch(() => {
          // A lost request is retried by the next announcement; a gone client ends the session via the events channel.
        })
      })
      return () => abort.abort()
    }),
    publishMediaState: fromPromise<void, { roomId: string; clientId: string; local: LocalMediaState; name: string }>(async ({ input, signal }) => {
      setTracksEnabled(media.localTracks(), input.local)
      const state: MediaState = { audio: input.local.audioEnabled, video: input.local.videoEnabled, name: input.name }
      await hub.setMeta(input.roomId, { [mediaStateMetaKey(input.clientId)]: state }, signal)
    }),
    endRoom: fromPromise<void, { roomId: string }>(async ({ input, signal }) => {
      await hub.endRoom(input.roomId, signal)
    }),
    /** Releases local media and the peer connection, then tells the hub (best effort). */
    leaveRoom: fromPromise<void, SessionInput & { viaBeacon: boolean }>(async ({ input, signal }) => {
      media.releaseAll()
      if (!input.roomId || !input.clientId) return
      if (input.viaBeacon && deps.beacon) {
        deps.beacon(hub.leaveUrl(input.roomId, input.clientId))
        return
      }
      await hub.deleteMeta(input.roomId, mediaStateMetaKey(input.clientId), signal).catch(() => undefined)
      await hub.leave(input.roomId, input.clientId, signal).catch((error: unknown) => {
        // Already gone is what we wanted.
        if (!(error instanceof HubError && error.kind === 'client-gone')) throw error
      })
    }),
    /** Lives as long as the conference actor: whatever way it stops, nothing stays open. */
    releaseOnStop: fromCallback(() => () => media.releaseAll()),
    negotiation: negotiationMachine,
    events: eventsMachine,
  }
}

type ConferenceActors = ReturnType<typeof conferenceActors>

export const LEAVE_TIMEOUT_MS = 5000

/** What the context knows of remote participants: empty at the start and after leaving a room. */
function noParticipants(): Pick<
  ConferenceContext,
  'announcedTracks' | 'liveTracks' | 'subscribedTrackIds' | 'mediaStates' | 'departedClientIds' | 'departedStreamIds'
> {
  return { announcedTracks: {}, liveTracks: {}, subscribedTrackIds: [], mediaStates: {}, departedClientIds: [], departedStreamIds: [] }
}

export const conferenceMachine = setup({
  types: {
    context: {} as ConferenceContext,
    events: {} as ConferenceEvent,
  },
  actors: {
    acquireLocalMedia: notProvided<ConferenceActors['acquireLocalMedia']>('acquireLocalMedia'),
    applyLocalMedia: notProvided<ConferenceActors['applyLocalMedia']>('applyLocalMedia'),
    openRoom: notProvided<ConferenceActors['openRoom']>('openRoom'),
    registerClient: notProvided<ConferenceActors['registerClient']>('registerClient'),
    peerConnection: notProvided<ConferenceActors['peerConnection']>('peerConnection'),
    watchRemoteTracks: notProvided<ConferenceActors['watchRemoteTracks']>('watchRemoteTracks'),
    hubRequests: notProvided<ConferenceActors['hubRequests']>('hubRequests'),
    publishMediaState: notProvided<ConferenceActors['publishMediaState']>('publishMediaState'),
    endRoom: notProvided<ConferenceActors['endRoom']>('endRoom'),
    leaveRoom: notProvided<ConferenceActors['leaveRoom']>('leaveRoom'),
    releaseOnStop: notProvided<ConferenceActors['releaseOnStop']>('releaseOnStop'),
    negotiation: negotiationMachine,
    events: eventsMachine,
  },
  delays: {
    leaveTimeout: LEAVE_TIMEOUT_MS,
  },
  guards: {
    hasRoomId: ({ context }) => Boolean(context.joinParams?.roomId),
    canReusePreview: ({ context }) =>
      context.previewMedia !== null &&
      context.joinParams !== null &&
      context.local.streamId !== undefined &&
      context.previewMedia.audio === context.joinParams.media.audio &&
      context.previewMedia.video === context.joinParams.media.video,
    hasJoinParams: ({ context }) => context.joinParams !== null,
    needsLeaveRequest: ({ context }) => context.clientId !== null && context.room !== null,
  },
  actions: {
    storePreviewRequest: assign({
      previewMedia: (_, media: { audio: boolean; video: boolean }) => media,
      mediaError: null,
    }),
    storeJoinParams: assign({ joinParams: (_, params: JoinParams) => params, error: null }),
    storeLocalMedia: assign(({ context }, acquired: { streamId: string | null; audio: boolean; video: boolean; error: ConferenceError | null }) => ({
      local: {
        ...context.local,
        audioAvailable: acquired.audio,
        videoAvailable: acquired.video,
        audioEnabled: acquired.audio && context.local.audioEnabled,
        videoEnabled: acquired.video && context.local.videoEnabled,
        ...(acquired.streamId ? { streamId: acquired.streamId } : { streamId: undefined }),
      },
      mediaError: acquired.error,
    })),
    storeMediaFailure: assign(({ context }, error: ConferenceError) => ({
      local: { ...context.local, audioAvailable: false, videoAvailable: false, audioEnabled: false, videoEnabled: false, streamId: undefined },
      mediaError: error,
    })),
    resetLocalEnabled: assign(({ context }) => ({ local: { ...context.local, audioEnabled: true, videoEnabled: true } })),
    storeRoom: assign({ room: (_, room: RoomInfo) => room }),
    storeClient: assign({
      clientId: (_, client: { clientId: string; name: string }) => client.clientId,
      displayName: (_, client: { clientId: string; name: string }) => client.name,
    }),
    storeError: assign({ error: (_, params: { error: unknown }) => toConferenceError(params.error) }),
    storeNegotiationError: assign({
      error: (_, message: string): ConferenceError => ({ kind: 'negotiation-failed', message }),
    }),
    storeEndedReason: assign({ endedReason: (_, reason: EndedReason) => reason }),
    setMicrophone: assign(({ context }, enabled: boolean) => ({ local: { ...context.local, audioEnabled: enabled && context.local.audioAvailable } })),
    setCamera: assign(({ context }, enabled: boolean) => ({ local: { ...context.local, videoEnabled: enabled && context.local.videoAvailable } })),
    storeLeaveMode: assign({ leaveViaBeacon: (_, viaBeacon: boolean) => viaBeacon }),
    clearSession: assign({ clientId: null, room: null }),
    clearError: assign({ error: null }),
    // releaseSession stops the local tracks: a retry acquires them again.
    forgetLocalMedia: assign(({ context }) => ({
      local: { ...context.local, streamId: undefined, audioAvailable: false, videoAvailable: false },
      previewMedia: null,
    })),
    clearParticipants: assign(() => noParticipants()),
    forwardToNegotiation: sendTo('negotiation', (_, event: HubEvent) => event),
    requestTrackSources: sendTo('hubRequests', ({ context }, tracks: Record<string, TrackInfo>): HubRequest => ({
      type: 'request.setTrackSources',
      sources: Object.entries(tracks)
        .filter(([, info]) => info.client_id === context.clientId)
        .map(([trackId, info]) => ({ track_id: trackId, source: info.source === 'screen' ? 'screen' : 'media' })),
    })),
    storeAnnouncedTracks: assign(({ context }, tracks: Record<string, TrackInfo>) => {
      const announcedTracks = { ...context.announcedTracks }
      const departedStreamIds = new Set(context.departedStreamIds)
      for (const [trackId, info] of Object.entries(tracks)) {
        if (info.client_id === context.clientId) continue
        // A late announcement of someone who already left: hide the stream instead of naming it.
        if (context.departedClientIds.includes(info.client_id)) departedStreamIds.add(info.stream_id)
        else announcedTracks[trackId] = { trackId, clientId: info.client_id, clientName: info.client_name, streamId: info.stream_id, kind: info.kind, source: info.source }
      }
      return { announcedTracks, departedStreamIds: [...departedStreamIds] }
    }),
    requestSubscriptions: sendTo('hubRequests', ({ context }, tracks: Record<string, TrackInfo>): HubRequest => ({
      type: 'request.subscribe',
      tracks: Object.entries(tracks)
        .filter(([trackId, info]) => info.client_id !== context.clientId && !context.subscribedTrackIds.includes(trackId))
        .map(([trackId, info]) => ({ client_id: info.client_id, stream_id: info.stream_id, track_id: trackId })),
    })),
    // Late joiners learn the others' microphone/camera state from the room metadata.
    requestMediaStates: sendTo('hubRequests', ({ context }, tracks: Record<string, TrackInfo>): HubRequest => ({
      type: 'request.mediaStates',
      clientIds: [...new Set(Object.values(tracks).map((t) => t.client_id))].filter((id) => id !== context.clientId && !context.mediaStates[id]),
    })),
    markSubscribed: assign({
      subscribedTrackIds: ({ context }, tracks: Record<string, TrackInfo>) => [
        ...context.subscribedTrackIds,
        ...Object.entries(tracks)
          .filter(([trackId, info]) => info.client_id !== context.clientId && !context.subscribedTrackIds.includes(trackId))
          .map(([trackId]) => trackId),
      ],
    }),
    storeLiveTrack: assign({
      liveTracks: ({ context }, track: LiveTrack) => ({ ...context.liveTracks, [track.trackId]: track }),
    }),
    removeLiveTrack: assign(({ context }, ended: { trackId: string; streamId: string }) => {
      const liveTracks = { ...context.liveTracks }
      delete liveTracks[ended.trackId]
      const streamStillLive = Object.values(liveTracks).some((t) => t.streamId === ended.streamId)
      if (streamStillLive) return { liveTracks }
      // The publisher's stream is gone: forget its announcement too, so the participant disappears.
      const gone = Object.values(context.announcedTracks).filter((t) => t.streamId === ended.streamId)
      const announcedTracks = { ...context.announcedTracks }
      for (const track of gone) delete announcedTracks[track.trackId]
      const goneIds = new Set(gone.map((t) => t.trackId))
      return {
        liveTracks,
        announcedTracks,
        subscribedTrackIds: context.subscribedTrackIds.filter((id) => !goneIds.has(id)),
        departedStreamIds: context.departedStreamIds.filter((id) => id !== ended.streamId),
      }
    }),
    storeMediaState: assign(({ context }, change: { key: string; value: unknown }) => {
      const clientId = clientIdOfMediaStateKey(change.key)
      if (!clientId || clientId === context.clientId) return {}
      const mediaStates = { ...context.mediaStates }
      const parsed = v.safeParse(MediaStateSchema, change.value)
      if (parsed.success) {
        mediaStates[clientId] = parsed.output
        return { mediaStates }
      }
      // Deleted key (null): that participant left.
      delete mediaStates[clientId]
      if (change.value !== null) return { mediaStates }
      const leaving = Object.values(context.announcedTracks).filter((t) => t.clientId === clientId)
      const announcedTracks = Object.fromEntries(Object.entries(context.announcedTracks).filter(([, t]) => t.clientId !== clientId))
      // Their tracks are still live until the hub's next offer ends them: remember whose they were.
      return {
        mediaStates,
        announcedTracks,
        departedClientIds: context.departedClientIds.includes(clientId) ? context.departedClientIds : [...context.departedClientIds, clientId],
        departedStreamIds: [...new Set([...context.departedStreamIds, ...leaving.map((t) => t.streamId)])],
      }
    }),
  },
}).createMachine({
  id: 'conference',
  context: {
    joinParams: null,
    previewMedia: null,
    room: null,
    clientId: null,
    displayName: null,
    local: { audioEnabled: true, videoEnabled: true, audioAvailable: false, videoAvailable: false },
    mediaError: null,
    ...noParticipants(),
    error: null,
    endedReason: null,
    leaveViaBeacon: false,
  },
  invoke: { id: 'releaseOnStop', src: 'releaseOnStop' },
  initial: 'idle',
  on: {
    // Valid in every state (the final ones excepted, which have already released everything).
    'user.leave': { target: '.leaving', actions: { type: 'storeLeaveMode', params: ({ event }) => event.viaBeacon ?? false } },
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
            input: ({ context }) => context.previewMedia ?? { audio: true, video: true },
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
      initial: 'openingRoom',
      states: {
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
            input: ({ context }) => context.joinParams?.media ?? { audio: false, video: false },
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
      invoke: {
        id: 'peerConnection',
        src: 'peerConnection',
        input: ({ context }) => context.local,
        // No peer connection (WebRTC unavailable or disabled): the media connection failed, not the hub.
        onError: { target: 'failed', actions: { type: 'storeNegotiationError', params: ({ event }) => errorText(event.error) } },
      },
      on: {
        'user.endRoom': 'endingRoom',
        'negotiation.failed': { target: 'failed', actions: { type: 'storeNegotiationError', params: ({ event }) => event.message } },
        'events.closed': {
          target: 'ended',
          actions: { type: 'storeEndedReason', params: ({ event }) => (event.reason === 'client-gone' ? 'client-gone' : 'removed') },
        },
        'hub.left': {
          target: 'ended',
          actions: { type: 'storeEndedReason', params: ({ event }) => (event.reason === 'ended' ? 'host-ended' : event.reason === 'timeout' ? 'timeout' : 'removed') },
        },
      },
      states: {
        negotiation: {
          invoke: {
            id: 'negotiation',
            src: 'negotiation',
            input: ({ context }) => ({ roomId: context.room?.id ?? '', clientId: context.clientId ?? '' }),
          },
          on: {
            'hub.offer': { actions: { type: 'forwardToNegotiation', params: ({ event }) => event } },
            'hub.candidate': { actions: { type: 'forwardToNegotiation', params: ({ event }) => event } },
            'hub.allowedRenegotiation': { actions: { type: 'forwardToNegotiation', params: ({ event }) => event } },
          },
        },
        connection: {
          initial: 'connecting',
          states: {
            connecting: { tags: ['busy'], on: { 'negotiation.connected': 'connected' } },
            connected: {
              on: { 'negotiation.reconnecting': 'reconnecting', 'events.reconnecting': 'reconnecting' },
            },
            reconnecting: {
              tags: ['busy'],
              on: { 'negotiation.connected': 'connected', 'events.open': 'connected' },
            },
          },
        },
        events: {
          invoke: {
            id: 'events',
            src: 'events',
            input: ({ context }) => ({ roomId: context.room?.id ?? '', clientId: context.clientId ?? '' }),
          },
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
                input: ({ context }) => ({
                  roomId: context.room?.id ?? '',
                  clientId: context.clientId ?? '',
                  local: context.local,
                  name: context.displayName ?? '',
                }),
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
        participants: {
          invoke: [
            { id: 'watchRemoteTracks', src: 'watchRemoteTracks' },
            { id: 'hubRequests', src: 'hubRequests', input: ({ context }) => ({ roomId: context.room?.id ?? '', clientId: context.clientId ?? '' }) },
          ],
          on: {
            'hub.tracksAdded': { actions: { type: 'requestTrackSources', params: ({ event }) => event.tracks } },
            'hub.tracksAvailable': {
              actions: [
                { type: 'storeAnnouncedTracks', params: ({ event }) => event.tracks },
                { type: 'requestSubscriptions', params: ({ event }) => event.tracks },
                { type: 'markSubscribed', params: ({ event }) => event.tracks },
                { type: 'requestMediaStates', params: ({ event }) => event.tracks },
              ],
            },
            'hub.metaChanged': { actions: { type: 'storeMediaState', params: ({ event }) => event } },
            'peer.track': { actions: { type: 'storeLiveTrack', params: ({ event }) => ({ trackId: event.trackId, streamId: event.streamId, kind: event.kind }) } },
            'peer.trackEnded': { actions: { type: 'removeLiveTrack', params: ({ event }) => event } },
          },
        },
      },
    },
    endingRoom: {
      tags: ['busy'],
      invoke: {
        id: 'endRoom',
        src: 'endRoom',
        input: ({ context }) => ({ roomId: context.room?.id ?? '' }),
        // Ended for everyone: the hub already dropped every client, a leave request would only 404.
        onDone: 'roomClosed',
        onError: { target: 'leaving' },
      },
    },
    leaving: {
      tags: ['busy'],
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
      entry: ['clearParticipants', 'forgetLocalMedia'],
      invoke: {
        id: 'releaseSession',
        src: 'leaveRoom',
        input: ({ context }) => ({ roomId: context.room?.id ?? null, clientId: context.clientId ?? null, viaBeacon: false }),
      },
      on: {
        // The failed session stays in context until the next attempt, so a leave from here still reaches the hub.
        'user.retry': { guard: 'hasJoinParams', target: 'joining', actions: ['clearSession', 'clearError'] },
        'user.join': { target: 'joining', actions: ['clearSession', { type: 'storeJoinParams', params: ({ event }) => event.params }] },
        'user.preview': { target: 'previewing', actions: ['clearSession', { type: 'storePreviewRequest', params: ({ event }) => event.media }] },
      },
    },
  },
})

export type ConferenceMachine = typeof conferenceMachine
