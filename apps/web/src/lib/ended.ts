// What the ended screen says and offers, from why the session ended and the error, if any.
import type { ErrorCopy } from './messages'

export type EndReason =
  | 'you-left'
  | 'you-ended'
  | 'host-ended' // someone ended the room for everyone (named when the hub said who)
  | 'removed-by-host' // the host removed you (named when the hub said who)
  | 'removed'
  | 'disconnected'
  | 'server-stopped' // the hub was stopped (`left` with reason `shutdown`)
  | 'moved-to-another-tab' // the person joined this call in another tab of this browser
  | 'error'

export interface EndedScreen {
  reason: EndReason
  title: string
  detail: string
  /** "Try again": only for an error a retry can fix. */
  canRetry: boolean
  /** Its words ("Ask again" after a refused request to join). */
  retryLabel: string
  /** "Join again": only while the room still exists, and not beside "Try again". */
  canJoinAgain: boolean
}

/**
 * The one table of why-a-call-ended wording. `titleBy` is used when the hub named who did it (Parley's
 * host controls); without a name the title never guesses "the host".
 */
const COPY: Record<EndReason, { title: string; titleBy?: (name: string) => string; detail: string }> = {
  'you-left': { title: 'You left the room', detail: 'The others can keep talking. You can go back in any time.' },
  'you-ended': { title: 'You ended the room for everyone', detail: 'Everyone was disconnected and the invite link no longer works.' },
  'host-ended': {
    title: 'The meeting was ended',
    titleBy: (name) => `${name} ended the meeting`,
    detail: 'The meeting is over for everyone. Start a new room to keep talking.',
  },
  'removed-by-host': {
    title: 'You were removed from the meeting',
    titleBy: (name) => `${name} removed you from the meeting`,
    detail: 'The host took you out of this room. Start a new room, or ask for a new invitation.',
  },
  removed: { title: 'You are no longer in the room', detail: 'The conference server closed your connection.' },
  'server-stopped': {
    title: 'The server stopped',
    detail: 'The conference server was shut down, which ended every call on it. Join again once it is back.',
  },
  disconnected: {
    title: 'You were disconnected',
    detail: 'The connection was lost for too long, so the room let you go. Join again to pick up where you left off.',
  },
  'moved-to-another-tab': {
    title: 'You joined this call from another tab',
    detail: 'The call moved to your other tab, so this one left it and nobody hears you twice. Join again to bring it back here.',
  },
  error: { title: 'Something went wrong', detail: 'Parley could not keep you in the room.' },
}

/** `by`: who ended the room or removed you, when the hub said (shown as text, never as HTML). */
export function endedScreen(reason: EndReason, error: ErrorCopy | undefined, hasRoom: boolean, by?: string): EndedScreen {
  const copy = COPY[reason]
  const title = reason === 'error' && error ? error.title : by && copy.titleBy ? copy.titleBy(by) : copy.title
  const detail = (reason === 'error' || reason === 'removed') && error ? error.detail : copy.detail
  const canRetry = reason === 'error' && error?.remedy === 'retry'
  const roomGone = reason === 'host-ended' || reason === 'you-ended' || reason === 'removed-by-host' || error?.remedy === 'new-room'
  return {
    reason,
    title,
    detail,
    canRetry,
    retryLabel: error?.retryLabel ?? 'Try again',
    // Beside "Try again" (the same join again) it would be a second button for one thing.
    canJoinAgain: hasRoom && !roomGone && !canRetry,
  }
}
