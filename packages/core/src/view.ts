// Pure projection of the conference snapshot into the plain ConferenceView UIs read, and of the
// roster into participants (the one place that names a participant, `Guest` included).
import type { ConferenceEndedReason, ConferenceStatus, ConferenceView, DevicesView, Participant, ParticipantEvent, RemoteTrackInfo, ScreenShareView } from './api.js'
import type { ScreenShareContext } from './machines/screenShareMachine.js'
import type { VideoSizeContext } from './machines/videoSizeMachine.js'
import { askedSize, type IncomingVideo } from './machines/incomingVideo.js'
import type { DevicesContext } from './machines/devicesMachine.js'
import type { ConferenceContext } from './machines/conferenceMachine.js'
import { chatViewOf, hostViewOf } from './roomExtrasView.js'
import type { Roster } from './roster.js'
import { activeSpeakerOf, withStats } from './stats/participantStats.js'
import { withPresence } from './presence.js'
import { GUEST_NAME } from './guestName.js'

/** A child actor as the view reads it (XState's ActorRef satisfies it). */
export interface ChildActorLike {
  getSnapshot(): unknown
  subscribe(observer: (snapshot: unknown) => void): { unsubscribe(): void }
}

/** The shape of snapshot selectView needs (the conference actor's snapshot satisfies it). */
export interface ConferenceSnapshotLike {
  readonly value: unknown
  readonly context: ConferenceContext
  hasTag(tag: 'busy' | 'answering'): boolean
  /** The invoked negotiation and events machines, whose states the view lists too. */
  readonly children?: Record<string, ChildActorLike | undefined>
}

/** The child machine's state value, when the child is a running machine. */
function childValue(snapshot: ConferenceSnapshotLike, id: string): unknown {
  const child = snapshot.children?.[id]?.getSnapshot() as { value?: unknown; status?: string } | undefined
  return child && child.status === 'active' && child.value !== undefined ? child.value : undefined
}

/**
 * An answer of ours to the hub is due and not on its way yet: a hub offer being answered (setRemoteDescription,
 * createAnswer, setLocalDescription), or, joining, ICE up before our first answer (`settling`). The
 * conference's `answering` tag, at most its settleLimit: a UI that renders now holds the answer, and the media,
 * back. The conference's own snapshot says when it ends.
 */
export function answeringOffer(snapshot: ConferenceSnapshotLike): boolean {
  return snapshot.hasTag('answering')
}

export function statusOf(value: unknown): ConferenceStatus {
  if (typeof value === 'string') {
    switch (value) {
      case 'idle':
      case 'left':
      case 'ended':
      case 'failed':
        return value
      case 'roomClosed':
        return 'left'
      case 'endingRoom':
      case 'leaving':
      case 'handingOver':
        return 'leaving'
      case 'reconnecting':
        return 'reconnecting'
      default:
        return 'idle'
    }
  }
  const record = value as Record<string, unknown>
  if ('previewing' in record) return 'previewing'
  if ('joining' in record) return 'joining'
  if ('inRoom' in record) {
    const connection = (record.inRoom as Record<string, unknown>).connection
    // Connected but our first answer still due (`settling`): still joining, so no UI draws the call in between.
    if ((connection as Record<string, unknown> | undefined)?.connected === 'settled') return 'connected'
    if (connection === 'reconnecting') return 'reconnecting'
    return 'joining'
  }
  return 'idle'
}

/** Asking to be let into a locked room, and how far (`joining.knocking`'s substate). */
function knockingOf(value: unknown): ConferenceView['knocking'] {
  const joining = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).joining : undefined
  const knocking = typeof joining === 'object' && joining !== null ? (joining as Record<string, unknown>).knocking : undefined
  return knocking === 'asking' || knocking === 'waiting' ? knocking : undefined
}

/** Our screen share, from the screen-share child while we are in the room. */
function screenShareOf(snapshot: ConferenceSnapshotLike): ScreenShareView {
  const child = snapshot.children?.screenShare?.getSnapshot() as { value?: unknown; status?: string; context?: ScreenShareContext } | undefined
  if (!child || child.status !== 'active' || typeof child.value !== 'string' || !child.context) return { state: 'idle' }
  const { streamId, error } = child.context
  return {
    state: child.value as ScreenShareView['state'],
    ...(streamId ? { streamId } : {}),
    ...(error ? { error } : {}),
  }
}

/** Device choice, from the devices child (it lives as long as the conference). */
function devicesOf(snapshot: ConferenceSnapshotLike): DevicesView {
  const child = snapshot.children?.devices?.getSnapshot() as { value?: unknown; status?: string; context?: DevicesContext } | undefined
  if (!child?.context) return { audioinput: [], videoinput: [], audiooutput: [], selected: { ...snapshot.context.deviceIds } }
  const { audioinput, videoinput, audiooutput, selected, request, notice } = child.context
  return {
    audioinput,
    audiooutput,
    videoinput,
    selected: { ...selected },
    ...(child.status === 'active' && request ? { switching: request.kind } : {}),
    ...(notice ? { notice } : {}),
  }
}

/** Lists every `region.state` path of a state value, e.g. ['inRoom.negotiation', 'inRoom.connection.connected']. */
function flattenStateValue(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix ? `${prefix}.${value}` : value]
  const entries = Object.entries(value as Record<string, unknown>)
  if (entries.length === 0) return prefix ? [prefix] : []
  return entries.flatMap(([key, child]) => flattenStateValue(child, prefix ? `${prefix}.${key}` : key))
}

/**
 * Remote participants from what the hub announced and what the peer connection delivered. Tracks
 * may arrive before the announcement: such a stream still shows, under the placeholder name, and is
 * completed when `tracks_available` (or the participant's media state) names it. The streams of a
 * participant who left (media-state key deleted) stay hidden while their tracks wind down. With incoming
 * video `off`, every camera is `turnedOff`.
 */
export function participantsOf(roster: Roster, incoming: IncomingVideo = 'auto'): Participant[] {
  const byClient = new Map<string, Participant>()
  const liveByStreamKind = new Set(Object.values(roster.live).map((live) => `${live.streamId}|${live.kind}`))

  const participant = (clientId: string, name: string | undefined): Participant => {
    let entry = byClient.get(clientId)
    if (!entry) {
      const state = roster.mediaStates[clientId]
      entry = {
        clientId,
        name: name || state?.name || GUEST_NAME,
        audioEnabled: state?.audio ?? true,
        videoEnabled: state?.video ?? true,
        isHost: state?.host === true,
        ...(state?.e2ee ? { encrypted: true } : {}),
        ...(roster.connectionProblems.includes(clientId) ? { connectionProblem: true } : {}),
        tracks: [],
        streamIds: [],
      }
      byClient.set(clientId, entry)
    } else if (name && entry.name === GUEST_NAME) {
      entry.name = name
    }
    return entry
  }

  const claimedStreams = new Set<string>()
  for (const announced of Object.values(roster.announced)) {
    const live = liveByStreamKind.has(`${announced.streamId}|${announced.kind}`)
    const pausedByHub = roster.pausedVideo[announced.trackId]
    const turnedOff = incoming === 'off' && announced.kind === 'video' && announced.source !== 'screen'
    const track: RemoteTrackInfo = {
      trackId: announced.trackId,
      streamId: announced.streamId,
      kind: announced.kind,
      source: announced.source,
      live,
      ...(pausedByHub ? { pausedByHub } : {}),
      ...(turnedOff ? { turnedOff } : {}),
    }
    participant(announced.clientId, announced.clientName).tracks.push(track)
    claimedStreams.add(announced.streamId)
  }
  const departedStreams = new Set(roster.departedStreams)
  for (const live of Object.values(roster.live)) {
    // A departed participant's stream lingers until the hub ends its tracks: not a new participant.
    if (claimedStreams.has(live.streamId) || departedStreams.has(live.streamId)) continue
    // Delivered before it was announced: keyed by its stream until the hub says whose it is.
    participant(`stream:${live.streamId}`, undefined).tracks.push({ ...live, source: 'unknown', live: true })
  }
  for (const entry of byClient.values()) {
    const live = entry.tracks.filter((t) => t.live)
    // Camera/media streams first, then screen shares.
    const ordered = [...live.filter((t) => t.source !== 'screen'), ...live.filter((t) => t.source === 'screen')]
    entry.streamIds = [...new Set(ordered.map((t) => t.streamId))]
  }
  return [...byClient.values()]
}

/** The participants of a conference context (kept for callers of the earlier API). */
export function deriveParticipants(context: Pick<ConferenceContext, 'roster'>): Participant[] {
  return participantsOf(context.roster)
}

/** Participants the hub has named, by client id: a stream that arrived before its announcement is nobody yet. */
function announcedNames(roster: Roster): Map<string, string> {
  const announced = new Set(Object.values(roster.announced).map((track) => track.clientId))
  return new Map(participantsOf(roster).filter((p) => announced.has(p.clientId)).map((p) => [p.clientId, p.name]))
}

/** Who joined and who left between two rosters: what the conference emits for UIs (no view diffing). */
export function participantChanges(before: Roster, after: Roster): ParticipantEvent[] {
  const was = announcedNames(before)
  const is = announcedNames(after)
  return [
    ...[...is].filter(([id]) => !was.has(id)).map(([clientId, name]): ParticipantEvent => ({ type: 'participant.joined', clientId, name })),
    ...[...was].filter(([id]) => !is.has(id)).map(([clientId, name]): ParticipantEvent => ({ type: 'participant.left', clientId, name })),
  ]
}

/** The video size machine's context, while it runs. */
function videoSizesOf(snapshot: ConferenceSnapshotLike): VideoSizeContext | undefined {
  const child = snapshot.children?.videoSize?.getSnapshot() as { status?: string; context?: VideoSizeContext } | undefined
  return child?.status === 'active' ? child.context : undefined
}

/** The hub's track ids we asked for none of (drawn nowhere, or a camera turned off): their video stalls by our choice. */
function unwatchedTracks(sizes: VideoSizeContext | undefined): Set<string> {
  if (!sizes) return new Set()
  const asked = Object.entries(sizes.drawn).map(([id, drawn]) => [id, askedSize(sizes.incoming, drawn, sizes.screens.includes(id))] as const)
  return new Set(asked.filter(([, size]) => size.width <= 0 || size.height <= 0).map(([id]) => id))
}

/** Why a final state was reached: the hub's reason for `ended`, 'ended-by-me' for `left` after ending the room. */
function endedReasonOf(value: unknown, context: ConferenceContext): ConferenceEndedReason | undefined {
  if (value === 'ended') return context.endedReason ?? undefined
  if (value === 'roomClosed') return 'ended-by-me'
  return undefined
}

export function selectView(snapshot: ConferenceSnapshotLike): ConferenceView {
  const { context } = snapshot
  const status = statusOf(snapshot.value)
  const error = context.error ?? (status === 'previewing' || status === 'idle' ? context.mediaError : null)
  const endedReason = endedReasonOf(snapshot.value, context)
  const sizes = videoSizesOf(snapshot)
  const incomingVideo = sizes?.incoming ?? 'auto'
  const participants = participantsOf(context.roster, incomingVideo)
  const inRoom = typeof snapshot.value === 'object' && snapshot.value !== null && 'inRoom' in snapshot.value
  const knocking = knockingOf(snapshot.value)
  const activeSpeaker = inRoom ? activeSpeakerOf(participants, context.roster, context.stats, context.clientId ?? undefined) : undefined
  return {
    status,
    incomingVideo,
    stateValue: flattenStateValue(snapshot.value).flatMap((path) => {
      // e.g. 'inRoom.negotiation' → 'inRoom.negotiation.signaling.free.stable', 'inRoom.negotiation.ice.watching'
      const id = path === 'inRoom.negotiation' ? 'negotiation' : path === 'inRoom.events' ? 'events' : path === 'inRoom.screenShare' ? 'screenShare' : undefined
      const value = id ? childValue(snapshot, id) : undefined
      return value === undefined ? [path] : flattenStateValue(value, path)
    }),
    ...(context.room ? { room: { id: context.room.id, name: context.room.name } } : {}),
    ...(context.clientId ? { clientId: context.clientId } : {}),
    ...(context.displayName !== null ? { displayName: context.displayName } : {}),
    local: { ...context.local },
    participants: inRoom ? withPresence(withStats(participants, context.roster, context.stats, unwatchedTracks(sizes)), context.presence) : participants,
    screenShare: screenShareOf(snapshot),
    devices: devicesOf(snapshot),
    ...(error ? { error } : {}),
    ...(endedReason ? { endedReason } : {}),
    ...(endedReason && context.endedBy ? { endedBy: { ...context.endedBy } } : {}),
    host: hostViewOf(snapshot, participants),
    chat: chatViewOf(snapshot),
    ...(context.reconnectAttempt > 0 ? { reconnect: { attempt: context.reconnectAttempt } } : {}),
    ...(context.elsewhere ? { elsewhere: { ...context.elsewhere } } : {}),
    ...(knocking ? { knocking } : {}),
    busy: snapshot.hasTag('busy'),
    ...(inRoom ? { localStats: context.stats.local, speakingWhileMuted: !context.local.audioEnabled && context.stats.local.speaking } : {}),
    ...(activeSpeaker ? { activeSpeaker } : {}),
    ...(inRoom ? { handRaised: context.presence.ownHand, ...(context.presence.ownReaction ? { reaction: context.presence.ownReaction } : {}) } : {}),
  }
}
