// Boot: read where the hub is, mount the app, then start the conference (camera preview).
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import type { InspectionEvent } from 'xstate'
import App from './App.vue'
import { createBrowserConference } from './conference/factory'
import { loadConfig } from './lib/config'
import { useConferenceStore } from './stores/conference'
import type { PageContext, StorageLike } from './stores/conference'
import './styles.css'

const page: PageContext = {
  href: () => window.location.href,
  replaceUrl: (url) => window.history.replaceState(window.history.state, '', url),
}

function localStorageOrUndefined(): StorageLike | undefined {
  try {
    return window.localStorage
  } catch {
    return undefined // blocked storage (some private modes): the name is not remembered
  }
}

/** `?inspect=stately` in development: also stream the statecharts to Stately's browser inspector. */
async function statelyInspector(enabled: boolean): Promise<((event: InspectionEvent) => void) | undefined> {
  if (!import.meta.env.DEV || !enabled) return undefined
  const { createBrowserInspector } = await import('@statelyai/inspect')
  const inspector = createBrowserInspector()
  return (event) => inspector.inspect.next?.(event)
}

async function boot() {
  const config = await loadConfig({
    search: window.location.search,
    fetch: (url, init) => window.fetch(url, init),
    warn: (message) => console.warn(`[parley] ${message}`),
  })
  const app = createApp(App)
  const pinia = createPinia()
  app.use(pinia)
  const store = useConferenceStore(pinia)
  if (import.meta.env.DEV) {
    const { installParleyDevtools } = await import('./devtools/plugin')
    installParleyDevtools(app, store.inspection)
  }
  const inspect = await statelyInspector(config.statelyInspector)
  app.mount('#app')
  const storage = localStorageOrUndefined()
  store.start({
    factory: createBrowserConference,
    config,
    page,
    ...(storage ? { storage } : {}),
    ...(navigator.clipboard ? { clipboard: navigator.clipboard } : {}),
    ...(inspect ? { inspect } : {}),
  })
  // Leave with a beacon when the tab closes, so the others' tiles go away at once.
  window.addEventListener('pagehide', () => store.leaveOnUnload())
}

void boot()
