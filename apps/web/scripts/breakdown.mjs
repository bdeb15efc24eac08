#!/usr/bin/env node
// Where the web app's initial JS comes from, by area: reads the built dist/ (its sourcemaps), gives
// every byte of the minified initial chunks to the source module its mapping names, and groups the
// modules (Vue, pinia, xstate, valibot, protocol, core machines, app code…). Per group: minified
// bytes and the MARGINAL gzip -9 cost (gzip of all the initial code minus gzip of it without that
// group: what removing the group would save). Marginals add up to a little less than the total:
// the rest is compression shared between groups.
//   node apps/web/scripts/breakdown.mjs [--modules]   (--modules: also the 40 largest modules)
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { decode } from '@jridgewell/sourcemap-codec'
import { measureDist } from './size.mjs'

const distDir = resolve(dirname(fileURLToPath(import.meta.url)), '../dist')

const GROUPS = [
  [/\/@vue\/runtime-core\//, 'vue: runtime-core'],
  [/\/@vue\/runtime-dom\//, 'vue: runtime-dom'],
  [/\/@vue\/reactivity\//, 'vue: reactivity'],
  [/\/@vue\/shared\//, 'vue: shared'],
  [/\/@vue\/devtools-/, 'vue devtools api'],
  [/\/node_modules\/(vue|@vue\/[^/]+)\//, 'vue: other'],
  [/\/node_modules\/pinia\//, 'pinia'],
  [/\/node_modules\/xstate\//, 'xstate'],
  [/\/node_modules\/valibot\//, 'valibot'],
  [/packages\/protocol\//, '@parley/protocol'],
  [/packages\/core\/src\/machines\//, '@parley/core: machines'],
  [/packages\/core\//, '@parley/core: other'],
  [/apps\/web\/src\/devtools\//, 'web: devtools'],
  [/apps\/web\/src\/(components\/.*|App)\.vue/, 'web: components'],
  [/apps\/web\/src\/stores\//, 'web: stores'],
  [/apps\/web\/src\/lib\//, 'web: lib'],
  [/apps\/web\/src\//, 'web: other'],
  [/node_modules\//, 'other packages'],
]

export function groupOf(source) {
  for (const [pattern, group] of GROUPS) if (pattern.test(source)) return group
  return 'unmapped (bundler glue)'
}

/** The initial chunks' code cut into pieces, each given to the source module its mapping names. */
export function initialPieces(dir = distDir) {
  const pieces = []
  for (const file of measureDist(dir).initial.files) {
    const code = readFileSync(join(dir, 'assets', file), 'utf8')
    const map = JSON.parse(readFileSync(join(dir, 'assets', `${file}.map`), 'utf8'))
    // Per generated line, segments [column, source index, …]; a segment of one field has no source.
    const decoded = decode(map.mappings)
    code.split('\n').forEach((line, index) => {
      const segments = (decoded[index] ?? []).map((segment) => [segment[0], segment.length > 1 ? segment[1] : -1])
      let previous = { column: 0, source: -1 }
      for (const [column, source] of [...segments, [line.length, -2]]) {
        if (column > previous.column) {
          const name = previous.source >= 0 ? resolve(join(dir, 'assets'), map.sourceRoot ?? '', map.sources[previous.source]) : '(unmapped)'
          pieces.push({ source: name, text: line.slice(previous.column, column) })
        }
        // A segment without a source continues the previous module's span (punctuation the minifier added).
        previous = { column, source: source === -1 ? previous.source : source }
      }
      pieces.push({ source: '(unmapped)', text: '\n' })
    })
  }
  return pieces
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isMain) {
  const pieces = initialPieces()
  const gzip = (text) => gzipSync(Buffer.from(text), { level: 9 }).byteLength
  const joined = (list) => list.map((piece) => piece.text).join('')
  const total = gzip(joined(pieces))
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)}`.padStart(6)
  const groups = [...new Set(pieces.map((piece) => groupOf(piece.source)))]
    .map((group) => ({
      group,
      min: pieces.filter((piece) => groupOf(piece.source) === group).reduce((sum, piece) => sum + Buffer.byteLength(piece.text), 0),
      marginal: total - gzip(joined(pieces.filter((piece) => groupOf(piece.source) !== group))),
    }))
    .sort((a, b) => b.marginal - a.marginal)
  console.log(`@parley/web initial JS by area: ${kb(pieces.reduce((sum, piece) => sum + Buffer.byteLength(piece.text), 0))} KB min, ${kb(total)} KB gzip -9`)
  console.log('   min KB  gzip KB (marginal)  area')
  for (const row of groups) console.log(`   ${kb(row.min)}  ${kb(row.marginal)}            ${row.group}`)
  console.log(`   sum of marginals: ${kb(groups.reduce((sum, row) => sum + row.marginal, 0)).trim()} KB gzip (the rest is compression shared between areas)`)
  if (process.argv.includes('--modules')) {
    const bySource = new Map()
    for (const piece of pieces) bySource.set(piece.source, (bySource.get(piece.source) ?? 0) + Buffer.byteLength(piece.text))
    console.log('largest modules (min KB):')
    for (const [source, bytes] of [...bySource].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
      console.log(`   ${kb(bytes)}  ${source.replace(/^.*node_modules\//, '').replace(/^.*?\/(apps|packages)\//, '$1/')}`)
    }
  }
}
