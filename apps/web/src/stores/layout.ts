// How the call is laid out: the person's preference (grid or speaker), a pinned tile, their own
// tile minimised to a floating view, and who spoke last. The rules are lib/layout.ts; this store
// only holds the choices and follows the view.
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import type { ConferenceView } from '../conference/types'
import { activeSpeakerOf, arrange, noteUnmuted, type LayoutPreference } from '../lib/layout'
import { useScreenStore } from './screen'
import { useSessionStore } from './session'

export const useLayoutStore = defineStore('layout', () => {
  const session = useSessionStore()
  const screen = useScreenStore()
  const preference = ref<LayoutPreference>('grid')
  const pinned = ref<string>()
  const selfMinimised = ref(false)
  const recentlyUnmuted = ref<readonly string[]>([])

  watch(
    () => session.view,
    (view: ConferenceView, before: ConferenceView | undefined) => {
      recentlyUnmuted.value = noteUnmuted(before, view, recentlyUnmuted.value)
    },
  )

  const activeSpeaker = computed(() => activeSpeakerOf(session.view, recentlyUnmuted.value))
  const arrangement = computed(() =>
    arrange({ tiles: screen.tiles, preference: preference.value, pinned: pinned.value, activeSpeaker: activeSpeaker.value, selfMinimised: selfMinimised.value }),
  )

  /** Pins a tile (pin beats the automatic presentation); pinning it again unpins. */
  function togglePin(key: string) {
    pinned.value = pinned.value === key ? undefined : key
  }

  function setPreference(next: LayoutPreference) {
    preference.value = next
  }

  function setSelfMinimised(minimised: boolean) {
    selfMinimised.value = minimised
  }

  return { preference, pinned, selfMinimised, activeSpeaker, arrangement, togglePin, setPreference, setSelfMinimised }
})
