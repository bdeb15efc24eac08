// The participants panel: whether it is open, and its rows (lib/participantRows.ts).
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { waitingNotice } from '../lib/lobby'
import { participantRows } from '../lib/participantRows'
import { useSessionStore } from './session'

export const useParticipantsPanelStore = defineStore('participantsPanel', () => {
  const session = useSessionStore()
  const open = ref(false)
  const rows = computed(() => participantRows(session.view, session.view.displayName ?? ''))
  const raisedHands = computed(() => rows.value.filter((row) => row.handRaised).length)
  /** Mute and Remove are offered only to a host the hub gave a host key. */
  const canModerate = computed(() => session.view.host.canModerate)

  /** The room is locked to newcomers (everyone sees it); the host's toggle waits while its request is out. */
  const roomLocked = computed(() => session.view.host.roomLocked)
  const lockPending = computed(() => session.view.host.lockPending)

  /** Who asks to be let into the locked room (a host answers: the panel's "Waiting to join"), named as shown. */
  const waiting = computed(() => session.view.host.waiting.map((person) => ({ ...person, name: person.name || 'Someone' })))
  /**
   * For a host: the call's notice of who waits, answered there (one person) or in this panel, whose list says
   * the same (so the notice hides while it is open).
   */
  const lobbyNotice = computed(() => (canModerate.value && !open.value ? waitingNotice(waiting.value) : undefined))

  /** Someone else's microphone is on: "Mute all" has something to do. */
  const othersHeard = computed(() => rows.value.some((row) => !row.you && row.audioEnabled))

  function toggle() {
    open.value = !open.value
  }

  function close() {
    open.value = false
  }

  return {
    open,
    rows,
    raisedHands,
    canModerate,
    othersHeard,
    roomLocked,
    lockPending,
    waiting,
    lobbyNotice,
    toggle,
    close,
    toggleLock: () => session.moderate((handle) => handle.setRoomLocked?.(!roomLocked.value)),
    mute: (clientId: string) => session.moderate((handle) => handle.muteParticipant(clientId)),
    /** The host mutes everyone else whose microphone may be on (the core decides who, from its roster). */
    muteEveryone: () => session.moderate((handle) => handle.muteEveryone?.()),
    remove: (clientId: string) => session.moderate((handle) => handle.removeParticipant(clientId)),
    /** Makes someone a host too (co-host): Parley's hub gives them the key. */
    makeHost: (clientId: string) => session.moderate((handle) => handle.grantHost?.(clientId)),
    /** Lets someone waiting in, or not; Admit all lets in everyone waiting now (the room stays locked). */
    answer: (knockId: string, admit: boolean) => session.moderate((handle) => handle.answerKnock?.(knockId, admit)),
    admitAll: () => session.moderate((handle) => handle.admitEveryone?.()),
  }
})
