// The core's public surface: what the Vue app (and anyone without Vue) binds to.
// This file fixes the contract between packages/core and apps/web; the implementation lives in
// conference.ts and the machines. Everything here is plain data except the stream registry.
import type { IncomingVideo } from './machines/incomingVideo.js'
import type { RoomOptions, TrackSource, VideoPausedEvent } from '@parley/protocol'
import type { MediaStreamLike } from './ports.js'
import type { LocalStats, QualityFigures } from './stats/analysis.js'

export type { LocalStats, Quality, QualityFigures } from './stats/analysis.js'

/** One word a UI can switch on. Derived from the conference statechart's state value. */
export type ConferenceStatus =
  | 'idle' // nothing acquired yet
  | 'previewing' // local camera/mic being acquired or shown before joining
  | 'joining' // creating the room / registering / first negotiation
  | 'connected' // in the room, media flowing
  | 'reconnecting' // events stream or ICE being restored, or the whole hub session (view.reconnect)
  | 'leaving'
  | 'left' // the user left (final)
  | 'ended' // the host ended the room, or the hub removed us (final)
  | 'failed' // something a person can act on: see ConferenceError

/** Why the hub ended our session (status `ended`). */
export type EndedReason =
  | 'host-ended' // someone ended the room for everyone (`ConferenceView.endedBy` names them when the hub did)
  | 'removed' // the hub removed this client (by the host: `endedBy`), or closed the events channel for good
  | 'client-gone' // the hub no longer knows this client (404 on the events channel)
  | 'timeout' // the hub dropped this client after losing contact
  | 'server-stopped' // the hub was stopped (SIGINT/SIGTERM: `left` with reason `shutdown`)
  | 'moved-to-another-tab' // the person joined this room in another tab of this browser, which took the call over

/**
 * `ConferenceView.endedReason`: an `EndedReason` with status `ended`, or `'ended-by-me'` with status
 * `left` when this user ended the room for everyone (`user.endRoom` and the hub accepted it).
 */
export type ConferenceEndedReason = EndedReason | 'ended-by-me'

export type ConferenceErrorKind =
  | 'media-denied' // permission refused for camera/mic
  | 'media-not-found' // no such device
  | 'media-in-use' // device busy (NotReadableError)
  | 'media-failed' // any other getUserMedia failure
  | 'room-not-found'
  | 'client-gone' // the hub no longer knows this client (404 on client/events)
  | 'unauthorized' // 401/403 from the hub
  | 'room-locked' // Parley's hub: the host locked the room, nobody new may join until it is unlocked (or a host lets them in)
  | 'knock-declined' // Parley's hub: we asked to be let into the locked room, and a host said no
  | 'knock-expired' // Parley's hub: we asked to be let in, and nobody answered in time
  | 'hub-unreachable' // network error or 5xx
  | 'invalid-response' // the hub answered something that is not the v1 contract
  | 'negotiation-failed' // SDP/ICE failed and could not be restored

export interface ConferenceError {
  kind: ConferenceErrorKind
  /**
   * Technical detail for logs and bug reports (e.g. `camera: NotAllowedError: Permission denied`,
   * `POST /rooms/create: HTTP 503`). UIs word the error from `kind`; the core ships no sentences.
   */
  message: string
  /** HTTP status when the error came from the hub. */
  status?: number
}

/** Why a screen-share request did not become a share (non-fatal: the call goes on). */
export interface ScreenShareError {
  kind:
    | 'denied' // the picker was cancelled, or the browser or the person refused
    | 'unsupported' // no getDisplayMedia here (Node, old browsers)
    | 'failed' // anything else (the capture could not start)
  message: string
}

/** Our own screen share, from the screen-share statechart. */
export interface ScreenShareView {
  state: 'idle' | 'requesting' | 'sharing' | 'stopping'
  /** Stream registry id of our shared screen while it is held. */
  streamId?: string
  error?: ScreenShareError
}

/** What this platform can do at all (fixed when the conference is created). */
export interface ConferenceCapabilities {
  /** getDisplayMedia exists: the share button can be offered. */
  screenShare: boolean
}

/** What the local user sends. `*Available` is false when the device could not be acquired. */
export interface LocalMediaState {
  audioEnabled: boolean
  videoEnabled: boolean
  audioAvailable: boolean
  videoAvailable: boolean
  /** Id of the local MediaStream in the stream registry, when there is one. */
  streamId?: string
}

export interface RemoteTrackInfo {
  trackId: string
  streamId: string
  kind: 'audio' | 'video'
  source: TrackSource | 'unknown'
  /** True once the peer connection delivered the track (it is in the stream registry). */
  live: boolean
  /**
   * Parley's hub stopped forwarding this video track to us, and why: `bandwidth`, our link could not
   * carry it (their audio still flows; `parley_video_paused`). Absent once it forwards again, when the
   * track goes, and in a new hub session. Says "your connection", not theirs (`connectionProblem`).
   */
  pausedByHub?: VideoPauseReason
  /**
   * A camera you turned off (incoming video `off`, audio only): the hub is asked for none of it, so it
   * stalls by your choice. A UI shows the avatar, not its last frame. Never on a shared screen.
   */
  turnedOff?: true
}

/** Why Parley's hub paused a video track for us: `bandwidth` (our downlink could not carry it). */
export type VideoPauseReason = VideoPausedEvent['reason']

export interface Participant {
  clientId: string
  name: string
  /** From the participant's published media state (Parley convention over room metadata). */
  audioEnabled: boolean
  videoEnabled: boolean
  tracks: RemoteTrackInfo[]
  /** Published by the participant: it created the room (shown as host; Parley's hub enforces host actions with a key). */
  isHost: boolean
  /** Stream ids (keys of the stream registry) of this participant's live media, camera first. */
  streamIds: string[]
  /** From getStats (absent until the first reading of their tracks): 0..1 over the last interval. */
  audioLevel?: number
  /** Heard within the last second (never while their microphone is off). */
  speaking?: boolean
  /** Connection quality of what we receive from them, with the figures behind it. */
  quality?: QualityFigures
  /** Their camera is on but no frame was decoded for more than 2 s: show "connection problem", not a frozen picture. */
  videoPaused?: boolean
  /** Parley's hub hears no media or RTCP from them (1.5 s by default): show "connection problem" (they may be back soon, or be removed). */
  connectionProblem?: boolean
  /** Their hand is raised (Parley room metadata). */
  handRaised?: boolean
  /** Their latest reaction; `id` is new for each one, so a UI shows each once. */
  reaction?: { emoji: string; id: string }
  /** Their media is end-to-end encrypted (their published media state): without the call's key it cannot be decoded. */
  encrypted?: true
}

/**
 * What the conference actor emits (`conference.actor.on('participant.joined', …)`): a participant the
 * hub named joined, or left. A stream that arrived before its announcement is nobody yet. Names are
 * the view's (`Guest` when the hub has none), so a UI needs no diffing of views.
 */
export type ParticipantEvent =
  | { type: 'participant.joined'; clientId: string; name: string }
  | { type: 'participant.left'; clientId: string; name: string }

/** A participant the hub named as having done something (ended the room, removed or muted us). */
export interface ActedBy {
  clientId: string
  name: string
}

/** One chat message as a UI shows it: `name` and `text` are plain text, never HTML. */
export interface ChatEntryView {
  id: string
  from: string
  name: string
  /** When it was sent, ms since the epoch (the sender's clock). */
  time: number
  text: string
  /** Ours: `queued` until the chat channel is open, then `sent`; others': `received`. */
  status: 'queued' | 'sent' | 'received'
}

/** The room's chat (chatMachine.ts). Messages start when we joined: the hub keeps no history. */
export interface ChatView {
  /** `connecting` until the room's chat channel is open; messages written meanwhile are queued. */
  channel: 'connecting' | 'open'
  messages: ChatEntryView[]
  /** Messages from others since `readChat()`. */
  unread: number
  /** The last thing to tell the user: our message refused (empty, too long), we sent too fast, someone was throttled. */
  notice?: { kind: 'refused'; reason: string } | { kind: 'too-fast' } | { kind: 'throttled'; clientId: string; name: string }
  /** Counts notices, so each is shown even when two in a row are alike. */
  noticeCount: number
}

/** Host controls as a UI sees them (hostMachine.ts). */
export interface HostView {
  /** We created the room, or a host made us one (Parley's hub): End room is ours to offer (the creator's on any hub). */
  isHost: boolean
  /**
   * We may mute and remove others, lock the room and answer its lobby, and make others hosts: Parley's hub gave
   * us the room's host key (we created the room, or a host made us one: `madeHostBy`; never on the hosted hub).
   */
  canModerate: boolean
  /** A host made us a host too (co-host), and who (`madeHostCount` counts each time, so a UI can say it once). */
  madeHostBy?: ActedBy
  madeHostCount: number
  /** Why the hub made us a host by itself: `host_left` (the last host present left: `madeHostBy`). Absent for a host's grant. */
  madeHostReason?: string
  /** The host, when known: us, or the participant whose published state says so. */
  hostClientId?: string
  hostName?: string
  /** The host muted our microphone (`mutedCount` counts each time, so a UI can announce every one). */
  mutedBy?: ActedBy
  mutedCount: number
  /** The last mute/remove/lock the hub refused. */
  failure?: HostFailure
  /** Parley's hub: the host locked the room to newcomers (everyone in the room learns it from the hub). */
  roomLocked: boolean
  /** Who locked or unlocked it last, when the hub said (absent for the state we found on joining). */
  roomLockedBy?: ActedBy
  /** A lock or unlock of ours is on its way to the hub (a UI may disable its toggle). */
  lockPending: boolean
  /**
   * Parley's hub: who asks to be let into the locked room, oldest first (everyone in the room hears it; only a
   * host with the key, `canModerate`, may answer: `answerKnock`).
   */
  waiting: WaitingPerson[]
  /** The last answer to someone who waited (`answeredCount` counts each, so a UI can announce every one). */
  lastAnswered?: KnockAnswered
  answeredCount: number
}

/** Someone waiting in the lobby of a locked room; `since` in ms since the epoch (the hub's clock). */
export interface WaitingPerson {
  knockId: string
  name: string
  since: number
}

/** A lobby answer: who was let in or not, and by whom (absent when the hub did it: an unlock, an expiry). */
export interface KnockAnswered {
  knockId: string
  name: string
  admitted: boolean
  by?: ActedBy
}

export type HostFailure =
  | { action: 'mute' | 'remove' | 'grant'; clientId: string; message: string }
  | { action: 'lock'; locked: boolean; message: string }
  | { action: 'admit'; knockId: string; admit: boolean; message: string }
/** An event from the hub that broke the v1 contract (reported, never dropped silently). */
export interface InvalidHubEventFact {
  type: 'events.invalid'
  /** The SSE event name, e.g. `offer`. */
  event: string
  error: string
}

/**
 * Parley's hub: what lets us back into this room once its host locked it, should this page load again (a
 * reload, a crash): a UI keeps it for the tab (sessionStorage) and hands it to the next `join` of the room
 * (`JoinParams.credentials`). Secrets: never show or log them. Emitted whenever one is new.
 */
export interface RoomCredentialsFact {
  type: 'room.credentials'
  roomId: string
  credentials: RoomCredentials
}

/** A room's host key (we created it) and room pass (the hub gave us one): either lets us into it while locked. */
export interface RoomCredentials {
  hostKey?: string
  pass?: string
}

/** Everything the conference actor emits. */
export type ConferenceFact = ParticipantEvent | InvalidHubEventFact | RoomCredentialsFact

export interface RoomInfo {
  id: string
  name: string
  /** The room's options as the hub reported them (a reconnect re-creates a lost room with them). */
  options?: RoomOptions
}

export interface JoinParams {
  /** Join this room; when absent a room is created (named `roomName`). */
  roomId?: string
  roomName?: string
  displayName: string
  /** Which devices to use; a device set to false is not requested. */
  media: { audio: boolean; video: boolean }
  /**
   * What an earlier load of this page was given for `roomId` (`room.credentials`): with the host key we are its
   * host again; either lets us in while it is locked. Ignored for another room.
   */
  credentials?: RoomCredentials
}

/**
 * MediaStreams never sit in the machines' context. The registry holds them, keyed by stream id:
 * the local stream under its own id and every remote stream under the publisher's stream id.
 */
export interface StreamRegistry {
  get(streamId: string): MediaStreamLike | undefined
  /**
   * Others' streams the peer connection delivered, by id. A hub offer's are here once our answer has left,
   * just before the view lists their tracks: a UI may bind a video to one ahead of its tile's render.
   */
  remoteIds(): string[]
  /** Called after any stream is added, removed or gains/loses a track. Returns an unsubscribe function. */
  subscribe(listener: () => void): () => void
}

/** A camera or microphone, as `enumerateDevices` lists it. */
export type DeviceKind = 'audioinput' | 'videoinput'

export interface DeviceOption {
  deviceId: string
  /** Empty until the page has camera/microphone permission. */
  label: string
}

/** What the last device change did that the person should hear about (non-fatal: the call goes on). */
export type DeviceNotice =
  /** The chosen device could not be opened: worded like any device error; the previous one stays in use. */
  | { kind: 'failed'; device: DeviceKind; error: ConferenceError }
  /** The device in use went away (unplugged); another one of its kind took over (`label`, '' when unnamed). */
  | { kind: 'fallback'; device: DeviceKind; label: string }
  /** The device in use went away and no other one of its kind could be opened: the call goes on without it. */
  | { kind: 'lost'; device: DeviceKind; error: ConferenceError }

/** Device choice (devicesMachine): the lists, what is selected (absent: the browser's default) and a switch under way. */
export interface DevicesView {
  audioinput: DeviceOption[]
  /** Speakers (a UI that can route audio, e.g. `setSinkId`, offers them; the core plays nothing). */
  audiooutput: DeviceOption[]
  videoinput: DeviceOption[]
  selected: Partial<Record<DeviceKind, string>>
  switching?: DeviceKind
  notice?: DeviceNotice
}

/** Summary of the conference actor's snapshot that UIs read (all plain data). */
export interface ConferenceView {
  status: ConferenceStatus
  /**
   * What you asked to receive of others' cameras (`setIncomingVideo`): `auto` as drawn, `low` the
   * narrowest layer (saves data), `off` none (audio only). Shared screens come as drawn in every mode.
   */
  incomingVideo: IncomingVideo
  /** The active state configuration, e.g. ['inRoom.negotiation.signaling.free.stable', 'inRoom.events.streaming.open.listening']. */
  stateValue: unknown
  room?: RoomInfo
  clientId?: string
  displayName?: string
  local: LocalMediaState
  participants: Participant[]
  /** Our screen share (idle outside the room). */
  screenShare: ScreenShareView
  /** Cameras and microphones to choose from, and the choice. */
  devices: DevicesView
  error?: ConferenceError
  /**
   * Only in the final states: why the session ended (status `ended`), or `'ended-by-me'` (status
   * `left`) when this user ended the room for everyone. Absent after a plain leave, and after an
   * end-room request the hub refused (the user then merely left).
   */
  endedReason?: ConferenceEndedReason
  /** Who ended the room or removed us, when the hub said (Parley's host controls): "Ada ended the meeting". */
  endedBy?: ActedBy
  host: HostView
  chat: ChatView
  /**
   * While status is `reconnecting` because the hub session was lost (the hub restarted, forgot us or
   * its events stream could not be restored): the full reconnect's attempt, 1-based. Absent when only
   * the media or the events stream is being restored in place.
   */
  reconnect?: { attempt: number }
  /**
   * Another tab of this browser is in this room (pre-join, before a join): joining here takes the call
   * over from it (that tab leaves with `endedReason: 'moved-to-another-tab'`), so nobody hears an echo.
   */
  elsewhere?: { roomId: string }
  /**
   * Joining a room its host locked (Parley's hub): we ask to be let in (`asking` until the hub has the request,
   * then `waiting` for a host's answer; `leave` withdraws it). Admitted, the join goes on; refused, status `failed`
   * with `knock-declined` or `knock-expired`.
   */
  knocking?: 'asking' | 'waiting'
  /** True while the statechart is busy (tag 'busy'): spinners. */
  busy: boolean
  /** In the room, from getStats: our microphone level, whether we speak, the quality of what we send. */
  localStats?: LocalStats
  /** Client id of the active speaker (ours when it is us), held so it does not flicker; absent before anyone spoke. */
  activeSpeaker?: string
  /** Our microphone is off but picks up speech: the "You are muted" hint. */
  speakingWhileMuted?: boolean
  /** In the room: our own hand and latest reaction. */
  handRaised?: boolean
  reaction?: { emoji: string; id: string }
}

// What `createConference` takes and returns: handle.ts (re-exported here, so this stays the one import).
export type { ConferenceDelays, ConferenceHandle, ConferenceOptionsBase } from './handle.js'
