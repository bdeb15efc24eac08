import vue from '@vitejs/plugin-vue'
import { defineProject } from 'vitest/config'

export default defineProject({
  plugins: [vue()],
  resolve: { conditions: ['parley-source'] },
  test: {
    name: 'web',
    root: import.meta.dirname,
    environment: 'happy-dom',
    // One worker and one happy-dom window for all files, like the other unit projects (vitest.workspace.ts):
    // the tests inject their environment (createTestApp) and unmount what they mount.
    isolate: false,
    include: ['src/**/*.test.ts'],
  },
})
