// Why the hub ended our session. ConferenceView has no field for it, so this reads the one
// documented context field (`endedReason`) of the core's snapshot, tolerating its absence.
import type { ConferenceContext } from '@parley/core'

export type HubEndedReason = NonNullable<ConferenceContext['endedReason']>

const REASONS: readonly HubEndedReason[] = ['host-ended', 'removed', 'client-gone', 'timeout']

export function endedReasonOf(snapshot: unknown): HubEndedReason | undefined {
  const reason = (snapshot as { context?: { endedReason?: unknown } } | undefined)?.context?.endedReason
  return REASONS.find((known) => known === reason)
}
