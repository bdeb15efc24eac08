// @parley/core: the conference statecharts, the Hub API client and the createConference handle.
export * from './api.js'
export type * from './ports.js'
export {
  createConference,
  provideConference,
  type Conference,
  type ConferenceActor,
  type ConferenceMedia,
  type ConferenceOptions,
  type ConferenceSnapshot,
} from './conference.js'
export { selectView, answeringOffer, participantsOf, participantChanges, deriveParticipants, statusOf, type ConferenceSnapshotLike } from './view.js'
export { GUEST_NAME } from './guestName.js'
export { INCOMING_VIDEO_MODES, LOW_VIDEO_PIXELS, askedSize, isIncomingVideo, type IncomingVideo } from './machines/incomingVideo.js'
export { browserPorts } from './browser.js'
export { createHubClient, HubError, isHubError, type HubClient, type HubClientOptions, type HubErrorKind } from './hubClient.js'
export { LocalMedia } from './localMedia.js'
export { ScreenMedia } from './screenMedia.js'
export { screenShareMachine, type ScreenShareContext, type ScreenShareEvent, type ScreenShareParentEvent } from './machines/screenShareMachine.js'
export { screenShareActors, classifyScreenError, type ScreenShareDeps } from './machines/screenShareActors.js'
export { RemoteStreams, type RemoteTrackEvent } from './remoteStreams.js'
export { PeerSession, type PeerSessionEvent, type PeerSessionReports } from './peerSession.js'
export { emptyRoster, announce, trackLive, trackEnded, mediaStateChanged, type Roster, type AnnouncedTrack, type LiveTrack, type AnnouncementRequests } from './roster.js'
export { toConferenceError } from './errors.js'
export { acquireMedia, classifyMediaError, type AcquiredMedia } from './media.js'
export { HUB_EVENT_RECIPIENTS, type HubEvent, type EventsParentEvent, type EventsClosedReason } from './events.js'
export { conferenceMachine, LEAVE_TIMEOUT_MS, type ConferenceContext, type ConferenceEvent } from './machines/conferenceMachine.js'
export { conferenceActors, type ConferenceDeps, type HubRequest } from './machines/conferenceActors.js'
export {
  negotiationMachine,
  LOCK_RETRY_MS,
} from './machines/negotiationMachine.js'
export type {
  NegotiationContext,
  NegotiationEvent,
  NegotiationInput,
  NegotiationParentEvent,
  PeerSessionCommand,
} from './machines/negotiationTypes.js'
export { negotiationActors, type NegotiationDeps } from './machines/negotiationActors.js'
export { warmUpActors, type WarmUpDeps, type WarmUpEvent } from './machines/warmUpActors.js'
export { serialWorker } from './machines/serialWorker.js'
export { statsMachine, STATS_INTERVAL_MS, type StatsParentEvent } from './machines/statsMachine.js'
export { statsActors, type StatsDeps } from './machines/statsActors.js'
export { PeerStats } from './stats/peerStats.js'
export { QUALITY_THRESHOLDS, SPEAKING_LEVEL, SPEAKING_HOLD_MS, SPEAKER_SWITCH_MS, FROZEN_AFTER_MS, type StatsSummary, type TrackStats } from './stats/analysis.js'
export { emptyPresence, type Presence } from './presence.js'
/** The reactions a participant may send (`handle.react(emoji)`). */
export { REACTIONS, type Reaction } from '@parley/protocol'
export {
  eventsMachine,
  eventsActors,
  reconnectDelayMs,
  toHubEvent,
  STREAM_SILENCE_MS,
  HUB_PING_INTERVAL_MS,
  MAX_STREAM_RECONNECTS,
  type EventsContext,
  type EventsEvent,
  type EventsInput,
  type EventsDeps,
} from './machines/eventsMachine.js'
export {
  reconnectMachine,
  reconnectActors,
  reconnectBackoffMs,
  MAX_RECONNECT_ATTEMPTS,
  RECONNECT_DEADLINE_MS,
  type ReconnectInput,
  type ReconnectOutput,
} from './machines/reconnectMachine.js'
/** The least time the camera's top layer runs alone after its estimate ran short (sendLayers.ts); browser specs wait on it. */
export { LAYERS_OFF_MS } from './sendLayers.js'
