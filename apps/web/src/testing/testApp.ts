// The app's stores and components on a fake conference, for *.test.ts files: an environment of
// in-memory ports (address bar, storages, clipboard), a Pinia whose stores read it the way the
// real app's do (app-level provide), and `mount` with what components inject.
import { mount } from '@vue/test-utils'
import type { ComponentMountingOptions } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import type { Pinia } from 'pinia'
import { createApp } from 'vue'
import type { Component } from 'vue'
import type { InspectionEvent } from 'xstate'
import { selfVideoOf } from '../composables/adoptedVideo'
import { TILE_MEDIA, tileMediaOf } from '../composables/tileMedia'
import { ENVIRONMENT, memoryPage, memoryStorage, provideEnvironment } from '../environment'
import type { ConferenceFactory } from '../conference/types'
import type { AppEnvironment, ClipboardLike, TimersLike } from '../environment'
import type { AppConfig } from '../lib/config'
import { useAppStore } from '../stores/app'
import { useAutoplayStore } from '../stores/autoplay'
import { useDevicesStore } from '../stores/devices'
import { useSessionStore } from '../stores/session'
import { createFakeConference } from './fakeConference'
import type { FakeConference } from './fakeConference'

export interface TestAppOptions {
  href?: string
  /** 'reload' for a page load after a refresh. */
  navigationType?: string
  localStorage?: Record<string, string>
  sessionStorage?: Record<string, string>
  clipboard?: ClipboardLike
  config?: AppConfig
  inspect?: (event: InspectionEvent) => void
  fake?: FakeConference
  shellOffline?: boolean
  /** Another conference factory than the fake's, e.g. the real core with faked ports. */
  factory?: ConferenceFactory
  timers?: TimersLike
  /** The snapshots' mirror deferred (environment.ts `nextTask`); at once without. */
  nextTask?: (run: () => void) => void
  /** The browser can route audio to a chosen speaker (setSinkId). */
  canChooseSpeaker?: boolean
  /** The browser has RTCRtpScriptTransform (end-to-end encryption). */
  canEncryptMedia?: boolean
  /** The background blur processor (environment.ts `blurCamera`). */
  blurCamera?: (camera: MediaStreamTrack, abandoned: AbortSignal) => Promise<MediaStreamTrack>
}

export const DEFAULT_TEST_CONFIG: AppConfig = { hub: { baseUrl: '' }, source: 'default', statelyInspector: false }

export interface TestApp {
  fake: FakeConference
  page: ReturnType<typeof memoryPage>
  environment: AppEnvironment
  localStorage: ReturnType<typeof memoryStorage>
  sessionStorage: ReturnType<typeof memoryStorage>
  pinia: Pinia
  /** What main.ts does before mounting: the conference, then a rejoin or the preview. */
  start(options?: { preview?: boolean }): void
  /** `mount` from @vue/test-utils, with what the app provides (environment, tile media). */
  mount: typeof mount
  /** Stops every store (their listeners and the conference): what closing the tab does. */
  dispose(): void
}

export function createTestApp(options: TestAppOptions = {}): TestApp {
  const fake = options.fake ?? createFakeConference()
  const page = memoryPage(options.href ?? 'http://localhost/', options.navigationType ?? 'navigate')
  const localStorage = memoryStorage(options.localStorage)
  const sessionStorage = memoryStorage(options.sessionStorage)
  const environment: AppEnvironment = {
    factory: options.factory ?? fake.factory,
    config: options.config ?? DEFAULT_TEST_CONFIG,
    page,
    localStorage,
    sessionStorage,
    ...(options.clipboard ? { clipboard: options.clipboard } : {}),
    ...(options.inspect ? { inspect: options.inspect } : {}),
    ...(options.shellOffline ? { shellOffline: true } : {}),
    ...(options.timers ? { timers: options.timers } : {}),
    ...(options.nextTask ? { nextTask: options.nextTask } : {}),
    ...(options.canChooseSpeaker ? { canChooseSpeaker: true } : {}),
    ...(options.canEncryptMedia ? { canEncryptMedia: true } : {}),
    ...(options.blurCamera ? { blurCamera: options.blurCamera } : {}),
  }
  const pinia = createPinia()
  const host = createApp({ render: () => null })
  provideEnvironment(host, environment)
  host.use(pinia)
  setActivePinia(pinia)

  return {
    fake,
    page,
    environment,
    localStorage,
    sessionStorage,
    pinia,
    start(startOptions) {
      useAppStore(pinia).start(startOptions)
    },
    mount: ((component: Component, mountOptions: ComponentMountingOptions<Component> = {}) => {
      const global = {
        ...mountOptions.global,
        provide: {
          [ENVIRONMENT]: environment,
          [TILE_MEDIA]: tileMediaOf(useSessionStore(pinia), useAutoplayStore(pinia), useDevicesStore(pinia), selfVideoOf(() => document.createElement('video'))),
          ...mountOptions.global?.provide,
        },
      }
      return mount(component, { ...mountOptions, global })
    }) as typeof mount,
    dispose() {
      pinia._s.forEach((store) => store.$dispose())
    },
  }
}
