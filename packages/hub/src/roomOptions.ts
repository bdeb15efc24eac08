// Room options with defaults filled in. The SDK sends zeros and empty objects for "not set", so
// 0, {} and [] all mean "use the default" (hub-api-v1.md §2.1).
import type { Bitrates, QualityPresets, RoomOptions, RoomOptionsInput } from '@parley/protocol'

export const DEFAULT_BITRATES: Bitrates = {
  audio: 48_000,
  audio_red: 75_000,
  video: 700_000,
  video_high: 700_000,
  video_high_pixels: 259_200,
  video_mid: 300_000,
  video_mid_pixels: 64_800,
  video_low: 90_000,
  video_low_pixels: 16_200,
  initial_bandwidth: 1_000_000,
}

export const DEFAULT_QUALITY_PRESETS: QualityPresets = {
  high: { sid: 2, tid: 2 },
  mid: { sid: 1, tid: 1 },
  low: { sid: 0, tid: 0 },
}

/** What this hub's media plane forwards (VP8 + opus only; see werift-sfu-notes.md). */
export const DEFAULT_CODECS = ['video/VP8', 'audio/opus']

export const NS_PER_MS = 1_000_000
export const DEFAULT_EMPTY_ROOM_TIMEOUT_NS = 5 * 60 * 1000 * NS_PER_MS

function orDefault(value: number | undefined, fallback: number): number {
  return value === undefined || value === 0 ? fallback : value
}

export function fillRoomOptions(input: RoomOptionsInput | undefined, defaults: { emptyRoomTimeoutNs?: number } = {}): RoomOptions {
  const bitrates = Object.fromEntries(
    (Object.keys(DEFAULT_BITRATES) as (keyof Bitrates)[]).map((key) => [key, orDefault(input?.bitrates?.[key], DEFAULT_BITRATES[key])]),
  ) as Bitrates
  const presets = {} as QualityPresets
  for (const level of ['high', 'mid', 'low'] as const) {
    const given = input?.quality_presets?.[level]
    const fallback = DEFAULT_QUALITY_PRESETS[level]
    presets[level] = { sid: orDefault(given?.sid, fallback.sid), tid: orDefault(given?.tid, fallback.tid) }
  }
  return {
    bitrates,
    quality_presets: presets,
    codecs: input?.codecs && input.codecs.length > 0 ? [...input.codecs] : [...DEFAULT_CODECS],
    pli_interval_ns: input?.pli_interval_ns ?? 0,
    empty_room_timeout_ns: orDefault(input?.empty_room_timeout_ns, defaults.emptyRoomTimeoutNs ?? DEFAULT_EMPTY_ROOM_TIMEOUT_NS),
  }
}
