// Content stamps: what `npm start` and `npm test` may skip because nothing it depends on changed.
//
// Install: `pnpm install` is skipped when the files that decide node_modules (lockfile, every workspace
// package.json, pnpm-workspace.yaml, .npmrc, pnpm and Node versions) hash as they did after the last
// successful install, and node_modules is still exactly what that install left (pnpm's own
// .modules.yaml and .pnpm/lock.yaml). A missing node_modules has no stamp, so it always installs.
//
// Build: a package's build is skipped when the hash of its inputs (its own files minus outputs, tests
// and docs; the workspace packages it depends on, transitively; the shared tsconfig; the lockfile) is
// the one recorded after its last successful build, and its dist/ still hashes as that build left it.
// Contents are hashed, never mtimes: a checkout or a touch that changes no byte rebuilds nothing.
import { createHash } from 'node:crypto'
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Bump when what a stamp covers changes, so that every old stamp is stale. */
const STAMP_FORMAT = 'parley-stamps 1'

/** Where every buildable package writes its build (tsconfig.build.json's outDir, vite's build.outDir). */
export const OUT_DIR = 'dist'

/** Root files that decide what `pnpm install` puts in node_modules, besides the package.json files. */
const INSTALL_INPUTS = ['pnpm-lock.yaml', 'pnpm-workspace.yaml', '.npmrc', '.pnpmfile.cjs', '.pnpmfile.mjs']
/** What pnpm leaves in node_modules after an install; another install (other flags, other lockfile) changes them. */
const INSTALLED_STATE = ['node_modules/.modules.yaml', 'node_modules/.pnpm/lock.yaml']
/** Root files every package build reads: the shared compiler options and the installed dependency versions. */
const SHARED_BUILD_INPUTS = ['tsconfig.base.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', '.npmrc']

const INSTALL_STAMP = 'node_modules/.parley-install-stamp.json'
const BUILD_STAMP_DIR = 'node_modules/.cache/parley-build'

/**
 * What of a package is not an input of its build: its outputs, its installed packages, its tests (the
 * builds exclude them) and its docs. Everything else counts, so a new config file is never missed.
 */
const PACKAGE_INPUTS = {
  skipDirs: new Set(['node_modules', OUT_DIR, 'e2e', 'bench', 'test-artifacts', 'coverage', '.git']),
  skipFile: /(\.(test|spec)\.[cm]?[jt]sx?|\.md)$/,
}

/** Workspace packages from pnpm-workspace.yaml (`dir/*` and plain `dir` entries), with their manifests. */
export function workspacePackages(root) {
  const packages = []
  for (const pattern of workspacePatterns(readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8'))) {
    const dirs = pattern.endsWith('/*')
      ? listDir(join(root, pattern.slice(0, -2))).filter((entry) => entry.isDirectory()).map((entry) => `${pattern.slice(0, -2)}/${entry.name}`)
      : [pattern]
    for (const dir of dirs.sort()) {
      const manifestPath = join(root, dir, 'package.json')
      if (!existsSync(manifestPath)) continue
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
      packages.push({ name: manifest.name, dir, manifest })
    }
  }
  return packages
}

/** The `packages:` list of pnpm-workspace.yaml. Only the two forms this repository uses are understood. */
export function workspacePatterns(yaml) {
  const lines = yaml.split('\n')
  const start = lines.findIndex((line) => /^packages:\s*$/.test(line))
  if (start === -1) throw new Error('pnpm-workspace.yaml has no packages: list')
  const patterns = []
  for (const line of lines.slice(start + 1)) {
    const item = /^\s+-\s+["']?([^"'#\s]+)["']?\s*(#.*)?$/.exec(line)
    if (!item) {
      if (/^\s*(#.*)?$/.test(line)) continue
      break
    }
    const pattern = item[1].replace(/\/$/, '')
    if (!/^[\w.-]+(\/[\w.-]+)*(\/\*)?$/.test(pattern)) {
      throw new Error(`pnpm-workspace.yaml: "${pattern}" is a pattern scripts/stamps.mjs does not understand (only dir and dir/*)`)
    }
    patterns.push(pattern)
  }
  return patterns
}

function listDir(dir) {
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []
}

function sha256(data) {
  return createHash('sha256').update(data).digest('hex')
}

/** Hash of a file's bytes, or a marker for a missing file (so that creating or deleting it counts). */
function fileHash(path) {
  return existsSync(path) ? sha256(readFileSync(path)) : 'absent'
}

/**
 * Every file under `dir` (paths relative to it, sorted), skipping the directory names in `skipDirs` at
 * any depth and the files whose name matches `skipFile`.
 */
export function listTree(dir, { skipDirs = new Set(), skipFile } = {}) {
  const files = []
  const walk = (relative) => {
    for (const entry of listDir(join(dir, relative))) {
      const path = relative ? `${relative}/${entry.name}` : entry.name
      if (entry.isDirectory()) {
        if (!skipDirs.has(entry.name)) walk(path)
      } else if (!skipFile?.test(entry.name)) {
        files.push(path)
      }
    }
  }
  walk('')
  return files.sort()
}

/** One hash over the files `listTree` lists: each one's path and content. A symlink counts by its target path. */
export function hashTree(dir, options) {
  const lines = listTree(dir, options).map((path) => {
    const full = join(dir, path)
    const content = lstatSync(full).isSymbolicLink() ? `symlink:${readlinkSync(full)}` : readFileSync(full)
    return `${path}\0${sha256(content)}`
  })
  return sha256(lines.join('\n'))
}

/** The files of a package that are inputs of its build (paths relative to the package). */
export function packageInputFiles(packageDir) {
  return listTree(packageDir, PACKAGE_INPUTS)
}

/** The environment a build can read: vite inlines NODE_ENV and VITE_* variables. */
function buildEnvironment(env) {
  return Object.keys(env)
    .filter((key) => key === 'NODE_ENV' || key.startsWith('VITE_'))
    .sort()
    .map((key) => `${key}=${env[key]}`)
    .join('\n')
}

// ---------------------------------------------------------------------------------------------- install

/** Hash of everything that decides what `pnpm install` installs. */
export function installFingerprint(root, { pnpmVersion, frozenLockfile = false, nodeVersion = process.version } = {}) {
  const parts = [STAMP_FORMAT, `pnpm ${pnpmVersion}`, `node ${nodeVersion} ${process.platform} ${process.arch}`, `frozen ${frozenLockfile}`]
  for (const file of ['package.json', ...INSTALL_INPUTS]) parts.push(`${file}\0${fileHash(join(root, file))}`)
  for (const { dir } of workspacePackages(root)) parts.push(`${dir}/package.json\0${fileHash(join(root, dir, 'package.json'))}`)
  if (existsSync(join(root, 'patches'))) parts.push(`patches\0${hashTree(join(root, 'patches'))}`)
  return sha256(parts.join('\n'))
}

function installedState(root) {
  return sha256(INSTALLED_STATE.map((file) => `${file}\0${fileHash(join(root, file))}`).join('\n'))
}

/** Why `pnpm install` must run, or undefined when the last successful install still stands. */
export function installNeeded(root, fingerprint) {
  const stamp = readJson(join(root, INSTALL_STAMP))
  if (!stamp) return 'no install recorded in node_modules'
  if (stamp.fingerprint !== fingerprint) return 'the lockfile, a package.json or the pnpm settings changed'
  if (stamp.installed !== installedState(root)) return 'node_modules changed since the last install'
  const withoutModules = workspacePackages(root).find(({ dir, manifest }) => hasDependencies(manifest) && !existsSync(join(root, dir, 'node_modules')))
  if (withoutModules) return `${withoutModules.dir}/node_modules is missing`
  return undefined
}

function hasDependencies(manifest) {
  return ['dependencies', 'devDependencies', 'optionalDependencies'].some((field) => Object.keys(manifest[field] ?? {}).length > 0)
}

/** Records a successful install; call it after `pnpm install`, which may have rewritten the lockfile. */
export function writeInstallStamp(root, fingerprint) {
  writeJson(join(root, INSTALL_STAMP), { fingerprint, installed: installedState(root) })
}

// ------------------------------------------------------------------------------------------------ build

/**
 * Input hash of every workspace package, by name. A package's hash covers its own files (without
 * outputs, tests and docs), the hashes of the workspace packages in its `dependencies` (so a change
 * reaches every package built from it), the shared root inputs and the build environment.
 */
export function buildInputHashes(root, env = process.env) {
  const packages = new Map(workspacePackages(root).map((pkg) => [pkg.name, pkg]))
  const shared = [
    STAMP_FORMAT,
    ...SHARED_BUILD_INPUTS.map((file) => `${file}\0${fileHash(join(root, file))}`),
    buildEnvironment(env),
  ].join('\n')
  const hashes = new Map()
  const hashOf = (name, path = []) => {
    if (hashes.has(name)) return hashes.get(name)
    if (path.includes(name)) throw new Error(`workspace dependency cycle: ${[...path, name].join(' -> ')}`)
    const pkg = packages.get(name)
    const own = hashTree(join(root, pkg.dir), PACKAGE_INPUTS)
    const deps = workspaceDependencies(pkg.manifest, packages).map((dep) => `${dep}\0${hashOf(dep, [...path, name])}`)
    const hash = sha256([shared, `${pkg.dir}\0${own}`, ...deps].join('\n'))
    hashes.set(name, hash)
    return hash
  }
  for (const name of packages.keys()) hashOf(name)
  return hashes
}

/** The workspace packages a package is built from: its runtime `dependencies` (devDependencies are for tests). */
export function workspaceDependencies(manifest, packages) {
  return Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies, ...manifest.peerDependencies })
    .filter((name) => packages.has(name))
    .sort()
}

function buildStampPath(root, name) {
  return join(root, BUILD_STAMP_DIR, `${name.replace(/^@/, '').replace(/[^\w.-]+/g, '+')}.json`)
}

/**
 * For each named package (in dependency order): `fresh` (skip it), `changed` (its inputs changed and
 * its dist/ is as its last build left it, so an incremental build is safe) or `unbuilt` (never built
 * here, or dist/ is missing or was changed since: build from an empty dist/).
 */
export function planBuild(root, names, env = process.env) {
  const packages = new Map(workspacePackages(root).map((pkg) => [pkg.name, pkg]))
  const hashes = buildInputHashes(root, env)
  return dependencyOrder(names, packages).map((name) => {
    const { dir } = packages.get(name)
    const inputs = hashes.get(name)
    const stamp = readJson(buildStampPath(root, name))
    const outDir = join(root, dir, OUT_DIR)
    let state = 'fresh'
    let reason = 'up to date'
    if (!stamp) [state, reason] = ['unbuilt', 'not built yet']
    else if (!existsSync(outDir) || hashTree(outDir) !== stamp.outputs) [state, reason] = ['unbuilt', `${OUT_DIR}/ changed since its build`]
    else if (stamp.inputs !== inputs) [state, reason] = ['changed', 'inputs changed']
    return { name, dir, inputs, state, reason }
  })
}

/** `names` sorted so that each package comes after the workspace packages it depends on. */
export function dependencyOrder(names, packages) {
  const ordered = []
  const visit = (name) => {
    if (ordered.includes(name) || !names.includes(name)) return
    for (const dep of workspaceDependencies(packages.get(name).manifest, packages)) visit(dep)
    ordered.push(name)
  }
  for (const name of [...names].sort()) visit(name)
  return ordered
}

/** Records a successful build of a planned package: the inputs it was built from and the dist/ it left. */
export function writeBuildStamp(root, { name, dir, inputs }) {
  writeJson(buildStampPath(root, name), { inputs, outputs: hashTree(join(root, dir, OUT_DIR)) })
}

/** The recorded build of a package, or undefined. */
export function readBuildStamp(root, name) {
  return readJson(buildStampPath(root, name))
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return undefined
  }
}

/** Written whole or not at all (rename), so an interrupted write never leaves a stamp that parses. */
function writeJson(path, value) {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(`${path}.tmp`, `${JSON.stringify(value, null, 2)}\n`)
  renameSync(`${path}.tmp`, path)
}
