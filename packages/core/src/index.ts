// @parley/core: the conference statecharts, the Hub API client and the createConference handle.
export * from './api.js'
export type * from './ports.js'
export { createConference, provideConference, type Conference, type ConferenceActor, type ConferenceOptions, type ConferenceSnapshot } from './conference.js'
export { selectView, deriveParticipants, statusOf, type ConferenceSnapshotLike } from './view.js'
export { browserPorts } from './browser.js'
export { createHubClient, HubError, isHubError, type HubClient, type HubClientOptions, type HubErrorKind } from './hubClient.js'
export { MediaRegistry } from './registry.js'
export { acquireMedia, classifyMediaError, type AcquiredMedia } from './media.js'
export type { HubEvent, EventsParentEvent, EventsClosedReason } from './events.js'
export {
  conferenceMachine,
  conferenceActors,
  toConferenceError,
  LEAVE_TIMEOUT_MS,
  type ConferenceContext,
  type ConferenceEvent,
  type ConferenceDeps,
  type AnnouncedTrack,
  type LiveTrack,
  type HubRequest,
} from './machines/conferenceMachine.js'
export {
  negotiationMachine,
  negotiationActors,
  LOCK_RETRY_MS,
  type NegotiationContext,
  type NegotiationEvent,
  type NegotiationInput,
  type NegotiationParentEvent,
  type NegotiationDeps,
} from './machines/negotiationMachine.js'
export { eventsMachine, eventsActors, reconnectDelayMs, toHubEvent, type EventsContext, type EventsEvent, type EventsInput, type EventsDeps } from './machines/eventsMachine.js'
