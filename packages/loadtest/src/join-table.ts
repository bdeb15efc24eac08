// The join bench's first table (pure, so it is tested without a browser): per client the Join click → first
// decoded remote frame, and with more than one participant present also → every present participant's video
// decoded (`allFrames`), each as median, min, max and the ratio to the official SDK's median.
import { median } from './join-stats.js'

export interface JoinRow {
  label: string
  /** Click → first decoded remote frame, ms, one per trial. */
  first: readonly number[]
  /** Click → every present participant's video decoded, ms, one per trial. */
  all: readonly number[]
}

/** "2 participants" with one present (the title as before `--present`), else e.g. "4 participants (3 present + the newcomer)". */
export function participantsTitle(present: number): string {
  return present === 1 ? '2 participants' : `${present + 1} participants (${present} present + the newcomer)`
}

/** The table's lines; `sdk` is the official SDK's row when it ran (else the ratio is NaN, as before). */
export function joinSummaryTable(rows: readonly JoinRow[], sdk: JoinRow | undefined, present: number): string[] {
  const cells = (values: readonly number[], sdkValues: readonly number[] | undefined) => {
    const middle = median(values)
    return [middle.toFixed(0), Math.min(...values).toFixed(0), Math.max(...values).toFixed(0), (middle / median(sdkValues ?? [])).toFixed(2)]
  }
  // With one present the two figures are one (the same check marks both): the table stays as it was.
  if (present === 1) {
    return ['| client | median ms | min | max | ÷ official SDK median |', '|---|---|---|---|---|', ...rows.map((row) => `| ${[row.label, ...cells(row.first, sdk?.first)].join(' | ')} |`)]
  }
  return [
    '| client | first frame median ms | min | max | ÷ official SDK median | all frames median ms | min | max | ÷ official SDK median |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${[row.label, ...cells(row.first, sdk?.first), ...cells(row.all, sdk?.all)].join(' | ')} |`),
  ]
}
