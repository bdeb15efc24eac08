#!/usr/bin/env node
// The two commands a person runs on a fresh clone with only Node 20 and npm:
//   npm start  -> install, build, run the hub (serving the web app) on 127.0.0.1:8080
//   npm test   -> install, make sure Debian's chromium is there, typecheck, lint, and run every
//                 test inside a network namespace whose only interface is loopback.
// pnpm is not assumed to be installed: a pinned copy is installed with npm into .tools/.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
// Pinned here rather than in package.json's packageManager, which makes pnpm try to manage itself.
const pnpmVersion = '12.21.0'
const toolsDir = join(root, '.tools')
const pnpmBin = join(toolsDir, 'node_modules', 'pnpm', 'bin', 'pnpm.mjs')

function log(message) {
  console.log(`[parley] ${message}`)
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options })
  if (result.error) throw result.error
  if (result.status !== 0) {
    log(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`)
    process.exit(result.status ?? 1)
  }
}

function installedPnpmVersion() {
  try {
    return JSON.parse(readFileSync(join(toolsDir, 'node_modules', 'pnpm', 'package.json'), 'utf8')).version
  } catch {
    return undefined
  }
}

function ensurePnpm() {
  if (installedPnpmVersion() === pnpmVersion) return
  log(`installing pnpm ${pnpmVersion} into .tools/ with npm`)
  run('npm', ['install', '--prefix', toolsDir, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `pnpm@${pnpmVersion}`])
}

// Package scripts call `pnpm` by name: put the pinned copy first on PATH for everything we spawn.
process.env.PATH = `${join(toolsDir, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`

function pnpm(args, options) {
  run(process.execPath, [pnpmBin, ...args], options)
}

function install() {
  ensurePnpm()
  const frozen = existsSync(join(root, 'pnpm-lock.yaml')) && process.env.CI ? ['--frozen-lockfile'] : []
  pnpm(['install', ...frozen, '--reporter=append-only'])
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0
}

function ensureChromium() {
  const chromium = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium'
  if (existsSync(chromium)) return
  if (!isRoot()) {
    log(`${chromium} is missing and this user cannot install it: run "apt-get install -y chromium" as root`)
    process.exit(1)
  }
  log('installing Debian chromium for the browser tests')
  run('apt-get', ['update', '-qq'])
  run('apt-get', ['install', '-y', '-qq', 'chromium'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
}

function start() {
  install()
  pnpm(['run', 'build'])
  pnpm(['--filter', '@parley/hub', 'run', 'serve', ...process.argv.slice(3)])
}

function test() {
  const insideNamespace = process.env.PARLEY_NETNS === 'lo'
  // Inside the loopback-only namespace nothing can be installed: that happens before entering it.
  if (!insideNamespace) {
    install()
    ensureChromium()
  }
  pnpm(['run', 'typecheck'])
  pnpm(['run', 'lint'])
  // The e2e tests drive the web app exactly as `npm start` serves it: built.
  pnpm(['--filter', '@parley/web', 'run', 'build'])
  const report = join(mkdtempSync(join(tmpdir(), 'parley-test-')), 'vitest.json')
  const vitest = [
    process.execPath, pnpmBin, 'exec', 'vitest', 'run',
    '--reporter=default', '--reporter=json', `--outputFile.json=${report}`,
    ...process.argv.slice(3),
  ]
  let status
  if (insideNamespace) {
    status = spawnSync(vitest[0], vitest.slice(1), { stdio: 'inherit', cwd: root }).status
  } else {
    if (!isRoot()) {
      log('real-WebRTC tests must run in a loopback-only network namespace, which needs root (unshare -n).')
      log('Run npm test as root, or enter such a namespace yourself and set PARLEY_NETNS=lo.')
      process.exit(1)
    }
    // Every test sends traffic to loopback only: a fresh namespace that has nothing but `lo`.
    const script = 'ip link set lo up && exec "$@"'
    status = spawnSync('unshare', ['-n', '--', 'sh', '-c', script, 'sh', ...vitest], {
      stdio: 'inherit',
      cwd: root,
      env: { ...process.env, PARLEY_NETNS: 'lo' },
    }).status
  }
  printSummary(report)
  process.exit(status ?? 1)
}

/** One plain closing line any CI can read: "N passed, N failed, N skipped". */
function printSummary(reportPath) {
  try {
    const result = JSON.parse(readFileSync(reportPath, 'utf8'))
    const skipped = (result.numPendingTests ?? 0) + (result.numTodoTests ?? 0)
    console.log(`\n${result.numPassedTests} passed, ${result.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`)
  } catch {
    log('no test report was written')
  }
}

const command = process.argv[2]
if (command === 'start') start()
else if (command === 'test') test()
else if (command === 'install') install()
else if (command === 'pnpm') {
  ensurePnpm()
  pnpm(process.argv.slice(3))
}
else {
  console.error('usage: node scripts/parley.mjs start|test|install|pnpm <args>')
  process.exit(2)
}
