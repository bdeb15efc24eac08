/** The median of a non-empty list (the mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/**
 * Two builds measured in the same rounds, trial i of one against trial i of the other: the median of the
 * differences (a − b, ms) and in how many rounds `a` was faster. Rounds share their moment's load, so this
 * resolves a smaller change than two medians do.
 */
export function paired(a: readonly number[], b: readonly number[]): { medianDifference: number; faster: number; rounds: number } {
  const rounds = Math.min(a.length, b.length)
  const differences = Array.from({ length: rounds }, (_, i) => a[i]! - b[i]!)
  return { medianDifference: median(differences), faster: differences.filter((d) => d < 0).length, rounds }
}
