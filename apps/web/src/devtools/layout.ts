// Lays out a statechart graph with ELK (elkjs, loaded only when the State panel draws): states as
// nested boxes (parallel regions side by side), transitions as routed edges with their labels.
import type { GraphState, MachineGraph } from './machineGraph'

export interface PlacedState {
  id: string
  key: string
  kind: GraphState['kind']
  x: number
  y: number
  width: number
  height: number
  depth: number
}

export interface PlacedTransition {
  id: string
  source: string
  target: string
  event: string
  label: string
  points: { x: number; y: number }[]
  labelAt?: { x: number; y: number }
}

export interface PlacedGraph {
  width: number
  height: number
  states: PlacedState[]
  transitions: PlacedTransition[]
}

interface ElkNode {
  id: string
  x?: number
  y?: number
  width?: number
  height?: number
  labels?: { text: string; width?: number; height?: number; x?: number; y?: number }[]
  children?: ElkNode[]
  edges?: ElkEdge[]
  layoutOptions?: Record<string, string>
}

interface ElkEdge {
  id: string
  sources: string[]
  targets: string[]
  labels?: { text: string; width: number; height: number; x?: number; y?: number }[]
  sections?: { startPoint: { x: number; y: number }; endPoint: { x: number; y: number }; bendPoints?: { x: number; y: number }[] }[]
  container?: string
}

interface Elk {
  layout(graph: ElkNode): Promise<ElkNode>
}

const CHAR = 6.2
const nodeId = (machine: string, id: string) => `${machine}#${id || '(root)'}`

let elk: Promise<Elk> | undefined
/** elkjs's bundled build, imported the first time a diagram is drawn. */
function loadElk(): Promise<Elk> {
  elk ??= import('elkjs/lib/elk.bundled.js').then((module) => {
    const ELK = (module as unknown as { default: new () => Elk }).default
    return new ELK()
  })
  return elk
}

function toElk(machine: string, state: GraphState): ElkNode {
  const label = state.kind === 'parallel' ? `${state.key} ∥` : state.key
  const node: ElkNode = {
    id: nodeId(machine, state.id),
    labels: [{ text: label, width: label.length * CHAR + 8, height: 14 }],
  }
  if (state.children.length === 0) {
    node.width = Math.max(64, label.length * CHAR + 20)
    node.height = 28
    return node
  }
  node.children = state.children.map((child) => toElk(machine, child))
  node.layoutOptions = {
    'elk.padding': '[top=22,left=10,bottom=10,right=10]',
    'elk.nodeLabels.placement': 'INSIDE V_TOP H_LEFT',
    // One algorithm across levels (ELK routes edges between levels only then); parallel regions stacked.
    'elk.algorithm': 'layered',
    'elk.direction': state.kind === 'parallel' ? 'DOWN' : 'RIGHT',
  }
  return node
}

export async function layoutGraph(graph: MachineGraph): Promise<PlacedGraph> {
  const machine = graph.machineId
  const root = toElk(machine, graph.root)
  // Drawn: transitions between states that do not contain each other. Self-loops and transitions
  // from a state into its own children (the root's "from any state") are listed on click instead.
  const nested = (a: string, b: string) => a === b || a === '' || b === '' || b.startsWith(`${a}.`) || a.startsWith(`${b}.`)
  root.edges = graph.transitions
    .filter((t) => !nested(t.source, t.target))
    .map((t) => ({
      id: t.id,
      sources: [nodeId(machine, t.source)],
      targets: [nodeId(machine, t.target)],
      labels: [{ text: t.label, width: Math.min(t.label.length, 28) * 5.4, height: 11 }],
    }))
  root.layoutOptions = {
    ...root.layoutOptions,
    'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
    'elk.layered.spacing.nodeNodeBetweenLayers': '36',
    'elk.spacing.nodeNode': '18',
    'elk.edgeLabels.inline': 'false',
  }
  const laid = await (await loadElk()).layout(root)

  const states: PlacedState[] = []
  const offsets = new Map<string, { x: number; y: number }>()
  const walk = (node: ElkNode, state: GraphState, dx: number, dy: number, depth: number) => {
    const x = dx + (node.x ?? 0)
    const y = dy + (node.y ?? 0)
    offsets.set(node.id, { x, y })
    states.push({ id: state.id, key: state.key, kind: state.kind, x, y, width: node.width ?? 0, height: node.height ?? 0, depth })
    node.children?.forEach((child, i) => walk(child, state.children[i]!, x, y, depth + 1))
  }
  walk(laid, graph.root, 0, 0, 0)

  const byId = new Map(graph.transitions.map((t) => [t.id, t]))
  const transitions: PlacedTransition[] = []
  const collect = (node: ElkNode) => {
    for (const edge of node.edges ?? []) {
      const t = byId.get(edge.id)
      const section = edge.sections?.[0]
      if (!t || !section) continue
      // Edge coordinates are relative to the edge's container (ELK's INCLUDE_CHILDREN).
      const origin = offsets.get(edge.container ?? node.id) ?? { x: 0, y: 0 }
      const shift = (p: { x: number; y: number }) => ({ x: p.x + origin.x, y: p.y + origin.y })
      const label = edge.labels?.[0]
      transitions.push({
        ...t,
        points: [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map(shift),
        ...(label?.x !== undefined && label.y !== undefined ? { labelAt: shift({ x: label.x, y: label.y + 8 }) } : {}),
      })
    }
    node.children?.forEach(collect)
  }
  collect(laid)
  return { width: laid.width ?? 0, height: laid.height ?? 0, states, transitions }
}
