// Pages of tiles for a big room (web README, "Big rooms: pages of tiles"). The grid shows at most as
// many tiles as fit in the stage at MIN_TILE_WIDTH (16:9, laid out as VideoGrid's CSS does: gridShape's
// columns and rows, swapped on an upright stage); more make pages. Page 1 has the active speaker in place
// of its last tile when they would be on a later page (the two swap). Pure: the component measures, this decides.
import { gridShape, portraitGridShape } from './grid'

/**
 * The narrowest tile a page shows (CSS px; 90 high at 16:9). The core's smallest simulcast layer is a
 * quarter of the camera (160×120 of a 640×480 one): a narrower tile draws less than even that layer,
 * and the caption (name, microphone badge) and the 48 px avatar still fit at 160.
 */
export const MIN_TILE_WIDTH = 160
/** At most this many tiles on one page, however large the stage (Zoom's and Meet's largest gallery: 7×7). */
export const MAX_TILES_PER_PAGE = 49
/** The grid's gap between tiles (VideoGrid's `--gap`). */
export const GRID_GAP = 12
/** What the page controls take beside the grid (their 44 px column or row and a gap), when there are pages. */
export const PAGE_CONTROLS_SIZE = 56

export interface StageSize {
  width: number
  height: number
}

/** A stage no wider than tall, where VideoGrid's CSS swaps columns and rows (its container query). */
export function isUpright(stage: StageSize): boolean {
  return stage.width <= stage.height
}

/** The width of each of `count` 16:9 tiles in `stage`: the narrower of what its columns and its rows allow. */
export function tileWidthFor(count: number, stage: StageSize, upright = isUpright(stage), gap = GRID_GAP): number {
  const { columns, rows } = upright ? portraitGridShape(count) : gridShape(count)
  const byWidth = (stage.width - (columns - 1) * gap) / columns
  const byHeight = ((stage.height - (rows - 1) * gap) / rows) * (16 / 9)
  return Math.min(byWidth, byHeight)
}

/** How many tiles fit in `stage` at `minWidth` or wider: 1 to `max` (one even when none would). */
export function capacityOf(stage: StageSize, upright = isUpright(stage), minWidth = MIN_TILE_WIDTH, max = MAX_TILES_PER_PAGE): number {
  let fits = 1
  // Tiles narrow as their count grows (more columns or rows), so the first count too narrow ends it.
  for (let count = 2; count <= max && tileWidthFor(count, stage, upright) >= minWidth; count++) fits = count
  return fits
}

export interface Paging {
  /** Tiles on a full page. */
  pageSize: number
  pages: number
}

/**
 * How `total` tiles page in `stage`: one page when they all fit; otherwise the page controls take their
 * room beside the grid (a column on a wide stage, a row on an upright one) and the rest is paged.
 */
export function pagingFor(total: number, stage: StageSize): Paging {
  const whole = capacityOf(stage)
  if (total <= whole) return { pageSize: Math.max(total, 1), pages: 1 }
  // The CSS keeps the whole stage's orientation (its container query) for the grid beside the controls.
  const upright = isUpright(stage)
  const rest = upright ? { width: stage.width, height: stage.height - PAGE_CONTROLS_SIZE } : { width: stage.width - PAGE_CONTROLS_SIZE, height: stage.height }
  const pageSize = capacityOf(rest, upright)
  return { pageSize, pages: Math.ceil(total / pageSize) }
}

/** The page (0-based) kept within `pages`: the last when the one shown is gone. */
export function clampPage(page: number, pages: number): number {
  return Math.max(0, Math.min(page, pages - 1))
}

/**
 * The order pages are cut from: today's order, except that the active speaker, when beyond page 1, swaps
 * places with page 1's last tile (that tile goes to the speaker's place on their page, so everyone is on
 * exactly one page). Only a change of speaker moves tiles.
 */
export function pagedOrder(keys: readonly string[], pageSize: number, speaker?: string): string[] {
  const order = [...keys]
  const at = speaker === undefined ? -1 : order.indexOf(speaker)
  if (at >= pageSize) [order[pageSize - 1], order[at]] = [order[at]!, order[pageSize - 1]!]
  return order
}

/** The keys shown on `page` (0-based), each with its place on that page. */
export function pageOf(keys: readonly string[], page: number, pageSize: number, speaker?: string): Map<string, number> {
  const shown = pagedOrder(keys, pageSize, speaker).slice(page * pageSize, (page + 1) * pageSize)
  return new Map(shown.map((key, place) => [key, place]))
}
