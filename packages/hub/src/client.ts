// What the hub knows about one registered client. The room drives it; this holds state only.
import type { TrackInfo, TrackSource } from '@parley/protocol'
import { type Clock, Timer } from './clock.js'
import type { MediaPeer, PeerConnectionState, PublishedTrack } from './media/types.js'
import type { Negotiator } from './negotiation.js'
import type { SseChannel } from './sse.js'

/** A track this client publishes, as the room tracks it. */
export interface TrackState {
  readonly track: PublishedTrack
  source: TrackSource | 'unknown'
  /** Announced to the others with `tracks_available`. */
  available: boolean
  /** Announces the track as `media` if the publisher never calls settracksources. */
  readonly grace: Timer
}

export interface ClientEventRecord {
  name: string
  timestamp: number
  data: Record<string, string | null>
}

/**
 * `registered`: waiting for its peer to connect; `connected`: its peer connected at least once
 * (it counts as present in the room); `removed`: gone for good.
 */
export type ClientLifecycle = 'registered' | 'connected' | 'removed'

export class Client {
  name: string
  lifecycle: ClientLifecycle = 'registered'
  /** Room data channels are opened only once the client's first offer is answered. */
  firstOfferAnswered = false
  readonly tracks = new Map<string, TrackState>()
  /** Tracks waiting for the debounced `tracks_added`. */
  readonly pendingTracksAdded = new Set<string>()
  readonly events: Record<string, ClientEventRecord> = {}
  readonly connectTimer: Timer
  readonly reconnectTimer: Timer
  readonly tracksAddedTimer: Timer
  /** Runs while the peer is `failed`: the grace for an ICE restart. */
  readonly failedTimer: Timer
  /** Assigned right after construction (the peer's handlers need the client). */
  peer!: MediaPeer
  negotiator!: Negotiator
  sse!: SseChannel

  constructor(
    readonly id: string,
    readonly roomId: string,
    name: string,
    private readonly clock: Clock,
  ) {
    this.name = name
    this.connectTimer = new Timer(clock)
    this.reconnectTimer = new Timer(clock)
    this.tracksAddedTimer = new Timer(clock)
    this.failedTimer = new Timer(clock)
  }

  get present(): boolean {
    return this.lifecycle === 'connected'
  }

  record(name: string, data: Record<string, string | null> = {}): void {
    this.events[name] = { name, timestamp: this.clock.now(), data }
  }

  trackInfo(state: TrackState): TrackInfo {
    return {
      id: state.track.trackId,
      track_id: state.track.trackId,
      client_id: this.id,
      client_name: this.name,
      stream_id: state.track.streamId,
      kind: state.track.kind,
      source: state.source,
    }
  }

  stopTimers(): void {
    this.connectTimer.cancel()
    this.reconnectTimer.cancel()
    this.tracksAddedTimer.cancel()
    this.failedTimer.cancel()
    for (const state of this.tracks.values()) state.grace.cancel()
  }
}

const ICE_STATE: Record<PeerConnectionState, string> = {
  new: 'new',
  connecting: 'checking',
  connected: 'connected',
  disconnected: 'disconnected',
  failed: 'failed',
  closed: 'closed',
}

/** The ICE state reported by get client, derived from the peer state the media plane exposes. */
export function iceStateOf(state: PeerConnectionState): string {
  return ICE_STATE[state]
}
