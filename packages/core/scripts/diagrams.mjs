#!/usr/bin/env node
// Writes the Mermaid pictures of the core's statecharts into README.md, between
// `<!-- diagram:NAME:start -->` and `:end -->` markers. The generation itself is src/diagrams.ts
// (`toMermaid`), which src/readme.test.ts also runs, so a machine change without a regenerated
// README fails the tests.
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

async function loadGenerator() {
  const dir = await mkdtemp(join(tmpdir(), 'parley-diagrams-'))
  try {
    const outfile = join(dir, 'diagrams.mjs')
    await build({
      stdin: {
        contents: [
          "export { toMermaid, replaceDiagramBlocks, DIAGRAM_MACHINES } from './src/diagrams.ts'",
          "export { conferenceMachine } from './src/machines/conferenceMachine.ts'",
          "export { negotiationMachine } from './src/machines/negotiationMachine.ts'",
          "export { eventsMachine } from './src/machines/eventsMachine.ts'",
          "export { screenShareMachine } from './src/machines/screenShareMachine.ts'",
          "export { reconnectMachine } from './src/machines/reconnectMachine.ts'",
          "export { tabsMachine } from './src/machines/tabsMachine.ts'",
          "export { resolutionHoldMachine } from './src/machines/resolutionHoldMachine.ts'",
          "export { sendLayersMachine } from './src/machines/sendLayersMachine.ts'",
          "export { videoSizeMachine } from './src/machines/videoSizeMachine.ts'",
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

const generator = await loadGenerator()
const diagrams = Object.fromEntries(
  Object.entries(generator.DIAGRAM_MACHINES).map(([name, exportName]) => [name, generator.toMermaid(generator[exportName])]),
)
if (process.argv.includes('--print')) {
  for (const [name, mermaid] of Object.entries(diagrams)) console.log(`%% ${name}\n${mermaid}\n`)
} else {
  const readme = await readFile(readmePath, 'utf8')
  const next = generator.replaceDiagramBlocks(readme, diagrams)
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
