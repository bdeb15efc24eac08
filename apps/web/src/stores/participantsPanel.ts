// The participants panel: whether it is open, and its rows (lib/participantRows.ts).
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { participantRows } from '../lib/participantRows'
import { useSessionStore } from './session'

export const useParticipantsPanelStore = defineStore('participantsPanel', () => {
  const session = useSessionStore()
  const open = ref(false)
  const rows = computed(() => participantRows(session.view, session.view.displayName ?? ''))
  const raisedHands = computed(() => rows.value.filter((row) => row.handRaised).length)
  /** Mute and Remove are offered only to a host the hub gave a host key. */
  const canModerate = computed(() => session.view.host.canModerate)

  /** Someone else's microphone is on: "Mute all" has something to do. */
  const othersHeard = computed(() => rows.value.some((row) => !row.you && row.audioEnabled))

  function toggle() {
    open.value = !open.value
  }

  function close() {
    open.value = false
  }

  return { open, rows, raisedHands, canModerate, othersHeard, toggle, close, mute: session.muteParticipant, muteEveryone: session.muteEveryone, remove: session.removeParticipant }
})
