// What the chat panel says: its notices and the time of a message. Texts and names are shown by Vue's
// text interpolation only (never v-html), so HTML in them stays text.
import type { ChatView } from '../conference/types'

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
