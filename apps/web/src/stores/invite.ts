// The room in the address bar and the invite link. The page's address says which room you were
// invited to (seed format `?roomId=…&roomName=…`); once you are in a room the address bar carries
// it; the access token never stays there. Copying the link confirms for a moment, or, when the
// clipboard is refused, shows the link to copy by hand.
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import type { RoomInfo } from '../conference/types'
import { refAutoReset } from '../composables/browser'
import { useEnvironment } from '../environment'
import { buildInviteUrl, invitedRoomFromUrl, roomIsGone, urlWithout } from '../lib/invite'
import { e2eeKeyFromUrl, withE2eeKey } from '../lib/e2eeKey'
import { useSessionStore } from './session'

export type InviteStatus = 'idle' | 'copied' | 'manual'

export const COPIED_CONFIRMATION_MS = 2500

export const useInviteStore = defineStore('invite', () => {
  const { page, config, clipboard } = useEnvironment()
  const session = useSessionStore()

  const pageHref = ref(page.href())
  function setPageUrl(url: string) {
    page.replaceUrl(url)
    pageHref.value = url
  }
  // The access token must not end up in invite links, screenshots or the history.
  if (new URL(pageHref.value).searchParams.has('token')) setPageUrl(urlWithout(pageHref.value, ['token']))

  const invitedRoom = computed(() => invitedRoomFromUrl(pageHref.value))
  /** The call's end-to-end encryption key, from the address's fragment: the link carries it, the hub never sees it. */
  const e2eeKey = computed(() => e2eeKeyFromUrl(pageHref.value))
  /** The room you are in, or were invited to. */
  const room = computed<RoomInfo | undefined>(() => {
    const invited = invitedRoom.value
    return session.view.room ?? (invited ? { id: invited.roomId, name: invited.roomName ?? '' } : undefined)
  })
  const inviteUrl = computed(() => (room.value ? buildInviteUrl(pageHref.value, room.value, config.hub.baseUrl) : undefined))

  // Once in a room, the address bar carries it, so the link can be shared and a refresh finds it.
  watch(
    () => session.view.room,
    (joined) => {
      if (!joined || invitedRoom.value?.roomId === joined.id) return
      setPageUrl(buildInviteUrl(pageHref.value, joined, config.hub.baseUrl))
    },
    { flush: 'sync' },
  )

  // A room that can no longer be joined leaves the address bar: its link would only fail, and a
  // refresh of the ended screen starts a new room instead of trying it again.
  watch(
    () => roomIsGone(session.view),
    (gone) => {
      if (gone && invitedRoom.value) forgetRoom()
    },
    { flush: 'sync' },
  )

  /** "Join again": the address names the room again, so the pre-join joins it. */
  function showRoom(shown: RoomInfo) {
    setPageUrl(buildInviteUrl(pageHref.value, shown, config.hub.baseUrl))
  }

  /** "New room": no room in the address, so the pre-join creates one (and asks again whether to encrypt it). */
  function forgetRoom() {
    setPageUrl(withE2eeKey(urlWithout(pageHref.value, ['roomId', 'roomName']), undefined))
  }

  /** The new room's key (the pre-join's "End-to-end encryption"), or none. */
  function setE2eeKey(key: string | undefined) {
    setPageUrl(withE2eeKey(pageHref.value, key))
  }

  // Not vueuse's useClipboard: its copy() reports success even when the browser refused (it falls
  // back to execCommand and ignores the result), so the manual-copy fallback would never show.
  const copied = refAutoReset(false, COPIED_CONFIRMATION_MS)
  const manual = ref(false)
  const status = computed<InviteStatus>(() => (manual.value ? 'manual' : copied.value ? 'copied' : 'idle'))

  async function copyInvite() {
    const url = inviteUrl.value
    if (!url) return
    try {
      if (!clipboard) throw new Error('no clipboard')
      await clipboard.writeText(url)
      manual.value = false
      copied.value = true
    } catch {
      // Clipboard refused (permissions, insecure origin): show the link to copy by hand.
      copied.value = false
      manual.value = true
    }
  }

  function dismissInvite() {
    manual.value = false
  }

  // A new session starts with nothing copied.
  session.$onAction(({ name }) => {
    if (name !== 'start') return
    copied.value = false
    manual.value = false
  })

  return { pageHref, invitedRoom, e2eeKey, room, inviteUrl, status, showRoom, forgetRoom, setE2eeKey, copyInvite, dismissInvite }
})
