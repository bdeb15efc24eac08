// The Vitest project list. Vitest 4 no longer reads this file by itself: vitest.config.ts imports it
// as `test.projects`. The unit projects run first, each project's files in one worker without a fresh
// module graph per file (`isolate: false`); the real-WebRTC project runs one file at a time (the machine
// has two cores, Chromium renderers are heavy, and its specs share `lo`'s shaping), in one worker too.
import type { TestProjectConfiguration } from 'vitest/config'

// Our packages export their TypeScript under a private condition, so tests and the dev server need no build.
// (A plain 'source' condition would also pick up third-party packages' raw sources, e.g. eventsource-parser.)
const source = { resolve: { conditions: ['parley-source'] }, ssr: { resolve: { conditions: ['parley-source'] } } }

// On two cores Vitest runs one unit file at a time, and a fresh worker and module graph per file cost
// about four times the tests themselves (stop 41: 239 s of CPU for the unit projects isolated, 66 s
// not). Our unit tests get their doubles injected and undo their fake timers, so they do not lean on
// a fresh module graph; `--isolate` brings it back for a run that suspects a leak between files.
const unit = { isolate: false }

export const projects: TestProjectConfiguration[] = [
  { ...source, test: { ...unit, name: 'protocol', root: 'packages/protocol', include: ['src/**/*.test.ts'] } },
  { ...source, test: { ...unit, name: 'hub', root: 'packages/hub', include: ['src/**/*.test.ts'] } },
  { ...source, test: { ...unit, name: 'core', root: 'packages/core', include: ['src/**/*.test.ts'] } },
  { ...source, test: { ...unit, name: 'testkit', root: 'packages/testkit', include: ['src/**/*.test.ts'] } },
  { ...source, test: { ...unit, name: 'werift-config', root: 'packages/werift-config', include: ['src/**/*.test.ts'] } },
  { ...source, test: { ...unit, name: 'loadtest', root: 'packages/loadtest', include: ['src/**/*.test.ts'] } },
  'apps/web/vitest.config.ts',
  // The install and build stamps of `npm start` / `npm test` (scripts/stamps.mjs), and the builds' type-check switch.
  { test: { ...unit, name: 'scripts', root: 'scripts', include: ['**/*.test.mjs'] } },
  {
    ...source,
    test: {
      name: 'webrtc',
      root: '.',
      include: ['packages/*/e2e/**/*.spec.ts', 'apps/web/e2e/**/*.spec.ts'],
      fileParallelism: false,
      // One worker and module graph for every spec, as the unit projects: a fresh one per file cost
      // 2–2.5 s of import each (the hub's and testkit's sources, werift, playwright-core), some 140 s
      // over the project's ~67 files (stop 53: 9 short specs took 70 s isolated, 39 s not). Each spec
      // starts and closes its own hub, browsers and shaping in its hooks and keeps no state in shared
      // modules; `--isolate` brings a fresh worker per file back for a run that suspects a leak.
      isolate: false,
      // Runs after every other project so Chromium and werift do not compete with the unit tests.
      sequence: { groupOrder: 1 },
      testTimeout: 120_000,
      hookTimeout: 120_000,
    },
  },
]
