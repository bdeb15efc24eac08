// Every duration the hub waits for, in one place (the command line sets them; tests shorten them).
import { DEFAULT_PING_INTERVAL_MS } from '@parley/protocol'
import type { LivenessTimings } from './liveness.js'
import type { NegotiationTimings } from './negotiation.js'

export interface HubTimings extends NegotiationTimings, LivenessTimings {
  /** A registered client whose peer does not connect within this is dropped. */
  connectTimeoutMs: number
  /** A client whose event stream closed and did not come back within this is removed. */
  reconnectGraceMs: number
  /** `ping` interval on open event streams (announced in each ping: a client detects a dead stream by it). */
  pingIntervalMs: number
  /** Debounce of `tracks_added` to the publisher; 0 = none (the tracks of one offer, published in one tick, share one). */
  tracksAddedDebounceMs: number
  /** A track whose publisher never calls settracksources becomes available as `media` after this. */
  trackSourceGraceMs: number
  /**
   * A client whose peer is `failed` stays this long (subscriptions kept, offers accepted) so an ICE
   * restart can bring it back, as the hosted hub does; still not `connected` after it → removed.
   */
  failedGraceMs: number
  /**
   * The last host present of a room with host controls gone, the hub waits this long before it makes someone
   * else a host (hostHandover.ts): a host reloading the page is back with the key (or its marked pass) by then.
   */
  hostHandoverGraceMs: number
}

export const DEFAULT_TIMINGS: HubTimings = {
  offerDebounceMs: 0,
  answerTimeoutMs: 30_000,
  clientTurnTimeoutMs: 10_000,
  connectTimeoutMs: 60_000,
  reconnectGraceMs: 10_000,
  pingIntervalMs: DEFAULT_PING_INTERVAL_MS,
  tracksAddedDebounceMs: 0,
  trackSourceGraceMs: 1_000,
  failedGraceMs: 5_000,
  hostHandoverGraceMs: 10_000,
  connectionProblemMs: 1_500,
  streamLostSilenceMs: 2_000,
  frozenPeerMs: 8_000,
}

/** On top of the longest resume the rules allow: reconnect back-off, a slow request, a loaded machine. */
const RESUME_MARGIN_MS = 30_000

/**
 * How long an event written to a client's stream may still be asked for again (`Last-Event-ID`): a
 * stream that died silently is noticed by the client within 2 pings, and a closed one is given the
 * reconnect grace before the client is removed. Older written events are dropped (`SseChannel`), so a
 * long-lived client's backlog holds about this much time, not the count and size limits for good.
 */
export function resumeWindowMs(timings: Pick<HubTimings, 'pingIntervalMs' | 'reconnectGraceMs'>): number {
  return 2 * timings.pingIntervalMs + timings.reconnectGraceMs + RESUME_MARGIN_MS
}
