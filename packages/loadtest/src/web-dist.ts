// A built web app given to a bench (`--before-dist`, PARLEY_WEB_DIST): checked before any hub serves it. A
// hub serving a directory that is not there, or an index.html whose scripts are missing (an outDir emptied
// by a build under way), answers the page with nothing it can run: the bench then only timed out waiting
// for the pre-join's `display-name` field (stop 36, twice), long after the cause.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** `[LABEL=]DIR`: the label names the build in the tables (default `before`). */
export function parseWebDist(raw: string, fallbackLabel = 'before'): { label: string; dir: string } {
  const at = raw.indexOf('=')
  const dist = at > 0 ? { label: raw.slice(0, at), dir: raw.slice(at + 1) } : { label: fallbackLabel, dir: raw }
  if (!dist.dir || raw.includes(',')) throw new Error(`--before-dist: '${raw}' needs one [LABEL=]DIR (a web app's dist)`)
  return dist
}

/** The files index.html loads from the app's own origin (`/assets/…`, `/sw.js`…), as paths inside the dist. */
export function localFilesOf(html: string): string[] {
  const files = new Set<string>()
  for (const match of html.matchAll(/\b(?:src|href)="\/([^"?#]+)"/g)) files.add(match[1]!)
  return [...files]
}

/** Throws, naming what is missing, unless `dir` holds an index.html and every local file it loads. */
export function assertWebDist(dir: string, what: string): void {
  const index = join(dir, 'index.html')
  if (!existsSync(index)) throw new Error(`${what}: no ${index} (a web app's dist: build it, e.g. node scripts/parley.mjs build, then pass its apps/web/dist)`)
  const missing = localFilesOf(readFileSync(index, 'utf8')).filter((file) => !existsSync(join(dir, file)))
  if (missing.length > 0) throw new Error(`${what}: ${dir}/index.html loads ${missing.join(', ')}, not in ${dir} (a build under way, or one emptied since?)`)
}
