// The hub's `internal` data channel (hub-api-v1.md §5): the hub opens one per client after its first
// negotiation; the client reports on it what the hub needs to pick each subscriber's video layer. Every
// message is one JSON text frame. The official SDK sends `video_size` for each observed <video> (CSS
// pixels, never 0) and `stats` every 3 s; Parley's core also sends 0×0 for a tile that is off screen,
// which the hub takes as "not watched" and pauses that video until a size arrives again. A publisher
// of simulcast layers may say which of a track's layers it sends (`simulcast_layers`, a Parley frame):
// the hub moves the subscribers of a layer it stops at once instead of waiting out its silence.
import * as v from 'valibot'
import { MAX_ID_LENGTH, parseJsonFrame } from './fields.js'

/** Label of the channel the hub creates for each client. */
export const INTERNAL_CHANNEL_LABEL = 'internal'
/** Largest width or height accepted, in CSS pixels (an 8K screen is 7680 wide). */
export const MAX_VIDEO_SIZE = 16384

const size = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_VIDEO_SIZE))

export const VideoSizeMessageSchema = v.object({
  type: v.literal('video_size'),
  data: v.object({
    /** The video track's id as the receiving client sees it (its MediaStreamTrack id). */
    track_id: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_ID_LENGTH)),
    width: size,
    height: size,
  }),
})
export type VideoSizeMessage = v.InferOutput<typeof VideoSizeMessageSchema>

/** Most rids a `simulcast_layers` frame names, and the longest rid (RFC 8851 rids are short tokens). */
export const MAX_LAYERS = 8
export const MAX_RID_LENGTH = 32

export const SimulcastLayersMessageSchema = v.object({
  type: v.literal('simulcast_layers'),
  data: v.object({
    /** The publisher's own video track id (its MSID track id, as `tracks_available` names it). */
    track_id: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_ID_LENGTH)),
    /** The rids it sends from now on; the track's other layers are stopped (not waited for). */
    active: v.pipe(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_RID_LENGTH))), v.maxLength(MAX_LAYERS)),
  }),
})
export type SimulcastLayersMessage = v.InferOutput<typeof SimulcastLayersMessageSchema>

export const QualityLimitationReasonSchema = v.picklist(['none', 'cpu', 'bandwidth', 'both', 'other'])

export const ClientStatsMessageSchema = v.object({
  type: v.literal('stats'),
  data: v.object({
    /** The client's own estimate of its uplink, bits per second. */
    available_outgoing_bitrate: v.pipe(v.number(), v.finite(), v.minValue(0)),
    quality_limitation_reason: QualityLimitationReasonSchema,
  }),
})
export type ClientStatsMessage = v.InferOutput<typeof ClientStatsMessageSchema>

export const InternalMessageSchema = v.variant('type', [VideoSizeMessageSchema, ClientStatsMessageSchema, SimulcastLayersMessageSchema])
export type InternalMessage = v.InferOutput<typeof InternalMessageSchema>

/** One received frame: the message, or why it was refused (for a log line; the channel stays open). */
export function parseInternalFrame(frame: unknown): { ok: true; message: InternalMessage } | { ok: false; error: string } {
  return parseJsonFrame(InternalMessageSchema, 'internal', frame)
}

/** The frame a client sends to report how large it shows a remote video (0×0: not shown). */
export function videoSizeFrame(trackId: string, width: number, height: number): string {
  const message: VideoSizeMessage = { type: 'video_size', data: { track_id: trackId, width: Math.floor(width), height: Math.floor(height) } }
  return JSON.stringify(message)
}
