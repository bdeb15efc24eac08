// Column count for the tile grid: 1, 2, 2x2, 3x3, 4x4 … so tiles stay as large as the screen allows.

export interface GridShape {
  columns: number
  rows: number
}

export function gridShape(tileCount: number): GridShape {
  if (tileCount <= 1) return { columns: 1, rows: 1 }
  if (tileCount === 2) return { columns: 2, rows: 1 }
  const columns = Math.ceil(Math.sqrt(tileCount))
  return { columns, rows: Math.ceil(tileCount / columns) }
}

/** On a portrait screen (a phone held upright) the same tiles stack: columns and rows swap. */
export function portraitGridShape(tileCount: number): GridShape {
  const { columns, rows } = gridShape(tileCount)
  return { columns: rows, rows: columns }
}

/**
 * A phone held upright (≤ 480 px wide): tiles fill the screen instead of keeping 16:9. One fills it,
 * two stack, three or four make 2×2, more keep 2 columns of three visible rows and scroll.
 */
export function phoneGridShape(tileCount: number): GridShape {
  if (tileCount <= 1) return { columns: 1, rows: 1 }
  if (tileCount === 2) return { columns: 1, rows: 2 }
  if (tileCount <= 4) return { columns: 2, rows: 2 }
  return { columns: 2, rows: 3 }
}

/** Up to two initials for an avatar: "Ada Lovelace" → "AL", "ada" → "A", "" → "?". */
export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter((word) => word !== '')
  if (words.length === 0) return '?'
  const first = words[0] ?? ''
  const last = words.length > 1 ? (words[words.length - 1] ?? '') : ''
  return (Array.from(first)[0] ?? '').toUpperCase() + (Array.from(last)[0] ?? '').toUpperCase()
}

/** A stable hue per participant so avatars are told apart at a glance. */
export function hueOf(key: string): number {
  let hash = 0
  for (const char of key) hash = (hash * 31 + char.charCodeAt(0)) >>> 0
  return hash % 360
}
