// The `internal` channel's frames as a sender writes them (hub-api-v1.md §5): plain functions and the
// channel's label, with no schema, so that a client bundling them (the core) does not bundle valibot's
// schemas of internalChannel.ts. The readers, with their checks, stay there.
import type { SimulcastLayersMessage, VideoSizeMessage, VoiceActivityData, VoiceActivityMessage } from './internalChannel.js'

/** Label of the channel the hub creates for each client. */
export const INTERNAL_CHANNEL_LABEL = 'internal'

/** A client → hub: how large it shows a remote video, in whole CSS pixels (0×0: not shown; never negative). */
export function videoSizeFrame(trackId: string, width: number, height: number): string {
  const message: VideoSizeMessage = { type: 'video_size', data: { track_id: trackId, width: Math.max(0, Math.floor(width)), height: Math.max(0, Math.floor(height)) } }
  return JSON.stringify(message)
}

/** A publisher → hub: the rids of its track it sends from now on (a Parley frame; other hubs drop it). */
export function simulcastLayersFrame(trackId: string, active: readonly string[]): string {
  const message: SimulcastLayersMessage = { type: 'simulcast_layers', data: { track_id: trackId, active: [...active] } }
  return JSON.stringify(message)
}

/** Hub → client: `vad_started` with the levels, `vad_ended` with none (null). */
export function voiceActivityFrame(data: VoiceActivityData): string {
  const message: VoiceActivityMessage = { type: data.audioLevels ? 'vad_started' : 'vad_ended', data }
  return JSON.stringify(message)
}
