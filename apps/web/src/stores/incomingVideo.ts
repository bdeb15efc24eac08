// What you receive of others' cameras: best for each tile, a data saver, or audio only. The core decides
// what the hub is asked for (`setIncomingVideo`, `view.incomingVideo`); this store remembers the choice
// across calls and visits (localStorage) and hands it to every new conference before it joins. Used by
// the call's chunk only: the first time it runs (the call screen, drawn under the pre-join), it hands the
// choice to the conference already started, then to each one after. While Parley's hub pauses someone's
// video because your link cannot carry it, it offers Audio only (once a call, until dismissed).
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { IncomingVideo } from '../conference/types'
import { useStoredRef } from '../composables/browser'
import { useEnvironment } from '../environment'
import { parseIncomingVideo } from '../lib/incomingVideo'
import { useSessionStore } from './session'

export const INCOMING_VIDEO_KEY = 'parley.incomingVideo'

export const useIncomingVideoStore = defineStore('incomingVideo', () => {
  const { localStorage } = useEnvironment()
  const session = useSessionStore()
  const remembered = useStoredRef<IncomingVideo>(INCOMING_VIDEO_KEY, 'auto', localStorage, { read: parseIncomingVideo, write: (mode) => mode })

  /** The core's word: what the hub is asked for now. */
  const mode = computed(() => session.view.incomingVideo)

  function choose(next: IncomingVideo) {
    remembered.value = next
    session.setIncomingVideo(next)
  }

  /** The hub paused a video for your link (the core's `pausedByHub`): your downlink is short. */
  const linkShort = computed(() => session.view.participants.some((participant) => participant.tracks.some((track) => track.pausedByHub !== undefined)))
  const offerDismissed = ref(false)
  /** Offer Audio only: your link is short, you receive every camera as drawn, and you did not say no this call. */
  const offered = computed(() => linkShort.value && mode.value === 'auto' && !offerDismissed.value)
  function dismissOffer() {
    offerDismissed.value = true
  }

  const handOver = () => {
    offerDismissed.value = false
    if (remembered.value !== 'auto') session.setIncomingVideo(remembered.value)
  }
  handOver()
  session.$onAction(({ name, after }) => {
    if (name === 'start') after(handOver)
  })

  return { mode, choose, offered, dismissOffer }
})
