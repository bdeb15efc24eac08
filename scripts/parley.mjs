#!/usr/bin/env node
// The two commands a person runs on a fresh clone with only Node 20 and npm:
//   npm start  -> install, build, run the hub (serving the web app) on 127.0.0.1:8080
//   npm test   -> install, make sure Debian's chromium, firefox-esr and redis-server are there, typecheck, lint, and run every
//                 test inside a network namespace whose only interface is loopback.
// pnpm is not assumed to be installed: a pinned copy is installed with npm into .tools/.
// Install and builds are skipped when the content stamps say nothing they depend on changed
// (scripts/stamps.mjs), so a second start is serving in about a second.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { constants, tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { OUT_DIR, installFingerprint, installNeeded, planBuild, workspacePackages, writeBuildStamp, writeInstallStamp } from './stamps.mjs'

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

/**
 * `pnpm install`, unless the last successful one still stands (scripts/stamps.mjs). `force` (the
 * explicit `install` command) and CI always install: CI starts from a fresh clone, where correctness
 * is all that counts and there is nothing to skip anyway.
 */
function install({ force = false } = {}) {
  ensurePnpm()
  const frozen = existsSync(join(root, 'pnpm-lock.yaml')) && process.env.CI ? ['--frozen-lockfile'] : []
  const fingerprint = () => installFingerprint(root, { pnpmVersion, frozenLockfile: frozen.length > 0 })
  const reason = force ? 'asked for' : process.env.CI ? 'CI always installs' : installNeeded(root, fingerprint())
  if (!reason) {
    log('dependencies are as last installed: pnpm install skipped')
    return
  }
  log(`pnpm install (${reason})`)
  const firstInstall = !existsSync(join(root, 'node_modules', '.modules.yaml'))
  pnpm(['install', ...frozen, '--reporter=append-only'])
  // After the install: it may have rewritten the lockfile.
  writeInstallStamp(root, fingerprint())
  // pnpm prints its engine warnings when it links the packages, which a first install always does.
  if (firstInstall && Number(process.versions.node.split('.')[0]) < 22) {
    log('on Node 20 the "Unsupported engine" warnings for werift, nopt and abbrev are expected: see README.md, "Node version"')
  }
}

/** Every workspace package with a build script (the web app, the hub, and what they are built from). */
function buildablePackages() {
  return workspacePackages(root).filter(({ manifest }) => manifest.scripts?.build).map(({ name }) => name)
}

/**
 * Builds the named packages whose inputs changed since their last build (scripts/stamps.mjs), in one
 * pnpm run, each after the workspace packages in its `dependencies` (`--filter-prod`: a build reads
 * only those packages' dist/, so protocol goes first, then core beside werift-config, then the hub
 * beside the web app; `--filter` also waited on devDependencies, which put all five in one line).
 * A package whose dist/ is missing or was changed by hand is built from
 * an empty dist/, so that tsc's incremental build info never vouches for files that are gone.
 * `typechecked`: the caller has just type-checked these very sources (npm test's typecheck step), so
 * the tsc builds emit without checking them again (PARLEY_TYPECHECKED=1 adds `--noCheck` in their
 * build scripts; stop 54: hub 20.6 → 7.1 s, core 22.7 → 10.2 s; the same JavaScript out). tsc's build info
 * records the skipped check, so the next build without it (npm start after an edit) checks every file.
 */
function build(names, { typechecked = false } = {}) {
  const plan = planBuild(root, names)
  const stale = plan.filter(({ state }) => state !== 'fresh')
  if (stale.length === 0) {
    log(`nothing changed since the last build of ${names.join(', ')}: build skipped`)
    return
  }
  for (const { dir, state } of stale) {
    if (state === 'unbuilt') rmSync(join(root, dir, OUT_DIR), { recursive: true, force: true })
  }
  log(`building ${stale.map(({ name, reason }) => `${name} (${reason})`).join(', ')}`)
  // Never inherited: only this process, right after its typecheck, may skip the builds' check.
  const { PARLEY_TYPECHECKED: _inherited, ...env } = process.env
  if (typechecked) env.PARLEY_TYPECHECKED = '1'
  pnpm([...stale.flatMap(({ name }) => ['--filter-prod', name]), 'run', 'build'], { env })
  for (const pkg of stale) writeBuildStamp(root, pkg)
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0
}

/**
 * Debian's chromium and firefox-esr (one screen-share spec has a participant in Firefox), xvfb (the Firefox
 * blur spec runs Firefox on a virtual display: headless Firefox has no WebGL), and redis-server (the hub
 * cluster's tests start their own on a loopback port, never the system service), apt-installed when missing.
 */
function ensureBrowsers() {
  const browsers = [
    { path: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium', pkg: 'chromium' },
    { path: process.env.PARLEY_FIREFOX ?? '/usr/bin/firefox-esr', pkg: 'firefox-esr' },
    { path: process.env.PARLEY_XVFB ?? '/usr/bin/Xvfb', pkg: 'xvfb' },
    { path: process.env.PARLEY_REDIS_SERVER ?? '/usr/bin/redis-server', pkg: 'redis-server' },
  ]
  const missing = browsers.filter(({ path }) => !existsSync(path))
  if (missing.length === 0) return
  const packages = missing.map(({ pkg }) => pkg)
  if (!isRoot()) {
    log(`not found: ${missing.map(({ path }) => path).join(', ')}, and this user cannot install it: run "apt-get install -y ${packages.join(' ')}" as root`)
    process.exit(1)
  }
  log(`installing Debian ${packages.join(' and ')} for the browser and cluster tests`)
  run('apt-get', ['update', '-qq'])
  run('apt-get', ['install', '-y', '-qq', ...packages], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
}

function start() {
  install()
  build(buildablePackages())
  serveHub(process.argv.slice(3))
}

/**
 * Runs the built hub (its `parley-hub` bin) directly rather than through `pnpm run serve`, which costs
 * most of a second. Ctrl-C reaches the whole foreground process group, so the hub gets its own SIGINT
 * and shuts down cleanly; we wait for it instead of exiting first. A SIGTERM sent to us alone is passed on.
 */
function serveHub(args) {
  const hub = workspacePackages(root).find(({ name }) => name === '@parley/hub')
  const child = spawn(process.execPath, [join(root, hub.dir, hub.manifest.bin['parley-hub']), ...args], { stdio: 'inherit', cwd: root })
  process.on('SIGINT', () => {})
  process.on('SIGTERM', () => child.kill('SIGTERM'))
  child.on('error', (error) => {
    log(`could not start the hub: ${error.message}`)
    process.exit(1)
  })
  child.on('exit', (code, signal) => process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1)))
}

function test() {
  const insideNamespace = process.env.PARLEY_NETNS === 'lo'
  // Inside the loopback-only namespace nothing can be installed: that happens before entering it.
  if (!insideNamespace) {
    install()
    ensureBrowsers()
  }
  pnpm(['run', 'typecheck'])
  pnpm(['run', 'lint'])
  // The e2e tests drive the web app exactly as `npm start` serves it: built; and the hub's process
  // spec runs its built bin. The typecheck above already checked what the tsc builds compile.
  build(buildablePackages(), { typechecked: true })
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
else if (command === 'install') install({ force: true })
else if (command === 'build') {
  install()
  build(buildablePackages())
}
else if (command === 'pnpm') {
  ensurePnpm()
  pnpm(process.argv.slice(3))
}
else {
  console.error('usage: node scripts/parley.mjs start|test|install|build|pnpm <args>')
  process.exit(2)
}
