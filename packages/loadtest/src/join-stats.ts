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

/**
 * The clients of round `round` in the order they run. Rotating alone (round r starts with client r mod n)
 * kept each client's predecessor the same in most rounds (with parley, before, sdk: the before build came
 * right after parley in two rounds of three, parley after the SDK), so whatever the previous trial left
 * running (its teardown, the browser's) fell on the same client. The rotation runs forwards for n rounds,
 * then backwards for n: over every 2n rounds each client is first, last and after each other client
 * equally often. Runs of 2n rounds (6 for three clients, 8 for four) are balanced; the bench numbers the
 * warm-up rounds below 0.
 */
export function roundOrder<T>(order: readonly T[], round: number): T[] {
  const n = order.length
  const index = ((round % (2 * n)) + 2 * n) % (2 * n) // warm-up rounds count from −warmup, so the counted ones start the cycle
  const base = index < n ? [...order] : [...order].reverse()
  const start = index % n
  return [...base.slice(start), ...base.slice(0, start)]
}
