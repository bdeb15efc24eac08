// A Vite build plugin: `<link rel="prefetch">` in index.html for the lazy chunks of the modules it is
// given (with the chunks they import that the page does not load already, and their stylesheets), so the browser fetches them at idle after the first paint and the
// service worker keeps them with the page (public/sw.js keeps every asset index.html names).
import type { Plugin } from 'vite'

export function prefetchLinks(modules: RegExp): Plugin {
  let base = '/'
  return {
    name: 'parley:prefetch-links',
    apply: 'build',
    configResolved(config) {
      base = config.base
    },
    transformIndexHtml: {
      order: 'post',
      handler(html, { bundle }) {
        const files = new Set<string>()
        for (const output of Object.values(bundle ?? {})) {
          if (output.type !== 'chunk' || !output.isDynamicEntry || !output.facadeModuleId || !modules.test(output.facadeModuleId)) continue
          files.add(output.fileName)
          // Chunks it imports that the page does not load already (a chunk shared with another lazy one).
          for (const imported of output.imports) if (!html.includes(imported)) files.add(imported)
          for (const css of output.viteMetadata?.importedCss ?? []) files.add(css)
        }
        return [...files].sort().map((file) => ({ tag: 'link', attrs: { rel: 'prefetch', href: `${base}${file}`, crossorigin: true }, injectTo: 'head' as const }))
      },
    },
  }
}
