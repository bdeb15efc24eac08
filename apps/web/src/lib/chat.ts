// What the chat panel says: its notices and the time of a message. Texts and names are shown by Vue's
// text interpolation only (never v-html), so HTML in them stays text.
import type { ChatView, E2eeStatus } from '../conference/types'

export const MAX_CHAT_LENGTH = 2000

/** The sentence for the core's last chat notice. */
export function chatNoticeText(notice: ChatView['notice']): string | undefined {
  if (!notice) return undefined
  switch (notice.kind) {
    case 'refused':
      return notice.reason === 'must not be empty' ? 'Write something before sending.' : `That message was not sent: it ${notice.reason}.`
    case 'too-fast':
      return 'You are sending messages too fast. Wait a moment, then send again.'
    case 'throttled':
      return `${notice.name || 'Someone'} is sending too many messages; some were not shown.`
  }
}

/** "14:05", in the viewer's locale. */
export function chatTime(time: number, locale?: string): string {
  return new Date(time).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' })
}

/** The chat button's accessible label: "Chat, 3 unread". */
export function chatButtonLabel(unread: number): string {
  return unread > 0 ? `Chat, ${unread} unread` : 'Chat'
}

/** What the chat panel adds in an end-to-end encrypted call: the messages it lost, in words ("2 messages …"). */
export interface ChatE2eeNotes {
  /** Received messages dropped: they did not decrypt (another key), or came in the clear. */
  dropped?: string
  /** Ours that never left (no key to encrypt them, or the channel closed first). */
  unsent?: string
}

/** The encrypted chat's losses as sentences; undefined when the call is not encrypted (nothing to say). */
export function chatE2eeNotes(losses: E2eeStatus['chat'] | undefined): ChatE2eeNotes | undefined {
  if (!losses) return undefined
  const dropped = losses.undecryptable + losses.unencrypted
  return {
    ...(dropped > 0 ? { dropped: `${messageCount(dropped)} could not be decrypted.` } : {}),
    ...(losses.unsent > 0 ? { unsent: `${messageCount(losses.unsent)} of yours could not be sent.` } : {}),
  }
}

const messageCount = (count: number) => (count === 1 ? '1 message' : `${count} messages`)
