// Routes a media element's sound to the chosen speaker (`setSinkId`, where the browser has it):
// applied when the element appears and whenever the choice changes. '' is the system's default.
import { watch } from 'vue'
import type { MaybeRefOrGetter, ShallowRef } from 'vue'
import { toValue } from 'vue'

interface SinkElement {
  sinkId?: string
  setSinkId?(sinkId: string): Promise<void>
}

export function useAudioOutput(element: ShallowRef<HTMLMediaElement | null>, sinkId: MaybeRefOrGetter<string | undefined>): void {
  watch(
    [element, () => toValue(sinkId)],
    ([el, id]) => {
      const sink = el as unknown as SinkElement | null
      if (!sink?.setSinkId || id === undefined || sink.sinkId === id) return
      // A speaker that went away between the choice and now: the sound stays where it was.
      sink.setSinkId(id).catch((error: unknown) => console.warn('[parley] the speaker could not be used:', error))
    },
    { immediate: true, flush: 'post' },
  )
}
