// The chat panel: whether it is open, the draft, and sending. The messages, the unread count and the
// notices are the core's (`view.chat`), an encrypted call's losses its encryption's (`session.e2ee.chat`); while the panel is open, what arrives counts as read.
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { chatE2eeNotes, chatNoticeText } from '../lib/chat'
import { useSessionStore } from './session'

export const useChatStore = defineStore('chat', () => {
  const session = useSessionStore()
  const open = ref(false)
  const draft = ref('')
  const chat = computed(() => session.view.chat)
  const unread = computed(() => chat.value.unread)
  const notice = computed(() => chatNoticeText(chat.value.notice))
  /** An encrypted call's chat drops what it cannot decrypt or what came in the clear: said, never shown. */
  const e2ee = computed(() => chatE2eeNotes(session.e2ee?.chat))

  function toggle() {
    open.value = !open.value
  }

  function close() {
    open.value = false
  }

  /** Sends the draft; the core refuses an empty or oversized one with a notice, so the draft stays for fixing. */
  function send() {
    const text = draft.value
    const refused = text.trim() === ''
    session.sendChat(text)
    if (!refused) draft.value = ''
  }

  // Open panel: everything shown is read.
  watch(
    () => [open.value, chat.value.unread] as const,
    ([isOpen, count]) => {
      if (isOpen && count > 0) session.readChat()
    },
    { immediate: true },
  )

  return { open, draft, chat, unread, notice, e2ee, toggle, close, send }
})
