// A fake conference for the web app's tests: a real (tiny) XState actor whose snapshot carries a
// ConferenceView the test sets, that emits the participant events the test makes it emit, methods
// that record their calls, and a stream registry the test fills. Used only by *.test.ts files.
import { assign, createActor, emit, setup } from 'xstate'
import type { InspectionEvent } from 'xstate'
import type {
  AnyConferenceHandle,
  ConferenceFactory,
  ConferenceFactoryOptions,
  ConferenceView,
  DeviceKind,
  E2eeHandle,
  E2eeStatus,
  IncomingVideo,
  JoinParams,
  MediaStreamLike,
  MediaStreamTrackLike,
  Participant,
  ConferenceFact,
  ParticipantEvent,
  StreamRegistry,
} from '../conference/types'

export function makeView(overrides: Partial<ConferenceView> = {}): ConferenceView {
  return {
    status: 'idle',
    incomingVideo: 'auto',
    stateValue: 'idle',
    local: { audioEnabled: true, videoEnabled: true, audioAvailable: true, videoAvailable: true },
    devices: { audioinput: [], videoinput: [], audiooutput: [], selected: {} },
    participants: [],
    host: { isHost: false, canModerate: false, mutedCount: 0, roomLocked: false, lockPending: false, waiting: [], answeredCount: 0, madeHostCount: 0 },
    chat: { channel: 'open', messages: [], unread: 0, noticeCount: 0 },
    screenShare: { state: 'idle' },
    busy: false,
    ...overrides,
  }
}

export function makeParticipant(index: number, overrides: Partial<Participant> = {}): Participant {
  const clientId = `client-${index}`
  const streamId = `stream-${index}`
  return {
    clientId,
    name: `Person ${index}`,
    audioEnabled: true,
    videoEnabled: true,
    isHost: false,
    tracks: [
      { trackId: `${streamId}-a`, streamId, kind: 'audio', source: 'media', live: true },
      { trackId: `${streamId}-v`, streamId, kind: 'video', source: 'media', live: true },
    ],
    streamIds: [streamId],
    ...overrides,
  }
}

export function fakeTrack(kind: 'audio' | 'video', id = `${kind}-track`): MediaStreamTrackLike {
  return {
    id,
    kind,
    enabled: true,
    readyState: 'live',
    stop() {},
    addEventListener() {},
    removeEventListener() {},
  }
}

/**
 * A stream the web tests control. It is a real (happy-dom) MediaStream, so a <video> accepts it as
 * `srcObject`, with its id and tracks set by the test.
 */
export interface FakeMediaStream extends MediaStreamLike {
  removeTrack(track: MediaStreamTrackLike): void
}

export function fakeMediaStream(
  id: string,
  tracks: MediaStreamTrackLike[] = [fakeTrack('audio'), fakeTrack('video')],
): FakeMediaStream {
  let current = [...tracks]
  const stream = new MediaStream()
  Object.defineProperties(stream, {
    id: { value: id },
    getTracks: { value: () => [...current] },
    removeTrack: {
      value: (track: MediaStreamTrackLike) => {
        current = current.filter((candidate) => candidate !== track)
        stream.dispatchEvent(new Event('removetrack'))
      },
    },
  })
  return stream as unknown as FakeMediaStream
}

export interface FakeStreams {
  registry: StreamRegistry
  /** `remote`: someone else's (listed by `remoteIds`, as the core lists the peer connection's). */
  set(stream: MediaStreamLike, remote?: boolean): void
  delete(streamId: string): void
  listenerCount(): number
}

export function createFakeStreams(): FakeStreams {
  const streams = new Map<string, MediaStreamLike>()
  const remote = new Set<string>()
  const listeners = new Set<() => void>()
  const notify = () => listeners.forEach((listener) => listener())
  return {
    registry: {
      get: (streamId) => streams.get(streamId),
      remoteIds: () => [...remote].filter((id) => streams.has(id)),
      subscribe(listener) {
        listeners.add(listener)
        return () => listeners.delete(listener)
      },
    },
    set(stream, isRemote = false) {
      streams.set(stream.id, stream)
      if (isRemote) remote.add(stream.id)
      notify()
    },
    delete(streamId) {
      streams.delete(streamId)
      remote.delete(streamId)
      notify()
    },
    listenerCount: () => listeners.size,
  }
}

type FakeEvent =
  | { type: 'fake.view'; view: ConferenceView }
  | { type: 'fake.answering'; answering: boolean }
  | { type: 'fake.participant'; event: ConferenceFact }
  | { type: `user.${string}`; args: unknown[] }

const fakeConferenceMachine = setup({
  types: {
    context: {} as { view: ConferenceView; answering: boolean },
    events: {} as FakeEvent,
    input: {} as { view: ConferenceView },
    emitted: {} as ConferenceFact,
  },
}).createMachine({
  id: 'fakeConference',
  context: ({ input }) => ({ view: input.view, answering: false }),
  initial: 'running',
  states: { running: {} },
  on: {
    'fake.view': {
      actions: assign(({ event }) => (event.type === 'fake.view' ? { view: event.view } : {})),
    },
    // As the core: the choice is in the view at once.
    'user.setIncomingVideo': {
      actions: assign(({ context, event }) => ({ view: { ...context.view, incomingVideo: (event as { args: unknown[] }).args[0] as IncomingVideo } })),
    },
    'fake.answering': {
      actions: assign(({ event }) => (event.type === 'fake.answering' ? { answering: event.answering } : {})),
    },
    // Emitted as the core's conference actor emits: XState delivers it before snapshot observers run.
    'fake.participant': {
      actions: emit(({ event }) => (event as { event: ConferenceFact }).event),
    },
  },
})

export type RecordedCall =
  | { method: 'preview'; args: [{ audio: boolean; video: boolean }] }
  | { method: 'join'; args: [JoinParams] }
  | { method: 'leave' | 'endRoom' | 'retry' | 'leaveOnUnload' | 'startScreenShare' | 'stopScreenShare'; args: [] }
  | { method: 'setMicrophone' | 'setCamera' | 'setHand'; args: [boolean] }
  | { method: 'react'; args: [string] }
  | { method: 'setIncomingVideo'; args: [IncomingVideo] }
  | { method: 'selectDevice'; args: [DeviceKind, string] }
  | { method: 'reopenDevice'; args: [DeviceKind] }
  | { method: 'muteParticipant' | 'removeParticipant' | 'sendChat'; args: [string] }
  | { method: 'readChat' | 'muteEveryone'; args: [] }
  | { method: 'setRoomLocked'; args: [boolean] }
  | { method: 'answerKnock'; args: [string, boolean] }
  | { method: 'admitEveryone'; args: [] }
  | { method: 'grantHost'; args: [string] }

/** The end-to-end encryption of an encrypted fake call: its status set by the test, its closing seen. */
export interface FakeE2ee extends E2eeHandle {
  passphrase: string
  /** How many times the safety code was derived: at the first ask only, as the core keeps it (then that same promise). */
  safetyCodeDerived: number
  /** How many times it was asked for (each ask after the first gets the kept promise). */
  safetyCodeAsked: number
  setStatus(status: Partial<E2eeStatus>): void
  closed: boolean
}

function createFakeE2ee(passphrase: string): FakeE2ee {
  let status: E2eeStatus = { key: 'deriving', sending: 'idle', streams: {}, chat: { undecryptable: 0, unencrypted: 0, unsent: 0 } }
  const listeners = new Set<(status: E2eeStatus) => void>()
  let code: Promise<string> | undefined
  const e2ee: FakeE2ee = {
    passphrase,
    safetyCodeDerived: 0,
    safetyCodeAsked: 0,
    closed: false,
    status: () => status,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    // Made from the passphrase, so two calls with one key show one code.
    safetyCode() {
      e2ee.safetyCodeAsked++
      if (!code) {
        e2ee.safetyCodeDerived++
        code = Promise.resolve(`code of ${passphrase}`)
      }
      return code
    },
    setStatus(changes) {
      status = { ...status, ...changes }
      listeners.forEach((listener) => listener(status))
    },
    close() {
      e2ee.closed = true
    },
  }
  return e2ee
}

export interface FakeConference {
  /** Give this to the store: each call builds a fresh actor (as "Join again" does). */
  factory: ConferenceFactory
  handle: AnyConferenceHandle
  /** How many conferences the factory created. */
  created: number
  streams: FakeStreams
  calls: RecordedCall[]
  /** Rooms the app asked about (`watchRoom`: is this browser in it in another tab?). */
  watched: string[]
  /** `reportVideoSize` calls as `trackId WxH`, kept apart from `calls` (every remote tile makes them). */
  videoSizes: string[]
  /** Options the store passed to the factory. */
  options: ConferenceFactoryOptions | undefined
  /** The latest conference's end-to-end encryption, when the store asked for one (`options.e2ee`). */
  e2ee: FakeE2ee | undefined
  /** Replaces the view the fake's snapshot carries (defaults from `makeView`). */
  setView(overrides: Partial<ConferenceView>): void
  /** Makes the actor emit a participant event, as the core's conference actor does. */
  emitParticipant(event: ParticipantEvent): void
  /** Makes the actor emit any fact (e.g. `room.credentials`), as the core's conference actor does. */
  emitFact(fact: ConferenceFact): void
  stopped(): boolean
  /** Subscriptions to the actor that are still open. */
  openSubscriptions(): number
  /** `actor.on` listeners that are still registered. */
  participantListeners(): number
  /** The core answering a hub offer (`answeringOffer`): a new snapshot, as the core's conference (its `answering` tag). */
  setAnswering(answering: boolean): void
}

/** A subscription counted as open (`count(+1)`) until its first unsubscribe (`count(-1)`). */
function counted(subscription: { unsubscribe(): void }, count: (delta: 1 | -1) => void): { unsubscribe(): void } {
  count(1)
  let closed = false
  return {
    unsubscribe() {
      if (!closed) count(-1)
      closed = true
      subscription.unsubscribe()
    },
  }
}

export function createFakeConference(initial: Partial<ConferenceView> = {}): FakeConference {
  const streams = createFakeStreams()
  const calls: RecordedCall[] = []
  let actor: ReturnType<typeof createActor<typeof fakeConferenceMachine>> | undefined
  let stopped = false
  let open = 0
  let listening = 0
  const fake: FakeConference = {
    streams,
    calls,
    watched: [],
    videoSizes: [],
    options: undefined,
    e2ee: undefined,
    handle: undefined as unknown as AnyConferenceHandle,
    created: 0,
    factory: () => fake.handle,
    setView(overrides) {
      if (!stopped) actor?.send({ type: 'fake.view', view: makeView(overrides) })
    },
    emitParticipant(event) {
      if (!stopped) actor?.send({ type: 'fake.participant', event })
    },
    emitFact(event) {
      if (!stopped) actor?.send({ type: 'fake.participant', event })
    },
    stopped: () => stopped,
    openSubscriptions: () => open,
    participantListeners: () => listening,
    setAnswering(answering) {
      if (!stopped) actor?.send({ type: 'fake.answering', answering })
    },
  }
  const record = (call: RecordedCall) => {
    calls.push(call)
    actor?.send({ type: `user.${call.method}`, args: call.args })
  }
  fake.handle = {
    get actor() {
      if (!actor) throw new Error('the fake conference was not created through its factory')
      return {
        getSnapshot: () => actor!.getSnapshot(),
        subscribe: (observer: (snapshot: unknown) => void) =>
          counted(actor!.subscribe(observer), (delta) => {
            open += delta
          }),
        on: (type: ConferenceFact['type'] | '*', handler: (event: ConferenceFact) => void) =>
          counted(actor!.on(type, handler), (delta) => {
            listening += delta
          }),
        start: () => actor!.start(),
        stop: () => {
          stopped = true
          return actor!.stop()
        },
      }
    },
    streams: streams.registry,
    // Tests that need a browser without getDisplayMedia flip this.
    capabilities: { screenShare: true },
    selectView: (snapshot: unknown) => (snapshot as { context: { view: ConferenceView } }).context.view,
    statusOf: (snapshot: unknown) => (snapshot as { context: { view: ConferenceView } }).context.view.status,
    answeringOffer: (snapshot: unknown) => (snapshot as { context: { answering: boolean } }).context.answering,
    preview: (media) => record({ method: 'preview', args: [media] }),
    join: (params) => record({ method: 'join', args: [params] }),
    leave: () => record({ method: 'leave', args: [] }),
    endRoom: () => record({ method: 'endRoom', args: [] }),
    muteParticipant: (clientId) => record({ method: 'muteParticipant', args: [clientId] }),
    removeParticipant: (clientId) => record({ method: 'removeParticipant', args: [clientId] }),
    sendChat: (text) => record({ method: 'sendChat', args: [text] }),
    readChat: () => record({ method: 'readChat', args: [] }),
    muteEveryone: () => record({ method: 'muteEveryone', args: [] }),
    setRoomLocked: (locked) => record({ method: 'setRoomLocked', args: [locked] }),
    answerKnock: (knockId, admit) => record({ method: 'answerKnock', args: [knockId, admit] }),
    admitEveryone: () => record({ method: 'admitEveryone', args: [] }),
    grantHost: (clientId) => record({ method: 'grantHost', args: [clientId] }),
    setMicrophone: (enabled) => record({ method: 'setMicrophone', args: [enabled] }),
    setCamera: (enabled) => record({ method: 'setCamera', args: [enabled] }),
    retry: () => record({ method: 'retry', args: [] }),
    // Kept apart from `calls`: every preview of an invited room watches it.
    watchRoom: (roomId) => fake.watched.push(roomId),
    leaveOnUnload: () => record({ method: 'leaveOnUnload', args: [] }),
    reportVideoSize: (trackId, width, height) => fake.videoSizes.push(`${trackId} ${width}x${height}`),
    setHand: (raised) => record({ method: 'setHand', args: [raised] }),
    react: (emoji) => record({ method: 'react', args: [emoji] }),
    setIncomingVideo: (mode) => record({ method: 'setIncomingVideo', args: [mode] }),
    selectDevice: (kind, deviceId) => record({ method: 'selectDevice', args: [kind, deviceId] }),
    reopenDevice: (kind) => record({ method: 'reopenDevice', args: [kind] }),
    startScreenShare: () => record({ method: 'startScreenShare', args: [] }),
    stopScreenShare: () => record({ method: 'stopScreenShare', args: [] }),
  }
  fake.factory = (options) => {
    fake.options = options
    fake.created += 1
    fake.e2ee = options.e2ee ? createFakeE2ee(options.e2ee.passphrase) : undefined
    if (fake.e2ee) fake.handle.e2ee = fake.e2ee
    else delete fake.handle.e2ee
    stopped = false
    const inspect = options.inspect
    actor = createActor(fakeConferenceMachine, {
      input: { view: makeView(initial) },
      ...(inspect ? { inspect: (event: InspectionEvent) => inspect(event) } : {}),
    })
    return fake.handle
  }
  return fake
}
