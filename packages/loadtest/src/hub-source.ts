// Another version of the hub's code for a before/after run (`--before-hub` of the load and ramp
// benches): a checkout's root (e.g. `git worktree add /tmp/before main` then pnpm install there), its
// packages/hub, or that package's src. Its imports resolve through that checkout's own node_modules.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

/** The hub `src` directory of `dir`, absolute; throws when `dir` holds no hub source. */
export function hubSourceDir(dir: string): string {
  const absolute = resolve(dir)
  for (const candidate of [resolve(absolute, 'packages/hub/src'), resolve(absolute, 'src'), absolute]) {
    if (existsSync(resolve(candidate, 'index.ts')) && existsSync(resolve(candidate, 'media/werift.ts'))) return candidate
  }
  throw new Error(`--before-hub ${dir}: no hub source there (looked for packages/hub/src, src and the directory itself)`)
}

/** One module of a hub source directory (from `hubSourceDir`), e.g. `media/werift.ts`, typed as the caller says. */
export async function importFromHubSource<T>(srcDir: string, module: string): Promise<T> {
  return (await import(resolve(srcDir, module))) as T
}
