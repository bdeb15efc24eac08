// The pre-join form: your name (remembered across visits once you joined with it), the new room's
// name, which devices to join with, and what joining will really send given what the preview got.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useStoredRef } from '../composables/browser'
import { useEnvironment } from '../environment'
import { deviceProblem, joinMedia } from '../lib/messages'
import { localTile } from '../lib/tiles'
import type { RoomCredentials } from '../conference/types'
import { useInviteStore } from './invite'
import { useSessionStore } from './session'

export const DISPLAY_NAME_KEY = 'parley.displayName'

export const usePreJoinStore = defineStore('preJoin', () => {
  const { localStorage, canEncryptMedia } = useEnvironment()
  const session = useSessionStore()
  const invite = useInviteStore()

  // Storage refused (quota, private mode): the name is simply not remembered; joining still works.
  const rememberedName = useStoredRef(DISPLAY_NAME_KEY, '', localStorage)
  const displayName = ref(rememberedName.value)
  const roomName = ref(invite.invitedRoom?.roomName ?? '')
  const wantAudio = ref(true)
  const wantVideo = ref(true)
  const nameMissing = ref(false)

  const view = computed(() => session.view)
  /** Your own tile, for the preview. */
  const previewTile = computed(() => localTile(view.value, displayName.value.trim()))
  /** The preview is still acquiring camera and microphone. */
  const previewStarting = computed(() => view.value.status === 'previewing' && view.value.busy)
  /** The call's media is end-to-end encrypted: the address carries its key (an invite, or a new room made so). */
  const encrypted = computed(() => invite.e2eeKey !== undefined)
  /** This browser can encrypt frames (RTCRtpScriptTransform): the new-room choice is offered. */
  const canEncrypt = canEncryptMedia === true
  /** An encrypted call this browser cannot decrypt or encrypt: joining would send media in the clear, so it cannot join. */
  const encryptionUnsupported = computed(() => encrypted.value && !canEncrypt)
  /** The join button is disabled while a join is already under way, until the core has arrived (main.ts), and where encryption is wanted but missing. */
  const canJoin = computed(() => session.core === 'ready' && view.value.status !== 'joining' && !encryptionUnsupported.value)
  const problem = computed(() => deviceProblem(view.value, { audio: wantAudio.value, video: wantVideo.value }))
  /** What joining now would send: the pre-join toggles and summary show this, not the wish. */
  const joinWith = computed(() => joinMedia({ audio: wantAudio.value, video: wantVideo.value }, problem.value))

  function preview() {
    session.preview({ audio: wantAudio.value, video: wantVideo.value })
    // Is this browser already in the invited room, in another tab? (`openElsewhere`)
    if (invite.invitedRoom) session.watchRoom(invite.invitedRoom.roomId)
  }

  /** This browser is in the invited room in another tab: joining here moves the call ("Join here instead"). */
  const openElsewhere = computed(() => view.value.elsewhere !== undefined)

  /** Choose which devices to join with (e.g. without a blocked camera). */
  function setJoinWithMicrophone(enabled: boolean) {
    wantAudio.value = enabled
    preview()
  }

  function setJoinWithCamera(enabled: boolean) {
    wantVideo.value = enabled
    preview()
  }

  /** The toggle: off when on; on (asking for the device again) when off or failed. */
  function toggleJoinMicrophone() {
    setJoinWithMicrophone(!joinWith.value.audio)
  }

  function toggleJoinCamera() {
    setJoinWithCamera(!joinWith.value.video)
  }

  /**
   * Joins the invited room, or creates one. Returns false (and flags the name field) without a name.
   * `credentials`: what a refresh of the call kept for the room (stores/rejoin.ts): in again while it is locked.
   */
  function join(credentials?: RoomCredentials): boolean {
    const name = displayName.value.trim()
    if (name === '') {
      nameMissing.value = true
      return false
    }
    nameMissing.value = false
    rememberedName.value = name
    const invited = invite.invitedRoom
    const chosenRoomName = roomName.value.trim()
    session.join({
      ...(invited ? { roomId: invited.roomId } : {}),
      ...(invited && credentials ? { credentials } : {}),
      ...(invited?.roomName ? { roomName: invited.roomName } : chosenRoomName !== '' ? { roomName: chosenRoomName } : {}),
      displayName: name,
      media: { audio: wantAudio.value, video: wantVideo.value },
    })
    return true
  }

  return {
    displayName,
    roomName,
    wantAudio,
    wantVideo,
    nameMissing,
    previewTile,
    previewStarting,
    canJoin,
    encrypted,
    canEncrypt,
    encryptionUnsupported,
    problem,
    joinWith,
    openElsewhere,
    preview,
    setJoinWithMicrophone,
    setJoinWithCamera,
    toggleJoinMicrophone,
    toggleJoinCamera,
    join,
  }
})
