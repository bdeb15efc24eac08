// Browsers refuse to start audible media without a user gesture. Every tile's media element is
// registered here; a refusal shows "Enable audio", whose click replays them all (lib/autoplay.ts).
import { defineStore } from 'pinia'
import { markRaw, ref } from 'vue'
import { createAutoplayGuard } from '../lib/autoplay'
import type { PlayableElement } from '../lib/autoplay'

export const useAutoplayStore = defineStore('autoplay', () => {
  const audioBlocked = ref(false)
  const guard = markRaw(createAutoplayGuard((blocked) => (audioBlocked.value = blocked)))

  function register(element: PlayableElement) {
    guard.register(element)
  }

  function unregister(element: PlayableElement) {
    guard.unregister(element)
  }

  function play(element: PlayableElement): Promise<void> {
    return guard.play(element)
  }

  /** The "Enable audio" click: a user gesture, so every element may now play. */
  function resumeAudio(): Promise<void> {
    return guard.resumeAll()
  }

  return { audioBlocked, register, unregister, play, resumeAudio }
})
