// What the ended screen says and offers, from why the session ended and the error, if any.
import type { ErrorCopy } from './messages'

export type EndReason = 'you-left' | 'you-ended' | 'host-ended' | 'removed' | 'disconnected' | 'error'

export interface EndedScreen {
  reason: EndReason
  title: string
  detail: string
  /** "Try again": only for an error a retry can fix. */
  canRetry: boolean
  /** "Join again": only while the room still exists. */
  canJoinAgain: boolean
}

const COPY: Record<EndReason, { title: string; detail: string }> = {
  'you-left': { title: 'You left the room', detail: 'The others can keep talking. You can go back in any time.' },
  'you-ended': { title: 'You ended the room for everyone', detail: 'Everyone was disconnected and the invite link no longer works.' },
  'host-ended': { title: 'The host ended the room', detail: 'The meeting is over for everyone. Start a new room to keep talking.' },
  removed: { title: 'You are no longer in the room', detail: 'The conference server closed your connection.' },
  disconnected: {
    title: 'You were disconnected',
    detail: 'The connection was lost for too long, so the room let you go. Join again to pick up where you left off.',
  },
  error: { title: 'Something went wrong', detail: 'Parley could not keep you in the room.' },
}

export function endedScreen(reason: EndReason, error: ErrorCopy | undefined, hasRoom: boolean): EndedScreen {
  const copy = COPY[reason]
  const title = reason === 'error' && error ? error.title : copy.title
  const detail = (reason === 'error' || reason === 'removed') && error ? error.detail : copy.detail
  const roomGone = reason === 'host-ended' || reason === 'you-ended' || error?.remedy === 'new-room'
  return {
    reason,
    title,
    detail,
    canRetry: reason === 'error' && error?.remedy === 'retry',
    canJoinAgain: hasRoom && !roomGone,
  }
}
