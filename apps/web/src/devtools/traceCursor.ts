// Time travel over a call trace: where each statechart was at entry n, and what moved it there.
// Plain TS over the trace format of @parley/core (type-only import: nothing of the core's trace code
// is bundled by this file).
import type { Trace, TraceEntry } from '@parley/core/trace'
import { stateValueToPaths } from './inspectionLog'

export interface MachineMoment {
  /** The actor's path in the trace ('conference/negotiation'). */
  actor: string
  machine: string
  /** Active leaf paths, as the diagrams light them. */
  paths: string[]
  /** Active paths before the last change (to highlight the transition taken). */
  previousPaths: string[]
  /** The event that caused the last change, and when (entry seq). */
  event?: string
  seq?: number
}

export interface Moment {
  index: number
  entry: TraceEntry | undefined
  machines: MachineMoment[]
  /** The last input (request answer, SSE event, peer event, user event, timer) up to this entry. */
  cause?: TraceEntry
}

const INPUTS = new Set(['http.response', 'http.error', 'sse.event', 'pc.event', 'pc.result', 'pc.failure', 'dc.event', 'media.result', 'media.failure', 'media.event', 'timer.fire'])

/** The state of every statechart actor after entries[0..index]. */
export function momentAt(trace: Trace, index: number): Moment {
  const actors = new Map(trace.actors.map((actor) => [actor.ref, actor]))
  const byActor = new Map<number, MachineMoment>()
  let cause: TraceEntry | undefined
  const last = Math.min(index, trace.entries.length - 1)
  for (let i = 0; i <= last; i++) {
    const entry = trace.entries[i]!
    if (INPUTS.has(entry.kind) || (entry.kind === 'event' && entry.source === undefined && !entry.event.type.startsWith('xstate.'))) cause = entry
    if (entry.kind !== 'state' || entry.value === undefined) continue
    const actor = actors.get(entry.actor)
    if (!actor?.machine) continue
    const before = byActor.get(entry.actor)
    byActor.set(entry.actor, {
      actor: actor.path,
      machine: actor.machine,
      paths: stateValueToPaths(entry.value),
      previousPaths: before?.paths ?? [],
      event: entry.event,
      seq: entry.seq,
    })
  }
  return { index: last, entry: trace.entries[last], machines: [...byActor.values()], ...(cause ? { cause } : {}) }
}
