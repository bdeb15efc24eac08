// Its own module, without valibot: an app draws the reaction buttons before it loads the schemas
// that check what others sent (presence.ts; apps/web fetches the core after its first screen).

/** The reactions a client may send; anything else is ignored by receivers (never shown as markup). */
export const REACTIONS = ['👍', '👏', '😂', '🎉', '❤️', '😮'] as const
export type Reaction = (typeof REACTIONS)[number]
