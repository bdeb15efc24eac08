// Boot: read where the hub is, put the browser's ports in the app's environment, draw the first
// screen, and start (rejoin the call a refresh interrupted, or preview the camera for the pre-join)
// once the core has arrived. The core (xstate, the statecharts, valibot, the protocol: half of the
// app's JavaScript) is not needed to draw the pre-join: its chunk (conference/factory.ts) is fetched
// from here at once, alongside config.json, and the conference starts when it arrives (the pre-join's
// Join waits for it). A refresh that rejoins a call waits for it before drawing, so its first screen
// is already the call's.
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import type { InspectionEvent } from 'xstate'
import App from './App.vue'
import type { ConferenceFactory } from './conference/types'
import { memoryStorage, provideEnvironment } from './environment'
import { messageChannelTasks } from './lib/nextTask'
import type { PageContext, StorageLike } from './environment'
import { loadConfig } from './lib/config'
import { prefetchScreens } from './screens/lazyScreens'
import { useAppStore } from './stores/app'
import { useDevtoolsStore } from './stores/devtools'
import { useRejoinStore } from './stores/rejoin'
import { useScreenStore } from './stores/screen'
import { useSessionStore } from './stores/session'
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
  // Until the core arrives the pre-join's Join waits; if it cannot be fetched, the pre-join says so (start below).
  const core = import('./conference/factory').catch((error: unknown) => console.error('[parley] could not load the core:', error))
  keepAppShell()
  const config = await loadConfig({
    search: window.location.search,
    fetch: (url, init) => window.fetch(url, init),
    warn: (message) => console.warn(`[parley] ${message}`),
  })
  const inspect = await statelyInspector(config.statelyInspector)
  const app = createApp(App)
  let factory: ConferenceFactory | undefined
  const sessionStorage = storageOrMemory(() => window.sessionStorage)
  provideEnvironment(app, {
    // Called by the stores only once started (below), when the core has arrived.
    factory: (options) => {
      if (!factory) throw new Error('the core has not loaded yet')
      return factory(options)
    },
    config,
    page,
    localStorage: storageOrMemory(() => window.localStorage),
    sessionStorage,
    ...(navigator.clipboard ? { clipboard: navigator.clipboard } : {}),
    ...(inspect ? { inspect } : {}),
    canEncryptMedia: typeof RTCRtpScriptTransform === 'function',
    canChooseSpeaker: typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype,
    shellOffline: document.querySelector('meta[name="parley-shell"]')?.getAttribute('content') === 'offline',
    nextTask: messageChannelTasks(),
  })
  const pinia = createPinia()
  app.use(pinia)
  if (import.meta.env.DEV) {
    const { installParleyDevtools } = await import('./devtools/plugin')
    installParleyDevtools(app, useDevtoolsStore(pinia).inspection)
  }
  const start = (loaded: { createBrowserConference: ConferenceFactory } | void) => {
    // The pre-join says so and offers a reload, instead of a Join that never enables.
    if (!loaded) return useSessionStore(pinia).coreFailedToLoad()
    factory = loaded.createBrowserConference
    useAppStore(pinia).start()
  }
  if (useRejoinStore(pinia).callToRejoin) {
    start(await core)
    app.mount('#app')
  } else {
    app.mount('#app')
    start(await core)
  }
  // The call and ended screens' chunks, fetched once the first screen is drawn: a join finds them there.
  // Then, in the next idle time, the call screen is drawn ahead, hidden, so the Join click only reveals it.
  const whenIdle = (task: () => void) => ('requestIdleCallback' in window ? window.requestIdleCallback(task, { timeout: 2000 }) : setTimeout(task, 200))
  const prefetch = () =>
    prefetchScreens().then(
      () => whenIdle(() => useScreenStore(pinia).drawCallAhead()),
      (error: unknown) => console.warn('[parley] could not prefetch the call screen:', error),
    )
  whenIdle(prefetch)
}

void boot()
