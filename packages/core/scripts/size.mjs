#!/usr/bin/env node
// The core's bundle cost as an app pays it: `import { createConference, selectView } from '@parley/core'`
// bundled from source (the `parley-source` condition) for the browser, ESM, minified and tree-shaken,
// with xstate, valibot and @parley/protocol inlined; then gzip -9. Prints the total, what each part
// adds (core+protocol alone; the marginal cost of xstate and of valibot, measured by building again
// with that package left out) and the largest inputs from esbuild's metafile.
//   npm run pnpm -- --filter @parley/core size        (add --json for machine-readable output)
import { build } from 'esbuild'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const repoDir = resolve(packageDir, '../..')
export const BUDGET_GZIP_BYTES = 20 * 1024
const ENTRY = "export { createConference, selectView } from '@parley/core'\n"

/** Bundles the entry; `external` packages are left out (to measure what they add). */
async function bundle(external = []) {
  const result = await build({
    stdin: { contents: ENTRY, resolveDir: packageDir, sourcefile: 'app-entry.js', loader: 'js' },
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    treeShaking: true,
    // Our packages' TS source, and `module` as app bundlers (Vite, Rollup) pick it: xstate's ESM build
    // (esbuild drops its default `module` condition once custom conditions are given).
    conditions: ['parley-source', 'module'],
    absWorkingDir: repoDir,
    define: { 'process.env.NODE_ENV': '"production"' },
    external,
    logLevel: 'silent',
  })
  const output = result.outputFiles[0]
  return { bytes: output.contents, min: output.contents.byteLength, gzip: gzipSync(output.contents, { level: 9 }).byteLength, metafile: result.metafile }
}

/** Which part of the bundle an input file belongs to. */
function groupOf(input) {
  if (/node_modules\/xstate\//.test(input)) return 'xstate'
  if (/node_modules\/valibot\//.test(input)) return 'valibot'
  if (/packages\/protocol\//.test(input)) return '@parley/protocol'
  if (/packages\/core\//.test(input) || input === '<stdin>') return '@parley/core'
  return 'other'
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`
}

export async function measure() {
  const full = await bundle()
  const withoutXstate = await bundle(['xstate'])
  const withoutValibot = await bundle(['valibot'])
  const ownOnly = await bundle(['xstate', 'valibot'])

  const inputs = Object.values(full.metafile.outputs)[0].inputs
  const groups = {}
  const files = []
  for (const [path, info] of Object.entries(inputs)) {
    const group = groupOf(path)
    groups[group] = (groups[group] ?? 0) + info.bytesInOutput
    const shortPath = path.includes('node_modules/') ? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length) : path
    files.push({ path: shortPath, group, min: info.bytesInOutput })
  }
  files.sort((a, b) => b.min - a.min)

  return {
    entry: ENTRY.trim(),
    total: { min: full.min, gzip: full.gzip },
    budgetGzip: BUDGET_GZIP_BYTES,
    withinBudget: full.gzip <= BUDGET_GZIP_BYTES,
    /** Minified bytes each package contributes to the full bundle (esbuild metafile bytesInOutput). */
    minByPackage: groups,
    /** Gzip cost: core+protocol built alone; xstate and valibot as what removing each saves. */
    gzipBreakdown: {
      coreAndProtocolAlone: { min: ownOnly.min, gzip: ownOnly.gzip },
      xstateAdds: { min: full.min - withoutXstate.min, gzip: full.gzip - withoutXstate.gzip },
      valibotAdds: { min: full.min - withoutValibot.min, gzip: full.gzip - withoutValibot.gzip },
    },
    largestInputs: files.slice(0, 12),
  }
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isMain) {
  const report = await measure()
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(report, null, 2))
  } else {
    const { total, gzipBreakdown: g } = report
    console.log(`@parley/core bundle (${report.entry}; browser, esm, minified, tree-shaken, xstate + valibot + protocol inlined)`)
    console.log(`  total:                ${kb(total.min)} min, ${kb(total.gzip)} gzip -9   (budget ${kb(report.budgetGzip)} gzip: ${report.withinBudget ? 'within' : 'OVER by ' + kb(total.gzip - report.budgetGzip)})`)
    console.log(`  core+protocol alone:  ${kb(g.coreAndProtocolAlone.min)} min, ${kb(g.coreAndProtocolAlone.gzip)} gzip   (xstate and valibot external)`)
    console.log(`  xstate adds:          ${kb(g.xstateAdds.min)} min, ${kb(g.xstateAdds.gzip)} gzip`)
    console.log(`  valibot adds:         ${kb(g.valibotAdds.min)} min, ${kb(g.valibotAdds.gzip)} gzip`)
    console.log('  minified bytes by package (metafile):')
    for (const [group, bytes] of Object.entries(report.minByPackage).sort((a, b) => b[1] - a[1])) {
      console.log(`    ${group.padEnd(18)} ${kb(bytes)}`)
    }
    console.log('  largest inputs (minified bytes in output):')
    for (const file of report.largestInputs) console.log(`    ${kb(file.min).padStart(8)}  ${file.path}`)
  }
}
