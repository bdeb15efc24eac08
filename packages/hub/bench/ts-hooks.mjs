// Node module hooks so the benchmark can run the hub from its TypeScript source in a separate, plain
// `node` process (tsx is not installed): relative `.js` specifiers fall back to the `.ts` file next to
// them, and `.ts` files are transpiled with TypeScript's transpileModule (no type check; kept in a cache,
// see ts-transpile.mjs).
// Workspace packages resolve to their source through `--conditions=parley-source`.
import { readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { transpile } from './ts-transpile.mjs'

export async function resolve(specifier, context, nextResolve) {
  if ((specifier.startsWith('.') || specifier.startsWith('/')) && specifier.endsWith('.js') && context.parentURL) {
    const candidate = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL)
    if (!existsSync(new URL(specifier, context.parentURL)) && existsSync(candidate)) {
      return { url: candidate.href, shortCircuit: true, format: 'module' }
    }
  }
  return nextResolve(specifier, context)
}

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.endsWith('.ts')) {
    const path = fileURLToPath(url)
    const outputText = await transpile(path, await readFile(path, 'utf8'))
    return { format: 'module', source: outputText, shortCircuit: true }
  }
  return nextLoad(url, context)
}
