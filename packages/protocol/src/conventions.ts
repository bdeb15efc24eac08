// Parley's own conventions on top of the v1 API. They use only what the hosted hub offers too, so a
// Parley client works against either hub.
import * as v from 'valibot'

/**
 * Each participant publishes its microphone/camera state as room metadata under this key, so the
 * others learn of it through `meta_changed` (and `getmeta` when they join late). Deleted on leave.
 */
export const MEDIA_STATE_META_PREFIX = 'parley.media.'

export function mediaStateMetaKey(clientId: string): string {
  return `${MEDIA_STATE_META_PREFIX}${clientId}`
}

/** The client id a media-state key belongs to, or undefined for any other key. */
export function clientIdOfMediaStateKey(key: string): string | undefined {
  return key.startsWith(MEDIA_STATE_META_PREFIX) ? key.slice(MEDIA_STATE_META_PREFIX.length) || undefined : undefined
}

export const MediaStateSchema = v.object({
  audio: v.boolean(),
  video: v.boolean(),
  name: v.optional(v.string()),
  /** The participant created the room (its host). Informational: Parley's hub enforces host actions with a key. */
  host: v.optional(v.boolean()),
  /**
   * Its media is end-to-end encrypted (@parley/core/e2ee): someone without the call's key cannot decode it,
   * and an app says so instead of playing it.
   */
  e2ee: v.optional(v.boolean()),
})
export type MediaState = v.InferOutput<typeof MediaStateSchema>

/** Meta key listing every participant's media state at once: read once on join. */
export const MEDIA_STATE_INDEX_KEY = 'parley.media'
