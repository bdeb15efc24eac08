// How the app gets a conference: through a factory, so tests hand the store a fake one and only
// factory.ts knows the real `createConference` from @parley/core. The core's contract types are
// re-exported from here so the rest of the app imports them from one place.
import type { ConferenceHandle, ConferenceOptionsBase, PeerConnectionConfig, StreamRegistry } from '@parley/core'
/** The name the core gives a participant the hub named nobody: the one home of that fallback. */
export { GUEST_NAME, REACTIONS } from '@parley/core'
import type { InspectionEvent } from 'xstate'
import type { TraceCapture } from '@parley/core/trace'
import type { E2eeStatus } from '@parley/core/e2ee'
import type { CameraEffect } from '../lib/cameraEffect'

export type { E2eeStatus, E2eeStreamState } from '@parley/core/e2ee'

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

/** What the app reads of a call's end-to-end encryption (the core's `createE2ee`, @parley/core/e2ee). */
export interface E2eeHandle {
  status(): E2eeStatus
  subscribe(listener: (status: E2eeStatus) => void): () => void
  /** The code people compare aloud: the same for everyone holding the same key. Derived at the first call (PBKDF2), then that same promise. */
  safetyCode(): Promise<string>
  /** Ends its worker: after the conference stopped. */
  close(): void
}

/**
 * The app never looks inside a snapshot itself: it reads `selectView(snapshot)`. `traceCapture` when it records
 * (exported by `exportCapture`); `e2ee` when the call's media is end-to-end encrypted.
 */
export type AnyConferenceHandle = ConferenceHandle<unknown> & { traceCapture?: TraceCapture; e2ee?: E2eeHandle }

export interface ConferenceFactoryOptions extends ConferenceOptionsBase {
  /** XState's inspect observer, passed through to the conference actor (and its children). */
  inspect?: (event: InspectionEvent) => void
  /** ICE servers and transport policy from config.json, for every peer connection of the conference. */
  peerConnectionConfig?: PeerConnectionConfig
  /** config.json's `simulcast`: `true` sends the camera as simulcast layers (the core's `simulcast` option; the app's config turns it on unless told otherwise, lib/config.ts). */
  simulcast?: boolean
  /** config.json's `receiveSlots`: the core's receive slots per kind (lib/config.ts); absent, the core's default. */
  receiveSlots?: number
  /** The key from the address's fragment (lib/e2eeKey.ts): every frame sent and received is encrypted with it. */
  e2ee?: { passphrase: string }
  /** Background blur (stores/blur.ts): wrapped round the camera the core opens (lib/cameraEffect.ts). */
  cameraEffect?: CameraEffect
}

export type ConferenceFactory = (options: ConferenceFactoryOptions) => AnyConferenceHandle

/** The core's MediaStream port type, as the registry hands it out. */
export type MediaStreamLike = NonNullable<ReturnType<StreamRegistry['get']>>
export type MediaStreamTrackLike = ReturnType<MediaStreamLike['getTracks']>[number]
