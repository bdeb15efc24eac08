// The screens after the pre-join (the call with its panels, dialogs and controls; the ended screen)
// are not in the app's first download: each is its own chunk, fetched when it is first shown, and
// main.ts prefetches both once the pre-join is drawn, so a join click finds them already there.
// A loaded screen renders at once, with no placeholder frame (App.vue draws it from `component`).
import { shallowRef } from 'vue'
import type { Component, ShallowRef } from 'vue'

export interface LazyScreen {
  /** The screen's component once its chunk has loaded. */
  readonly component: Readonly<ShallowRef<Component | undefined>>
  /** Fetches the chunk (once; later calls share the first). */
  load(): Promise<Component>
  /** Loads the chunk and runs what the screen sets up ahead of its first render (its `prepare` export), if any. */
  prepare(): Promise<void>
}

/** A screen's chunk: its component and, optionally, what can be set up before it is first drawn. */
export interface ScreenModule {
  default: Component
  prepare?: () => void
}

export function lazyScreen(loader: () => Promise<ScreenModule>): LazyScreen {
  const component = shallowRef<Component>()
  let loading: Promise<Component> | undefined
  let prepareScreen: (() => void) | undefined
  function load(): Promise<Component> {
    loading ??= loader().then(
      (module) => {
        prepareScreen = module.prepare
        return (component.value = module.default)
      },
      (error: unknown) => {
        // A failed fetch (the hub went away) may be retried by the next show.
        loading = undefined
        throw error
      },
    )
    return loading
  }
  async function prepare(): Promise<void> {
    await load()
    prepareScreen?.()
  }
  return { component, load, prepare }
}

export const callScreen = lazyScreen(() => import('../components/CallView.vue'))
export const endedScreen = lazyScreen(() => import('../components/EndedScreen.vue'))

/** Both screens' chunks, fetched ahead of the first join (after the first paint) and by tests before they mount the App. */
export function prefetchScreens(): Promise<unknown> {
  return Promise.all([callScreen.load(), endedScreen.load()])
}

/**
 * The app's idle prefetch (main.ts): both chunks, and the call screen's own stores created then
 * (CallView's `prepare`), so the Join click's task does not create them (stop 31: 1–4 ms of it, up to
 * 12 on a loaded box, their first run's compiles included). Needs the app's Pinia active.
 */
export function prefetchAndPrepareScreens(): Promise<unknown> {
  return Promise.all([callScreen.prepare(), endedScreen.load()])
}
