// The Vitest project list. Vitest 4 no longer reads this file by itself: vitest.config.ts imports it
// as `test.projects`. Fast unit projects run in parallel; the real-WebRTC projects run one file at a
// time because the machine has two cores and Chromium renderers are heavy.
import type { TestProjectConfiguration } from 'vitest/config'

// Our packages export their TypeScript under a private condition, so tests and the dev server need no build.
// (A plain 'source' condition would also pick up third-party packages' raw sources, e.g. eventsource-parser.)
const source = { resolve: { conditions: ['parley-source'] }, ssr: { resolve: { conditions: ['parley-source'] } } }

export const projects: TestProjectConfiguration[] = [
  { ...source, test: { name: 'protocol', root: 'packages/protocol', include: ['src/**/*.test.ts'] } },
  { ...source, test: { name: 'hub', root: 'packages/hub', include: ['src/**/*.test.ts'] } },
  { ...source, test: { name: 'core', root: 'packages/core', include: ['src/**/*.test.ts'] } },
  { ...source, test: { name: 'testkit', root: 'packages/testkit', include: ['src/**/*.test.ts'] } },
  { ...source, test: { name: 'werift-config', root: 'packages/werift-config', include: ['src/**/*.test.ts'] } },
  { ...source, test: { name: 'loadtest', root: 'packages/loadtest', include: ['src/**/*.test.ts'] } },
  'apps/web/vitest.config.ts',
  // The install and build stamps of `npm start` / `npm test` (scripts/stamps.mjs).
  { test: { name: 'scripts', root: 'scripts', include: ['**/*.test.mjs'] } },
  {
    ...source,
    test: {
      name: 'webrtc',
      root: '.',
      include: ['packages/*/e2e/**/*.spec.ts', 'apps/web/e2e/**/*.spec.ts'],
      fileParallelism: false,
      // Runs after every other project so Chromium and werift do not compete with the unit tests.
      sequence: { groupOrder: 1 },
      testTimeout: 120_000,
      hookTimeout: 120_000,
    },
  },
]
