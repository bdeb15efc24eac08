// The host locked or unlocked the room: said politely to everyone in the call (lib/roomLock.ts words it).
// Used by the call screen, so that neither the words nor the watch are in the first download.
import { watch } from 'vue'
import type { ConferenceView } from '../conference/types'
import { lockAnnouncement } from '../lib/roomLock'

export function useLockAnnouncements(view: () => ConferenceView, announce: (sentence: string) => void): void {
  watch(
    () => view().host.roomLocked,
    (_locked, before) => {
      const current = view()
      const sentence = current.status === 'connected' ? lockAnnouncement(before, current) : undefined
      if (sentence) announce(sentence)
    },
    { immediate: true },
  )
}
