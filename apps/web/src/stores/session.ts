// The conference session: the one place the app holds the conference handle. It owns the handle
// (markRaw: a Pinia store is reactive() and must not proxy an actor), mirrors the actor's snapshot
// into a shallowRef, projects it with `selectView`, forwards what the actor emits (who joined, who
// left) to its listeners, and its actions only call the handle (which sends `user.*` events to the
// statechart). Nothing runs until `start()`.
import { defineStore } from 'pinia'
import { computed, markRaw, onScopeDispose, ref, shallowRef } from 'vue'
import type { AnyConferenceHandle, ConferenceView, DeviceKind, E2eeStatus, IncomingVideo, ConferenceFact } from '../conference/types'
import { useEventListener } from '../composables/browser'
import { useEnvironment } from '../environment'
import { shareEqual } from '../lib/share'
import { useBlurStore } from './blur'
import { useDevtoolsStore } from './devtools'

const IDLE_VIEW: ConferenceView = Object.freeze({
  status: 'idle',
  incomingVideo: 'auto',
  stateValue: 'idle',
  local: { audioEnabled: true, videoEnabled: true, audioAvailable: false, videoAvailable: false },
  devices: { audioinput: [], videoinput: [], audiooutput: [], selected: {} },
  participants: [],
  host: { isHost: false, canModerate: false, mutedCount: 0, roomLocked: false, lockPending: false, waiting: [], answeredCount: 0, madeHostCount: 0 },
  chat: { channel: 'connecting', messages: [], unread: 0, noticeCount: 0 },
  screenShare: { state: 'idle' },
  busy: false,
}) as ConferenceView

export const useSessionStore = defineStore('session', () => {
  const environment = useEnvironment()
  const inspection = useDevtoolsStore().inspection
  // Private on purpose: an actor is not state to serialise (devtools, SSR); `snapshot` and `view` are.
  const conference = shallowRef<AnyConferenceHandle>()
  const snapshot = shallowRef<unknown>()
  // The previous view's objects where nothing changed (lib/share.ts): most of a join's snapshots change
  // nothing on screen, and then nothing downstream recomputes or re-renders.
  const view = computed<ConferenceView>((previous) =>
    conference.value && snapshot.value !== undefined ? shareEqual(previous, conference.value.selectView(snapshot.value)) : IDLE_VIEW,
  )
  const streams = computed(() => conference.value?.streams)
  // The core's chunk could not be fetched (main.ts): nothing can start until the page is reloaded.
  const coreMissing = ref(false)
  /**
   * Where the core is: 'loading' until main.ts calls start() with the core's chunk arrived ('ready'), or
   * 'failed' when the chunk could not be fetched. One value, so no screen can see two at once.
   */
  const core = computed<'loading' | 'ready' | 'failed'>(() =>
    conference.value !== undefined ? 'ready' : coreMissing.value ? 'failed' : 'loading',
  )
  function coreFailedToLoad() {
    coreMissing.value = true
  }
  let subscription: { unsubscribe(): void } | undefined
  let emitted: { unsubscribe(): void } | undefined
  /** The call's end-to-end encryption as its owner reports it; undefined when the call is not encrypted. */
  const e2ee = shallowRef<E2eeStatus>()
  /** The code people compare aloud (everyone with the same key sees the same), once asked for and derived. */
  const safetyCode = ref<string>()
  let e2eeWatch: (() => void) | undefined
  const factListeners = new Set<Parameters<typeof onFact>[0]>()

  /**
   * A fresh conference (the previous one, if any, is stopped): at boot, "Join again", "New room". `e2ee`: the
   * key its media is encrypted with end to end (stores/app.ts reads it from the address).
   */
  function start(options: { e2ee?: string } = {}) {
    stop()
    const handle = markRaw(
      environment.factory({
        hub: environment.config.hub,
        ...(environment.config.ice ? { peerConnectionConfig: { ...environment.config.ice } } : {}),
        ...(environment.config.delays ? { delays: environment.config.delays } : {}),
        ...(environment.config.simulcast !== undefined ? { simulcast: environment.config.simulcast } : {}),
        ...(environment.config.receiveSlots !== undefined ? { receiveSlots: environment.config.receiveSlots } : {}),
        ...(options.e2ee !== undefined ? { e2ee: { passphrase: options.e2ee } } : {}),
        cameraEffect: useBlurStore().effect,
        inspect: (event) => {
          inspection.inspect(event)
          environment.inspect?.(event)
        },
      }),
    )
    conference.value = handle
    const encryption = handle.e2ee
    if (encryption) {
      e2ee.value = encryption.status()
      e2eeWatch = encryption.subscribe((status) => (e2ee.value = status))
    }
    // One mirror per task at most, the latest snapshot, when the environment defers it (environment.ts
    // `nextTask`). None while an answer of ours is due (`answeringOffer`, at most the core's settleLimit):
    // from a hub offer to our answer's PUT (the newcomer's tile of `tracks_available`, drawn then, held the
    // answer back), and, joining, from ICE up to our first answer, which the core also keeps 'joining'
    // (`settling`: a render there fell just before the hub's offer). Both end with a conference snapshot;
    // `connected` after `joining` is mirrored in the next task, with the tracks the answer's offer brought
    // (they reach the streams just after its PUT). Any other new status is mirrored at once: it changes the
    // screen, and a deferred one showed the previous screen for a task (a reload's rejoin drew the pre-join
    // between two call screens, web e2e refresh spec).
    let latest: unknown
    let live = true
    let queued = false
    const mirror = () => {
      queued = false
      if (live && handle.answeringOffer?.(latest) !== true) snapshot.value = latest
    }
    const mine = handle.actor.subscribe((next) => {
      latest = next
      const status = handle.statusOf(next)
      const shown = view.value.status
      if (!environment.nextTask || (status !== shown && !(shown === 'joining' && status === 'connected'))) {
        snapshot.value = next
        return
      }
      if (queued) return
      queued = true
      environment.nextTask(mirror)
    })
    subscription = {
      unsubscribe() {
        live = false
        mine.unsubscribe()
      },
    }
    // XState delivers an emitted event before snapshot observers: `view` still shows the state before it.
    // (An invalid hub event is the core's to report and recover from: it logs it; the UI only binds states.)
    emitted = handle.actor.on?.('*', (event) => {
      if (event.type !== 'events.invalid') factListeners.forEach((listener) => listener(event))
    })
    handle.actor.start()
    snapshot.value = handle.actor.getSnapshot()
  }

  /** Stops the actor and every subscription (tests, hot reload). Also runs on `store.$dispose()`. */
  function stop() {
    subscription?.unsubscribe()
    subscription = undefined
    emitted?.unsubscribe()
    emitted = undefined
    e2eeWatch?.()
    e2eeWatch = undefined
    conference.value?.actor.stop()
    // After the actor: its peer connections are closed before their transforms' worker ends.
    conference.value?.e2ee?.close()
    conference.value = undefined
    e2ee.value = undefined
    safetyCode.value = undefined
    snapshot.value = undefined
    inspection.clear()
  }

  /**
   * The Encrypted card opened (components/E2eeMark.vue): the safety code is derived now, not at the call's
   * start (PBKDF2's 100,000 iterations are wasted work there when nobody looks). Once per call: the core
   * keeps the first derivation and answers every later ask with it; one that failed it forgets, so opening the
   * card again derives again.
   */
  function requestSafetyCode() {
    const handle = conference.value
    if (!handle?.e2ee) return
    handle.e2ee.safetyCode().then(
      (code) => conference.value === handle && (safetyCode.value = code),
      (error: unknown) => console.error('[parley] no safety code:', error),
    )
  }

  /**
   * What the current conference (any later one too) emits: who joined or left, and the room's credentials
   * (stores/rejoin.ts keeps them). Returns the unsubscribe function.
   */
  function onFact(listener: (fact: Exclude<ConferenceFact, { type: 'events.invalid' }>) => void): () => void {
    factListeners.add(listener)
    return () => factListeners.delete(listener)
  }

  /** What records the current call's trace (the State panel exports it: "Download trace", time travel); undefined without a conference. */
  function traceCapture() {
    return conference.value?.traceCapture
  }

  function preview(media: { audio: boolean; video: boolean }) {
    conference.value?.preview(media)
  }

  function join(params: Parameters<AnyConferenceHandle['join']>[0]) {
    conference.value?.join(params)
  }

  function leave() {
    conference.value?.leave()
  }

  function endRoom() {
    conference.value?.endRoom()
  }

  /**
   * The host's moderation (mute, mute all, remove, lock), worded in the People panel's store so its calls
   * are in the call's chunk, not the first download: the handle for that one call, never kept.
   */
  function moderate(act: (handle: AnyConferenceHandle) => void) {
    if (conference.value) act(conference.value)
  }

  function sendChat(text: string) {
    conference.value?.sendChat(text)
  }

  function readChat() {
    conference.value?.readChat()
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

  /** getDisplayMedia exists here: the share button is offered. */
  const canShareScreen = computed(() => conference.value?.capabilities.screenShare ?? false)

  function toggleScreenShare() {
    const state = view.value.screenShare.state
    if (state === 'sharing' || state === 'requesting') conference.value?.stopScreenShare()
    else conference.value?.startScreenShare()
  }

  /** A camera or microphone to use (the core swaps it in place mid-call; before a preview it is remembered). */
  function selectDevice(kind: DeviceKind, deviceId: string) {
    conference.value?.selectDevice?.(kind, deviceId)
  }
  /** The camera opened again (blur turned on or off): nothing when none is open. */
  function reopenCamera() {
    conference.value?.reopenDevice?.('videoinput')
  }

  function retry() {
    conference.value?.retry()
  }

  /** The pre-join shows this room: `view.elsewhere` says when this browser is in it in another tab. */
  function watchRoom(roomId: string) {
    conference.value?.watchRoom?.(roomId)
  }

  /** Raise or lower our hand, send a reaction (stores/presence.ts words and times them). */
  function setHand(raised: boolean) {
    conference.value?.setHand?.(raised)
  }

  function react(emoji: string) {
    conference.value?.react?.(emoji)
  }

  /** How large a remote video is shown (composables/useVideoSize.ts): for the hub's layer choice. */
  function reportVideoSize(trackId: string, width: number, height: number) {
    conference.value?.reportVideoSize?.(trackId, width, height)
  }

  /** What to receive of others' cameras (stores/incomingVideo.ts remembers the choice). */
  function setIncomingVideo(mode: IncomingVideo) {
    conference.value?.setIncomingVideo?.(mode)
  }

  /** From `pagehide` (a refresh or a closed tab): leave with a beacon so others see us go at once. */
  function leaveOnUnload() {
    conference.value?.leaveOnUnload()
  }

  useEventListener(globalThis.window, 'pagehide', () => leaveOnUnload())
  onScopeDispose(stop)

  return {
    snapshot,
    view,
    streams,
    e2ee,
    safetyCode,
    requestSafetyCode,
    core,
    coreFailedToLoad,
    start,
    stop,
    onFact,
    traceCapture,
    preview,
    join,
    leave,
    endRoom,
    moderate,
    sendChat,
    readChat,
    setMicrophone,
    setCamera,
    toggleMicrophone,
    toggleCamera,
    canShareScreen,
    toggleScreenShare,
    selectDevice,
    reopenCamera,
    retry,
    watchRoom,
    setHand,
    react,
    reportVideoSize,
    setIncomingVideo,
    leaveOnUnload,
  }
})
