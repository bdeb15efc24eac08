// `node --import ./scripts/ts-loader.mjs src/cli.ts`: runs the generator and the hub child from their
// TypeScript source in plain Node 20 (no tsx here). This one file is both the `--import` entry (on the
// main thread it registers itself) and the module hooks (on the hooks thread): a relative `./x.js`
// that does not exist resolves to `./x.ts`, and `.ts` is stripped to JavaScript by TypeScript's
// transpileModule (no type check; `npm run typecheck` does that). Workspace packages resolve to their
// source through `--conditions=parley-source`.
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { register } from 'node:module'
import { fileURLToPath } from 'node:url'
import { isMainThread } from 'node:worker_threads'

if (isMainThread) register(import.meta.url)

const TS_OPTIONS = { module: 99 /* ESNext */, target: 9 /* ES2022 */, verbatimModuleSyntax: true }

export async function resolve(specifier, context, nextResolve) {
  const relative = /^\.{1,2}\//.test(specifier) && specifier.endsWith('.js') && context.parentURL
  if (relative && !existsSync(new URL(specifier, context.parentURL))) {
    const typescriptFile = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL)
    if (existsSync(typescriptFile)) return { url: typescriptFile.href, format: 'module', shortCircuit: true }
  }
  return nextResolve(specifier, context)
}

let typescript
export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context)
  typescript ??= (await import('typescript')).default
  const path = fileURLToPath(url)
  const { outputText } = typescript.transpileModule(await readFile(path, 'utf8'), { fileName: path, compilerOptions: TS_OPTIONS })
  return { format: 'module', source: outputText, shortCircuit: true }
}
