// Which screen shows and what it says: pre-join / call / ended, the status banner, the ended
// screen's words, the tiles, the invite hint, the tab title, and the layout (phone or wider).
// The decisions are pure functions in src/lib (screen.ts, ended.ts, tiles.ts, messages.ts).
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useMediaQuery, useTitle } from '../composables/browser'
import { useEnvironment } from '../environment'
import { hubPlaceOf } from '../lib/config'
import { endedScreen } from '../lib/ended'
import { describeError } from '../lib/messages'
import { bannerOf, endReasonOf, pageTitleOf, screenOf } from '../lib/screen'
import { shareEqual } from '../lib/share'
import { buildTiles } from '../lib/tiles'
import type { Tile } from '../lib/tiles'
import { useInviteStore } from './invite'
import { usePreJoinStore } from './preJoin'
import { useRejoinStore } from './rejoin'
import { useSessionStore } from './session'

const CORE_MISSING = {
  title: "Parley didn't finish loading",
  detail: "Part of the app could not be downloaded, so you can't join yet. Check your connection, then try again.",
} as const

/** Phones: the State panel is a bottom sheet instead of a column beside the grid. */
export const PHONE_QUERY = '(max-width: 480px)'

export const useScreenStore = defineStore('screen', () => {
  const { config, shellOffline } = useEnvironment()
  const session = useSessionStore()
  const invite = useInviteStore()
  const preJoin = usePreJoinStore()
  const rejoin = useRejoinStore()
  const view = computed(() => session.view)

  /** The hub the app talks to, as error messages name it. */
  const hub = computed(() => hubPlaceOf(config.hub.baseUrl, invite.pageHref))
  const errorCopy = computed(() => (view.value.error ? describeError(view.value.error, hub.value) : undefined))
  const resuming = computed(() => rejoin.resuming !== undefined)
  const screen = computed(() => screenOf(view.value, errorCopy.value, resuming.value))
  /**
   * The call screen drawn ahead, hidden and inert, under the pre-join (main.ts asks once the pre-join is
   * idle): the Join click then only reveals it, instead of creating it in the click's task, where the
   * join's first answers waited behind it (stop 31: Vue's flush 16-30 ms of the task's 37-59).
   */
  const callAhead = ref(false)
  const callDrawn = computed(() => screen.value === 'call' || (callAhead.value && screen.value === 'prejoin'))
  /** Drawn ahead and not shown yet. */
  const callHidden = computed(() => callDrawn.value && screen.value !== 'call')
  function drawCallAhead() {
    callAhead.value = true
  }
  const banner = computed(() => bannerOf(view.value, resuming.value))
  const endReason = computed(() => endReasonOf(view.value, screen.value))
  /** What the ended screen says and offers. */
  const ended = computed(() => endedScreen(endReason.value ?? 'you-left', errorCopy.value, invite.room !== undefined, view.value.endedBy?.name))
  // The same tile objects while a tile does not change: its VideoTile is then not drawn again.
  const tiles = computed<Tile[]>((previous) => shareEqual(previous, buildTiles(view.value, preJoin.displayName.trim(), session.e2ee?.streams)))
  /** In the room with nobody else yet, and a link to share: the call shows the invite card. */
  const alone = computed(() => view.value.status === 'connected' && view.value.participants.length === 0 && invite.inviteUrl !== undefined)
  const pageTitle = computed(() => pageTitleOf(screen.value, invite.room?.name))
  useTitle(pageTitle)
  const phone = useMediaQuery(PHONE_QUERY)
  /**
   * What only a reload can mend, shown on the pre-join with a Try again: the app's core did not
   * download (main.ts), or the hub did not answer when this page loaded (it came from the service
   * worker's copy).
   */
  const reloadNotice = computed(() => {
    if (session.core === 'failed') return { id: 'core-missing', ...CORE_MISSING }
    if (!shellOffline || screen.value !== 'prejoin') return undefined
    return { id: 'hub-offline', ...describeError({ kind: 'hub-unreachable', message: 'page served from the offline copy' }, hub.value) }
  })

  return { hub, errorCopy, screen, callDrawn, callHidden, drawCallAhead, banner, endReason, ended, tiles, alone, pageTitle, phone, reloadNotice }
})
