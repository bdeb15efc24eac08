// The benchmark is not part of `npm test`: run it explicitly, inside a loopback-only namespace:
//   cd /work/main && unshare -n sh -c 'ip link set lo up && PARLEY_NETNS=lo \
//     node .tools/node_modules/pnpm/bin/pnpm.mjs exec vitest run --config packages/hub/bench/vitest.config.ts'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { conditions: ['parley-source'] },
  ssr: { resolve: { conditions: ['parley-source'] } },
  test: {
    name: 'bench',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.bench.spec.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
})
