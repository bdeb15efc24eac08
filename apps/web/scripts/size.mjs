#!/usr/bin/env node
// The web app's JavaScript as a browser pays it, measured on the built dist/: the INITIAL JS is what
// index.html loads before any user action (its module scripts, its modulepreloads and everything
// they import statically); every other chunk is LAZY, fetched by a dynamic import() when it is used,
// and among those the PREFETCHED ones are named by index.html as `<link rel="prefetch">` (so the
// service worker keeps them): not needed to draw the first screen. The core's chunk (factory-*.js) is
// one of them: main.ts imports it at boot, alongside config.json, and starts the conference when it
// arrives; the call and ended screens are imported at idle after the first paint.
// `node scripts/breakdown.mjs` says what the initial JS is made of (Vue, pinia, app code…).
// Each figure is gzip -9 of the file as served. Run by `npm run build` after `vite build`: it prints
// the figures and fails the build when the initial JS is over its budget (--no-check: only print).
//   node apps/web/scripts/size.mjs [--json] [--no-check]
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const distDir = resolve(dirname(fileURLToPath(import.meta.url)), '../dist')

/**
 * The initial JS may not exceed this (gzip bytes): today's size (47.4 KB, 2026-12-04) and a little room. Issue 10's goal is GOAL_INITIAL_GZIP.
 * Raised by 0.25 KB at stop 51 (from 50,978 bytes): the lobby's words a refused newcomer reads on the ended screen
 * (`knock-declined`, `knock-expired`, "Ask again") and the room's credentials kept with the call a refresh rejoins
 * (lib/rejoin.ts, stores/rejoin.ts), after one fact listener replaced the participant one (session.ts): 51,237.
 * Raised by 0.75 KB at stop 52 (from 51,237 bytes): end-to-end encryption's part of the first screen, the pre-join's
 * "End-to-end encryption" box and its words, the key in the address (lib/e2eeKey.ts), the session's mirror of the
 * encryption status and a tile's "Can't decrypt" / "Not encrypted" (the crypto and its worker are lazy chunks);
 * then by 0.25 KB more (52,213 → 52,318 bytes): a tile of someone who encrypts, seen without the key, locked
 * ("Encrypted — open the full invite link") and silent.
 * Raised by 0.25 KB at stop 53 (52,310 → 52,688 bytes): background blur's part of the first screen, the "Blur
 * background" box beside the camera select, its store (the remembered choice, the status, the camera effect every
 * conference is made with) and the lazy import of the blur chunk (the processing and MediaPipe are lazy);
 * then by 0.125 KB more with the same stop's other changes merged beside it (the made-host notice, the e2ee
 * tidying): 52,741 bytes.
 */
export const BUDGET_INITIAL_GZIP = 51.625 * 1024
export const GOAL_INITIAL_GZIP = 55 * 1024

/** Chunks a module names in its static imports (import … from a path, or a bare import of one), not in a dynamic import(). */
function staticImports(code) {
  const found = []
  for (const match of code.matchAll(/\bimport\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']\.\/([^"']+\.js)["']/g)) found.push(match[1])
  for (const match of code.matchAll(/\bexport\s*[\w$*{}\s,]*?\s*from\s*["']\.\/([^"']+\.js)["']/g)) found.push(match[1])
  return found
}

function sizeOf(path) {
  const bytes = readFileSync(path)
  return { min: bytes.byteLength, gzip: gzipSync(bytes, { level: 9 }).byteLength }
}

export function measureDist(dir = distDir) {
  const indexPath = join(dir, 'index.html')
  if (!existsSync(indexPath)) throw new Error(`${indexPath} is missing: build the web app first (npm run pnpm -- --filter @parley/web run build)`)
  const html = readFileSync(indexPath, 'utf8')
  const assetsDir = join(dir, 'assets')
  const queue = [
    ...html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="[^"]*\/assets\/([^"]+\.js)"/g),
    ...html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="[^"]*\/assets\/([^"]+\.js)"/g),
  ].map((match) => match[1])
  if (queue.length === 0) throw new Error('index.html loads no module script from assets/')
  const initial = new Set()
  while (queue.length > 0) {
    const file = queue.shift()
    if (initial.has(file)) continue
    initial.add(file)
    queue.push(...staticImports(readFileSync(join(assetsDir, file), 'utf8')))
  }
  const prefetched = new Set([...html.matchAll(/<link\b[^>]*\brel="prefetch"[^>]*\bhref="[^"]*\/assets\/([^"]+\.js)"/g)].map((match) => match[1]))
  const chunks = readdirSync(assetsDir)
    .filter((file) => file.endsWith('.js'))
    .map((file) => ({ file, initial: initial.has(file), prefetched: prefetched.has(file), ...sizeOf(join(assetsDir, file)) }))
    .sort((a, b) => a.gzip - b.gzip)
  const initialChunks = chunks.filter((chunk) => chunk.initial)
  const total = (list, key) => list.reduce((sum, chunk) => sum + chunk[key], 0)
  const initialGzip = total(initialChunks, 'gzip')
  return {
    initial: { files: initialChunks.map((chunk) => chunk.file), min: total(initialChunks, 'min'), gzip: initialGzip },
    lazy: chunks.filter((chunk) => !chunk.initial).map(({ file, prefetched: atIdle, min, gzip }) => ({ file, prefetched: atIdle, min, gzip })),
    budgetGzip: BUDGET_INITIAL_GZIP,
    goalGzip: GOAL_INITIAL_GZIP,
    withinBudget: initialGzip <= BUDGET_INITIAL_GZIP,
  }
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`

export function formatReport(report) {
  const { initial } = report
  const lines = [
    `@parley/web JS (gzip -9 as served from dist/)`,
    `  initial (index.html, before any user action): ${kb(initial.gzip)} gzip, ${kb(initial.min)} min   ` +
      `(budget ${kb(report.budgetGzip)}: ${report.withinBudget ? 'within' : `OVER by ${kb(initial.gzip - report.budgetGzip)}`}; ` +
      `goal ${kb(report.goalGzip)}: ${initial.gzip <= report.goalGzip ? 'met' : `${kb(initial.gzip - report.goalGzip)} to go`})`,
    ...initial.files.map((file) => `    ${file}`),
    '  lazy chunks (loaded by import() when used; "prefetched": named by index.html, fetched after the first paint; factory-*.js is the core, imported at boot):',
    ...report.lazy.map((chunk) => `    ${kb(chunk.gzip).padStart(9)} gzip ${kb(chunk.min).padStart(10)} min  ${chunk.file}${chunk.prefetched ? '  (prefetched)' : ''}`),
  ]
  return lines.join('\n')
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isMain) {
  const report = measureDist()
  console.log(process.argv.includes('--json') ? JSON.stringify(report, null, 2) : formatReport(report))
  if (!report.withinBudget && !process.argv.includes('--no-check')) {
    console.error(`The web app's initial JS is ${kb(report.initial.gzip)} gzip, over its budget of ${kb(report.budgetGzip)}.`)
    process.exit(1)
  }
}
