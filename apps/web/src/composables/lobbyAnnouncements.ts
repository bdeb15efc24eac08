// Someone asks to join the locked room, or is answered: said to a host, who can act on it; and a host made
// us one (lib/lobby.ts words both), said and shown for a moment. Used by the call screen, so that neither the
// words nor the watch are in the first download.
import { type Ref, watch } from 'vue'
import type { ConferenceView } from '../conference/types'
import { lobbyAnnouncement, madeHostAnnouncement } from '../lib/lobby'
import { refAutoReset } from './browser'

/** How long "You're the host now…" stays on screen, unless dismissed (the live region says it once). */
export const MADE_HOST_NOTICE_MS = 8_000

export interface LobbyNotices {
  /** The sentence of the latest grant or hand-over, shown for `MADE_HOST_NOTICE_MS`; '' when none is shown. */
  readonly madeHost: Readonly<Ref<string>>
  dismissMadeHost(): void
}

export function useLobbyAnnouncements(view: () => ConferenceView, announce: (sentence: string) => void): LobbyNotices {
  // Sighted people are told too: the controls appearing alone would leave them guessing why. Its timer ends with
  // the call screen's scope.
  const madeHost = refAutoReset('', MADE_HOST_NOTICE_MS)
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
      if (!sentence) return
      announce(sentence)
      madeHost.value = sentence
    },
  )
  return {
    madeHost,
    dismissMadeHost: () => {
      madeHost.value = ''
    },
  }
}
