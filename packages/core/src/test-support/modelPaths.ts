// Path selection for the model tests: every edge of the machine's reachable graph (state × event,
// from xstate/graph's adjacency map) is appended to the shortest path (xstate/graph's
// getShortestPaths) to its source; then a greedy subset is kept that still takes every distinct
// (state value, event, next state value) step at least once.
import { createEmptyActor, type ActorScope, type AnyEventObject, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate'
import { getAdjacencyMap, getShortestPaths, serializeSnapshot } from 'xstate/graph'

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

export function edgeCoveringPaths(model: AnyStateMachine, options: ModelOptions) {
  const machine = withFreshSystems(model)
  const traversal = {
    events: options.events,
    serializeState: serializeSnapshot,
    serializeEvent,
    filterEvents: (snapshot: AnyMachineSnapshot, event: AnyEventObject) => snapshot.can(event) && (options.filterEvents?.(snapshot, event) ?? true),
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.stopWhen ? { stopWhen: options.stopWhen } : {}),
  }
  const adjacency = getAdjacencyMap(machine, traversal as never) as Record<
    string,
    { state: AnyMachineSnapshot; transitions: Record<string, { event: AnyEventObject; state: AnyMachineSnapshot }> }
  >
  const eventsTo = new Map<string, AnyEventObject[]>()
  for (const path of getShortestPaths(machine, traversal as never)) {
    eventsTo.set(
      serializeSnapshot(path.state as AnyMachineSnapshot),
      path.steps.map((step) => step.event as AnyEventObject).filter((event) => event.type !== 'xstate.init'),
    )
  }
  const initial = Object.keys(adjacency)[0]!
  const walk = (events: AnyEventObject[]): ModelStep[] => {
    let current = initial
    return events.map((event) => {
      const next = adjacency[current]!.transitions[serializeEvent(event)]!
      current = serializeSnapshot(next.state)
      return { event, state: next.state }
    })
  }
  const candidates: AnyEventObject[][] = []
  for (const [serialized, entry] of Object.entries(adjacency)) {
    const prefix = eventsTo.get(serialized)
    if (!prefix) continue
    for (const transition of Object.values(entry.transitions)) candidates.push([...prefix, transition.event])
  }
  // Longest first, so one long path that takes many steps is preferred to its prefixes.
  candidates.sort((a, b) => b.length - a.length)
  const covered = new Set<string>()
  const paths: ModelPath[] = []
  const initialSnapshot = adjacency[initial]!.state
  for (const events of candidates) {
    const steps = walk(events)
    // Keyed by the whole event, so each variant of an event (a granted and a refused lock) is driven too.
    const keys = steps.map((step, i) => `${valueText(i === 0 ? initialSnapshot : steps[i - 1]!.state)} --${serializeEvent(step.event)}--> ${valueText(step.state)}`)
    if (keys.every((key) => covered.has(key))) continue
    for (const key of keys) covered.add(key)
    paths.push({ description: `${events.map((e) => e.type.replace(/^xstate\./, '')).join(' → ')} ⇒ ${valueText(steps.at(-1)!.state)}`, steps })
  }
  const edges = Object.values(adjacency).reduce((sum, entry) => sum + Object.keys(entry.transitions).length, 0)
  return { paths, initialSnapshot, stats: { states: Object.keys(adjacency).length, edges, distinctSteps: covered.size } }
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
