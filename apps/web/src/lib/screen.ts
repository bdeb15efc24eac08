// Which screen, banner and ended reason the app shows for a ConferenceView: pure, so the screen
// store only wires it to the stores and the tests need no Vue.
import type { ConferenceView } from '../conference/types'
import type { EndReason } from './ended'
import { isMediaError } from './messages'
import type { ErrorCopy } from './messages'

export type Screen = 'prejoin' | 'call' | 'ended'
/** The call's status banner: which one shows, if any. */
export type BannerKind = 'joining' | 'knocking' | 'reconnecting' | 'leaving' | 'failed' | 'none'

/**
 * `resuming`: a refresh is rejoining the call by itself. Its preview runs on the call screen (under
 * the joining banner), so the pre-join screen only shows when the person has something to decide.
 */
export function screenOf(view: ConferenceView, error: ErrorCopy | undefined, resuming = false): Screen {
  switch (view.status) {
    case 'idle':
    case 'previewing':
      return resuming ? 'call' : 'prejoin'
    case 'left':
    case 'ended':
      return 'ended'
    case 'failed':
      if (isMediaError(view.error) && !view.room) return 'prejoin'
      if (!view.room || error?.remedy === 'new-room') return 'ended'
      return 'call'
    default:
      return 'call'
  }
}

export function bannerOf(view: ConferenceView, resuming = false): BannerKind {
  switch (view.status) {
    case 'joining':
      return view.knocking ? 'knocking' : 'joining'
    case 'reconnecting':
    case 'leaving':
    case 'failed':
      return view.status
    case 'idle':
    case 'previewing':
      return resuming ? 'joining' : 'none'
    default:
      return 'none'
  }
}

/**
 * The reconnecting banner's words: the core says whether the whole hub session is being re-established
 * (view.reconnect: the server restarted or forgot this session) or only the connection restored in place.
 */
export function reconnectingCopyOf(view: ConferenceView): { title: string; detail: string } {
  if (view.reconnect) return { title: 'The server is restarting', detail: `reconnecting… (attempt ${view.reconnect.attempt})` }
  return { title: 'Connection lost.', detail: 'Reconnecting…' }
}

/** The core says why the session ended (view.endedReason); this only names it for the ended screen. */
export function endReasonOf(view: ConferenceView, screen: Screen): EndReason | undefined {
  if (view.status === 'left') return view.endedReason === 'ended-by-me' ? 'you-ended' : 'you-left'
  if (view.status === 'ended') {
    switch (view.endedReason) {
      case 'host-ended':
        return 'host-ended'
      case 'client-gone':
      case 'timeout':
        return 'disconnected'
      case 'removed':
        return view.endedBy ? 'removed-by-host' : 'removed'
      case 'server-stopped':
        return 'server-stopped'
      case 'moved-to-another-tab':
        return 'moved-to-another-tab'
      default:
        return view.error ? 'removed' : 'host-ended'
    }
  }
  if (view.status === 'failed' && screen === 'ended') return 'error'
  return undefined
}

/** The tab title says where you are, so a call is easy to find among tabs. */
export function pageTitleOf(screen: Screen, roomName: string | undefined): string {
  if (screen === 'call') return roomName ? `${roomName} · Parley` : 'In call · Parley'
  return 'Parley'
}
