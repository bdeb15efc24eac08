// The reactions shown over tiles now (tile key → emoji), provided by the call view from the presence
// store and injected by each tile; a tile mounted on its own (tests, the pre-join preview) shows none.
import { computed, inject, provide, type ComputedRef, type InjectionKey } from 'vue'

const REACTION_OVERLAYS: InjectionKey<ComputedRef<Record<string, string>>> = Symbol('parley.reactionOverlays')

export function provideReactionOverlays(overlays: () => Record<string, string>): void {
  provide(REACTION_OVERLAYS, computed(overlays))
}

export function useReactionOverlays(): ComputedRef<Record<string, string>> {
  return inject(REACTION_OVERLAYS, computed(() => ({})))
}
