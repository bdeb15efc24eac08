#!/usr/bin/env node
// Mermaid `stateDiagram-v2` pictures of the core's statecharts, generated from the machine definitions
// themselves (machine.root and its state nodes: initial states, `on`, `always`, `after`, invoke
// onDone/onError), written into README.md between `<!-- diagram:NAME:start -->` and `:end -->` markers.
//   node scripts/diagrams.mjs           rewrite the README blocks (idempotent)
//   node scripts/diagrams.mjs --check   exit 1 when the README is not what the machines say
//   node scripts/diagrams.mjs --print   print the Mermaid text only
// The machines are TypeScript importing @parley/protocol's source: esbuild bundles a tiny entry to a
// temporary ESM file that node then imports.
import { build } from 'esbuild'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const readmePath = join(packageDir, 'README.md')

/** README block name → exported machine. */
const MACHINES = {
  conference: 'conferenceMachine',
  negotiation: 'negotiationMachine',
  events: 'eventsMachine',
}

async function loadMachines() {
  const dir = await mkdtemp(join(tmpdir(), 'parley-diagrams-'))
  try {
    const outfile = join(dir, 'machines.mjs')
    await build({
      stdin: {
        contents: [
          "export { conferenceMachine } from './src/machines/conferenceMachine.ts'",
          "export { negotiationMachine } from './src/machines/negotiationMachine.ts'",
          "export { eventsMachine } from './src/machines/eventsMachine.ts'",
        ].join('\n'),
        resolveDir: packageDir,
        loader: 'ts',
      },
      bundle: true,
      format: 'esm',
      platform: 'node',
      conditions: ['parley-source', 'module'],
      // Guard helpers (and/or/not/stateIn) are recognised by their function names.
      keepNames: true,
      outfile,
      logLevel: 'silent',
    })
    return await import(pathToFileURL(outfile).href)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

// --- the walk ----------------------------------------------------------------------------------

/** A Mermaid-safe id for a state node: its path from the root. */
function idOf(node) {
  return [node.machine.root.key, ...node.path].join('_').replace(/[^A-Za-z0-9_]/g, '_')
}

/** Text of a guard: named guards by name, xstate's and/or/not/stateIn spelled out, inline ones as "inline". */
function guardText(guard) {
  if (guard === undefined) return undefined
  if (typeof guard === 'string') return guard
  if (typeof guard === 'object' && guard !== null && typeof guard.type === 'string') return guard.type
  if (typeof guard === 'function') {
    if (guard.name === 'stateIn' && 'stateValue' in guard) return `in ${stateValueText(guard.stateValue)}`
    if (Array.isArray(guard.guards)) {
      const parts = guard.guards.map((g) => guardText(g))
      if (guard.name === 'not') return `not ${parts[0]}`
      if (guard.name === 'and') return parts.join(' and ')
      if (guard.name === 'or') return `(${parts.join(' or ')})`
    }
  }
  return 'inline'
}

function stateValueText(value) {
  if (typeof value === 'string') return value
  return Object.entries(value)
    .map(([key, child]) => `${key}.${stateValueText(child)}`)
    .join(',')
}

/** What triggers a transition, as a label: the event, `after <delay>`, `done <actor>`, `error <actor>`, `always`. */
function triggerText(node, eventType) {
  if (eventType === '') return 'always'
  const after = /^xstate\.after\.(.+)\.([^.]+(?:\.[^.]+)*)$/.exec(eventType)
  if (after) {
    const delay = eventType.slice('xstate.after.'.length, eventType.length - node.id.length - 1)
    return `after ${delay}`
  }
  const done = /^xstate\.done\.actor\.(.+)$/.exec(eventType)
  if (done) return `done ${done[1]}`
  const error = /^xstate\.error\.actor\.(.+)$/.exec(eventType)
  if (error) return `error ${error[1]}`
  const stateDone = /^xstate\.done\.state\.(.+)$/.exec(eventType)
  if (stateDone) return 'done'
  return eventType
}

/** Mermaid transition labels must not contain `:` or `;`. */
function label(text) {
  return text.replace(/[:;#]/g, ' ').replace(/\s+/g, ' ').trim()
}

function transitionsOf(node) {
  const list = []
  for (const [eventType, transitions] of node.transitions) {
    for (const transition of transitions) list.push({ trigger: triggerText(node, eventType), transition })
  }
  for (const transition of node.always ?? []) list.push({ trigger: 'always', transition })
  return list
}

/** The diagram of one machine. */
export function toMermaid(machine) {
  const root = machine.root
  const lines = ['stateDiagram-v2']
  /** `from --> to` → its labels, in definition order (one arrow per pair, labels joined). */
  const edges = new Map()

  const addEdges = (node, fromId) => {
    for (const { trigger, transition } of transitionsOf(node)) {
      // Targetless transitions only run actions (forwarding, bookkeeping): not drawn.
      if (!transition.target?.length) continue
      const guard = guardText(transition.guard)
      const text = label(`${trigger}${guard ? ` [${guard}]` : ''}`)
      for (const target of transition.target) {
        const key = `${fromId} --> ${idOf(target)}`
        const labels = edges.get(key) ?? []
        if (!labels.includes(text)) labels.push(text)
        edges.set(key, labels)
      }
    }
  }

  const describe = (node, indent) => {
    const pad = '  '.repeat(indent)
    const id = idOf(node)
    const children = Object.values(node.states ?? {})
    const invoked = (node.invoke ?? []).map((invoke) => invoke.id ?? invoke.src).filter(Boolean)
    const tags = [...(node.tags ?? [])]
    const name = `${node.key}${node.type === 'parallel' ? ' (parallel)' : ''}`
    if (children.length === 0) {
      lines.push(`${pad}state "${name}" as ${id}`)
      if (invoked.length) lines.push(`${pad}${id}: invoke ${invoked.join(', ')}`)
      if (tags.length) lines.push(`${pad}${id}: tags ${tags.join(', ')}`)
    } else {
      lines.push(`${pad}state "${name}${invoked.length ? ` ⟨invoke ${invoked.join(', ')}⟩` : ''}" as ${id} {`)
      if (node.type === 'parallel') {
        children.forEach((child, index) => {
          if (index > 0) lines.push(`${pad}  --`)
          describe(child, indent + 1)
        })
      } else {
        const initial = node.initial?.target?.[0]
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
  const top = Object.values(root.states ?? {})
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
    const initial = root.initial?.target?.[0]
    if (initial) lines.push(`  [*] --> ${idOf(initial)}`)
    for (const child of top) describe(child, 1)
    for (const child of top) if (child.type === 'final') lines.push(`  ${idOf(child)} --> [*]`)
  }
  // Transitions of the root itself (valid in every state) come from a pseudo-state "any state".
  const rootEdges = transitionsOf(root).filter(({ transition }) => transition.target?.length)
  if (rootEdges.length) {
    const anyId = `${root.key}_anyState`
    lines.push(`  state "any state" as ${anyId}`)
    addEdges(root, anyId)
  }
  const invoked = (root.invoke ?? []).map((invoke) => invoke.id ?? invoke.src).filter(Boolean)
  if (invoked.length && noteTarget) lines.push(`  note left of ${noteTarget}: the machine invokes ${invoked.join(', ')}`)
  for (const [edge, labels] of edges) lines.push(`  ${edge}: ${labels.join(', ')}`)
  return lines.join('\n')
}

// --- README blocks -----------------------------------------------------------------------------

function block(name, mermaid) {
  return `<!-- diagram:${name}:start -->\n<!-- generated by scripts/diagrams.mjs from src/machines/${MACHINES[name]}.ts; do not edit -->\n\`\`\`mermaid\n${mermaid}\n\`\`\`\n<!-- diagram:${name}:end -->`
}

export function replaceBlocks(readme, diagrams) {
  let text = readme
  for (const [name, mermaid] of Object.entries(diagrams)) {
    const pattern = new RegExp(`<!-- diagram:${name}:start -->[\\s\\S]*?<!-- diagram:${name}:end -->`)
    if (!pattern.test(text)) throw new Error(`README.md has no <!-- diagram:${name}:start --> … <!-- diagram:${name}:end --> markers`)
    text = text.replace(pattern, () => block(name, mermaid))
  }
  return text
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isMain) {
  const machines = await loadMachines()
  const diagrams = Object.fromEntries(Object.entries(MACHINES).map(([name, exportName]) => [name, toMermaid(machines[exportName])]))
  if (process.argv.includes('--print')) {
    for (const [name, mermaid] of Object.entries(diagrams)) console.log(`%% ${name}\n${mermaid}\n`)
  } else {
    const readme = await readFile(readmePath, 'utf8')
    const next = replaceBlocks(readme, diagrams)
    if (process.argv.includes('--check')) {
      if (next !== readme) {
        console.error('README.md diagrams are out of date: run `node scripts/diagrams.mjs`.')
        process.exit(1)
      }
      console.log('README.md diagrams match the machines.')
    } else if (next === readme) {
      console.log('README.md diagrams already up to date.')
    } else {
      await writeFile(readmePath, next)
      console.log(`README.md diagrams written (${Object.keys(diagrams).join(', ')}).`)
    }
  }
}
