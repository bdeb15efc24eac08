// What the app takes from the browser, injected at the app level (`app.provide`) so every store
// reads the same ports and tests hand in their own: the conference factory, where the hub is, the
// page address, the two storages and the clipboard. Stores read it with `useEnvironment()`
// (Pinia runs setup stores in the app's injection context).
import { inject } from 'vue'
import type { App, InjectionKey } from 'vue'
import type { InspectionEvent } from 'xstate'
import type { ConferenceFactory } from './conference/types'
import type { AppConfig } from './lib/config'

/** The page's address, injected so tests need no `window.location`. */
export interface PageContext {
  href(): string
  /** history.replaceState: changes the address bar without a reload. */
  replaceUrl(url: string): void
  /** How this page was reached (`PerformanceNavigationTiming.type`): 'reload' after a refresh. */
  navigationType(): string
  /** Loads the page again (the page came from the offline copy: try the hub again). */
  reload(): void
}

export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>

export interface ClipboardLike {
  writeText(text: string): Promise<void>
}

export interface AppEnvironment {
  factory: ConferenceFactory
  config: AppConfig
  page: PageContext
  /** Remembers your name across visits. */
  localStorage: StorageLike
  /** Remembers, per tab, the call this tab is in, so a refresh rejoins it. */
  sessionStorage: StorageLike
  /** Absent where the browser has none (insecure origin): the invite link is then shown to copy by hand. */
  clipboard?: ClipboardLike
  /** Another inspector (e.g. @statelyai/inspect) fed alongside the built-in inspection log. */
  inspect?: (event: InspectionEvent) => void
  /** The page came from the service worker's copy (public/sw.js) because the hub did not answer. */
  shellOffline?: boolean
  /** `HTMLMediaElement.prototype.setSinkId` exists: a speaker can be chosen for the call's audio. */
  canChooseSpeaker?: boolean
  /** `RTCRtpScriptTransform` exists: this browser can encrypt and decrypt a call's frames end to end. */
  canEncryptMedia?: boolean
  /** Timers for short-lived things on screen (reaction overlays); the page's own by default. */
  timers?: TimersLike
  /**
   * Where the conference's snapshots reach the screen: the page's next task (main.ts), so that what the
   * core does in one task reaches the peer connection before Vue renders it (one events-stream chunk often
   * holds the hub's `tracks_available` and then its `offer`: the new tile's render ran between the two and
   * held the answer back); without it, at once (tests).
   */
  nextTask?: (run: () => void) => void
  /**
   * Background blur: a camera track in, its blurred track out (stopping it stops the camera); the blur chunk by
   * default (stores/blur.ts). `abandoned` aborts when the camera ended before the blurred track came.
   */
  blurCamera?: (camera: MediaStreamTrack, abandoned: AbortSignal) => Promise<MediaStreamTrack>
}

export interface TimersLike {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(id: unknown): void
}

export const ENVIRONMENT: InjectionKey<AppEnvironment> = Symbol('parley.environment')

export function provideEnvironment(app: App, environment: AppEnvironment): void {
  app.provide(ENVIRONMENT, environment)
}

export function useEnvironment(): AppEnvironment {
  const environment = inject(ENVIRONMENT, undefined)
  if (!environment) throw new Error('No Parley environment: call provideEnvironment(app, …) before using the stores')
  return environment
}

/** A storage that lives as long as the page: for blocked storage (some private modes) and tests. */
export function memoryStorage(initial: Record<string, string> = {}): StorageLike & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial))
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, String(value)),
    removeItem: (key) => void data.delete(key),
  }
}

/** An address bar in memory: tests, and anywhere without `window.location`. */
export function memoryPage(href = 'http://localhost/', navigationType = 'navigate'): PageContext & { history: string[]; reloads: number } {
  const history: string[] = []
  let current = href
  return {
    history,
    reloads: 0,
    reload() {
      this.reloads += 1
    },
    href: () => current,
    replaceUrl(url) {
      history.push(url)
      current = url
    },
    navigationType: () => navigationType,
  }
}
