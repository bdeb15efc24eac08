import vue from '@vitejs/plugin-vue'
import { defaultClientConditions, defineConfig } from 'vite'
import { prefetchLinks } from './scripts/prefetchLinks'

// Dev: `npm run pnpm -- --filter @parley/web dev` with a hub on 127.0.0.1:8080; `/v1` is proxied,
// including the SSE event streams (proxied responses are streamed, never buffered).
const hubTarget = process.env.PARLEY_HUB_URL ?? 'http://127.0.0.1:8080'

export default defineConfig({
  // The call and ended screens (src/screens/lazyScreens.ts) are named in index.html as prefetches:
  // fetched at idle, and kept by the service worker with the rest of the shell (public/sw.js).
  plugins: [vue(), prefetchLinks(/\/src\/(components\/(CallView|EndedScreen)\.vue|conference\/factory\.ts)$/)],
  // Every component is <script setup>: leave the Options API out of the bundle.
  define: { __VUE_OPTIONS_API__: 'false' },
  // Resolve the workspace packages (@parley/core, @parley/protocol) to their TypeScript source.
  resolve: { conditions: ['parley-source', ...defaultClientConditions] },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/v1': {
        target: hubTarget,
        changeOrigin: true,
        // Keep the event stream open as long as the hub keeps it open.
        timeout: 0,
        proxyTimeout: 0,
      },
    },
  },
  preview: { host: '127.0.0.1' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Background blur's MediaPipe files (blur/selfieSegmenter.ts) are fetched by their own loader by name: files
    // of ours, never data: URLs (its graph and empty .data file are small enough to be inlined otherwise).
    assetsInlineLimit: (file) => (file.includes('@mediapipe/') ? false : undefined),
  },
})
