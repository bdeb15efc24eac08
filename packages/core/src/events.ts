// Typed events the hub's SSE channel turns into (eventsMachine parses, the conference routes them).
import type { IceCandidate, LeftReason, TrackInfo } from '@parley/protocol'

export type HubEvent =
  | { type: 'hub.offer'; sdp: string }
  | { type: 'hub.candidate'; candidate: IceCandidate }
  | { type: 'hub.tracksAdded'; tracks: Record<string, TrackInfo> }
  | { type: 'hub.tracksAvailable'; tracks: Record<string, TrackInfo> }
  | { type: 'hub.allowedRenegotiation' }
  | { type: 'hub.metaChanged'; key: string; value: unknown }
  | { type: 'hub.left'; reason?: LeftReason }

export type EventsClosedReason = 'client-gone' | 'left'

/** What the events machine tells its parent besides the hub events themselves. */
export type EventsParentEvent =
  | { type: 'events.open' }
  | { type: 'events.reconnecting'; attempt: number; delayMs: number }
  | { type: 'events.closed'; reason: EventsClosedReason }
