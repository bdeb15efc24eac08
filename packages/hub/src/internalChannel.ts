// One client's `internal` data channel (hub-api-v1.md §5): the hub opens it for every client, reads the
// client's frames (protocol's parseInternalFrame) and routes them: `video_size` to the media plane (the
// simulcast ceiling, or the pause of a hidden tile: media/viewer-size.ts), `simulcast_layers` (the layers
// of its own track a publisher sends) to the media plane too (werift-simulcast.ts), `stats` kept as the client's
// latest (GET client shows it as the event `client_stats`). A bad frame is logged, rate-limited, and
// dropped; the channel stays open. The hub sends on it the voice activity of the audio tracks the client
// receives (`vad_started` / `vad_ended`), when it registered with `enable_vad` (media/vad.ts detects it).
// Like the hosted hub, only its subscribers hear about a track, never its publisher.
//
// The channel must not cost the join a round trip. A client whose first offer has an m=application
// (Parley's core always bootstraps one) gets it as one more SCTP stream, no offer needed. Otherwise it
// rides on the next hub offer that goes anyway (the plane's `withNextOffer`): a client receives video
// only through a hub offer, so every client with a tile to report has the channel by then. A client that
// never subscribes to anything gets no offer for it alone (its `stats` are then not seen).
import { type ClientStatsMessage, INTERNAL_CHANNEL_LABEL, parseInternalFrame, voiceActivityFrame } from '@parley/protocol'
import type { Clock } from './clock.js'
import type { Logger } from './log.js'
import type { MediaPeer, PublishedTrack, VoiceActivity } from './media/types.js'

/** A bad frame is logged at most once per this long (with the count of the ones left out). */
export const BAD_FRAME_LOG_INTERVAL_MS = 10_000
/** A frame longer than this is refused unread (the longest valid one is about 250 characters). */
export const MAX_FRAME_LENGTH = 2_048

export type ClientStats = ClientStatsMessage['data'] & { readonly at: number }

export interface InternalChannelDeps {
  clock: Clock
  peer: Pick<MediaPeer, 'openDataChannel' | 'viewerSize' | 'sendDataChannelMessage' | 'publisherLayers'>
  log: Logger
  /** The client's latest stats frame (shown by get client). */
  statsReceived(stats: ClientStats): void
}

export class InternalChannel {
  readonly #deps: InternalChannelDeps
  #stats: ClientStats | undefined
  #lastBadLogAt = Number.NEGATIVE_INFINITY
  #badSinceLog = 0
  #closed = false

  /** Opens the channel on the client's peer (created once its first offer is applied). */
  constructor(deps: InternalChannelDeps) {
    this.#deps = deps
    deps.peer.openDataChannel(INTERNAL_CHANNEL_LABEL, true, true)
  }

  get stats(): ClientStats | undefined {
    return this.#stats
  }

  /** One frame the client sent on the channel. */
  frame(data: string | Uint8Array): void {
    if (this.#closed) return
    if (typeof data === 'string' && data.length > MAX_FRAME_LENGTH) return this.#bad(`internal frame of ${data.length} characters, over ${MAX_FRAME_LENGTH}`)
    const parsed = parseInternalFrame(data)
    if (!parsed.ok) return this.#bad(parsed.error)
    const { message } = parsed
    if (message.type === 'video_size') {
      const { track_id, width, height } = message.data
      this.#deps.peer.viewerSize(track_id, width, height)
      return
    }
    if (message.type === 'simulcast_layers') return this.#deps.peer.publisherLayers(message.data.track_id, message.data.active)
    this.#stats = { ...message.data, at: this.#deps.clock.now() }
    this.#deps.statsReceived(this.#stats)
  }

  /** A voice report of a track the client receives: sent as it is (the plane bounds their rate). */
  voiceActivity(track: PublishedTrack, activity: VoiceActivity): void {
    if (this.#closed) return
    const frame = voiceActivityFrame({ trackID: track.trackId, streamID: track.streamId, ssrc: activity.ssrc, clockRate: activity.clockRate, audioLevels: activity.audioLevels })
    this.#deps.peer.sendDataChannelMessage(INTERNAL_CHANNEL_LABEL, frame)
  }

  close(): void {
    this.#closed = true
  }

  #bad(error: string): void {
    const now = this.#deps.clock.now()
    if (now - this.#lastBadLogAt < BAD_FRAME_LOG_INTERVAL_MS) {
      this.#badSinceLog++
      return
    }
    this.#deps.log('warn', 'internal channel frame ignored', { error, leftOut: this.#badSinceLog })
    this.#lastBadLogAt = now
    this.#badSinceLog = 0
  }
}
