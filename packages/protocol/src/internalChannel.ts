// The hub's `internal` data channel (hub-api-v1.md §5): the hub opens one per client after its first
// negotiation; the client reports on it what the hub needs to pick each subscriber's video layer. Every
// message is one JSON text frame. The official SDK sends `video_size` for each observed <video> (CSS
// pixels, never 0) and `stats` every 3 s; Parley's core also sends 0×0 for a tile that is off screen,
// which the hub takes as "not watched" and pauses that video until a size arrives again. A publisher
// of simulcast layers may say which of a track's layers it sends (`simulcast_layers`, a Parley frame):
// the hub moves the subscribers of a layer it stops at once instead of waiting out its silence. The hub
// sends `vad_started` / `vad_ended` to a client registered with `enable_vad`, for each audio track it
// receives (the SDK dispatches `voiceactivity` on the peer and on the stream whose id is `streamID`).
// The senders' frame writers are in internalFrames.ts, free of these schemas.
import * as v from 'valibot'
import { MAX_ID_LENGTH, parseJsonFrame } from './fields.js'

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

/** RFC 6464 audio level of a packet: -dBov, 0 the loudest, 127 silence (the `ssrc-audio-level` extension). */
export const MAX_AUDIO_LEVEL = 127

/** One audio packet of a voice-activity report: its RTP numbers, its level, and the sender's voice flag. */
export const AudioLevelSampleSchema = v.object({
  sequenceNo: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffff)),
  timestamp: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffffffff)),
  audioLevel: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_AUDIO_LEVEL)),
  /** The RFC 6464 V bit as the publisher set it (Chromium: from its own voice detection). */
  isVoice: v.boolean(),
})
export type AudioLevelSample = v.InferOutput<typeof AudioLevelSampleSchema>

/**
 * Hub → client: voice started on (or goes on: one frame per batch of loud packets) a track the client
 * receives, or ended (`audioLevels: null`, as the hosted hub sends it; the SDK then sets the stream's
 * level to 0). Field names as the official SDK reads them (camelCase, `trackID`, `streamID`).
 */
export const VoiceActivityMessageSchema = v.object({
  type: v.picklist(['vad_started', 'vad_ended']),
  data: v.object({
    trackID: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_ID_LENGTH)),
    streamID: v.pipe(v.string(), v.maxLength(MAX_ID_LENGTH)),
    ssrc: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffffffff)),
    clockRate: v.pipe(v.number(), v.integer(), v.minValue(1)),
    audioLevels: v.nullable(v.array(AudioLevelSampleSchema)),
  }),
})
export type VoiceActivityMessage = v.InferOutput<typeof VoiceActivityMessageSchema>
export type VoiceActivityData = VoiceActivityMessage['data']

/** One frame a client received on its `internal` channel, read as a voice-activity report (or why not). */
export function parseVoiceActivityFrame(frame: unknown): { ok: true; message: VoiceActivityMessage } | { ok: false; error: string } {
  return parseJsonFrame(VoiceActivityMessageSchema, 'voice activity', frame)
}
