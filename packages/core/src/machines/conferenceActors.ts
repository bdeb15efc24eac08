// The conference machine's I/O: local media, the join requests, the participants' hub requests, the
// media-state publication and leaving. Bound to one conference's hub client and media holders by
// `conferenceActors(deps)`; the negotiation and events children bring their own (see conference.ts).
import { fromCallback, fromPromise } from 'xstate'
import { mediaStateMetaKey, type MediaState, type TrackSource } from '@parley/protocol'
import type { ConferenceError, DeviceKind, LocalMediaState, RoomInfo } from '../api.js'
import { HubError, type HostCredentials, type HubClient } from '../hubClient.js'
import type { LocalMedia } from '../localMedia.js'
import type { PreparedPeer } from '../preparedPeer.js'
import { acquireMedia } from '../media.js'
import type { BeaconLike, MediaDevicesLike, NetworkWatch } from '../ports.js'
import type { RemoteStreams } from '../remoteStreams.js'
import type { OpenedRoom } from './conferenceTypes.js'
import { serialWorker } from './serialWorker.js'

export interface ConferenceDeps {
  hub: HubClient
  local: LocalMedia
  remote: RemoteStreams
  devices: MediaDevicesLike
  beacon?: BeaconLike
  /** The device's network changes, where the platform tells them. */
  network?: NetworkWatch
  /** The pre-join's prepared peer session: released with the local media it was built for. */
  prepared: PreparedPeer
  /** Our media is end-to-end encrypted (the `e2ee` option): the media state we publish says so. */
  e2ee?: boolean
}

export interface SessionInput {
  roomId: string | null
  clientId: string | null
}

/** What the participants region asks of the hub, one request after another. */
export type HubRequest =
  | { type: 'request.setTrackSources'; sources: { track_id: string; source: TrackSource }[] }
  | { type: 'request.subscribe'; tracks: { client_id: string; stream_id: string; track_id: string }[] }
  | { type: 'request.mediaStates'; clientIds: string[] }

/** Who register made us: our client id and name, and on Parley's hub (host controls) the room pass. */
export interface RegisteredAs {
  clientId: string
  name: string
  pass?: string
}

/** What register is given: the room, our name, and what gets us into it while it is locked. */
export interface RegisterInput {
  roomId: string
  displayName: string
  hostKey?: string | null
  pass?: string | null
}

export interface AcquiredLocalMedia {
  streamId: string | null
  audio: boolean
  video: boolean
  error: ConferenceError | null
}

/** The real actor implementations for one conference. */
export function conferenceActors({ hub, local, remote, devices, beacon, network, prepared, e2ee }: ConferenceDeps) {
  /** The local media and the peer session prepared with it go together. */
  const releaseLocal = () => {
    prepared.release()
    local.release()
  }
  return {
    acquireLocalMedia: fromPromise<AcquiredLocalMedia, { audio: boolean; video: boolean; deviceIds?: Partial<Record<DeviceKind, string>> }>(async ({ input, signal }) => {
      releaseLocal()
      const acquired = await acquireMedia(devices, input)
      if (signal.aborted) {
        // Nobody waits for these any more (the user left or asked again): the camera must go off.
        for (const track of acquired.stream?.getTracks() ?? []) track.stop()
        throw new Error('Media acquisition was cancelled')
      }
      if (acquired.stream) local.set(acquired.stream)
      return { streamId: acquired.stream?.id ?? null, audio: acquired.audio, video: acquired.video, error: acquired.error }
    }),
    applyLocalMedia: fromPromise<void, LocalMediaState>(async ({ input }) => local.applyEnabled(input)),
    /** A room of ours: we create it, so we are its host; Parley's hub enforces that with a key (the hosted hub ignores the option). */
    createRoom: fromPromise<OpenedRoom, { roomName: string }>(async ({ input, signal }) => {
      const room = await hub.createRoom({ name: input.roomName, options: { parley: { host_controls: true } } }, signal)
      return { room: { id: room.id, name: room.name, options: room.options }, host: { created: true, key: room.host_key ?? null } }
    }),
    /** The room joined by id, after register: its name and options. */
    lookUpRoom: fromPromise<RoomInfo, { roomId: string }>(async ({ input, signal }) => {
      const room = await hub.getRoom(input.roomId, signal)
      return { id: room.id, name: room.name, ...(room.options ? { options: room.options } : {}) }
    }),
    /** With the room's host key (ours: we created it) or its pass (we were in), a locked room still lets us back in. */
    registerClient: fromPromise<RegisteredAs, RegisterInput>(async ({ input, signal }) => {
      const credentials = { ...(input.hostKey ? { hostKey: input.hostKey } : {}), ...(input.pass ? { pass: input.pass } : {}) }
      const client = await hub.register(input.roomId, input.displayName ? { name: input.displayName } : {}, signal, credentials)
      return { clientId: client.client_id, name: client.name || input.displayName, ...(client.parley_pass ? { pass: client.parley_pass } : {}) }
    }),
    /** The remote tracks' comings and goings (the peer session hands them to the remote streams holder). */
    watchRemoteTracks: fromCallback(({ sendBack }) => remote.watch(sendBack)),
    hubRequests: serialWorker<HubRequest, { roomId: string; clientId: string }>(async (request, { input, signal, sendBack }) => {
      // A lost request is retried by the next announcement; a gone client ends the session via the events channel.
      switch (request.type) {
        case 'request.setTrackSources':
          return hub.setTrackSources(input.roomId, input.clientId, request.sources, signal)
        case 'request.subscribe':
          return hub.subscribeTracks(input.roomId, input.clientId, request.tracks, signal)
        case 'request.mediaStates':
          for (const clientId of request.clientIds) {
            const key = mediaStateMetaKey(clientId)
            const value = await hub.getMeta(input.roomId, key, signal).catch(() => undefined)
            if (value !== undefined && !signal.aborted) sendBack({ type: 'hub.metaChanged', key, value })
          }
      }
    }),
    publishMediaState: fromPromise<void, { roomId: string; clientId: string; local: LocalMediaState; name: string; host?: boolean }>(async ({ input, signal }) => {
      local.applyEnabled(input.local)
      const state: MediaState = { audio: input.local.audioEnabled, video: input.local.videoEnabled, name: input.name, ...(input.host ? { host: true } : {}), ...(e2ee ? { e2ee } : {}) }
      await hub.setMeta(input.roomId, { [mediaStateMetaKey(input.clientId)]: state }, signal)
    }),
    endRoom: fromPromise<void, { roomId: string; host?: HostCredentials }>(async ({ input, signal }) => hub.endRoom(input.roomId, signal, input.host)),
    /** Releases local media (the room's peer connection went with the room session, a prepared one goes now), then tells the hub (best effort). */
    leaveRoom: fromPromise<void, SessionInput & { viaBeacon: boolean }>(async ({ input, signal }) => {
      releaseLocal()
      if (!input.roomId || !input.clientId) return
      if (input.viaBeacon && beacon) {
        beacon(hub.leaveUrl(input.roomId, input.clientId))
        return
      }
      await hub.deleteMeta(input.roomId, mediaStateMetaKey(input.clientId), signal).catch(() => undefined)
      await hub.leave(input.roomId, input.clientId, signal).catch((error: unknown) => {
        // Already gone is what we wanted.
        if (!(error instanceof HubError && error.kind === 'client-gone')) throw error
      })
    }),
    /** The device's network changes, as `network.changed` (nothing where the platform tells none). */
    watchNetwork: fromCallback(({ sendBack }) => network?.(() => sendBack({ type: 'network.changed' }))),
    /** Lives as long as the conference actor: whatever way it stops, the camera goes off (children close the rest). */
    releaseOnStop: fromCallback(() => () => releaseLocal()),
  }
}

export type ConferenceActors = ReturnType<typeof conferenceActors>
