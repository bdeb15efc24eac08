// "The model contains the trace": every state change a trace recorded for a statechart must be a
// transition of that statechart as defined now. A recorded step A → B on event E is explained when
// each state newly active in B lies under the target of a transition on E (or an eventless one)
// defined on a state active in A. A machine changed so that a real call's path no longer exists is
// caught here, without a browser.
import type { AnyStateMachine } from 'xstate'
import type { Trace } from './format.js'
import { stateText } from './timeline.js'

interface TransitionLike {
  target?: readonly StateNodeLike[]
  actions?: readonly unknown[]
}

interface StateNodeLike {
  path: string[]
  states: Record<string, StateNodeLike>
  transitions: Map<string, TransitionLike[]>
  always?: TransitionLike[]
  entry?: readonly unknown[]
  exit?: readonly unknown[]
  type?: string
  key?: string
  initial?: { target?: readonly StateNodeLike[] }
}

/** Entering `from` enters `path` by default: every step below it is a parallel region or an initial state. */
function enteredByDefault(root: StateNodeLike, from: string[], path: string[]): boolean {
  let node = nodeAt(root, from)
  for (const key of path.slice(from.length)) {
    if (!node) return false
    if (node.type !== 'parallel' && node.initial?.target?.[0]?.key !== key) return false
    node = node.states[key]
  }
  return node !== undefined
}

/** Event types a machine raises with `raise({ type })` anywhere (entry, exit, transitions). */
function raisedEvents(root: StateNodeLike): Set<string> {
  const found = new Set<string>()
  const scan = (actions: readonly unknown[] | undefined) => {
    for (const action of actions ?? []) {
      const raise = action as { type?: unknown; event?: { type?: unknown } }
      if (raise?.type === 'xstate.raise' && typeof raise.event?.type === 'string') found.add(raise.event.type)
    }
  }
  const visit = (node: StateNodeLike) => {
    scan(node.entry)
    scan(node.exit)
    for (const list of node.transitions.values()) for (const transition of list) scan(transition.actions)
    for (const transition of node.always ?? []) scan(transition.actions)
    for (const child of Object.values(node.states)) visit(child)
  }
  visit(root)
  return found
}

export interface MissingTransition {
  seq: number
  actor: string
  event: string
  from: string
  to: string
  /** The newly active state no transition explains. */
  unexplained: string
}

/** Every active state node path ('inRoom', 'inRoom.connection', …) of a state value. */
function activePaths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value === 'string') return [[...prefix, value]]
  if (typeof value !== 'object' || value === null) return []
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => [[...prefix, key], ...activePaths(child, [...prefix, key])])
}

function nodeAt(root: StateNodeLike, path: string[]): StateNodeLike | undefined {
  let node: StateNodeLike | undefined = root
  for (const key of path) node = node?.states[key]
  return node
}

function handles(descriptor: string, event: string): boolean {
  if (descriptor === event || descriptor === '*') return true
  return descriptor.endsWith('.*') && event.startsWith(descriptor.slice(0, -1))
}

/**
 * The recorded state changes of the given machines (by machine id) that the statecharts do not contain.
 * One recorded step may take several transitions: the recorded event's, then eventless ones, done
 * states and events the machine raises itself (`raise({ type })` is found in the definition; an event
 * raised from inside `enqueueActions` is not visible there: name it in `options.raised`).
 */
export function missingTransitions(trace: Trace, machines: AnyStateMachine[], options: { raised?: string[] } = {}): MissingTransition[] {
  const byId = new Map(machines.map((machine) => [machine.id, machine.root as unknown as StateNodeLike]))
  const raisedBy = new Map([...byId].map(([id, root]) => [id, new Set([...raisedEvents(root), ...(options.raised ?? [])])]))
  const actors = new Map(trace.actors.map((actor) => [actor.ref, actor]))
  const previous = new Map<number, unknown>()
  const missing: MissingTransition[] = []
  for (const entry of trace.entries) {
    if (entry.kind !== 'state' || entry.value === undefined) continue
    const actor = actors.get(entry.actor)
    const root = actor?.machine ? byId.get(actor.machine) : undefined
    if (!actor || !root) continue
    const before = previous.get(entry.actor)
    previous.set(entry.actor, entry.value)
    if (before === undefined) continue
    const was = activePaths(before)
    const wasKeys = new Set(was.map((path) => path.join('.')))
    const activeNodes = [root, ...was.map((path) => nodeAt(root, path)).filter((node): node is StateNodeLike => node !== undefined)]
    const nowPaths = activePaths(entry.value)
    const nowNodes = nowPaths.map((path) => nodeAt(root, path)).filter((node): node is StateNodeLike => node !== undefined)
    const targets: string[] = []
    for (const node of activeNodes) {
      for (const [descriptor, transitions] of node.transitions) {
        if (!handles(descriptor, entry.event)) continue
        for (const transition of transitions) for (const target of transition.target ?? []) targets.push(target.path.join('.'))
      }
    }
    // What the event's transitions lead to may move on at once: eventless transitions, a compound state
    // reaching its final state (xstate.done.state.*) and raised events, from any state active on the way.
    const raised = raisedBy.get(actor.machine!)!
    const follow = (node: StateNodeLike | undefined) => {
      if (!node) return
      const internal = [...node.transitions].filter(([descriptor]) => descriptor.startsWith('xstate.done.state.') || [...raised].some((type) => handles(descriptor, type)))
      const next = [...(node.always ?? []), ...internal.flatMap(([, list]) => list)]
      for (const transition of next) for (const target of transition.target ?? []) targets.push(target.path.join('.'))
    }
    for (const node of [...activeNodes, ...nowNodes]) follow(node)
    for (let i = 0; i < targets.length && i < 200; i++) {
      const path = targets[i]!.split('.').filter(Boolean)
      for (let depth = 0; depth <= path.length; depth++) follow(nodeAt(root, path.slice(0, depth)))
    }
    for (const path of nowPaths) {
      const key = path.join('.')
      if (!nodeAt(root, path)) {
        missing.push({ seq: entry.seq, actor: actor.path, event: entry.event, from: stateText(before), to: stateText(entry.value), unexplained: `${key} (no such state)` })
        break
      }
      if (wasKeys.has(key)) continue
      // Entered: under a transition's target (its initial or inner states), or the target itself.
      // The outermost state entered on the way to this one: a target must be it, inside it (initial
      // states, parallel siblings entered with it) or on the way to it.
      const entered = path.slice(0, path.findIndex((_, depth) => !wasKeys.has(path.slice(0, depth + 1).join('.'))) + 1).join('.')
      if (targets.some((target) => target === '' || target === entered || target.startsWith(`${entered}.`) || entered.startsWith(`${target}.`))) continue
      // Re-entered with a target's ancestor (a transition that left and entered it again): default entry.
      const reentered = targets.some((target) => {
        const parts = target.split('.')
        for (let depth = Math.min(parts.length, path.length); depth > 0; depth--) {
          if (parts.slice(0, depth).join('.') !== path.slice(0, depth).join('.')) continue
          if (enteredByDefault(root, path.slice(0, depth), path)) return true
        }
        return false
      })
      if (reentered) continue
      missing.push({ seq: entry.seq, actor: actor.path, event: entry.event, from: stateText(before), to: stateText(entry.value), unexplained: key })
      break
    }
  }
  return missing
}
