// Another version of the hub's source for a before/after benchmark (`--before-hub` of the join and ramp
// benchmarks), so that both share the run and its load. Where the source is found: hub-source.ts (the
// load bench's too); it must sit where its imports resolve (an installed checkout, or main's
// `packages/hub/src` from `git archive` copied to `packages/hub/node_modules/.parley-before-src/`).
import { basename, dirname, resolve } from 'node:path'
import { hubSourceDir, importFromHubSource } from './hub-source.js'
import type { createWeriftMediaPlane } from '@parley/hub/werift'
import type { startTestHub } from '@parley/hub/testing'

export interface HubVersion {
  /** The directory given (a hub `src`), or the directory of a `testing.ts` given. */
  dir: string
  startTestHub: typeof startTestHub
  createWeriftMediaPlane: typeof createWeriftMediaPlane
}

/** `path`: a checkout, its packages/hub or that's `src` (hub-source.ts), or a `testing.ts` (the join bench's older form). */
export async function importHubVersion(path: string): Promise<HubVersion> {
  const dir = basename(path) === 'testing.ts' ? dirname(resolve(path)) : hubSourceDir(path)
  const testing = await importFromHubSource<{ startTestHub: typeof startTestHub }>(dir, 'testing.ts')
  const werift = await importFromHubSource<{ createWeriftMediaPlane: typeof createWeriftMediaPlane }>(dir, 'media/werift.ts')
  return { dir, startTestHub: testing.startTestHub, createWeriftMediaPlane: werift.createWeriftMediaPlane }
}

/** `DIR[,DIR…]` into the versions' labels: `before` for one, `before1`, `before2`… for more. */
export function hubVersionLabels(list: string): { label: string; path: string }[] {
  const paths = list.split(',').filter((path) => path !== '')
  return paths.map((path, index) => ({ label: paths.length === 1 ? 'before' : `before${index + 1}`, path }))
}
