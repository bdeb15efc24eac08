// The roster: everything the conference knows about the other participants, as plain data with a few
// pure operations. Facts arrive from two sides in any order: the hub names tracks (tracks_available)
// and publishes each participant's media state (room metadata), while the peer connection delivers
// the tracks themselves. The conference context holds one Roster; view.ts turns it into participants.
import { clientIdOfMediaStateKey, MediaStateSchema, type MediaState, type TrackInfo, type TrackSource } from '@parley/protocol'
import * as v from 'valibot'
import type { VideoPauseReason } from './api.js'

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

export interface Roster {
  announced: Record<string, AnnouncedTrack>
  live: Record<string, LiveTrack>
  /** Hub track ids we asked to receive, so a repeated announcement is not subscribed twice. */
  subscribed: string[]
  /** Each participant's published microphone/camera state, by client id. */
  mediaStates: Record<string, MediaState>
  /**
   * Participants known to have left (their media-state key was deleted) and the streams they
   * published. The hub ends those tracks a little later; until then they must not show as an
   * unnamed participant. A stream id is forgotten once its tracks ended.
   */
  departedClients: string[]
  departedStreams: string[]
  /** Clients Parley's hub says it hears nothing from right now (`parley_connection`). */
  connectionProblems: string[]
  /**
   * The others' announced video tracks Parley's hub stopped forwarding to us because our link could not
   * carry them (`parley_video_paused`), by the hub's track id. A new session starts with none (a new roster).
   */
  pausedVideo: Record<string, VideoPauseReason>
}

/** What the hub is asked once tracks are announced: subscribe to them, fetch their owners' media states. */
export interface AnnouncementRequests {
  subscribe: { client_id: string; stream_id: string; track_id: string }[]
  mediaStatesOf: string[]
}

export function emptyRoster(): Roster {
  return { announced: {}, live: {}, subscribed: [], mediaStates: {}, departedClients: [], departedStreams: [], connectionProblems: [], pausedVideo: {} }
}

/** tracks_available: the others' tracks (ours are skipped), and what to ask the hub about them. */
export function announce(roster: Roster, tracks: Record<string, TrackInfo>, self: string | null): { roster: Roster } & AnnouncementRequests {
  const announced = { ...roster.announced }
  const departedStreams = new Set(roster.departedStreams)
  const subscribe: AnnouncementRequests['subscribe'] = []
  const owners = new Set<string>()
  for (const [trackId, info] of Object.entries(tracks)) {
    if (info.client_id === self) continue
    // A late announcement of someone who already left: hide the stream instead of naming it.
    if (roster.departedClients.includes(info.client_id)) departedStreams.add(info.stream_id)
    else announced[trackId] = { trackId, clientId: info.client_id, clientName: info.client_name, streamId: info.stream_id, kind: info.kind, source: info.source }
    if (!roster.subscribed.includes(trackId)) subscribe.push({ client_id: info.client_id, stream_id: info.stream_id, track_id: trackId })
    owners.add(info.client_id)
  }
  return {
    roster: { ...roster, announced, departedStreams: [...departedStreams], subscribed: [...roster.subscribed, ...subscribe.map((t) => t.track_id)] },
    subscribe,
    // Late joiners learn the others' microphone/camera state from the room metadata.
    mediaStatesOf: [...owners].filter((id) => !roster.mediaStates[id]),
  }
}

export function trackLive(roster: Roster, track: LiveTrack): Roster {
  return { ...roster, live: { ...roster.live, [track.trackId]: track } }
}

/** A delivered track ended; once its stream has no live track, the publisher's announcement goes too. */
export function trackEnded(roster: Roster, ended: { trackId: string; streamId: string }): Roster {
  const live = { ...roster.live }
  const kind = live[ended.trackId]?.kind
  delete live[ended.trackId]
  if (Object.values(live).some((t) => t.streamId === ended.streamId)) return withPauses({ ...roster, live }, { streamId: ended.streamId, kind })
  const gone = new Set(Object.values(roster.announced).filter((t) => t.streamId === ended.streamId).map((t) => t.trackId))
  return withPauses({
    ...roster,
    live,
    announced: Object.fromEntries(Object.entries(roster.announced).filter(([trackId]) => !gone.has(trackId))),
    subscribed: roster.subscribed.filter((id) => !gone.has(id)),
    departedStreams: roster.departedStreams.filter((id) => id !== ended.streamId),
  })
}

/** A meta_changed event: a participant's media state, or (key deleted) their departure. */
export function mediaStateChanged(roster: Roster, change: { key: string; value: unknown }, self: string | null): Roster {
  const clientId = clientIdOfMediaStateKey(change.key)
  if (!clientId || clientId === self) return roster
  const mediaStates = { ...roster.mediaStates }
  const parsed = v.safeParse(MediaStateSchema, change.value)
  if (parsed.success) return { ...roster, mediaStates: { ...mediaStates, [clientId]: parsed.output } }
  delete mediaStates[clientId]
  if (change.value !== null) return { ...roster, mediaStates }
  return departed(roster, clientId, mediaStates)
}

/** Parley's hub stopped (or resumed) hearing a client's media and RTCP. Our own state is not shown to us. */
export function connectionProblemChanged(roster: Roster, change: { clientId: string; problem: boolean }, self: string | null): Roster {
  if (change.clientId === self) return roster
  const others = roster.connectionProblems.filter((id) => id !== change.clientId)
  return { ...roster, connectionProblems: change.problem ? [...others, change.clientId] : others }
}

/** Parley's hub paused (or resumed) forwarding someone's video track to us: only a track announced to us (never ours). */
export function videoPausedChanged(roster: Roster, change: { trackId: string; paused: boolean; reason: VideoPauseReason }): Roster {
  const { [change.trackId]: _resumed, ...pausedVideo } = roster.pausedVideo
  return { ...roster, pausedVideo: change.paused && roster.announced[change.trackId] ? { ...pausedVideo, [change.trackId]: change.reason } : pausedVideo }
}

/** Keeps the hub's pauses of tracks still announced, less those of an ended track (its stream and kind). */
function withPauses(roster: Roster, ended?: { streamId: string; kind: string | undefined }): Roster {
  const kept = (trackId: string) => {
    const track = roster.announced[trackId]
    return track !== undefined && (track.streamId !== ended?.streamId || track.kind !== ended.kind)
  }
  return { ...roster, pausedVideo: Object.fromEntries(Object.entries(roster.pausedVideo).filter(([trackId]) => kept(trackId))) }
}

/** The participant left: their announcement goes at once; their streams, still live until the hub's next offer, are hidden. */
function departed(roster: Roster, clientId: string, mediaStates: Roster['mediaStates']): Roster {
  const leaving = Object.values(roster.announced).filter((t) => t.clientId === clientId)
  return withPauses({
    ...roster,
    mediaStates,
    announced: Object.fromEntries(Object.entries(roster.announced).filter(([, t]) => t.clientId !== clientId)),
    departedClients: roster.departedClients.includes(clientId) ? roster.departedClients : [...roster.departedClients, clientId],
    departedStreams: [...new Set([...roster.departedStreams, ...leaving.map((t) => t.streamId)])],
    connectionProblems: roster.connectionProblems.filter((id) => id !== clientId),
  })
}

/**
 * The others whose microphone may be on: everyone the hub announced or who published a media state,
 * less us, those who left and those whose published state says it is off (a client publishing none, as
 * the official SDK's, may be heard: it counts).
 */
export function unmutedOthers(roster: Roster, self: string | null): string[] {
  const ids = new Set([...Object.values(roster.announced).map((track) => track.clientId), ...Object.keys(roster.mediaStates)])
  return [...ids].filter((id) => id !== self && !roster.departedClients.includes(id) && roster.mediaStates[id]?.audio !== false)
}
