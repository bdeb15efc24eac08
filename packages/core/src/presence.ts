// Raised hands and reactions (Parley room metadata, @parley/protocol presence.ts) as plain data with
// pure operations: what the others published, and our own (known at once, published in the background).
import { HandSchema, presenceOfKey, ReactionSchema, REACTIONS, type Reaction, type ReactionMeta } from '@parley/protocol'
import * as v from 'valibot'

export interface Presence {
  /** Client ids of the others with a raised hand. */
  hands: string[]
  /** The others' latest reaction, by client id. */
  reactions: Record<string, ReactionMeta>
  ownHand: boolean
  ownReaction: ReactionMeta | null
  /** Reactions we sent: makes each one's id new. */
  sent: number
}

export function emptyPresence(): Presence {
  return { hands: [], reactions: {}, ownHand: false, ownReaction: null, sent: 0 }
}

export function isReaction(emoji: string): emoji is Reaction {
  return (REACTIONS as readonly string[]).includes(emoji)
}

/** A meta_changed event: someone's hand or reaction (anything else, ours included, changes nothing). */
export function presenceChanged(presence: Presence, change: { key: string; value: unknown }, self: string | null): Presence {
  const owner = presenceOfKey(change.key)
  if (!owner || owner.clientId === self) return presence
  if (owner.kind === 'hand') {
    const parsed = v.safeParse(HandSchema, change.value)
    const raised = parsed.success && parsed.output.raised
    const others = presence.hands.filter((id) => id !== owner.clientId)
    return { ...presence, hands: raised ? [...others, owner.clientId] : others }
  }
  const parsed = v.safeParse(ReactionSchema, change.value)
  // A malformed reaction (a name, markup, an unknown emoji) is ignored.
  if (!parsed.success) return presence
  return { ...presence, reactions: { ...presence.reactions, [owner.clientId]: parsed.output } }
}

/** Our reaction: a new id each time, so the same emoji twice shows twice. */
export function ownReaction(presence: Presence, emoji: Reaction, self: string | null): Presence {
  const sent = presence.sent + 1
  return { ...presence, sent, ownReaction: { emoji, id: `${self ?? 'me'}-${sent}` } }
}

/** Participants with their hand and latest reaction. */
export function withPresence<P extends { clientId: string }>(participants: P[], presence: Presence): (P & { handRaised?: true; reaction?: ReactionMeta })[] {
  return participants.map((participant) => {
    const reaction = presence.reactions[participant.clientId]
    return { ...participant, ...(presence.hands.includes(participant.clientId) ? { handRaised: true as const } : {}), ...(reaction ? { reaction } : {}) }
  })
}
