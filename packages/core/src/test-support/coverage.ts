// State and transition coverage of a machine, measured from what the running actor actually took
// (`@xstate.microstep` inspection events), against every state node and transition in its definition.
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition, InspectionEvent } from 'xstate'

export function allStateNodes(machine: AnyStateMachine): AnyStateNode[] {
  const nodes: AnyStateNode[] = []
  const visit = (node: AnyStateNode) => {
    nodes.push(node)
    for (const child of Object.values(node.states) as AnyStateNode[]) visit(child)
  }
  visit(machine.root)
  return nodes
}

export function transitionKey(transition: AnyTransitionDefinition): string {
  const source = transition.source
  const list = transition.eventType === '' ? (source.always ?? []) : (source.transitions.get(transition.eventType) ?? [])
  const index = list.indexOf(transition)
  const target = (transition.target ?? []).map((t) => t.id).join(',') || '(none)'
  return `${source.id} --${transition.eventType || 'always'}[${index}]--> ${target}`
}

export function allTransitionKeys(machine: AnyStateMachine): string[] {
  const keys: string[] = []
  for (const node of allStateNodes(machine)) {
    for (const list of node.transitions.values()) for (const transition of list) keys.push(transitionKey(transition))
    for (const transition of node.always ?? []) keys.push(transitionKey(transition))
  }
  return keys
}

export class CoverageRecorder {
  readonly states = new Set<string>()
  readonly transitions = new Set<string>()

  /** An `inspect` callback recording the actor whose machine id is `machineId`. */
  inspector(machineId: string): (event: InspectionEvent) => void {
    return (event) => {
      if (event.type !== '@xstate.microstep' && event.type !== '@xstate.snapshot') return
      const snapshot = event.snapshot as { machine?: AnyStateMachine; _nodes?: AnyStateNode[] }
      if (snapshot.machine?.id !== machineId) return
      for (const node of snapshot._nodes ?? []) this.states.add(node.id)
      if (event.type === '@xstate.microstep') for (const transition of event._transitions) this.transitions.add(transitionKey(transition))
    }
  }

  report(machine: AnyStateMachine) {
    const states = allStateNodes(machine).map((n) => n.id)
    const transitions = allTransitionKeys(machine)
    return {
      states: { total: states.length, visited: states.filter((s) => this.states.has(s)).length, missing: states.filter((s) => !this.states.has(s)) },
      transitions: {
        total: transitions.length,
        visited: transitions.filter((t) => this.transitions.has(t)).length,
        missing: transitions.filter((t) => !this.transitions.has(t)),
      },
    }
  }
}
