// Someone asks to join the locked room, or is answered: said to a host, who can act on it; and a host made
// us one (lib/lobby.ts words both). Used by the call screen, so that neither the words nor the watch are in the first download.
import { watch } from 'vue'
import type { ConferenceView } from '../conference/types'
import { lobbyAnnouncement, madeHostAnnouncement } from '../lib/lobby'

export function useLobbyAnnouncements(view: () => ConferenceView, announce: (sentence: string) => void): void {
  watch(
    () => view().host,
    (host, before) => {
      const sentence = view().status === 'connected' ? lobbyAnnouncement(before, host, view().clientId) : undefined
      if (sentence) announce(sentence)
    },
  )
  watch(
    () => view().host.madeHostCount,
    (_count, before) => {
      const sentence = madeHostAnnouncement(before, view().host)
      if (sentence) announce(sentence)
    },
  )
}
