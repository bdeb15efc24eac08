// Boot: read where the hub is, put the browser's ports in the app's environment, start (rejoin
// the call a refresh interrupted, or preview the camera for the pre-join), then mount: the first
// screen drawn is already the right one.
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import type { InspectionEvent } from 'xstate'
import App from './App.vue'
import { createBrowserConference } from './conference/factory'
import { memoryStorage, provideEnvironment } from './environment'
import type { PageContext, StorageLike } from './environment'
import { loadConfig } from './lib/config'
import { prefetchScreens } from './screens/lazyScreens'
import { useAppStore } from './stores/app'
import { useDevtoolsStore } from './stores/devtools'
import './styles.css'

const page: PageContext = {
  href: () => window.location.href,
  replaceUrl: (url) => window.history.replaceState(window.history.state, '', url),
  navigationType: () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.type ?? 'navigate',
  reload: () => window.location.reload(),
}

/** Blocked storage (some private modes) throws on access: then nothing outlives the page. */
function storageOrMemory(read: () => Storage): StorageLike {
  try {
    return read()
  } catch {
    return memoryStorage()
  }
}

/** `?inspect=stately` in development: also stream the statecharts to Stately's browser inspector. */
async function statelyInspector(enabled: boolean): Promise<((event: InspectionEvent) => void) | undefined> {
  if (!import.meta.env.DEV || !enabled) return undefined
  const { createBrowserInspector } = await import('@statelyai/inspect')
  const inspector = createBrowserInspector()
  return (event) => inspector.inspect.next?.(event)
}

/**
 * Production builds on a secure origin (127.0.0.1 and localhost are): a service worker keeps a copy
 * of the app, so a tab opened while the hub is down shows Parley saying so (public/sw.js).
 */
function keepAppShell() {
  if (import.meta.env.DEV || !window.isSecureContext || !('serviceWorker' in navigator)) return
  navigator.serviceWorker.register('./sw.js').catch((error: unknown) => console.warn('[parley] no offline copy of the app:', error))
}

async function boot() {
  keepAppShell()
  const config = await loadConfig({
    search: window.location.search,
    fetch: (url, init) => window.fetch(url, init),
    warn: (message) => console.warn(`[parley] ${message}`),
  })
  const inspect = await statelyInspector(config.statelyInspector)
  const app = createApp(App)
  provideEnvironment(app, {
    factory: createBrowserConference,
    config,
    page,
    localStorage: storageOrMemory(() => window.localStorage),
    sessionStorage: storageOrMemory(() => window.sessionStorage),
    ...(navigator.clipboard ? { clipboard: navigator.clipboard } : {}),
    ...(inspect ? { inspect } : {}),
    canChooseSpeaker: typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype,
    shellOffline: document.querySelector('meta[name="parley-shell"]')?.getAttribute('content') === 'offline',
  })
  const pinia = createPinia()
  app.use(pinia)
  if (import.meta.env.DEV) {
    const { installParleyDevtools } = await import('./devtools/plugin')
    installParleyDevtools(app, useDevtoolsStore(pinia).inspection)
  }
  useAppStore(pinia).start()
  app.mount('#app')
  // The call and ended screens' chunks, fetched once the first screen is drawn: a join finds them there.
  const prefetch = () => prefetchScreens().catch((error: unknown) => console.warn('[parley] could not prefetch the call screen:', error))
  if ('requestIdleCallback' in window) window.requestIdleCallback(prefetch, { timeout: 2000 })
  else setTimeout(prefetch, 200)
}

void boot()
