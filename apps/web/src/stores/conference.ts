// The one place the UI meets the conference. Components read this store and call its actions;
// the actions only call the conference handle (which sends `user.*` events to the statechart).
// The store owns the handle (markRaw: a Pinia store is reactive() and must not proxy an actor),
// mirrors the actor's snapshot into a shallowRef, and derives what the screens show.
import { defineStore } from 'pinia'
import { computed, markRaw, onScopeDispose, ref, shallowRef, watch } from 'vue'
import type { InspectionEvent } from 'xstate'
import type { AnyConferenceHandle, ConferenceFactory, ConferenceView } from '../conference/types'
import { createInspectionLog } from '../devtools/inspectionLog'
import type { ActorRecord, LoggedEvent } from '../devtools/inspectionLog'
import { createAutoplayGuard } from '../lib/autoplay'
import type { PlayableElement } from '../lib/autoplay'
import type { AppConfig } from '../lib/config'
import { announcedStateOf, announcement as announcementFor } from '../lib/announcements'
import type { AnnouncedState } from '../lib/announcements'
import { endedScreen } from '../lib/ended'
import type { EndReason } from '../lib/ended'
import { buildInviteUrl, invitedRoomFromUrl, urlWithout } from '../lib/invite'
import { describeError, deviceProblem, isMediaError, joinMedia } from '../lib/messages'
import type { ErrorCopy } from '../lib/messages'
import { buildTiles, localTile } from '../lib/tiles'

/** The page's address, injected so tests need no `window.location`. */
export interface PageContext {
  href(): string
  /** history.replaceState: changes the address bar without a reload. */
  replaceUrl(url: string): void
}

export type StorageLike = Pick<Storage, 'getItem' | 'setItem'>

export interface ClipboardLike {
  writeText(text: string): Promise<void>
}

export interface StartOptions {
  factory: ConferenceFactory
  config?: AppConfig
  page?: PageContext
  storage?: StorageLike
  clipboard?: ClipboardLike
  /** Another inspector (e.g. @statelyai/inspect) fed alongside the built-in inspection log. */
  inspect?: (event: InspectionEvent) => void
  /** Acquire camera and microphone for the pre-join preview right away (default true). */
  preview?: boolean
}

export type Screen = 'prejoin' | 'call' | 'ended'
export type { EndReason } from '../lib/ended'
/** The call's status banner: which one shows, if any. */
export type BannerKind = 'joining' | 'reconnecting' | 'leaving' | 'failed' | 'none'
export type InviteStatus = 'idle' | 'copied' | 'manual'

export const DISPLAY_NAME_KEY = 'parley.displayName'
const COPIED_CONFIRMATION_MS = 2500

const IDLE_VIEW: ConferenceView = Object.freeze({
  status: 'idle',
  stateValue: 'idle',
  local: { audioEnabled: true, videoEnabled: true, audioAvailable: false, videoAvailable: false },
  participants: [],
  busy: false,
}) as ConferenceView

function memoryPage(): PageContext {
  let current = 'http://localhost/'
  return { href: () => current, replaceUrl: (url) => (current = url) }
}

export const useConferenceStore = defineStore('conference', () => {
  // --- the conference ------------------------------------------------------------------------
  // Private on purpose: an actor is not state to serialise (devtools, SSR); `snapshot` and `view` are.
  const conference = shallowRef<AnyConferenceHandle>()
  const snapshot = shallowRef<unknown>()
  const view = computed<ConferenceView>(() =>
    conference.value && snapshot.value !== undefined ? conference.value.selectView(snapshot.value) : IDLE_VIEW,
  )
  let options: StartOptions | undefined
  let subscription: { unsubscribe(): void } | undefined

  // --- inspection (devtools plugin and the in-app state panel) --------------------------------
  const inspection = markRaw(createInspectionLog({ limit: 30 }))
  const inspectedActors = shallowRef<ActorRecord[]>([])
  const recentEvents = shallowRef<LoggedEvent[]>([])
  const stopInspecting = inspection.subscribe(() => {
    inspectedActors.value = inspection.actors()
    recentEvents.value = inspection.events()
  })

  // --- pre-join form ----------------------------------------------------------------------
  const displayName = ref('')
  const roomName = ref('')
  const wantAudio = ref(true)
  const wantVideo = ref(true)
  const nameMissing = ref(false)

  // --- page, config, UI feedback ------------------------------------------------------------
  const pageHref = ref('http://localhost/')
  const config = shallowRef<AppConfig>({ hub: { baseUrl: '' }, source: 'default', statelyInspector: false })
  const audioBlocked = ref(false)
  const inviteStatus = ref<InviteStatus>('idle')
  /** The latest sentence for the screen reader's live region (you joined, Grace left, reconnected). */
  const announcement = ref('')
  let announced: AnnouncedState | undefined
  let copiedTimer: ReturnType<typeof setTimeout> | undefined
  const autoplay = markRaw(createAutoplayGuard((blocked) => (audioBlocked.value = blocked)))

  // --- derived ----------------------------------------------------------------------------
  const invitedRoom = computed(() => invitedRoomFromUrl(pageHref.value))
  const room = computed(() => view.value.room ?? (invitedRoom.value ? { id: invitedRoom.value.roomId, name: invitedRoom.value.roomName ?? '' } : undefined))
  const inviteUrl = computed(() => (room.value ? buildInviteUrl(pageHref.value, room.value, config.value.hub.baseUrl) : undefined))
  const tiles = computed(() => buildTiles(view.value, displayName.value.trim()))
  /** The pre-join preview: your own tile. */
  const previewTile = computed(() => localTile(view.value, displayName.value.trim()))
  const problem = computed(() => deviceProblem(view.value, { audio: wantAudio.value, video: wantVideo.value }))
  /** What joining now would send: the pre-join toggles and summary show this, not the wish. */
  const joinWith = computed(() => joinMedia({ audio: wantAudio.value, video: wantVideo.value }, problem.value))
  const errorCopy = computed<ErrorCopy | undefined>(() => (view.value.error ? describeError(view.value.error) : undefined))
  const streams = computed(() => conference.value?.streams)

  /** The pre-join preview is still acquiring camera and microphone. */
  const previewStarting = computed(() => view.value.status === 'previewing' && view.value.busy)
  /** The join button is disabled while a join is already under way. */
  const canJoin = computed(() => view.value.status !== 'joining')
  /** In the room with nobody else yet, and a link to share: the call shows the invite hint. */
  const alone = computed(() => view.value.status === 'connected' && view.value.participants.length === 0 && inviteUrl.value !== undefined)

  const banner = computed<BannerKind>(() => {
    const status = view.value.status
    switch (status) {
      case 'joining':
      case 'reconnecting':
      case 'leaving':
      case 'failed':
        return status
      default:
        return 'none'
    }
  })

  const pageTitle = computed(() => {
    const name = room.value?.name
    if (screen.value === 'call') return name ? `${name} · Parley` : 'In call · Parley'
    return 'Parley'
  })

  const screen = computed<Screen>(() => {
    const current = view.value
    switch (current.status) {
      case 'idle':
      case 'previewing':
        return 'prejoin'
      case 'left':
      case 'ended':
        return 'ended'
      case 'failed':
        if (isMediaError(current.error) && !current.room) return 'prejoin'
        if (!current.room || errorCopy.value?.remedy === 'new-room') return 'ended'
        return 'call'
      default:
        return 'call'
    }
  })

  // The core says why the session ended (view.endedReason); the store only names it for the screen.
  const endReason = computed<EndReason | undefined>(() => {
    const current = view.value
    if (current.status === 'left') return current.endedReason === 'ended-by-me' ? 'you-ended' : 'you-left'
    if (current.status === 'ended') {
      switch (current.endedReason) {
        case 'host-ended':
          return 'host-ended'
        case 'client-gone':
        case 'timeout':
          return 'disconnected'
        case 'removed':
          return 'removed'
        default:
          return current.error ? 'removed' : 'host-ended'
      }
    }
    if (current.status === 'failed' && screen.value === 'ended') return 'error'
    return undefined
  })

  /** What the ended screen says and offers. */
  const ended = computed(() => endedScreen(endReason.value ?? 'you-left', errorCopy.value, room.value !== undefined))

  // Once in a room, the address bar carries it (seed format), so a refresh rejoins the same room.
  watch(
    () => view.value.room,
    (joined) => {
      if (!joined || !options?.page) return
      const current = invitedRoom.value
      if (current?.roomId === joined.id) return
      setPageUrl(buildInviteUrl(pageHref.value, joined, config.value.hub.baseUrl))
    },
    { flush: 'sync' },
  )

  watch(
    view,
    (current) => {
      const next = announcedStateOf(current)
      const sentence = announcementFor(announced, next)
      announced = next
      if (sentence) announcement.value = sentence
    },
    { flush: 'sync' },
  )

  function setPageUrl(url: string) {
    options?.page?.replaceUrl(url)
    pageHref.value = url
  }

  // --- lifecycle ----------------------------------------------------------------------------
  function inspect(event: InspectionEvent) {
    inspection.inspect(event)
    options?.inspect?.(event)
  }

  function createHandle() {
    if (!options) throw new Error('call start() first')
    const handle = markRaw(options.factory({ hub: config.value.hub, inspect }))
    conference.value = handle
    subscription = handle.actor.subscribe((next) => {
      snapshot.value = next
    })
    handle.actor.start()
    snapshot.value = handle.actor.getSnapshot()
  }

  function teardown() {
    subscription?.unsubscribe()
    subscription = undefined
    conference.value?.actor.stop()
    conference.value = undefined
    snapshot.value = undefined
    audioBlocked.value = false
    inviteStatus.value = 'idle'
    announcement.value = ''
    announced = undefined
    inspection.clear()
  }

  /** Starts Parley: reads the remembered name, scrubs the token from the address bar, creates the conference and previews devices. */
  function start(startOptions: StartOptions) {
    teardown()
    options = { ...startOptions, page: startOptions.page ?? memoryPage() }
    if (startOptions.config) config.value = startOptions.config
    const href = options.page!.href()
    pageHref.value = href
    // The access token must not end up in invite links, screenshots or the history.
    if (new URL(href).searchParams.has('token')) setPageUrl(urlWithout(href, ['token']))
    displayName.value = readStoredName() ?? displayName.value
    roomName.value = invitedRoom.value?.roomName ?? roomName.value
    createHandle()
    if (startOptions.preview !== false) preview()
  }

  function readStoredName(): string | undefined {
    try {
      return options?.storage?.getItem(DISPLAY_NAME_KEY) ?? undefined
    } catch {
      return undefined // storage disabled (private mode): the name is simply not remembered
    }
  }

  function rememberName(name: string) {
    try {
      options?.storage?.setItem(DISPLAY_NAME_KEY, name)
    } catch {
      // not remembered; joining still works
    }
  }

  // --- actions: each one calls the conference handle -------------------------------------------
  function preview() {
    conference.value?.preview({ audio: wantAudio.value, video: wantVideo.value })
  }

  /** Pre-join toggles: choose which devices to join with (e.g. without a blocked camera). */
  function setJoinWithMicrophone(enabled: boolean) {
    wantAudio.value = enabled
    preview()
  }

  function setJoinWithCamera(enabled: boolean) {
    wantVideo.value = enabled
    preview()
  }

  /** The pre-join toggle: off when on; on (asking for the device again) when off or failed. */
  function toggleJoinMicrophone() {
    setJoinWithMicrophone(!joinWith.value.audio)
  }

  function toggleJoinCamera() {
    setJoinWithCamera(!joinWith.value.video)
  }

  /** Returns false (and flags the name field) when there is no display name yet. */
  function join(): boolean {
    const name = displayName.value.trim()
    if (name === '') {
      nameMissing.value = true
      return false
    }
    nameMissing.value = false
    rememberName(name)
    const invited = invitedRoom.value
    const chosenRoomName = roomName.value.trim()
    conference.value?.join({
      ...(invited ? { roomId: invited.roomId } : {}),
      ...(invited?.roomName ? { roomName: invited.roomName } : chosenRoomName !== '' ? { roomName: chosenRoomName } : {}),
      displayName: name,
      media: { audio: wantAudio.value, video: wantVideo.value },
    })
    return true
  }

  function leave() {
    conference.value?.leave()
  }

  function endRoom() {
    conference.value?.endRoom()
  }

  function setMicrophone(enabled: boolean) {
    conference.value?.setMicrophone(enabled)
  }

  function setCamera(enabled: boolean) {
    conference.value?.setCamera(enabled)
  }

  function toggleMicrophone() {
    setMicrophone(!view.value.local.audioEnabled)
  }

  function toggleCamera() {
    setCamera(!view.value.local.videoEnabled)
  }

  function retry() {
    conference.value?.retry()
  }

  /** From `pagehide`: leave with a beacon so others see us go at once. */
  function leaveOnUnload() {
    conference.value?.leaveOnUnload()
  }

  /** After leaving: a fresh conference for the same room, back on the pre-join screen. */
  function joinAgain() {
    const current = room.value
    if (current) setPageUrl(buildInviteUrl(pageHref.value, current, config.value.hub.baseUrl))
    restart()
  }

  /** A fresh conference that will create a new room. */
  function newRoom() {
    setPageUrl(urlWithout(pageHref.value, ['roomId', 'roomName']))
    roomName.value = ''
    restart()
  }

  function restart() {
    if (!options) return
    const kept = options
    teardown()
    options = kept
    createHandle()
    preview()
  }

  async function copyInvite() {
    const url = inviteUrl.value
    if (!url) return
    clearTimeout(copiedTimer)
    try {
      if (!options?.clipboard) throw new Error('no clipboard')
      await options.clipboard.writeText(url)
      inviteStatus.value = 'copied'
      copiedTimer = setTimeout(() => {
        if (inviteStatus.value === 'copied') inviteStatus.value = 'idle'
      }, COPIED_CONFIRMATION_MS)
    } catch {
      // Clipboard refused (permissions, insecure origin): show the link to copy by hand.
      inviteStatus.value = 'manual'
    }
  }

  function dismissInvite() {
    inviteStatus.value = 'idle'
  }

  // --- media elements (autoplay) ---------------------------------------------------------------
  function registerMediaElement(element: PlayableElement) {
    autoplay.register(element)
  }

  function unregisterMediaElement(element: PlayableElement) {
    autoplay.unregister(element)
  }

  function playMedia(element: PlayableElement): Promise<void> {
    return autoplay.play(element)
  }

  /** The "Enable audio" click: a user gesture, so every element may now play. */
  function resumeAudio(): Promise<void> {
    return autoplay.resumeAll()
  }

  /** Stops the actor and every subscription (tests, hot reload). Also runs on `store.$dispose()`. */
  function dispose() {
    clearTimeout(copiedTimer)
    teardown()
    options = undefined
  }

  onScopeDispose(() => {
    dispose()
    stopInspecting()
  })

  return {
    // state
    snapshot,
    displayName,
    roomName,
    wantAudio,
    wantVideo,
    nameMissing,
    pageHref,
    config,
    audioBlocked,
    inviteStatus,
    announcement,
    inspectedActors,
    recentEvents,
    // derived
    view,
    screen,
    pageTitle,
    endReason,
    ended,
    banner,
    alone,
    previewStarting,
    canJoin,
    tiles,
    previewTile,
    invitedRoom,
    room,
    inviteUrl,
    problem,
    joinWith,
    errorCopy,
    streams,
    inspection,
    // actions
    start,
    preview,
    setJoinWithMicrophone,
    setJoinWithCamera,
    toggleJoinMicrophone,
    toggleJoinCamera,
    join,
    leave,
    endRoom,
    setMicrophone,
    setCamera,
    toggleMicrophone,
    toggleCamera,
    retry,
    leaveOnUnload,
    joinAgain,
    newRoom,
    copyInvite,
    dismissInvite,
    registerMediaElement,
    unregisterMediaElement,
    playMedia,
    resumeAudio,
    dispose,
  }
})
