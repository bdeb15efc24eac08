// The tsc builds' `--noCheck` under `npm test` (scripts/parley.mjs, build({ typechecked })): asked for by
// PARLEY_TYPECHECKED=1 and by nothing else, so that `npm start` and `npm run build` still type-check.
import { execFileSync } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { workspacePackages } from './stamps.mjs'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')

const TSC_BUILD = /^tsc -p tsconfig\.build\.json\b[^&]*/

/** The arguments the shell gives tsc in a build script's first command, as `sh` (what pnpm runs scripts with) expands them. */
function tscArgs(script, env) {
  const command = TSC_BUILD.exec(script)[0].replace(/^tsc /, '')
  const { PARLEY_TYPECHECKED: _unset, ...base } = process.env
  return execFileSync('sh', ['-c', `for arg in ${command}; do printf '%s\\n' "$arg"; done`], { env: { ...base, ...env }, encoding: 'utf8' }).trim().split('\n')
}

const tscBuilds = workspacePackages(repoRoot).filter(({ manifest }) => TSC_BUILD.test(manifest.scripts?.build ?? ''))

describe('the tsc build scripts', () => {
  it('are the four packages built with tsc', () => {
    expect(tscBuilds.map(({ name }) => name).sort()).toEqual(['@parley/core', '@parley/hub', '@parley/protocol', '@parley/werift-config'])
  })

  it.each(tscBuilds.map(({ name, manifest }) => [name, manifest.scripts.build]))('%s type-checks unless PARLEY_TYPECHECKED=1', (_name, script) => {
    expect(tscArgs(script, {})).toEqual(['-p', 'tsconfig.build.json'])
    expect(tscArgs(script, { PARLEY_TYPECHECKED: '' })).toEqual(['-p', 'tsconfig.build.json'])
    expect(tscArgs(script, { PARLEY_TYPECHECKED: '1' })).toEqual(['-p', 'tsconfig.build.json', '--noCheck'])
  })
})
