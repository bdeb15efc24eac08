// Typed events the hub's SSE channel turns into (the events machine parses them and delivers each to
// the actor it is for: HUB_EVENT_RECIPIENTS).
import type { IceCandidate, LeftReason, TrackInfo } from '@parley/protocol'
import type { KnockAnswered, VideoPauseReason, WaitingPerson } from './api.js'

/** Who did it, as the hub names them (Parley's host controls). */
export interface HubActor {
  clientId: string
  name: string
}

export type HubEvent =
  | { type: 'hub.offer'; sdp: string }
  | { type: 'hub.candidate'; candidate: IceCandidate }
  | { type: 'hub.tracksAdded'; tracks: Record<string, TrackInfo> }
  | { type: 'hub.tracksAvailable'; tracks: Record<string, TrackInfo> }
  | { type: 'hub.allowedRenegotiation' }
  | { type: 'hub.metaChanged'; key: string; value: unknown }
  | { type: 'hub.left'; reason?: LeftReason; by?: HubActor }
  /** Parley's hub: the host asks us to turn our microphone off. */
  | { type: 'hub.muteRequested'; by?: HubActor }
  /** Parley's hub: the host locked the room to newcomers, or unlocked it (also on joining a locked room with the host key). */
  | { type: 'hub.roomLocked'; locked: boolean; by?: HubActor }
  /**
   * Parley's hub: who waits in the lobby of the locked room now (oldest first), and the answer that changed it,
   * when one did (`by` absent when the hub answered: an unlock, an expiry).
   */
  | { type: 'hub.knocks'; waiting: WaitingPerson[]; answered?: KnockAnswered }
  /**
   * Parley's hub: a host made us a host too (co-host), or the hub did because the last host present left (`reason`
   * `host_left`, `by` that host); we claim the room's host key with our room pass.
   */
  | { type: 'hub.hostGranted'; by?: HubActor; reason?: string }
  /** Parley's hub: another client's media and RTCP stopped reaching it (`problem`), or came back. */
  | { type: 'hub.connectionProblem'; clientId: string; problem: boolean }
  /**
   * Parley's hub: it stopped forwarding another client's video track to us because our link could not
   * carry it (`paused`; their audio still flows), or forwards it again (from a keyframe).
   */
  | { type: 'hub.videoPaused'; clientId: string; trackId: string; paused: boolean; reason: VideoPauseReason }

/**
 * The systemId of the actor each signaling event is for: the negotiation machine, and the peer
 * session it owns (which keeps the hub's candidates until a remote description exists), and the host
 * controls (machines/hostMachine.ts) for a mute request, the room's lock and its lobby. Every other
 * hub event goes to the events machine's parent, the conference.
 */
export const HUB_EVENT_RECIPIENTS: Partial<Record<HubEvent['type'], 'negotiation' | 'peerSession' | 'host'>> = {
  'hub.offer': 'negotiation',
  'hub.allowedRenegotiation': 'negotiation',
  'hub.candidate': 'peerSession',
  'hub.muteRequested': 'host',
  'hub.roomLocked': 'host',
  'hub.knocks': 'host',
  'hub.hostGranted': 'host',
}

/** `lost`: the stream could not be restored in a bounded number of attempts (the hub is unreachable). */
export type EventsClosedReason = 'client-gone' | 'left' | 'lost'

/** What the events machine tells its parent besides the hub events themselves. */
export type EventsParentEvent =
  | { type: 'events.open' }
  | { type: 'events.reconnecting'; attempt: number; delayMs: number }
  | { type: 'events.closed'; reason: EventsClosedReason }
  /** An event that broke the v1 contract: never dropped silently (an unusable hub offer needs recovery). */
  | { type: 'events.invalid'; event: string; error: string }
