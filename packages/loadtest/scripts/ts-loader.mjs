// `node --import ./scripts/ts-loader.mjs src/cli.ts`: runs the generator and the hub child from their
// TypeScript source in plain Node 20 (no tsx here). This one file is both the `--import` entry (on the
// main thread it registers itself) and the module hooks (on the hooks thread): a relative `./x.js`
// that does not exist resolves to `./x.ts`, and `.ts` is stripped to JavaScript by TypeScript's
// transpileModule (no type check; `npm run typecheck` does that; outputs cached by the hub's
// bench/ts-transpile.mjs, shared with its own hooks). Workspace packages resolve to their source through
// `--conditions=parley-source`.
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { register } from 'node:module'
import { fileURLToPath } from 'node:url'
import { isMainThread } from 'node:worker_threads'
import { transpile } from '../../hub/bench/ts-transpile.mjs'

if (isMainThread) register(import.meta.url)

export async function resolve(specifier, context, nextResolve) {
  const relative = /^\.{1,2}\//.test(specifier) && specifier.endsWith('.js') && context.parentURL
  if (relative && !existsSync(new URL(specifier, context.parentURL))) {
    const typescriptFile = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL)
    if (existsSync(typescriptFile)) return { url: typescriptFile.href, format: 'module', shortCircuit: true }
  }
  return nextResolve(specifier, context)
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context)
  const path = fileURLToPath(url)
  return { format: 'module', source: await transpile(path, await readFile(path, 'utf8')), shortCircuit: true }
}
