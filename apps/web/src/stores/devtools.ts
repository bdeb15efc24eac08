// Looking inside the statecharts: the inspection log XState's `inspect` option feeds (read by the
// Vue devtools plugin and the in-app State panel) and whether the State panel is open. The log
// records from the first event, so the panel shows what happened before it was opened; the panel's
// own code is loaded only when it opens (App.vue).
import { defineStore } from 'pinia'
import { markRaw, onScopeDispose, ref, shallowRef } from 'vue'
import { createInspectionLog } from '../devtools/inspectionLog'
import type { ActorRecord, LoggedEvent } from '../devtools/inspectionLog'
import { isStatePanelShortcut } from '../lib/shortcuts'

export const useDevtoolsStore = defineStore('devtools', () => {
  const inspection = markRaw(createInspectionLog({ limit: 30 }))
  const actors = shallowRef<ActorRecord[]>([])
  const events = shallowRef<LoggedEvent[]>([])
  const stopReading = inspection.subscribe(() => {
    actors.value = inspection.actors()
    events.value = inspection.events()
  })
  onScopeDispose(stopReading)

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
