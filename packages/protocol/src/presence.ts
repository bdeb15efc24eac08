// Parley's raised hands and reactions, as room metadata (like the media state in conventions.ts), so
// they work on the hosted hub too: each participant writes only its own keys and the others learn of
// them through `meta_changed`.
import * as v from 'valibot'
import { REACTIONS } from './reactions.js'

export { REACTIONS, type Reaction } from './reactions.js'

export const HAND_META_PREFIX = 'parley.hand.'
export const REACTION_META_PREFIX = 'parley.reaction.'

export const handMetaKey = (clientId: string) => `${HAND_META_PREFIX}${clientId}`
export const reactionMetaKey = (clientId: string) => `${REACTION_META_PREFIX}${clientId}`

/** `parley.hand.<clientId>`: lowering writes `{ raised: false }` (a delete would 404 on a second lower). */
export const HandSchema = v.object({ raised: v.boolean() })
export type Hand = v.InferOutput<typeof HandSchema>

/** `parley.reaction.<clientId>`: the latest reaction; `id` changes with each one, so the same emoji twice shows twice. */
export const ReactionSchema = v.object({ emoji: v.picklist(REACTIONS), id: v.pipe(v.string(), v.maxLength(64)) })
export type ReactionMeta = v.InferOutput<typeof ReactionSchema>

/** Whose hand or reaction a key is, or undefined for any other key. */
export function presenceOfKey(key: string): { kind: 'hand' | 'reaction'; clientId: string } | undefined {
  for (const [kind, prefix] of [['hand', HAND_META_PREFIX], ['reaction', REACTION_META_PREFIX]] as const) {
    if (key.startsWith(prefix) && key.length > prefix.length) return { kind, clientId: key.slice(prefix.length) }
  }
  return undefined
}
