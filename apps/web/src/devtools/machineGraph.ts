// A statechart as a graph to draw, read from the machine definition itself (machine.root): nested
// and parallel states, and every transition labelled with its trigger and guard. Plain TS, no Vue,
// so it is unit tested and the State panel's lazy chunk lays it out (devtools/layout.ts).
import { guardLabel, triggerLabel } from './labels'

export interface GraphState {
  /** Dotted path from the root ('' for the root), as stateValueToPaths names active states. */
  id: string
  key: string
  kind: 'atomic' | 'compound' | 'parallel' | 'final' | 'history'
  children: GraphState[]
  /** Events this state handles itself (its own `on`, delays, invoke results). */
  handles: string[]
  invokes: string[]
}

export interface GraphTransition {
  id: string
  source: string
  target: string
  /** The raw event type, to match the event that just happened. */
  event: string
  label: string
}

export interface MachineGraph {
  machineId: string
  root: GraphState
  transitions: GraphTransition[]
}

interface NodeLike {
  key: string
  path: string[]
  id: string
  type: GraphState['kind']
  states: Record<string, NodeLike>
  transitions: Map<string, { target?: readonly NodeLike[]; guard?: unknown }[]>
  always?: { target?: readonly NodeLike[]; guard?: unknown }[]
  invoke?: { id?: string; src?: unknown }[]
}

interface MachineLike {
  id: string
  root: unknown
}

export function machineGraph(machine: MachineLike): MachineGraph {
  const transitions: GraphTransition[] = []
  const visit = (node: NodeLike): GraphState => {
    const id = node.path.join('.')
    const handles: string[] = []
    const add = (eventType: string, list: { target?: readonly NodeLike[]; guard?: unknown }[]) => {
      const trigger = triggerLabel(eventType, node.id)
      if (eventType !== '') handles.push(trigger)
      for (const transition of list) {
        const guard = guardLabel(transition.guard)
        for (const target of transition.target ?? []) {
          transitions.push({
            id: `${machine.id}:${transitions.length}`,
            source: id,
            target: target.path.join('.'),
            event: eventType,
            label: guard ? `${trigger} [${guard}]` : trigger,
          })
        }
      }
    }
    for (const [eventType, list] of node.transitions) add(eventType, list)
    if (node.always) add('', node.always)
    return {
      id,
      key: node.key,
      kind: node.type,
      children: Object.values(node.states).map(visit),
      handles: [...new Set(handles)],
      invokes: (node.invoke ?? []).map((invoke) => invoke.id ?? String(invoke.src)),
    }
  }
  return { machineId: machine.id, root: visit(machine.root as NodeLike), transitions }
}

/** Every state of the graph, parents before children. */
export function allStates(root: GraphState): GraphState[] {
  return [root, ...root.children.flatMap(allStates)]
}

/**
 * The transition an event just took: one from a state active before to one active after, on that
 * event; else one that left a state and entered a new one (a step through raised or eventless
 * transitions). Undefined when none fits (an action-only event).
 */
export function takenTransition(graph: MachineGraph, eventType: string, before: Set<string>, after: Set<string>): GraphTransition | undefined {
  const fits = (t: GraphTransition) => (before.has(t.source) || t.source === '') && (after.has(t.target) || t.target === '')
  const onEvent = graph.transitions.find((t) => t.event === eventType && fits(t) && t.source !== t.target) ?? graph.transitions.find((t) => t.event === eventType && fits(t))
  // A step through raised or eventless transitions: the one that entered a state not active before.
  return onEvent ?? graph.transitions.find((t) => t.source !== '' && before.has(t.source) && !after.has(t.source) && after.has(t.target) && !before.has(t.target))
}

/** 'a.b' active means 'a' is too: every ancestor path of the active leaf paths, and the root (''). */
export function activeSet(leafPaths: string[]): Set<string> {
  const active = new Set<string>([''])
  for (const path of leafPaths) {
    const parts = path.split('.')
    for (let i = 1; i <= parts.length; i++) active.add(parts.slice(0, i).join('.'))
  }
  return active
}
