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
}

export function lazyScreen(loader: () => Promise<{ default: Component }>): LazyScreen {
  const component = shallowRef<Component>()
  let loading: Promise<Component> | undefined
  function load(): Promise<Component> {
    loading ??= loader().then(
      (module) => (component.value = module.default),
      (error: unknown) => {
        // A failed fetch (the hub went away) may be retried by the next show.
        loading = undefined
        throw error
      },
    )
    return loading
  }
  return { component, load }
}

export const callScreen = lazyScreen(() => import('../components/CallView.vue'))
export const endedScreen = lazyScreen(() => import('../components/EndedScreen.vue'))

/** Both screens' chunks, fetched ahead of the first join (after the first paint) and by tests before they mount the App. */
export function prefetchScreens(): Promise<unknown> {
  return Promise.all([callScreen.load(), endedScreen.load()])
}
