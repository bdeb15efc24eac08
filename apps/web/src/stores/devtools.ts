// Looking inside the statecharts: the inspection log XState's `inspect` option feeds (read by the
// Vue devtools plugin and the in-app State panel) and whether the State panel is open. The log
// records from the first event, so the panel shows what happened before it was opened; the panel's
// own code is loaded only when it opens (App.vue).
import { defineStore } from 'pinia'
import { computed, markRaw, onScopeDispose, ref, shallowRef } from 'vue'
import { createInspectionLog } from '../devtools/inspectionLog'
import type { ActorRecord, LoggedEvent } from '../devtools/inspectionLog'
import { isStatePanelShortcut } from '../lib/shortcuts'

export const useDevtoolsStore = defineStore('devtools', () => {
  const inspection = markRaw(createInspectionLog({ limit: 30 }))
  // Read when something shows them (the panel, the Vue devtools), not on each of the hundreds of
  // inspection events a join makes: those only mark them stale.
  const changes = shallowRef(0)
  const stopReading = inspection.subscribe(() => {
    changes.value++
  })
  onScopeDispose(stopReading)
  const actors = computed<ActorRecord[]>(() => (changes.value, inspection.actors()))
  const events = computed<LoggedEvent[]>(() => (changes.value, inspection.events()))

  const panelOpen = ref(false)

  function togglePanel() {
    panelOpen.value = !panelOpen.value
  }

  function closePanel() {
    panelOpen.value = false
  }

  /** The page's keydown: Shift+D toggles the panel (not while typing), Escape closes it. True when handled. */
  function handleKey(event: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target'>): boolean {
    if (event.key === 'Escape' && panelOpen.value) {
      closePanel()
      return true
    }
    if (!isStatePanelShortcut(event)) return false
    togglePanel()
    return true
  }

  return { inspection, actors, events, panelOpen, togglePanel, closePanel, handleKey }
})
