import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  OUT_DIR,
  hashTree,
  installFingerprint,
  installNeeded,
  packageInputFiles,
  planBuild,
  workspaceDependencies,
  workspacePackages,
  workspacePatterns,
  writeBuildStamp,
  writeInstallStamp,
} from './stamps.mjs'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')

let root
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'parley-stamps-'))
})
afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

function write(path, content) {
  mkdirSync(dirname(join(root, path)), { recursive: true })
  writeFileSync(join(root, path), content)
}

/**
 * A workspace shaped like ours: `proto` is built first, `app` is built from it (dependencies),
 * `tool` only tests against it (devDependencies), `kit` has no build.
 */
function makeWorkspace() {
  write('package.json', JSON.stringify({ name: 'root', private: true, devDependencies: { typescript: '6.0.3' } }))
  write('pnpm-workspace.yaml', 'packages:\n  - packages/*\n  - "apps/*" # the app\n\ncatalog:\n  typescript: 6.0.3\n')
  write('pnpm-lock.yaml', "lockfileVersion: '9.0'\n")
  write('tsconfig.base.json', '{ "compilerOptions": { "strict": true } }\n')
  const pkg = (dir, name, fields) => {
    write(`${dir}/package.json`, JSON.stringify({ name, scripts: { build: 'tsc' }, ...fields }, null, 2))
    write(`${dir}/src/index.ts`, `export const name = '${name}'\n`)
    write(`${dir}/src/index.test.ts`, 'test()\n')
    write(`${dir}/e2e/call.spec.ts`, 'spec()\n')
    write(`${dir}/README.md`, `# ${name}\n`)
    write(`${dir}/tsconfig.build.json`, '{}\n')
  }
  pkg('packages/proto', '@x/proto', {})
  pkg('apps/app', '@x/app', { dependencies: { '@x/proto': 'workspace:*', vue: '3.5.45' } })
  pkg('packages/tool', '@x/tool', { devDependencies: { '@x/proto': 'workspace:*' } })
  write('packages/kit/package.json', JSON.stringify({ name: '@x/kit', dependencies: { '@x/proto': 'workspace:*' } }))
}

const BUILT = ['@x/app', '@x/proto', '@x/tool']

/** What parley.mjs does after a successful build: write each stale package's dist/ and stamp it. */
function buildStale(env = {}) {
  for (const pkg of planBuild(root, BUILT, env).filter(({ state }) => state !== 'fresh')) {
    write(`${pkg.dir}/${OUT_DIR}/index.js`, `built from ${pkg.inputs}\n`)
    writeBuildStamp(root, pkg)
  }
}

function states(env = {}) {
  return Object.fromEntries(planBuild(root, BUILT, env).map(({ name, state }) => [name, state]))
}

describe('workspacePatterns', () => {
  it('reads the packages list, with quotes and comments, up to the next key', () => {
    expect(workspacePatterns('packages:\n  - packages/*\n  - "apps/*" # the app\n\n  # later\n  - tools/cli/\nallowBuilds:\n  - nope\n')).toEqual([
      'packages/*',
      'apps/*',
      'tools/cli',
    ])
  })

  it('refuses a pattern it would read wrongly instead of skipping packages', () => {
    expect(() => workspacePatterns('packages:\n  - packages/**\n')).toThrow(/does not understand/)
    expect(() => workspacePatterns('packages:\n  - "!packages/old"\n')).toThrow(/does not understand/)
  })

  it('finds the packages of this repository', () => {
    expect(workspacePackages(repoRoot).map(({ name }) => name)).toEqual(
      expect.arrayContaining(['@parley/protocol', '@parley/core', '@parley/hub', '@parley/web', '@parley/testkit']),
    )
  })
})

describe('hashTree', () => {
  beforeEach(() => {
    write('d/a.ts', 'a\n')
    write('d/sub/b.ts', 'b\n')
    write('d/skip/c.ts', 'c\n')
    write('d/x.test.ts', 'x\n')
  })
  const hash = () => hashTree(join(root, 'd'), { skipDirs: new Set(['skip']), skipFile: /\.test\.ts$/ })

  it('depends on contents, not on modification times', () => {
    const before = hash()
    utimesSync(join(root, 'd/a.ts'), new Date(2000, 1, 1), new Date(2000, 1, 1))
    expect(hash()).toBe(before)
    appendFileSync(join(root, 'd/sub/b.ts'), '\n')
    expect(hash()).not.toBe(before)
  })

  it('sees a renamed, an added and a deleted file', () => {
    const before = hash()
    renameSync(join(root, 'd/a.ts'), join(root, 'd/a2.ts'))
    const renamed = hash()
    expect(renamed).not.toBe(before)
    write('d/new.ts', '')
    expect(hash()).not.toBe(renamed)
    rmSync(join(root, 'd/new.ts'))
    expect(hash()).toBe(renamed)
  })

  it('ignores skipped directories and files', () => {
    const before = hash()
    write('d/skip/c.ts', 'changed\n')
    write('d/x.test.ts', 'changed\n')
    expect(hash()).toBe(before)
  })
})

describe('planBuild', () => {
  beforeEach(makeWorkspace)

  it('builds everything on a fresh clone, each package after what it is built from', () => {
    const plan = planBuild(root, BUILT, {})
    expect(plan.map(({ name }) => name)).toEqual(['@x/proto', '@x/app', '@x/tool'])
    expect(plan.every(({ state }) => state === 'unbuilt')).toBe(true)
  })

  it('skips every package once built, until something changes', () => {
    buildStale()
    expect(states()).toEqual({ '@x/app': 'fresh', '@x/proto': 'fresh', '@x/tool': 'fresh' })
    utimesSync(join(root, 'packages/proto/src/index.ts'), new Date(), new Date())
    expect(states()).toEqual({ '@x/app': 'fresh', '@x/proto': 'fresh', '@x/tool': 'fresh' })
  })

  it('rebuilds a changed package and what is built from it, not what only tests against it', () => {
    buildStale()
    appendFileSync(join(root, 'packages/proto/src/index.ts'), '// edited\n')
    expect(states()).toEqual({ '@x/app': 'changed', '@x/proto': 'changed', '@x/tool': 'fresh' })
    buildStale()
    appendFileSync(join(root, 'apps/app/src/index.ts'), '// edited\n')
    expect(states()).toEqual({ '@x/app': 'changed', '@x/proto': 'fresh', '@x/tool': 'fresh' })
  })

  it('sees a new source file and a changed config or package.json of the package', () => {
    buildStale()
    write('apps/app/src/extra.ts', 'export {}\n')
    expect(states()['@x/app']).toBe('changed')
    buildStale()
    appendFileSync(join(root, 'apps/app/tsconfig.build.json'), '\n')
    expect(states()['@x/app']).toBe('changed')
    buildStale()
    appendFileSync(join(root, 'apps/app/package.json'), '\n')
    expect(states()).toEqual({ '@x/app': 'changed', '@x/proto': 'fresh', '@x/tool': 'fresh' })
  })

  it('rebuilds everything when the shared compiler options, the dependencies or the build environment change', () => {
    buildStale()
    appendFileSync(join(root, 'tsconfig.base.json'), '\n')
    expect(Object.values(states())).toEqual(['changed', 'changed', 'changed'])
    buildStale()
    appendFileSync(join(root, 'pnpm-lock.yaml'), 'packages: {}\n')
    expect(Object.values(states())).toEqual(['changed', 'changed', 'changed'])
    buildStale()
    expect(Object.values(states({ VITE_HUB: 'x' }))).toEqual(['changed', 'changed', 'changed'])
    expect(Object.values(states({ NODE_ENV: 'development' }))).toEqual(['changed', 'changed', 'changed'])
    expect(Object.values(states({ HOME: '/elsewhere' }))).toEqual(['fresh', 'fresh', 'fresh'])
  })

  it('does not rebuild for tests, browser specs or docs', () => {
    buildStale()
    appendFileSync(join(root, 'packages/proto/src/index.test.ts'), '// edited\n')
    appendFileSync(join(root, 'packages/proto/e2e/call.spec.ts'), '// edited\n')
    appendFileSync(join(root, 'packages/proto/README.md'), 'more\n')
    expect(Object.values(states())).toEqual(['fresh', 'fresh', 'fresh'])
  })

  it('builds from an empty dist/ when dist/ is gone or was changed after its build', () => {
    buildStale()
    rmSync(join(root, 'packages/proto', OUT_DIR), { recursive: true })
    expect(states()['@x/proto']).toBe('unbuilt')
    expect(states()['@x/app']).toBe('fresh')
    buildStale()
    appendFileSync(join(root, 'apps/app', OUT_DIR, 'index.js'), 'hand edit\n')
    expect(planBuild(root, BUILT, {}).find(({ name }) => name === '@x/app')).toMatchObject({ state: 'unbuilt', reason: 'dist/ changed since its build' })
  })

  it('records the inputs as read before the build, so an edit made during the build is built next time', () => {
    const [proto] = planBuild(root, ['@x/proto'], {})
    appendFileSync(join(root, 'packages/proto/src/index.ts'), '// saved while tsc ran\n')
    write(`packages/proto/${OUT_DIR}/index.js`, 'built\n')
    writeBuildStamp(root, proto)
    expect(states()['@x/proto']).toBe('changed')
  })

  it('plans only what was asked for', () => {
    expect(planBuild(root, ['@x/app'], {}).map(({ name }) => name)).toEqual(['@x/app'])
  })
})

describe('installNeeded', () => {
  const options = { pnpmVersion: '12.21.0', nodeVersion: 'v20.20.2' }

  beforeEach(makeWorkspace)

  /** What a successful `pnpm install` leaves, then the stamp parley.mjs writes after it. */
  function install() {
    write('node_modules/.modules.yaml', 'layoutVersion: 5\n')
    write('node_modules/.pnpm/lock.yaml', "lockfileVersion: '9.0'\n")
    for (const dir of ['packages/proto', 'apps/app', 'packages/tool', 'packages/kit']) mkdirSync(join(root, dir, 'node_modules'), { recursive: true })
    writeInstallStamp(root, installFingerprint(root, options))
  }
  const needed = (opts = options) => installNeeded(root, installFingerprint(root, opts))

  it('installs on a fresh clone, and not again while nothing changed', () => {
    expect(needed()).toBe('no install recorded in node_modules')
    install()
    expect(needed()).toBeUndefined()
  })

  it('installs again after a change to the lockfile, any package.json or the pnpm settings', () => {
    for (const file of ['pnpm-lock.yaml', 'package.json', 'packages/tool/package.json', 'packages/kit/package.json', 'pnpm-workspace.yaml']) {
      install()
      appendFileSync(join(root, file), '\n')
      expect(needed(), file).toMatch(/changed/)
    }
    install()
    write('.npmrc', 'engine-strict=false\n')
    expect(needed()).toMatch(/changed/)
  })

  it('installs again with another pnpm or Node', () => {
    install()
    expect(needed({ ...options, pnpmVersion: '12.22.0' })).toMatch(/changed/)
    expect(needed({ ...options, nodeVersion: 'v22.22.2' })).toMatch(/changed/)
  })

  it('installs again when node_modules is gone or is not what the last install left', () => {
    install()
    rmSync(join(root, 'node_modules'), { recursive: true })
    expect(needed()).toBe('no install recorded in node_modules')
    install()
    write('node_modules/.modules.yaml', 'layoutVersion: 5\nincluded: { devDependencies: false }\n')
    expect(needed()).toBe('node_modules changed since the last install')
    install()
    rmSync(join(root, 'apps/app/node_modules'), { recursive: true })
    expect(needed()).toBe('apps/app/node_modules is missing')
  })
})

// The stamps trust two facts about this repository; these tests keep them true.
describe('this repository', () => {
  const packages = new Map(workspacePackages(repoRoot).map((pkg) => [pkg.name, pkg]))
  const buildable = [...packages.values()].filter(({ manifest }) => manifest.scripts?.build)
  const importPattern = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm

  function importsOf(pkg) {
    const dir = join(repoRoot, pkg.dir)
    return packageInputFiles(dir)
      .filter((file) => /\.(ts|vue|m?js)$/.test(file))
      .flatMap((file) => [...readFileSync(join(dir, file), 'utf8').matchAll(importPattern)].map((match) => ({ file, specifier: match[1] ?? match[2] ?? match[3] })))
  }

  function builtFrom(name, seen = new Set()) {
    for (const dep of workspaceDependencies(packages.get(name).manifest, packages)) {
      if (!seen.has(dep)) builtFrom(dep, seen.add(dep))
    }
    return seen
  }

  it('has buildable packages to check', () => {
    expect(buildable.map(({ name }) => name).sort()).toEqual(['@parley/core', '@parley/hub', '@parley/protocol', '@parley/web', '@parley/werift-config'])
  })

  it.each(buildable.map((pkg) => [pkg.name, pkg]))('%s builds into dist/', (_name, pkg) => {
    const dir = join(repoRoot, pkg.dir)
    if (pkg.manifest.scripts.build.startsWith('vite')) {
      expect(readFileSync(join(dir, 'vite.config.ts'), 'utf8')).toMatch(new RegExp(`outDir: '${OUT_DIR}'`))
    } else {
      expect(JSON.parse(readFileSync(join(dir, 'tsconfig.build.json'), 'utf8')).compilerOptions.outDir).toBe(OUT_DIR)
    }
  })

  // A workspace package imported by a build but missing from `dependencies` would not rebuild it when it changes.
  it.each(buildable.map((pkg) => [pkg.name, pkg]))('%s imports only workspace packages it is built from', (name, pkg) => {
    const imports = importsOf(pkg)
    expect(imports.length).toBeGreaterThan(0)
    const workspaceImports = imports.filter(({ specifier }) => packages.has(specifier.split('/').slice(0, 2).join('/')))
    const undeclared = workspaceImports.filter(({ specifier }) => !builtFrom(name).has(specifier.split('/').slice(0, 2).join('/')))
    expect(undeclared).toEqual([])
  })

  // A build that reads a file the stamp skips (a test, an e2e helper, another package's source) would not rebuild when it changes.
  it.each(buildable.map((pkg) => [pkg.name, pkg]))('%s imports no file outside its stamped inputs', (_name, pkg) => {
    const dir = join(repoRoot, pkg.dir)
    const inputs = new Set(packageInputFiles(dir))
    const outside = importsOf(pkg)
      .filter(({ specifier }) => specifier.startsWith('.'))
      .map(({ file, specifier }) => ({ file, target: relative(dir, resolve(dir, dirname(file), specifier)) }))
      .filter(({ target }) => ![target, `${target}.ts`, target.replace(/\.js$/, '.ts'), `${target}/index.ts`].some((path) => inputs.has(path)))
    expect(outside).toEqual([])
  })
})
