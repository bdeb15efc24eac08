#!/usr/bin/env node
// Checks that the next start picks up a change in any package and rebuilds exactly that package and
// the packages built from it, and times each rebuild. For each case it appends a line to one file,
// runs `node scripts/parley.mjs build` (the install and build steps of `npm start`), reads which build
// stamps changed, then restores the file byte for byte and builds back. Exits 1 on any mismatch.
//   node scripts/check-rebuilds.mjs
import { spawnSync } from 'node:child_process'
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readBuildStamp } from './stamps.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const PACKAGES = ['@parley/protocol', '@parley/core', '@parley/hub', '@parley/web']

// What each change must rebuild, written out rather than derived, so the check does not share the
// stamps' idea of the dependency graph: core and hub are built from protocol, the web app from core.
const CASES = [
  { change: 'nothing', file: undefined, rebuilds: [] },
  { change: 'protocol source', file: 'packages/protocol/src/index.ts', rebuilds: PACKAGES },
  { change: 'core source', file: 'packages/core/src/index.ts', rebuilds: ['@parley/core', '@parley/web'] },
  { change: 'hub source', file: 'packages/hub/src/main.ts', rebuilds: ['@parley/hub'] },
  { change: 'web source', file: 'apps/web/src/main.ts', rebuilds: ['@parley/web'] },
  { change: 'web config (vite.config.ts)', file: 'apps/web/vite.config.ts', rebuilds: ['@parley/web'] },
  { change: 'hub config (tsconfig.build.json)', file: 'packages/hub/tsconfig.build.json', rebuilds: ['@parley/hub'] },
  { change: 'core dependencies (package.json)', file: 'packages/core/package.json', rebuilds: ['@parley/core', '@parley/web'] },
  { change: 'shared tsconfig.base.json', file: 'tsconfig.base.json', rebuilds: PACKAGES },
  { change: 'a core unit test', file: 'packages/core/src/conference.join.test.ts', rebuilds: [] },
]

function stamps() {
  return Object.fromEntries(PACKAGES.map((name) => [name, JSON.stringify(readBuildStamp(root, name))]))
}

/** Runs the build step; returns its seconds and the packages whose build stamp it rewrote. */
function build() {
  const before = stamps()
  const started = performance.now()
  const result = spawnSync(process.execPath, [join(root, 'scripts/parley.mjs'), 'build'], { cwd: root, encoding: 'utf8' })
  const seconds = (performance.now() - started) / 1000
  if (result.status !== 0) throw new Error(`parley.mjs build failed:\n${result.stdout}\n${result.stderr}`)
  const after = stamps()
  return { seconds, rebuilt: PACKAGES.filter((name) => before[name] !== after[name]) }
}

let restore = () => {}
process.on('SIGINT', () => {
  restore()
  process.exit(130)
})

console.log('baseline build (whatever this checkout still needs)')
build()
let failures = 0
for (const { change, file, rebuilds } of CASES) {
  if (file) {
    const path = join(root, file)
    const original = readFileSync(path)
    restore = () => writeFileSync(path, original)
    appendFileSync(path, file.endsWith('.json') ? '\n' : '\n// check-rebuilds: an edit\n')
  }
  try {
    const { seconds, rebuilt } = build()
    const ok = rebuilt.join() === rebuilds.join()
    if (!ok) failures++
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${change}: rebuilt [${rebuilt.join(', ')}] in ${seconds.toFixed(2)} s${ok ? '' : `, expected [${rebuilds.join(', ')}]`}`)
  } finally {
    restore()
    restore = () => {}
  }
  // Back to the committed files, so the next case starts from a build of them.
  if (file) build()
}
console.log(failures === 0 ? 'every change rebuilt exactly what is built from it' : `${failures} case(s) rebuilt the wrong packages`)
process.exit(failures === 0 ? 0 : 1)
