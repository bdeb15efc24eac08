// A registry of the live XState actors and the last events they received, fed by XState's
// `inspect` option. Plain TS (no Vue) so both the Vue devtools plugin and the in-app state panel
// read the same data, and so it is unit tested without a browser.
import type { InspectionEvent } from 'xstate'
import { guardLabel } from './labels'

export interface ActorRecord {
  sessionId: string
  /** The actor's id: the invoke/spawn id, or the machine id for the root. */
  id: string
  rootId: string
  /** 'active' until the actor finishes; finished children leave the registry, the root stays. */
  status: string
  /** The state value for machines; undefined for promise/callback actors. */
  value: unknown
  /** Active state configuration as dotted paths, e.g. ['inRoom.negotiation.stable']. */
  paths: string[]
  context: unknown
  /** Session ids of the actor's children, as its last snapshot listed them. */
  children: string[]
  updatedAt: number
  /** The machine definition of a statechart actor (what the State panel draws); undefined otherwise. */
  machine?: { id: string; root: unknown }
}

export interface LoggedEvent {
  seq: number
  at: number
  type: string
  /** Receiving actor. */
  targetId: string
  targetSessionId: string
  /** Sending actor, when another actor sent it (undefined for events from outside, e.g. the UI). */
  sourceId?: string
  /** The event, reduced to plain data for display. */
  payload: unknown
  /** The transitions the event took, as XState's microsteps reported them (filled in once processed). */
  transitions: TakenTransition[]
  /** The receiving actor's active state paths before and after the event (once processed). */
  before?: string[]
  after?: string[]
}

/** One transition a machine took: state paths relative to the machine root ('' is the root). */
export interface TakenTransition {
  /** The event type the transition is defined on ('' for an eventless `always`). */
  event: string
  source: string
  targets: string[]
  guard?: string
}

export interface InspectionLog {
  /** Pass as (or call from) XState's `inspect` option. */
  inspect(event: InspectionEvent): void
  /** Live actors, root first. */
  actors(): ActorRecord[]
  /** The most recent events, oldest first. */
  events(): LoggedEvent[]
  /** Called after every change (actors or events). */
  subscribe(listener: () => void): () => void
  /** Called once per event, when its actor has processed it (with the transitions it took), for timelines. */
  onEvent(listener: (event: LoggedEvent) => void): () => void
  clear(): void
}

export interface InspectionLogOptions {
  /** How many events to keep. */
  limit?: number
  now?: () => number
}

/** `'idle'` → ['idle']; `{ inRoom: { media: 'on', events: 'open' } }` → ['inRoom.media.on', 'inRoom.events.open']. */
export function stateValueToPaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix + value]
  if (typeof value !== 'object' || value === null) return []
  const entries = Object.entries(value as Record<string, unknown>)
  if (entries.length === 0) return prefix ? [prefix.slice(0, -1)] : []
  return entries.flatMap(([key, child]) => stateValueToPaths(child, `${prefix}${key}.`))
}

/** Plain-data copy for display: class instances (MediaStream, Error …) become a short label. */
export function toPlain(value: unknown, depth = 4): unknown {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' ? '[function]' : value
  }
  if (value instanceof Error) return `[${value.name}: ${value.message}]`
  if (depth <= 0) return '[…]'
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => toPlain(item, depth - 1))
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object'
    return `[${name}]`
  }
  const result: Record<string, unknown> = {}
  for (const [key, child] of Object.entries(value)) result[key] = toPlain(child, depth - 1)
  return result
}

interface SnapshotLike {
  status?: string
  value?: unknown
  context?: unknown
  children?: Record<string, { sessionId?: string } | undefined>
}

/** The invoke/spawn id; for a root actor (whose id is its session id) the machine's id. */
function actorName(actorRef: unknown): string {
  const ref = actorRef as { id?: string; sessionId: string; logic?: { id?: unknown } }
  if (ref.id !== undefined && ref.id !== ref.sessionId) return ref.id
  return typeof ref.logic?.id === 'string' ? ref.logic.id : ref.sessionId
}

interface TransitionLike {
  eventType?: string
  source?: { path?: string[] }
  target?: readonly { path?: string[] }[]
  guard?: unknown
}

/** XState's transition definition reduced to paths (the devtools never hold the machine's objects). */
export function toTakenTransition(transition: TransitionLike): TakenTransition {
  const guard = guardLabel(transition.guard)
  return {
    event: transition.eventType ?? '',
    source: (transition.source?.path ?? []).join('.'),
    targets: (transition.target ?? []).map((target) => (target.path ?? []).join('.')),
    ...(guard ? { guard } : {}),
  }
}

export function createInspectionLog(options: InspectionLogOptions = {}): InspectionLog {
  const limit = options.limit ?? 30
  const now = options.now ?? (() => Date.now())
  const records = new Map<string, ActorRecord>()
  let recent: LoggedEvent[] = []
  let seq = 0
  const listeners = new Set<() => void>()
  const eventListeners = new Set<(event: LoggedEvent) => void>()
  // Events received but not yet processed, per receiving actor, oldest first: XState reports an event
  // when it is sent, then the microsteps and the snapshot it caused once the actor processes it.
  const pending = new Map<string, { event: object; logged: LoggedEvent }[]>()
  // A machine's context is a new object on every change, never changed in place: one copy each.
  const plainCopies = new WeakMap<object, unknown>()
  const plainContext = (context: unknown): unknown => {
    if (typeof context !== 'object' || context === null) return toPlain(context)
    if (!plainCopies.has(context)) plainCopies.set(context, toPlain(context))
    return plainCopies.get(context)
  }

  const notify = () => {
    for (const listener of listeners) listener()
  }

  function ensure(event: InspectionEvent): ActorRecord {
    const { sessionId } = event.actorRef
    let record = records.get(sessionId)
    if (!record) {
      record = {
        sessionId,
        id: actorName(event.actorRef),
        rootId: event.rootId,
        status: 'active',
        value: undefined,
        paths: [],
        context: undefined,
        children: [],
        updatedAt: now(),
      }
      const logic = (event.actorRef as { logic?: { id?: unknown; root?: unknown } }).logic
      if (typeof logic?.id === 'string' && typeof logic.root === 'object') record.machine = logic as { id: string; root: unknown }
      records.set(sessionId, record)
    }
    return record
  }

  /**
   * Stopping an actor emits no inspection event. So a child is live until it finishes
   * (done/error/stopped) or until a parent that once listed it among its children stops listing it.
   */
  const listedOnce = new Set<string>()
  function prune() {
    const listedNow = new Set<string>()
    for (const record of records.values()) for (const child of record.children) listedNow.add(child)
    for (const id of listedNow) listedOnce.add(id)
    for (const [sessionId, record] of records) {
      const dropped = listedOnce.has(sessionId) && !listedNow.has(sessionId)
      const finished = record.status !== 'active' && sessionId !== record.rootId // keep the root to show how it ended
      if (finished || dropped) {
        records.delete(sessionId)
        pending.delete(sessionId)
        listedOnce.delete(sessionId)
      }
    }
  }

  function applySnapshot(record: ActorRecord, snapshot: SnapshotLike) {
    record.status = snapshot.status ?? 'active'
    record.value = snapshot.value
    record.paths = stateValueToPaths(snapshot.value)
    // Copied to plain data when read (actors()): a join makes hundreds of snapshots nobody looks at.
    record.context = snapshot.context
    record.children = Object.values(snapshot.children ?? {})
      .map((child) => child?.sessionId)
      .filter((id): id is string => typeof id === 'string')
    record.updatedAt = now()
  }

  return {
    inspect(event) {
      switch (event.type) {
        case '@xstate.actor': {
          ensure(event)
          notify()
          return
        }
        case '@xstate.microstep': {
          const queue = pending.get(event.actorRef.sessionId)
          // A raised or eventless step belongs to the event being processed (the oldest pending).
          const entry = queue?.find((candidate) => candidate.event === event.event) ?? queue?.[0]
          const transitions = (event as { _transitions?: TransitionLike[] })._transitions ?? []
          entry?.logged.transitions.push(...transitions.map(toTakenTransition))
          return
        }
        case '@xstate.snapshot': {
          const record = ensure(event)
          const before = record.paths
          applySnapshot(record, event.snapshot as SnapshotLike)
          const queue = pending.get(record.sessionId)
          const index = queue?.findIndex((candidate) => candidate.event === event.event) ?? -1
          const processed = index >= 0 ? queue!.splice(index, 1)[0]!.logged : undefined
          if (queue?.length === 0) pending.delete(record.sessionId)
          if (processed) {
            processed.before = before
            processed.after = record.paths
          }
          prune()
          if (processed) for (const listener of eventListeners) listener(processed)
          notify()
          return
        }
        case '@xstate.event': {
          const target = ensure(event)
          const source = event.sourceRef
          const logged: LoggedEvent = {
            seq: ++seq,
            at: now(),
            type: event.event.type,
            targetId: target.id,
            targetSessionId: target.sessionId,
            ...(source ? { sourceId: actorName(source) } : {}),
            payload: toPlain(event.event),
            transitions: [],
          }
          recent = [...recent, logged].slice(-limit)
          const queue = pending.get(target.sessionId) ?? []
          queue.push({ event: event.event, logged })
          pending.set(target.sessionId, queue)
          notify()
          return
        }
        default:
          return
      }
    },
    actors() {
      return [...records.values()]
        .sort((a, b) => Number(b.sessionId === b.rootId) - Number(a.sessionId === a.rootId))
        .map((record) => ({ ...record, context: plainContext(record.context) }))
    },
    events() {
      return recent
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    onEvent(listener) {
      eventListeners.add(listener)
      return () => eventListeners.delete(listener)
    },
    clear() {
      records.clear()
      listedOnce.clear()
      pending.clear()
      recent = []
      notify()
    },
  }
}
