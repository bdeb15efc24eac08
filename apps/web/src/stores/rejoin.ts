// A refresh during a call rejoins it. While in a room the tab remembers the call in sessionStorage
// (room, name, devices, microphone and camera state); a reload of that room's address rejoins it by
// itself: the preview starts, the microphone and camera are set as they were, and the join is sent
// as the Join button sends it. The memory is dropped when the person leaves or ends the call, when
// the hub ends it, and as each refresh uses it (one refresh, one automatic attempt: a failed
// rejoin lands on the pre-join or ended screen, never in a loop). Leaving on page unload (the
// refresh itself) keeps it. With it the room's credentials (the core's `room.credentials`): a refresh
// gets back into a room its host locked, and the host is host again.
import { defineStore } from 'pinia'
import { computed, shallowRef, watch } from 'vue'
import { useStoredRef } from '../composables/browser'
import { useEnvironment } from '../environment'
import { shareEqual } from '../lib/share'
import { CALL_MEMORY_KEY, callToResume, rememberedCallSerializer } from '../lib/rejoin'
import type { RememberedCall } from '../lib/rejoin'
import type { RoomCredentials } from '../conference/types'
import { useInviteStore } from './invite'
import { usePreJoinStore } from './preJoin'
import { useSessionStore } from './session'

export const useRejoinStore = defineStore('rejoin', () => {
  const { sessionStorage, page } = useEnvironment()
  const session = useSessionStore()
  const preJoin = usePreJoinStore()
  const invite = useInviteStore()

  // Storage refused: a refresh simply shows the pre-join, with the room in the address.
  const memory = useStoredRef<RememberedCall | null>(CALL_MEMORY_KEY, null, sessionStorage, rememberedCallSerializer)
  /** The call a refresh is rejoining, until its join is sent (the call screen shows meanwhile). */
  const resuming = shallowRef<RememberedCall>()
  /** The latest credentials the core gave, and for which room. */
  const given = shallowRef<{ roomId: string; credentials: RoomCredentials }>()
  session.onFact((fact) => {
    if (fact.type === 'room.credentials') given.value = fact
  })

  watch(
    () => session.view,
    (view) => {
      if ((view.status === 'connected' || view.status === 'reconnecting') && view.room) {
        // The same object while nothing in it changed: sessionStorage is written only when it did.
        memory.value = shareEqual(memory.value, {
          roomId: view.room.id,
          ...(view.room.name ? { roomName: view.room.name } : {}),
          displayName: view.displayName || preJoin.displayName.trim(),
          media: { audio: preJoin.wantAudio, video: preJoin.wantVideo },
          enabled: { audio: view.local.audioEnabled, video: view.local.videoEnabled },
          ...(given.value?.roomId === view.room.id ? { credentials: given.value.credentials } : {}),
        })
      } else if (view.status === 'ended' || view.error?.kind === 'room-not-found') {
        memory.value = null
      }
      continueResuming(view)
    },
    { flush: 'sync' },
  )

  // Leaving or ending the call on purpose: a refresh shows the pre-join again.
  session.$onAction(({ name }) => {
    if (name === 'leave' || name === 'endRoom') memory.value = null
  })

  /** The remembered call, when this page load is a refresh of it (main.ts draws that call's screen first). */
  const callToRejoin = computed(() => callToResume(memory.value, { href: invite.pageHref, navigationType: page.navigationType() }))

  /** At boot: rejoin the remembered call when this page load is a refresh of it. True when rejoining. */
  function resume(): boolean {
    const call = callToRejoin.value
    memory.value = null
    if (!call) return false
    preJoin.displayName = call.displayName
    preJoin.wantAudio = call.media.audio
    preJoin.wantVideo = call.media.video
    resuming.value = call
    preJoin.preview()
    return true
  }

  /** Once the preview has the devices: set the microphone and camera as they were, then join. */
  function continueResuming(view: typeof session.view) {
    const call = resuming.value
    if (!call || view.status === 'idle' || (view.status === 'previewing' && view.busy)) return
    resuming.value = undefined
    // A device that no longer works, or the call open in another tab, is the person's call to make, on the pre-join screen.
    if (view.status !== 'previewing' || preJoin.problem || view.elsewhere) return
    if (!call.enabled.audio) session.setMicrophone(false)
    if (!call.enabled.video) session.setCamera(false)
    preJoin.join(call.credentials)
  }

  return { memory, resuming, callToRejoin, resume }
})
