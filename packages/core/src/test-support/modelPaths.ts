// Path selection for the model tests: every edge of the machine's reachable graph (state × event,
// explored breadth-first as xstate/graph's adjacency map would be) is appended to a shortest path to
// its source; then a greedy subset is kept that still takes every distinct (state value, event, next
// state value) step at least once.
import { createEmptyActor, type ActorScope, type AnyEventObject, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate'
import { serializeSnapshot } from 'xstate/graph'

export interface ModelOptions {
  events: AnyEventObject[]
  input?: unknown
  filterEvents?: (snapshot: AnyMachineSnapshot, event: AnyEventObject) => boolean
  stopWhen?: (snapshot: AnyMachineSnapshot) => boolean
}

export interface ModelStep {
  event: AnyEventObject
  /** The snapshot the model predicts after the event. */
  state: AnyMachineSnapshot
}

export interface ModelPath {
  description: string
  steps: ModelStep[]
}

const serializeEvent = (event: AnyEventObject) => JSON.stringify(event)
const valueText = (snapshot: AnyMachineSnapshot) => JSON.stringify(snapshot.value)

/**
 * The machine as the traversal steps it, with a fresh actor system for every transition: xstate/graph
 * keeps one mock system for the whole walk and never stops a child, so a child registered under a
 * `systemId` would collide with itself the second time its state is entered.
 */
function withFreshSystems(machine: AnyStateMachine): AnyStateMachine {
  const scope = (): ActorScope<AnyMachineSnapshot, AnyEventObject> => {
    const empty = createEmptyActor()
    return {
      self: empty,
      logger: () => {},
      id: '',
      sessionId: '',
      defer: () => {},
      system: empty.system,
      stopChild: () => {},
      emit: () => {},
      actionExecutor: () => {},
    } as unknown as ActorScope<AnyMachineSnapshot, AnyEventObject>
  }
  return Object.create(machine, {
    transition: { value: (snapshot: AnyMachineSnapshot, event: AnyEventObject) => machine.transition(snapshot, event, scope() as never) },
    getInitialSnapshot: { value: (_: unknown, input: unknown) => machine.getInitialSnapshot(scope() as never, input) },
  }) as AnyStateMachine
}

interface ModelNode {
  state: AnyMachineSnapshot
  /** `JSON.stringify(state.value)`, computed once: the steps' coverage keys use it. */
  valueText: string
  transitions: { event: AnyEventObject; next: string }[]
  /** The last step of a shortest path here (breadth-first: the first way found is a shortest one). */
  via?: { from: string; event: AnyEventObject }
}

/**
 * The reachable graph (state × event), breadth-first from the initial snapshot, as xstate/graph's
 * getAdjacencyMap and getShortestPaths see it (same serialisation, same filters) but in one pass:
 * each transition is taken and serialised once, where those two take each twice and re-serialise
 * the next state again, and the paths below are walked by stored keys.
 */
function explore(machine: AnyStateMachine, options: ModelOptions): { initial: string; nodes: Map<string, ModelNode> } {
  // The machine makes its own scope for every step (withFreshSystems): none is passed.
  const scope = undefined as never
  const first = machine.getInitialSnapshot(scope, options.input) as AnyMachineSnapshot
  const node = (state: AnyMachineSnapshot, via?: ModelNode['via']): ModelNode => ({ state, valueText: valueText(state), transitions: [], ...(via ? { via } : {}) })
  const initial = serializeSnapshot(first)
  const nodes = new Map([[initial, node(first)]])
  const queue = [initial]
  for (let i = 0; i < queue.length; i++) {
    const key = queue[i]!
    const current = nodes.get(key)!
    if (options.stopWhen?.(current.state)) continue
    const seen = new Set<string>()
    for (const event of options.events) {
      if (!current.state.can(event) || !(options.filterEvents?.(current.state, event) ?? true)) continue
      const eventKey = serializeEvent(event)
      if (seen.has(eventKey)) continue
      seen.add(eventKey)
      const next = machine.transition(current.state, event, scope) as AnyMachineSnapshot
      const nextKey = serializeSnapshot(next)
      current.transitions.push({ event, next: nextKey })
      if (!nodes.has(nextKey)) {
        nodes.set(nextKey, node(next, { from: key, event }))
        queue.push(nextKey)
      }
    }
  }
  return { initial, nodes }
}

export function edgeCoveringPaths(model: AnyStateMachine, options: ModelOptions) {
  const { initial, nodes } = explore(withFreshSystems(model), options)
  /** The events of a shortest path from the initial snapshot to `key`, and the keys it passes. */
  const shortest = new Map<string, { events: AnyEventObject[]; keys: string[] }>([[initial, { events: [], keys: [initial] }]])
  const shortestTo = (key: string): { events: AnyEventObject[]; keys: string[] } => {
    const known = shortest.get(key)
    if (known) return known
    const via = nodes.get(key)!.via!
    const before = shortestTo(via.from)
    const path = { events: [...before.events, via.event], keys: [...before.keys, key] }
    shortest.set(key, path)
    return path
  }
  const candidates: { events: AnyEventObject[]; keys: string[] }[] = []
  for (const [key, node] of nodes) {
    const prefix = shortestTo(key)
    for (const transition of node.transitions) candidates.push({ events: [...prefix.events, transition.event], keys: [...prefix.keys, transition.next] })
  }
  // Longest first, so one long path that takes many steps is preferred to its prefixes.
  candidates.sort((a, b) => b.events.length - a.events.length)
  const covered = new Set<string>()
  const paths: ModelPath[] = []
  const initialSnapshot = nodes.get(initial)!.state
  for (const { events, keys } of candidates) {
    // Keyed by the whole event, so each variant of an event (a granted and a refused lock) is driven too.
    const stepKeys = events.map((event, i) => `${nodes.get(keys[i]!)!.valueText} --${serializeEvent(event)}--> ${nodes.get(keys[i + 1]!)!.valueText}`)
    if (stepKeys.every((key) => covered.has(key))) continue
    for (const key of stepKeys) covered.add(key)
    const steps = events.map((event, i) => ({ event, state: nodes.get(keys[i + 1]!)!.state }))
    paths.push({ description: `${events.map((e) => e.type.replace(/^xstate\./, '')).join(' → ')} ⇒ ${nodes.get(keys.at(-1)!)!.valueText}`, steps })
  }
  const edges = [...nodes.values()].reduce((sum, node) => sum + node.transitions.length, 0)
  return { paths, initialSnapshot, stats: { states: nodes.size, edges, distinctSteps: covered.size } }
}

/**
 * Runs one model path: execute each event through the fakes, then check the real actor matches.
 * `armBefore[type]` runs before the step that precedes an event of that type: some failures can
 * only happen as a state is entered (a peer connection whose creation throws), so the fakes are
 * armed one step early, and this step's check is left to the next one (the real actor is already
 * past it). When the step before does not enter that state, the next check fails loudly.
 */
export async function runPath(
  path: ModelPath,
  execute: Record<string, (event: AnyEventObject) => unknown>,
  check: (expected: AnyMachineSnapshot, step: number) => Promise<void>,
  armBefore: Record<string, (event: AnyEventObject) => void> = {},
): Promise<void> {
  for (const [index, step] of path.steps.entries()) {
    const executor = execute[step.event.type]
    if (!executor) throw new Error(`no executor for ${step.event.type}`)
    const next = path.steps[index + 1]?.event
    const arm = next ? armBefore[next.type] : undefined
    arm?.(next!)
    await executor(step.event)
    // An armed step lands in the next step's state at once: that step's check covers both.
    if (!arm) await check(step.state, index)
  }
}
