// Mermaid `stateDiagram-v2` pictures of the core's statecharts, generated from the machine definitions
// themselves (machine.root and its state nodes: initial states, `on`, `always`, `after`, invoke
// onDone/onError; an `after` without a target as a self-loop), and the README blocks that hold them.
// Pure: `scripts/diagrams.mjs` writes the README, `readme.test.ts` checks that the README still says
// what the machines do.
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate'

/** README block name → the machine's export (and file) name. */
export const DIAGRAM_MACHINES = {
  conference: 'conferenceMachine',
  negotiation: 'negotiationMachine',
  events: 'eventsMachine',
  screenShare: 'screenShareMachine',
  reconnect: 'reconnectMachine',
  tabs: 'tabsMachine',
  resolutionHold: 'resolutionHoldMachine',
  sendLayers: 'sendLayersMachine',
  videoSize: 'videoSizeMachine',
} as const

export type DiagramName = keyof typeof DIAGRAM_MACHINES

/** A Mermaid-safe id for a state node: its path from the root. */
function idOf(node: AnyStateNode): string {
  return [node.machine.root.key, ...node.path].join('_').replace(/[^A-Za-z0-9_]/g, '_')
}

/** xstate's guard combinators are functions carrying what they combine. */
interface GuardFunction {
  name: string
  guards?: unknown[]
  stateValue?: unknown
}

/** Text of a guard: named guards by name, xstate's and/or/not/stateIn spelled out, inline ones as "inline". */
function guardText(guard: unknown): string | undefined {
  if (guard === undefined) return undefined
  if (typeof guard === 'string') return guard
  if (typeof guard === 'object' && guard !== null && typeof (guard as { type?: unknown }).type === 'string') return (guard as { type: string }).type
  if (typeof guard === 'function') {
    const combinator = guard as unknown as GuardFunction
    if (combinator.name === 'stateIn' && 'stateValue' in combinator) return `in ${stateValueText(combinator.stateValue)}`
    if (Array.isArray(combinator.guards)) {
      const parts = combinator.guards.map((g) => guardText(g))
      if (combinator.name === 'not') return `not ${parts[0]}`
      if (combinator.name === 'and') return parts.join(' and ')
      if (combinator.name === 'or') return `(${parts.join(' or ')})`
    }
  }
  return 'inline'
}

function stateValueText(value: unknown): string {
  if (typeof value === 'string') return value
  return Object.entries(value as Record<string, unknown>)
    .map(([key, child]) => `${key}.${stateValueText(child)}`)
    .join(',')
}

/** What triggers a transition, as a label: the event, `after <delay>`, `done <actor>`, `error <actor>`, `always`. */
function triggerText(node: AnyStateNode, eventType: string): string {
  if (eventType === '') return 'always'
  if (eventType.startsWith('xstate.after.')) return `after ${eventType.slice('xstate.after.'.length, eventType.length - node.id.length - 1)}`
  const done = /^xstate\.done\.actor\.(.+)$/.exec(eventType)
  if (done) return `done ${done[1]}`
  const error = /^xstate\.error\.actor\.(.+)$/.exec(eventType)
  if (error) return `error ${error[1]}`
  if (eventType.startsWith('xstate.done.state.')) return 'done'
  return eventType
}

/** Mermaid transition labels must not contain `:` or `;`. */
function label(text: string): string {
  return text.replace(/[:;#]/g, ' ').replace(/\s+/g, ' ').trim()
}

/**
 * Where a transition's arrow goes: its targets; a targetless `after` (a timer that only runs actions,
 * e.g. raises the event that other transitions take) loops back to its own state, so the timer shows.
 * Other targetless transitions only run actions (forwarding, bookkeeping): not drawn.
 */
function arrowTargets(transition: AnyTransitionDefinition, fromId: string): string[] {
  if (transition.target?.length) return transition.target.map(idOf)
  return transition.eventType.startsWith('xstate.after.') ? [fromId] : []
}

function transitionsOf(node: AnyStateNode): { trigger: string; transition: AnyTransitionDefinition }[] {
  const list: { trigger: string; transition: AnyTransitionDefinition }[] = []
  for (const [eventType, transitions] of node.transitions) {
    for (const transition of transitions) list.push({ trigger: triggerText(node, eventType), transition })
  }
  for (const transition of node.always ?? []) list.push({ trigger: 'always', transition })
  return list
}

/** Entry or exit actions by name; a raised event as `raise <event>` (other built-in actions are left out). */
function actionNames(actions: readonly unknown[]): string[] {
  return actions.flatMap((action) => {
    const { type, event } = (typeof action === 'string' ? { type: action } : (action ?? {})) as { type?: unknown; event?: { type?: unknown } }
    // Delayed transitions raise their xstate.after.* events on entry: drawn as `after` arrows already.
    if (type === 'xstate.raise' && typeof event?.type === 'string') return event.type.startsWith('xstate.') ? [] : [`raise ${event.type}`]
    return typeof type === 'string' && !type.startsWith('xstate.') ? [type] : []
  })
}

function invokedIds(node: AnyStateNode): string[] {
  return node.invoke.map((invoke) => invoke.id ?? (typeof invoke.src === 'string' ? invoke.src : '')).filter(Boolean)
}

/** The diagram of one machine. */
export function toMermaid(machine: AnyStateMachine): string {
  const root = machine.root
  const lines = ['stateDiagram-v2']
  /** `from --> to` → its labels, in definition order (one arrow per pair, labels joined). */
  const edges = new Map<string, string[]>()

  const addEdges = (node: AnyStateNode, fromId: string) => {
    for (const { trigger, transition } of transitionsOf(node)) {
      const targets = arrowTargets(transition, fromId)
      if (targets.length === 0) continue
      const guard = guardText(transition.guard)
      const text = label(`${trigger}${guard ? ` [${guard}]` : ''}`)
      for (const target of targets) {
        const key = `${fromId} --> ${target}`
        const labels = edges.get(key) ?? []
        if (!labels.includes(text)) labels.push(text)
        edges.set(key, labels)
      }
    }
  }

  const describe = (node: AnyStateNode, indent: number) => {
    const pad = '  '.repeat(indent)
    const id = idOf(node)
    const children = Object.values(node.states) as AnyStateNode[]
    const invoked = invokedIds(node)
    const tags = [...node.tags]
    const name = `${node.key}${node.type === 'parallel' ? ' (parallel)' : ''}`
    const entry = actionNames(node.entry)
    const exit = actionNames(node.exit)
    if (children.length === 0) {
      lines.push(`${pad}state "${name}" as ${id}`)
      if (invoked.length) lines.push(`${pad}${id}: invoke ${invoked.join(', ')}`)
      if (tags.length) lines.push(`${pad}${id}: tags ${tags.join(', ')}`)
      if (entry.length) lines.push(`${pad}${id}: entry ${entry.join(', ')}`)
      if (exit.length) lines.push(`${pad}${id}: exit ${exit.join(', ')}`)
    } else {
      lines.push(`${pad}state "${name}${invoked.length ? ` ⟨invoke ${invoked.join(', ')}⟩` : ''}" as ${id} {`)
      if (node.type === 'parallel') {
        children.forEach((child, index) => {
          if (index > 0) lines.push(`${pad}  --`)
          describe(child, indent + 1)
        })
      } else {
        const initial = node.initial?.target[0]
        if (initial) lines.push(`${pad}  [*] --> ${idOf(initial)}`)
        for (const child of children) describe(child, indent + 1)
        for (const child of children) if (child.type === 'final') lines.push(`${pad}  ${idOf(child)} --> [*]`)
      }
      lines.push(`${pad}}`)
    }
    addEdges(node, id)
  }

  // The root's own states sit at the top level; its initial state and finals are the outer [*]. A
  // parallel root is drawn as one composite state (Mermaid allows `--` regions only inside one).
  const top = Object.values(root.states) as AnyStateNode[]
  let noteTarget = top[0] ? idOf(top[0]) : undefined
  if (root.type === 'parallel') {
    const rootId = `${root.key}_root`
    noteTarget = rootId
    lines.push(`  state "${root.key} (parallel)" as ${rootId} {`)
    top.forEach((child, index) => {
      if (index > 0) lines.push('    --')
      describe(child, 2)
    })
    lines.push('  }')
  } else {
    const initial = root.initial?.target[0]
    if (initial) lines.push(`  [*] --> ${idOf(initial)}`)
    for (const child of top) describe(child, 1)
    for (const child of top) if (child.type === 'final') lines.push(`  ${idOf(child)} --> [*]`)
  }
  // Transitions of the root itself (valid in every state) come from a pseudo-state "any state".
  if (transitionsOf(root).some(({ transition }) => arrowTargets(transition, '').length)) {
    const anyId = `${root.key}_anyState`
    lines.push(`  state "any state" as ${anyId}`)
    addEdges(root, anyId)
  }
  const invoked = invokedIds(root)
  if (invoked.length && noteTarget) lines.push(`  note left of ${noteTarget}: the machine invokes ${invoked.join(', ')}`)
  for (const [edge, labels] of edges) lines.push(`  ${edge}: ${labels.join(', ')}`)
  return lines.join('\n')
}

// --- README blocks -----------------------------------------------------------------------------

export function diagramBlock(name: DiagramName, mermaid: string): string {
  return `<!-- diagram:${name}:start -->\n<!-- generated by scripts/diagrams.mjs from src/machines/${DIAGRAM_MACHINES[name]}.ts; do not edit -->\n\`\`\`mermaid\n${mermaid}\n\`\`\`\n<!-- diagram:${name}:end -->`
}

function blockPattern(name: string): RegExp {
  return new RegExp(`<!-- diagram:${name}:start -->[\\s\\S]*?<!-- diagram:${name}:end -->`)
}

/** The README's block for `name` as it stands, or undefined without markers. */
export function readmeBlock(readme: string, name: DiagramName): string | undefined {
  return blockPattern(name).exec(readme)?.[0]
}

/** The README with every given diagram's block replaced. */
export function replaceDiagramBlocks(readme: string, diagrams: Partial<Record<DiagramName, string>>): string {
  let text = readme
  for (const [name, mermaid] of Object.entries(diagrams) as [DiagramName, string][]) {
    const pattern = blockPattern(name)
    if (!pattern.test(text)) throw new Error(`README.md has no <!-- diagram:${name}:start --> … <!-- diagram:${name}:end --> markers`)
    text = text.replace(pattern, () => diagramBlock(name, mermaid))
  }
  return text
}
