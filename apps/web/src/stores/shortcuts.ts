// The call's keyboard shortcuts (lib/meetingShortcuts.ts) and their help dialog. Only in the call; never
// while typing. The chat registers its toggle here (`chatToggle`), so this store needs no chat.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { meetingShortcutOf } from '../lib/meetingShortcuts'
import { useParticipantsPanelStore } from './participantsPanel'
import { usePresenceStore } from './presence'
import { useScreenStore } from './screen'
import { useSessionStore } from './session'

export const useShortcutsStore = defineStore('shortcuts', () => {
  const session = useSessionStore()
  const screen = useScreenStore()
  const presence = usePresenceStore()
  const panel = useParticipantsPanelStore()
  const helpOpen = ref(false)
  /** Set by the chat when there is one. */
  const chatToggle = shallowRef<(() => void) | undefined>()

  /** The page's keydown; true when it was a call shortcut (the caller prevents the default). */
  function handleKey(event: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target'>): boolean {
    if (screen.screen !== 'call') return false
    if (event.key === 'Escape' && helpOpen.value) {
      helpOpen.value = false
      return true
    }
    const action = meetingShortcutOf(event)
    switch (action) {
      case 'microphone':
        if (!session.view.local.audioAvailable) return false
        session.toggleMicrophone()
        return true
      case 'camera':
        if (!session.view.local.videoAvailable) return false
        session.toggleCamera()
        return true
      case 'hand':
        presence.toggleHand()
        return true
      case 'participants':
        panel.toggle()
        return true
      case 'chat':
        if (!chatToggle.value) return false
        chatToggle.value()
        return true
      case 'help':
        helpOpen.value = !helpOpen.value
        return true
      default:
        return false
    }
  }

  return { helpOpen, chatToggle, handleKey }
})
