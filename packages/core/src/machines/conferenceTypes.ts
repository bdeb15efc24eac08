// The conference machine's data: its context, input and events, and the small pure helpers its
// actions and states share (conferenceSetup.ts, conferenceInRoom.ts, conferenceMachine.ts).
import type { ConferenceError, EndedReason, JoinParams, LocalMediaState, RoomInfo } from '../api.js'
import type { EventsParentEvent, HubActor, HubEvent } from '../events.js'
import type { RemoteTrackEvent } from '../remoteStreams.js'
import { type Roster } from '../roster.js'
import { type NegotiationParentEvent } from './negotiationTypes.js'
import { type StatsParentEvent } from './statsMachine.js'
import { type StatsSummary } from '../stats/analysis.js'
import { type Presence } from '../presence.js'
import { type ScreenShareParentEvent } from './screenShareMachine.js'
import { type DevicesParentEvent } from './devicesMachine.js'
import type { DeviceKind } from '../api.js'
import { type ReconnectParentEvent } from './reconnectMachine.js'
import { type TabsParentEvent } from './tabsMachine.js'
import type { WarmUpEvent } from './warmUpActors.js'
import type { KnockEvent } from './lobbyActors.js'

export type { EndedReason }

export interface ConferenceContext {
  /** The last join request, kept for `user.retry`. */
  joinParams: JoinParams | null
  /** What the preview asked for, so a join with the same devices reuses the stream. */
  previewMedia: { audio: boolean; video: boolean } | null
  /** Set once the hub has it: created by us, or registered in by id (its details then follow: inRoom.room). */
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
  /**
   * The room pass Parley's hub gave us (lobby.ts in @parley/protocol): it lets us back into the room once its
   * host locked it (a reconnect, a Retry, the page's next load). `knock` when a host's admission gave it: should
   * register refuse even that, asking again would go round in a circle. A secret: never in a view or a log line.
   */
  pass: RoomPass | null
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

export interface RoomPass {
  roomId: string
  value: string
  from: 'register' | 'knock' | 'saved'
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
  | { type: 'user.muteEveryone' }
  | { type: 'user.removeParticipant'; clientId: string }
  | { type: 'user.setRoomLocked'; locked: boolean }
  | { type: 'user.answerKnock'; knockId: string; admit: boolean }
  | { type: 'user.admitEveryone' }
  | { type: 'user.grantHost'; clientId: string }
  /** From the host machine: a host made us one and it claimed the room's key with our pass. */
  | { type: 'host.keyClaimed'; key: string }
  | { type: 'user.sendChat'; text: string; at: number }
  | { type: 'user.readChat' }
  | { type: 'extras.changed' }
  /** The pre-join shows this room: is this browser already in it in another tab? */
  | { type: 'user.watchRoom'; roomId: string }
  | { type: 'user.selectDevice'; kind: DeviceKind; deviceId: string }
  | { type: 'user.reopenDevice'; kind: DeviceKind }
  /** The device's network changed (the `network` port): candidates gathered before may be gone. */
  | { type: 'network.changed' }
  | DevicesParentEvent
  | RemoteTrackEvent
  | HubEvent
  | NegotiationParentEvent
  | EventsParentEvent
  | StatsParentEvent
  | ScreenShareParentEvent
  | ReconnectParentEvent
  | TabsParentEvent
  | WarmUpEvent
  | KnockEvent

export const LEAVE_TIMEOUT_MS = 5000
/** One join step that talks to the hub (opening the room, registering): no answer in this time fails the join. */
export const JOIN_STEP_TIMEOUT_MS = 20_000
/**
 * From entering the room to media connected: the first ICE attempt and its restarts (each bounded by the
 * negotiation's iceRestartTimeout) fit in it. Past it the negotiation counts as failed (one fresh session, then `failed`).
 */
export const CONNECT_DEADLINE_MS = 35_000
/**
 * How long at most our answer to a hub offer is waited for: from ICE up until the first answer has left
 * (`settling`, still 'joining'), and from a hub offer until its answer has left (`answering`). A render in
 * between delays the answer, and the media (loadtest README, stops 35 and 36).
 */
export const SETTLE_LIMIT_MS = 300

/** The room session's ids, as the children and the hub requests take them. */
export const session = ({ context }: { context: ConferenceContext }) => ({ roomId: context.room?.id ?? '', clientId: context.clientId ?? '' })

/** The room a join registers in: the one we created, or the one asked for by id (not looked up first). */
export const joiningRoomId = (context: ConferenceContext): string => context.room?.id ?? context.joinParams?.roomId ?? ''

/** The host key of the room we (re)register in, when it is the room we created: a room its host locked lets us in. */
export const hostKeyFor = (context: ConferenceContext, roomId: string): string | null =>
  context.host.key !== null && context.host.roomId === roomId ? context.host.key : null

/** Our pass into `roomId` (lobby.ts), when we hold one. */
export const passFor = (context: ConferenceContext, roomId: string): string | null => (context.pass !== null && context.pass.roomId === roomId ? context.pass.value : null)

/** What the room opened as: its id and name, and whether we created it (with the host key, on Parley's hub). */
export interface OpenedRoom {
  room: RoomInfo
  /** Whether we created the room (`roomId`), so a Retry or reconnect into it keeps us its host. */
  host: { created: boolean; key: string | null; roomId?: string }
}

/** The hub's reason for a `left`, in the core's words. */
export function endedReasonOfLeft(reason: HubEvent & { type: 'hub.left' }): EndedReason {
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
