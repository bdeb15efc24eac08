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

/**
 * What an event's display needs, kept raw until someone reads it: a join makes hundreds of inspection
 * events with the log closed (the stop 30 join trace: ≈ 11 ms of the join's main thread went into
 * copying payloads and flattening state values nobody looked at).
 */
interface RawEvent {
  event: object
  transitions: TransitionLike[]
  /** The receiving actor's state values before and after the event, once it is processed. */
  values?: { before: unknown; after: unknown }
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
  // Logged events whose payload, transitions or before/after are not yet filled in (fill() does).
  const unfilled = new WeakMap<LoggedEvent, RawEvent>()
  // Each actor's state value and its paths (flattened when read); the last ones, reused while the value is the same.
  const values = new Map<string, unknown>()
  const pathCache = new WeakMap<object, string[]>()
  const pathsOf = (value: unknown): string[] => {
    if (typeof value !== 'object' || value === null) return stateValueToPaths(value)
    let paths = pathCache.get(value)
    if (!paths) pathCache.set(value, (paths = stateValueToPaths(value)))
    return paths
  }

  /** The logged event with its display data, made from what was kept raw (once per part). */
  function fill(logged: LoggedEvent): LoggedEvent {
    const raw = unfilled.get(logged)
    if (!raw) return logged
    if (logged.payload === undefined) logged.payload = toPlain(raw.event)
    if (raw.transitions.length > 0) logged.transitions.push(...raw.transitions.splice(0).map(toTakenTransition))
    if (raw.values) {
      logged.before = pathsOf(raw.values.before)
      logged.after = pathsOf(raw.values.after)
      unfilled.delete(logged)
    }
    return logged
  }
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
        values.delete(sessionId)
        pending.delete(sessionId)
        listedOnce.delete(sessionId)
      }
    }
  }

  /** True when the actor's children changed (only then can a prune drop anyone but a finished actor). */
  function applySnapshot(record: ActorRecord, snapshot: SnapshotLike): boolean {
    record.status = snapshot.status ?? 'active'
    record.value = snapshot.value
    values.set(record.sessionId, snapshot.value)
    // Paths flattened and context copied to plain data when read (actors()): a join makes hundreds of
    // snapshots nobody looks at.
    record.context = snapshot.context
    const children: string[] = []
    for (const child of Object.values(snapshot.children ?? {})) if (typeof child?.sessionId === 'string') children.push(child.sessionId)
    const changed = children.length !== record.children.length || children.some((id, index) => id !== record.children[index])
    record.children = children
    record.updatedAt = now()
    return changed
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
          if (entry) unfilled.get(entry.logged)?.transitions.push(...transitions)
          return
        }
        case '@xstate.snapshot': {
          const record = ensure(event)
          const before = values.get(record.sessionId)
          const childrenChanged = applySnapshot(record, event.snapshot as SnapshotLike)
          const queue = pending.get(record.sessionId)
          const index = queue?.findIndex((candidate) => candidate.event === event.event) ?? -1
          const processed = index >= 0 ? queue!.splice(index, 1)[0]!.logged : undefined
          if (queue?.length === 0) pending.delete(record.sessionId)
          const raw = processed && unfilled.get(processed)
          if (raw) raw.values = { before, after: record.value }
          if (childrenChanged || record.status !== 'active') prune()
          if (processed && eventListeners.size > 0) {
            fill(processed)
            for (const listener of eventListeners) listener(processed)
          }
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
            payload: undefined,
            transitions: [],
          }
          unfilled.set(logged, { event: event.event, transitions: [] })
          recent.push(logged)
          if (recent.length > limit) recent.shift()
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
        .map((record) => ({ ...record, paths: pathsOf(record.value), context: plainContext(record.context) }))
    },
    events() {
      return recent.map(fill)
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
      values.clear()
      listedOnce.clear()
      pending.clear()
      recent = []
      notify()
    },
  }
}
