// How the call arranges its tiles: a grid, or one tile large with the others in a strip. Pure, so the
// rules are tested without a browser: a pin beats everything, a remote screen share is presented
// automatically (and released when it ends), the speaker layout follows the active speaker.
import type { ConferenceView } from '../conference/types'
import type { Tile } from './tiles'

/** What the person chose; 'auto' is the grid until a share starts. */
export type LayoutPreference = 'grid' | 'speaker'

export type LayoutMode = 'grid' | 'speaker' | 'presentation' | 'pinned'

export interface Arrangement {
  mode: LayoutMode
  /** The large tile (every mode but grid). */
  main?: Tile
  /** The grid's tiles, or the strip beside/below the large tile. */
  others: Tile[]
  /** Your own tile when minimised: a small floating view outside the layout. */
  floating?: Tile
}

export interface ArrangeInput {
  tiles: Tile[]
  preference: LayoutPreference
  pinned?: string | undefined
  activeSpeaker?: string | undefined
  selfMinimised: boolean
}

export function arrange({ tiles, preference, pinned, activeSpeaker, selfMinimised }: ArrangeInput): Arrangement {
  const floating = selfMinimised ? tiles.find((tile) => tile.local && tile.kind === 'camera') : undefined
  const shown = floating ? tiles.filter((tile) => tile !== floating) : tiles
  const focus = (mode: LayoutMode, main: Tile): Arrangement => ({ mode, main, others: shown.filter((tile) => tile !== main), ...(floating ? { floating } : {}) })
  const pinnedTile = pinned ? shown.find((tile) => tile.key === pinned) : undefined
  if (pinnedTile) return focus('pinned', pinnedTile)
  // The newest share of someone else; your own is in the strip (presenting it to yourself would mirror it).
  const screen = shown.filter((tile) => tile.kind === 'screen' && !tile.local).at(-1)
  if (screen) return focus('presentation', screen)
  if (preference === 'speaker' && shown.length > 1) {
    const speaker = shown.find((tile) => tile.key === activeSpeaker) ?? shown.find((tile) => !tile.local) ?? shown[0]!
    return focus('speaker', speaker)
  }
  return { mode: 'grid', others: shown, ...(floating ? { floating } : {}) }
}

/**
 * Who the speaker layout shows large: the view's active speaker when the core reports one
 * (`activeSpeaker`, from the stats actor), else the participant who most recently turned their
 * microphone on and still has it on (`recentlyUnmuted`, newest first).
 */
export function activeSpeakerOf(view: ConferenceView, recentlyUnmuted: readonly string[]): string | undefined {
  const present = (clientId: string | undefined) => clientId !== undefined && view.participants.some((p) => p.clientId === clientId)
  const reported = (view as ConferenceView & { activeSpeaker?: string }).activeSpeaker
  if (present(reported)) return reported
  return recentlyUnmuted.find((clientId) => view.participants.some((p) => p.clientId === clientId && p.audioEnabled))
}

/** Newest first: who turned their microphone on between two views (joining unmuted counts); `order` itself when nobody did. */
export function noteUnmuted(before: ConferenceView | undefined, after: ConferenceView, order: readonly string[]): readonly string[] {
  const wasOn = new Set(before?.participants.filter((p) => p.audioEnabled).map((p) => p.clientId) ?? [])
  const turnedOn = after.participants.filter((p) => p.audioEnabled && !wasOn.has(p.clientId)).map((p) => p.clientId)
  if (turnedOn.length === 0) return order
  return [...turnedOn, ...order.filter((id) => !turnedOn.includes(id))]
}
