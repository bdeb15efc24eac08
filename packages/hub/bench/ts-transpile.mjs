// TypeScript to JavaScript for the module hooks that run the hub from source in plain `node`
// (ts-hooks.mjs here, the loadtest's scripts/ts-loader.mjs): transpileModule (no type check), with
// each output kept in node_modules/.cache/parley-ts under a hash of the compiler, its options, the
// file's path and its text. A test run starts the hub from source many times (hub processes, a media
// worker per plane); after the first, a start reads the outputs back instead of loading TypeScript and
// transpiling every file again (about 3 s of CPU each). An edited file has a new hash; a stale entry
// is never read. Writes go to a temporary name and are renamed, so concurrent starts never read half a file.
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const CACHE_DIR = fileURLToPath(new URL('../../../node_modules/.cache/parley-ts/', import.meta.url))
const require = createRequire(import.meta.url)
const TYPESCRIPT_VERSION = require('typescript/package.json').version
// ESNext modules, ES2022, imports kept exactly as written.
const COMPILER_OPTIONS = { module: 99, target: 9, verbatimModuleSyntax: true, sourceMap: false }

let typescript

/** The JavaScript of the TypeScript file at `path` whose text is `source`. */
export async function transpile(path, source) {
  const key = createHash('sha256').update(`${TYPESCRIPT_VERSION}\0${JSON.stringify(COMPILER_OPTIONS)}\0${path}\0${source}`).digest('hex')
  const cached = `${CACHE_DIR}${key}.js`
  try {
    return await readFile(cached, 'utf8')
  } catch {
    // not transpiled yet
  }
  typescript ??= (await import('typescript')).default
  const { outputText } = typescript.transpileModule(source, { fileName: path, compilerOptions: COMPILER_OPTIONS })
  try {
    await mkdir(CACHE_DIR, { recursive: true })
    const temporary = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`
    await writeFile(temporary, outputText)
    await rename(temporary, cached)
  } catch {
    // A read-only tree still runs, uncached.
  }
  return outputText
}
