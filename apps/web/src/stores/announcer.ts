// The screen reader's live region: "You joined Team. Grace is here.", "Linus joined.", "Grace
// left.", "Reconnected." (sentences from lib/announcements.ts). The one place the app turns
// participant changes into sentences: when the core emits participant.joined/left, this store
// listens to those instead of comparing views.
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { announcedStateOf, announcement as announcementFor } from '../lib/announcements'
import type { AnnouncedState } from '../lib/announcements'
import { useSessionStore } from './session'

export const useAnnouncerStore = defineStore('announcer', () => {
  const session = useSessionStore()
  /** The latest sentence for the live region. */
  const announcement = ref('')
  let announced: AnnouncedState | undefined

  watch(
    () => session.view,
    (view) => {
      const next = announcedStateOf(view)
      const sentence = announcementFor(announced, next)
      announced = next
      if (sentence) announcement.value = sentence
    },
    { flush: 'sync', immediate: true },
  )

  // A new session starts with nothing said.
  session.$onAction(({ name, after }) => {
    if (name !== 'start') return
    after(() => {
      announcement.value = ''
      announced = announcedStateOf(session.view)
    })
  })

  return { announcement }
})
