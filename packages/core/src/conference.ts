// createConference: binds the ports, builds the per-conference hub client and media holders, provides
// the machines with their real actor implementations and returns the handle UIs use.
import { createActor, type Actor, type InspectionEvent, type SnapshotFrom } from 'xstate'
import type { ConferenceHandle, ConferenceOptionsBase, DeviceKind, JoinParams, StreamRegistry } from './api.js'
import { browserPorts } from './browser.js'
import { createHubClient, type HubClient } from './hubClient.js'
import { LocalMedia } from './localMedia.js'
import { conferenceActors } from './machines/conferenceActors.js'
import { conferenceMachine } from './machines/conferenceMachine.js'
import { eventsActors, eventsMachine } from './machines/eventsMachine.js'
import { chatActors } from './machines/chatActors.js'
import { chatMachine } from './machines/chatMachine.js'
import { DataChannels } from './dataChannels.js'
import { hostActors } from './machines/hostActors.js'
import { hostMachine } from './machines/hostMachine.js'
import { negotiationActors } from './machines/negotiationActors.js'
import { negotiationMachine } from './machines/negotiationMachine.js'
import { resolutionHoldActors } from './machines/resolutionHoldActors.js'
import { resolutionHoldMachine } from './machines/resolutionHoldMachine.js'
import { sendLayersActors } from './machines/sendLayersActors.js'
import { sendLayersMachine } from './machines/sendLayersMachine.js'
import { CameraSender } from './sendResolution.js'
import { presenceActors } from './machines/presenceActors.js'
import { warmUpActors } from './machines/warmUpActors.js'
import { statsActors } from './machines/statsActors.js'
import { statsMachine } from './machines/statsMachine.js'
import { reconnectActors, reconnectMachine } from './machines/reconnectMachine.js'
import { lobbyActors } from './machines/lobbyActors.js'
import type { PeerConnectionConfig, Ports } from './ports.js'
import { RemoteStreams } from './remoteStreams.js'
import { PeerStats } from './stats/peerStats.js'
import { PreparedPeer } from './preparedPeer.js'
import { CAMERA_LAYERS, RECEIVE_SLOTS, type PeerShape } from './peerSession.js'
import { screenShareActors } from './machines/screenShareActors.js'
import { screenShareMachine } from './machines/screenShareMachine.js'
import { devicesActors } from './machines/devicesActors.js'
import { devicesMachine } from './machines/devicesMachine.js'
import { ScreenMedia } from './screenMedia.js'
import { tabsActors } from './machines/tabsActors.js'
import { tabsMachine } from './machines/tabsMachine.js'
import { videoSizeActors } from './machines/videoSizeActors.js'
import { isIncomingVideo } from './machines/incomingVideo.js'
import { videoSizeMachine, type VideoSizeEvent } from './machines/videoSizeMachine.js'
import type { Trace } from './trace/format.js'
import type { TraceRecorderLike } from './trace/capture.js'
import { answeringOffer, selectView, statusOf } from './view.js'

export type ConferenceSnapshot = SnapshotFrom<typeof conferenceMachine>
export type ConferenceActor = Actor<typeof conferenceMachine>

/** The handle of api.ts, with the actor's full XState type and the hub client it uses. */
export interface Conference extends ConferenceHandle<ConferenceSnapshot> {
  readonly actor: ConferenceActor
  readonly hub: HubClient
  setHand(raised: boolean): void
  react(emoji: string): void
  watchRoom(roomId: string): void
  selectDevice(kind: DeviceKind, deviceId: string): void
  reopenDevice(kind: DeviceKind): void
  /** The call trace so far (`options.trace` records it); throws when the conference was created without a recorder. */
  exportTrace(): Trace
}

export interface ConferenceOptions extends ConferenceOptionsBase {
  /** Ports to use; anything missing comes from `browserPorts()` (read when createConference runs). */
  ports?: Partial<Ports>
  /** Receives XState inspection events (devtools, logging, tests). */
  inspect?: (event: InspectionEvent) => void
  /** ICE servers for the peer connection; none by default (the hub is reached directly). */
  iceServers?: PeerConnectionConfig['iceServers']
  /** Extra peer connection configuration, merged under `iceServers`. */
  peerConnectionConfig?: PeerConnectionConfig
  /** How often getStats is read (audio levels, quality); 1000 ms by default. */
  statsIntervalMs?: number
  /** Records a call trace (`createTraceRecorder()` from `@parley/core/trace`, or a `createTraceCapture()` exported by `exportCapture`): ports and actors, for `exportTrace()`. */
  trace?: TraceRecorderLike
  /**
   * `true` publishes the camera as three simulcast layers (`CAMERA_LAYERS`, peerSession.ts) for a hub
   * that forwards each subscriber the one it can carry. Off by default: only for a hub that negotiates
   * the RID extension (others refuse the offer or drop the stream: README, "Simulcast"), and a publisher
   * short of uplink splits it between its layers (measured worse through a lossy relay). The screen share
   * is always one stream.
   */
  simulcast?: boolean
  /**
   * Receive slots per kind in our first offer (`RECEIVE_SLOTS`, 3, by default; 0 to 16): how many of the
   * others' cameras and microphones our hub can put in its answer, so that they play as soon as DTLS is
   * up. The rest come by a hub offer; with 0, everyone's does (the path before slots). Each slot costs an
   * m-line, filled by the next person to join.
   */
  receiveSlots?: number
  /**
   * The app encrypts this conference's media end to end (`@parley/core/e2ee` wraps its peer connections): said
   * in our published media state (`e2ee`), so that another app without the key shows the others why it
   * cannot decode us (`Participant.encrypted`) rather than playing what it cannot decrypt.
   */
  encrypted?: boolean
}

/** `receiveSlots`, checked: a clear error at createConference rather than an offer no hub takes. */
function receiveSlotsOption(slots = RECEIVE_SLOTS): number {
  if (!(Number.isInteger(slots) && slots >= 0 && slots <= 16)) throw new RangeError(`receiveSlots must be an integer from 0 to 16, got ${slots}`)
  return slots
}

/** Fills missing ports from the browser only when some are missing, so Node callers never touch browser globals. */
function resolvePorts(partial: Partial<Ports> | undefined): Ports {
  const given = partial ?? {}
  const complete = given.fetch && given.eventSource && given.peerConnection && given.media && given.clock
  if (complete) return given as Ports
  return { ...browserPorts(), ...given }
}

/** One conference's media: the local stream, our screen and the remote ones (the peer connection is the negotiation's). */
export interface ConferenceMedia {
  local: LocalMedia
  remote: RemoteStreams
  /** The hub's data channels (chat); created by provideConference when not given. */
  channels?: DataChannels
  /** The peer connection's getStats, for the stats machine (attached by the peer session). */
  stats: PeerStats
  screen: ScreenMedia
  /** The peer session the pre-join prepares for the room; created by provideConference when not given. */
  prepared?: PreparedPeer
}

/** The stream registry UIs read: the local stream and every remote one, by stream id. */
function streamRegistry({ local, remote, screen }: ConferenceMedia): StreamRegistry {
  return {
    get: (streamId) => local.get(streamId) ?? screen.get(streamId) ?? remote.get(streamId),
    remoteIds: () => remote.ids(),
    subscribe: (listener) => {
      const stops = [local.subscribe(listener), screen.subscribe(listener), remote.subscribe(listener)]
      return () => stops.forEach((stop) => stop())
    },
  }
}

/** The conference machine with every implementation bound to these ports and media holders. */
export function provideConference(options: ConferenceOptions, ports: Ports, media: ConferenceMedia) {
  const hub = createHubClient({ ...options.hub, fetch: ports.fetch })
  const peerConfig: PeerConnectionConfig = {
    ...options.peerConnectionConfig,
    iceServers: options.iceServers ?? options.peerConnectionConfig?.iceServers ?? [],
  }
  const channels = media.channels ?? new DataChannels()
  const prepared = media.prepared ?? new PreparedPeer()
  const { connectDeadline, iceRecheck, reconnectDeadline } = options.delays ?? {}
  const camera = new CameraSender()
  const shape: PeerShape = { cameraLayers: options.simulcast === true ? CAMERA_LAYERS : undefined, receiveSlots: receiveSlotsOption(options.receiveSlots) }
  const negotiation = negotiationMachine.provide({
    actors: {
      ...negotiationActors({ hub, peerConnection: ports.peerConnection, peerConfig, ...media, channels, prepared, camera, shape }),
      resolutionHold: resolutionHoldMachine.provide({ actors: resolutionHoldActors({ camera }) }),
      sendLayers: sendLayersMachine.provide({ actors: sendLayersActors({ camera, peerStats: media.stats, rids: CAMERA_LAYERS.map(({ rid }) => rid!), channels }) }),
    },
    ...(iceRecheck !== undefined ? { delays: { iceRecheck } } : {}),
  })
  const screenShare = screenShareMachine.provide({ actors: screenShareActors({ devices: ports.media, screen: media.screen }) })
  const events = eventsMachine.provide({ actors: eventsActors({ hub, eventSource: ports.eventSource }) })
  const stats = statsMachine.provide({
    actors: statsActors({ peerStats: media.stats, clock: ports.clock }),
    ...(options.statsIntervalMs !== undefined ? { delays: { statsInterval: options.statsIntervalMs } } : {}),
  })
  const actors = conferenceActors({ hub, local: media.local, remote: media.remote, devices: ports.media, prepared, beacon: ports.beacon, network: ports.network, e2ee: options.encrypted === true })
  const reconnect = reconnectMachine.provide({
    actors: { ...reconnectActors(hub), registerClient: actors.registerClient },
    ...(reconnectDeadline !== undefined ? { delays: { reconnectDeadline } } : {}),
  })
  const machine = conferenceMachine.provide({
    actors: {
      ...actors,
      ...warmUpActors({ peerConnection: ports.peerConnection, peerConfig, local: media.local, prepared, shape }),
      ...presenceActors({ hub }),
      ...lobbyActors({ hub, eventSource: ports.eventSource }),
      negotiation,
      events,
      reconnect,
      stats,
      host: hostMachine.provide({ actors: hostActors({ hub }) }),
      chat: chatMachine.provide({ actors: chatActors({ hub, channels, clock: ports.clock }) }),
      screenShare,
      tabs: tabsMachine.provide({ actors: tabsActors(ports.tabs), guards: { hasChannel: () => ports.tabs !== undefined } }),
      devices: devicesMachine.provide({ actors: devicesActors({ devices: ports.media, local: media.local }) }),
      videoSize: videoSizeMachine.provide({ actors: videoSizeActors(channels) }),
    },
    ...(connectDeadline !== undefined ? { delays: { connectDeadline } } : {}),
  })
  return { machine, hub }
}

/** A random id for this tab among the browser's tabs (only compared when two of them join one room at once). */
const newTabId = (): string => Math.random().toString(36).slice(2)

export function createConference(options: ConferenceOptions): Conference {
  const recorder = options.trace
  const given = resolvePorts(options.ports)
  const ports = recorder ? recorder.ports(given, { baseUrl: options.hub.baseUrl }) : given
  const media: ConferenceMedia = { local: new LocalMedia(), remote: new RemoteStreams(), stats: new PeerStats(), screen: new ScreenMedia() }
  const { machine, hub } = provideConference(options, ports, media)
  const inspect = recorder && options.inspect
    ? (event: InspectionEvent) => {
        recorder.inspect(event)
        options.inspect?.(event)
      }
    : (recorder?.inspect ?? options.inspect)
  const actor = createActor(machine, {
    clock: ports.clock,
    // Compared only when two tabs join one room at once; none where there are no tabs (Node, traces).
    input: { tabId: ports.tabs ? newTabId() : '' },
    ...(inspect ? { inspect } : {}),
  })

  return {
    actor,
    hub,
    streams: streamRegistry(media),
    capabilities: { screenShare: typeof ports.media.getDisplayMedia === 'function' },
    selectView,
    statusOf: (snapshot) => statusOf(snapshot.value),
    answeringOffer,
    preview: (devices) => actor.send({ type: 'user.preview', media: { audio: devices.audio, video: devices.video } }),
    join: (params: JoinParams) => actor.send({ type: 'user.join', params }),
    leave: () => actor.send({ type: 'user.leave' }),
    endRoom: () => actor.send({ type: 'user.endRoom' }),
    muteParticipant: (clientId) => actor.send({ type: 'user.muteParticipant', clientId }),
    removeParticipant: (clientId) => actor.send({ type: 'user.removeParticipant', clientId }),
    muteEveryone: () => actor.send({ type: 'user.muteEveryone' }),
    setRoomLocked: (locked) => actor.send({ type: 'user.setRoomLocked', locked }),
    answerKnock: (knockId, admit) => actor.send({ type: 'user.answerKnock', knockId, admit }),
    admitEveryone: () => actor.send({ type: 'user.admitEveryone' }),
    grantHost: (clientId) => actor.send({ type: 'user.grantHost', clientId }),
    sendChat: (text) => actor.send({ type: 'user.sendChat', text, at: ports.clock.now() }),
    readChat: () => actor.send({ type: 'user.readChat' }),
    setMicrophone: (enabled) => actor.send({ type: 'user.setMicrophone', enabled }),
    setCamera: (enabled) => actor.send({ type: 'user.setCamera', enabled }),
    // Addressed to the screen-share actor, which lives only in the room (before, these do nothing).
    startScreenShare: () => actor.system.get('screenShare')?.send({ type: 'user.startScreenShare' }),
    stopScreenShare: () => actor.system.get('screenShare')?.send({ type: 'user.stopScreenShare' }),
    selectDevice: (kind, deviceId) => actor.send({ type: 'user.selectDevice', kind, deviceId }),
    reopenDevice: (kind) => actor.send({ type: 'user.reopenDevice', kind }),
    retry: () => actor.send({ type: 'user.retry' }),
    watchRoom: (roomId) => actor.send({ type: 'user.watchRoom', roomId }),
    setHand: (raised) => actor.send({ type: 'user.setHand', raised }),
    react: (emoji) => actor.send({ type: 'user.react', emoji }),
    reportVideoSize: (trackId, width, height) => actor.system.get('videoSize')?.send({ type: 'video.resized', trackId, width, height } satisfies VideoSizeEvent),
    setIncomingVideo: (mode) => {
      if (isIncomingVideo(mode)) actor.system.get('videoSize')?.send({ type: 'user.setIncomingVideo', mode } satisfies VideoSizeEvent)
    },
    // For `pagehide`: the beacon survives the page; everything local is released at once.
    leaveOnUnload: () => actor.send({ type: 'user.leave', viaBeacon: true }),
    exportTrace: () => {
      // A createTraceCapture() has no export of its own: exportCapture(capture) assembles its file.
      if (!recorder?.export) throw new Error('exportTrace: this conference records no trace; pass createConference({ trace: createTraceRecorder() })')
      return recorder.export()
    },
  }
}
