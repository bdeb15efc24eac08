// "Blur background": the person's choice (remembered across visits, localStorage `parley.blur`) and how the
// blur is doing: off, loading (the segmenter's chunk and files, the first frames), on, or failed ("Blur
// unavailable in this browser"). The core still gets the camera itself: every conference is made with this
// store's camera effect wrapped round its `mediaDevices` port (lib/cameraEffect.ts, conference/factory.ts),
// and a change reopens the camera through the core (`reopenDevice`), which puts the new track on the
// preview and the sender (replaceTrack). The processing itself is the blur chunk (blur/index.ts), fetched
// the first time blur is on.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useStoredRef } from '../composables/browser'
import { useEnvironment } from '../environment'
import type { CameraEffect } from '../lib/cameraEffect'
import { useSessionStore } from './session'

export const BLUR_KEY = 'parley.blur'

export type BlurStatus = 'off' | 'loading' | 'on' | 'failed'

const loadBlur = (camera: MediaStreamTrack, abandoned: AbortSignal) => import('../blur').then((blur) => blur.blurCamera(camera, abandoned))

export const useBlurStore = defineStore('blur', () => {
  const { localStorage, blurCamera = loadBlur } = useEnvironment()
  const session = useSessionStore()
  const wanted = useStoredRef(BLUR_KEY, false, localStorage, { read: (raw) => raw === 'on', write: (on) => (on ? 'on' : 'off') })
  const status = ref<BlurStatus>('off')

  /** What the conference's port asks (lib/cameraEffect.ts): each camera opened while blur is wanted comes blurred. */
  const effect: CameraEffect = {
    wanted: () => wanted.value,
    async apply(camera, abandoned) {
      status.value = 'loading'
      // The camera ended while blur started (lib/cameraEffect.ts): its open fails as the camera's, not blur's;
      // blur stays wanted for the next camera, and whatever this start still gives is no longer ours to show.
      const abandon = () => {
        status.value = 'off'
      }
      abandoned.addEventListener('abort', abandon)
      try {
        const blurred = await blurCamera(camera as MediaStreamTrack, abandoned)
        if (!abandoned.aborted) status.value = 'on'
        return blurred
      } catch (error) {
        if (abandoned.aborted) throw error
        console.warn('[parley] background blur is unavailable:', error)
        wanted.value = false
        status.value = 'failed'
        throw error
      } finally {
        abandoned.removeEventListener('abort', abandon)
      }
    },
  }

  function setBlur(on: boolean) {
    wanted.value = on
    // Off, or asked again after a failure: the reopened camera's effect says what it becomes.
    status.value = 'off'
    session.reopenCamera()
  }

  return { wanted, status, effect, setBlur }
})
