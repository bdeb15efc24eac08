// Keyboard focus moves: Tab inside a modal dialog, arrow keys along the call toolbar.

/**
 * The item after (step 1) or before (step -1) `current`, wrapping around at both ends. From
 * outside the list, the first item (or the last, going backwards).
 */
export function cycle<T>(items: readonly T[], current: T | null | undefined, step: 1 | -1): T | undefined {
  if (items.length === 0) return undefined
  const index = current == null ? -1 : items.indexOf(current)
  if (index === -1) return step === 1 ? items[0] : items[items.length - 1]
  return items[(index + step + items.length) % items.length]
}

const FOCUSABLE = 'button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])'

/** The elements inside `root` that Tab reaches, in document order (disabled ones are skipped). */
export function focusableIn(root: ParentNode): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (element) => !(element as HTMLButtonElement).disabled && !element.hidden,
  )
}
