// How the app gets a conference: through a factory, so tests hand the store a fake one and only
// factory.ts knows the real `createConference` from @parley/core. The core's contract types are
// re-exported from here so the rest of the app imports them from one place.
import type { ConferenceHandle, ConferenceOptionsBase, PeerConnectionConfig, StreamRegistry } from '@parley/core'
/** The name the core gives a participant the hub named nobody: the one home of that fallback. */
export { GUEST_NAME, REACTIONS } from '@parley/core'
import type { InspectionEvent } from 'xstate'
import type { TraceCapture } from '@parley/core/trace'

export type {
  ActedBy,
  ChatEntryView,
  ChatView,
  HostView,
  ConferenceDelays,
  ConferenceEndedReason,
  ConferenceError,
  ConferenceErrorKind,
  ConferenceHandle,
  ConferenceStatus,
  ConferenceView,
  DeviceKind,
  DeviceNotice,
  DeviceOption,
  IncomingVideo,
  DevicesView,
  EndedReason,
  JoinParams,
  KnockAnswered,
  RoomCredentials,
  WaitingPerson,
  LocalMediaState,
  Participant,
  ParticipantEvent,
  Quality,
  QualityFigures,
  ConferenceFact,
  RemoteTrackInfo,
  RoomInfo,
  StreamRegistry,
} from '@parley/core'

/** The app never looks inside a snapshot itself: it reads `selectView(snapshot)`. `traceCapture` when it records (exported by `exportCapture`). */
export type AnyConferenceHandle = ConferenceHandle<unknown> & { traceCapture?: TraceCapture }

export interface ConferenceFactoryOptions extends ConferenceOptionsBase {
  /** XState's inspect observer, passed through to the conference actor (and its children). */
  inspect?: (event: InspectionEvent) => void
  /** ICE servers and transport policy from config.json, for every peer connection of the conference. */
  peerConnectionConfig?: PeerConnectionConfig
  /** config.json's `simulcast`: `true` sends the camera as simulcast layers (the core's `simulcast` option; the app's config turns it on unless told otherwise, lib/config.ts). */
  simulcast?: boolean
  /** config.json's `receiveSlots`: the core's receive slots per kind (lib/config.ts); absent, the core's default. */
  receiveSlots?: number
}

export type ConferenceFactory = (options: ConferenceFactoryOptions) => AnyConferenceHandle

/** The core's MediaStream port type, as the registry hands it out. */
export type MediaStreamLike = NonNullable<ReturnType<StreamRegistry['get']>>
export type MediaStreamTrackLike = ReturnType<MediaStreamLike['getTracks']>[number]
