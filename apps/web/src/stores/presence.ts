// Raised hands and reactions on screen: our hand and reactions go to the core (session actions); each
// new reaction (ours or someone's) shows as a short overlay on the tile, for REACTION_SHOWN_MS.
import { defineStore } from 'pinia'
import { computed, onScopeDispose, ref, watch } from 'vue'
import { REACTIONS } from '../conference/types'
import { useEnvironment } from '../environment'
import { LOCAL_TILE_KEY } from '../lib/tiles'
import { useSessionStore } from './session'

export const REACTION_SHOWN_MS = 4000
export { REACTIONS }

export const usePresenceStore = defineStore('presence', () => {
  const session = useSessionStore()
  const environment = useEnvironment()
  const timers = environment.timers ?? { setTimeout: (fn: () => void, ms: number) => globalThis.setTimeout(fn, ms), clearTimeout: (id: unknown) => globalThis.clearTimeout(id as number) }

  const handRaised = computed(() => session.view.handRaised === true)
  /** Tile key → the emoji shown over it now. */
  const overlays = ref<Record<string, string>>({})
  const pending = new Map<string, unknown>()
  const seen = new Set<string>()

  function show(key: string, emoji: string) {
    overlays.value = { ...overlays.value, [key]: emoji }
    if (pending.has(key)) timers.clearTimeout(pending.get(key))
    pending.set(
      key,
      timers.setTimeout(() => {
        pending.delete(key)
        const { [key]: _gone, ...rest } = overlays.value
        overlays.value = rest
      }, REACTION_SHOWN_MS),
    )
  }

  // Every reaction the view carries that was not shown yet (ids are new for each reaction).
  watch(
    () => [session.view.reaction, ...session.view.participants.map((p) => p.reaction && { ...p.reaction, key: p.clientId })] as const,
    (reactions) => {
      reactions.forEach((reaction, index) => {
        if (!reaction || seen.has(reaction.id)) return
        seen.add(reaction.id)
        show(index === 0 ? LOCAL_TILE_KEY : (reaction as { key: string }).key, reaction.emoji)
      })
    },
    { immediate: true },
  )

  function toggleHand() {
    session.setHand(!handRaised.value)
  }

  function react(emoji: string) {
    session.react(emoji)
  }

  onScopeDispose(() => pending.forEach((id) => timers.clearTimeout(id)))

  return { handRaised, overlays, toggleHand, react }
})
