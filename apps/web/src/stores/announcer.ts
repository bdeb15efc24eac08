// The screen reader's live region: "You joined Team. Grace is here.", "Linus joined.", "Grace
// left.", "Reconnected." (sentences from lib/announcements.ts). Status sentences come from the
// view's status; who joined or left comes from the participant events the core emits.
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { announcedStateOf, announcement as announcementFor, inRoom, peopleAnnouncement } from '../lib/announcements'
import type { AnnouncedState } from '../lib/announcements'
import { useSessionStore } from './session'

export const useAnnouncerStore = defineStore('announcer', () => {
  const session = useSessionStore()
  /** The latest sentence for the live region. */
  const announcement = ref('')
  let announced: AnnouncedState | undefined
  /** Who came and went in the current tick: said together, as one sentence the live region reads whole. */
  let pending: { joined: string[]; left: string[] } | undefined

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

  function sayWhoCameAndWent() {
    const changes = pending
    pending = undefined
    // Still in the room after the change: leaving or ending says nothing about others.
    if (!changes || !inRoom(session.view.status)) return
    const sentence = peopleAnnouncement(changes)
    if (sentence) announcement.value = sentence
  }

  session.onFact((event) => {
    // The event arrives before `view` moves on, so this is the status before the change: people who were
    // already here when you joined are in "You joined Team. Grace is here.", not announced again.
    if (event.type === 'room.credentials' || !inRoom(session.view.status)) return
    if (!pending) {
      pending = { joined: [], left: [] }
      queueMicrotask(sayWhoCameAndWent)
    }
    ;(event.type === 'participant.joined' ? pending.joined : pending.left).push(event.name)
  })

  // A new session starts with nothing said.
  session.$onAction(({ name, after }) => {
    if (name !== 'start') return
    after(() => {
      announcement.value = ''
      announced = announcedStateOf(session.view)
      pending = undefined
    })
  })

  return { announcement }
})
