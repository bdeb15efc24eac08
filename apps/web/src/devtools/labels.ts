// How guards and triggers read in the devtools. Apart from machineGraph.ts because the inspection log
// (in the first download: it records from the first event) needs guardLabel, and importing it from
// machineGraph.ts would pull the whole graph reader out of the State panel's lazy chunk.

/** A guard as text: a name, xstate's combinators spelled out, 'inline' for an anonymous function. */
export function guardLabel(guard: unknown): string | undefined {
  if (guard === undefined || guard === null) return undefined
  if (typeof guard === 'string') return guard
  if (typeof guard === 'object' && typeof (guard as { type?: unknown }).type === 'string') return (guard as { type: string }).type
  const combined = guard as { name?: string; guards?: unknown[] }
  if (typeof guard === 'function' && Array.isArray(combined.guards)) {
    const inner = combined.guards.map(guardLabel)
    if (combined.name === 'not') return `not ${inner[0]}`
    return inner.join(combined.name === 'or' ? ' or ' : ' and ')
  }
  return 'inline'
}

/** The trigger of a transition as people read it: `after leaveTimeout`, `done openRoom`, `error x`, the event. */
export function triggerLabel(eventType: string, nodeId: string): string {
  if (eventType === '') return 'always'
  if (eventType.startsWith('xstate.after.')) return `after ${eventType.slice(13).replace(`.${nodeId}`, '')}`
  const actor = /^xstate\.(done|error)\.actor\.(.+)$/.exec(eventType)
  if (actor) return `${actor[1]} ${actor[2]}`
  return eventType
}
