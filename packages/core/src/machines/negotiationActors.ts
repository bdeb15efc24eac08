// The negotiation machine's I/O: the peer session (owner of the peer connection) and the hub's
// negotiation routes. Bound to one conference's ports and media holders by `negotiationActors(deps)`.
import { fromCallback, fromPromise } from 'xstate'
import { messageOf, type IceCandidate } from '@parley/protocol'
import type { HubClient } from '../hubClient.js'
import type { LocalMedia } from '../localMedia.js'
import { PeerSession, type PeerSessionReports, type PeerShape } from '../peerSession.js'
import type { PreparedPeer } from '../preparedPeer.js'
import type { PeerConnectionConfig, PeerConnectionFactory } from '../ports.js'
import type { CameraSender } from '../sendResolution.js'
import type { DataChannels } from '../dataChannels.js'
import type { RemoteStreams } from '../remoteStreams.js'
import type { PeerStats } from '../stats/peerStats.js'
import type { ScreenMedia } from '../screenMedia.js'
import type { NegotiationEvent, PeerSessionCommand } from './negotiationTypes.js'
import { serialWorker } from './serialWorker.js'

export interface NegotiationDeps {
  hub: HubClient
  peerConnection: PeerConnectionFactory
  peerConfig: PeerConnectionConfig
  local: LocalMedia
  remote: RemoteStreams
  /** The hub's data channels go here (chat); optional for callers that use none. */
  channels?: DataChannels
  /** The stats actor reads getStats here while the peer connection lives. */
  stats: PeerStats
  screen: ScreenMedia
  /** The peer session the pre-join's warm-up built; the room's peer session takes it over. */
  prepared: PreparedPeer
  /** Where the peer session puts its camera's sender for the resolution hold (resolutionHoldMachine.ts); without one nothing is held. */
  camera?: CameraSender
  /** What the session offers beside the local tracks (peerSession.ts `PeerShape`). */
  shape?: PeerShape
}

export interface PeerInput {
  roomId: string
  clientId: string
}

/** The real actor implementations, bound to a hub client, the ports and the conference's media holders. */
export function negotiationActors({ hub, peerConnection, peerConfig, local, remote, channels, stats, screen, prepared, camera, shape }: NegotiationDeps) {
  return {
    /**
     * Creates the peer connection with the local tracks and owns it until stopped. Commands come in as
     * events; each pc step reports back as one (`peer.offer`, `peer.answer`, `peer.answerApplied`,
     * `peer.error`), and so does what the connection does (ICE candidates and states). Remote tracks
     * go to the remote streams holder. A camera whose resolution can be held is attached to `camera`
     * and reported (`peer.cameraSending`: the negotiation spawns the resolution hold, and with layers
     * `peer.cameraLayers`: it spawns their watch, sendLayersMachine.ts); both hear through the negotiation, never
     * by systemId from here (a trace's replay takes an event sent from outside a machine for an input): the hold
     * when ICE connects, the watch at each complete offer/answer exchange (`peer.negotiated`, with layers only).
     */
    peerSession: fromCallback<PeerSessionCommand>(({ sendBack, receive }) => {
      /** The session sends our camera as layers, watched (set below, once the session exists). */
      let layered = false
      const reports: PeerSessionReports = {
        event: sendBack,
        track: (track, stream) => remote.add(track, stream),
        dataChannel: (channel) => channels?.add(channel),
        // Without layers, nothing to tell.
        negotiated: () => layered && sendBack({ type: 'peer.negotiated' } satisfies NegotiationEvent),
      }
      // The pre-join's prepared session when it still fits the local media (its held candidates follow at once).
      const adopted = prepared.take(local)
      adopted?.relay.bind(reports)
      const pc = adopted?.pc ?? peerConnection(peerConfig)
      const session = adopted?.session ?? new PeerSession(pc, local, reports, shape)
      const detachStats = stats.attach(pc)
      const detachCamera = camera && session.camera ? camera.attach(session.camera) : undefined
      if (detachCamera) sendBack({ type: 'peer.cameraSending' } satisfies NegotiationEvent)
      layered = Boolean(detachCamera && session.layered)
      if (layered) sendBack({ type: 'peer.cameraLayers' } satisfies NegotiationEvent)
      /** One pc step; `after` runs once its outcome was reported (and what that starts, e.g. the answer's PUT, is under way). */
      const step = (run: () => Promise<NegotiationEvent>, after?: () => void) => {
        run()
          .then(sendBack, (error: unknown) => sendBack({ type: 'peer.error', message: messageOf(error) } satisfies NegotiationEvent))
          .finally(after)
      }
      receive((command) => {
        switch (command.type) {
          case 'session.createOffer': {
            // The warm-up's offer, already set, is reported at once: the join's PUT then leaves in the task
            // that entered the room, before what that task scheduled (a UI's render of the new state).
            const ready = session.takeReadyOffer()
            if (ready !== null) return sendBack({ type: 'peer.offer', sdp: ready } satisfies NegotiationEvent)
            return step(async () => ({ type: 'peer.offer', sdp: await session.createOffer() }))
          }
          case 'session.acceptAnswer':
            return step(async () => {
              await session.acceptAnswer(command.sdp)
              return { type: 'peer.answerApplied' }
            })
          case 'session.answerOffer':
            // The answer goes to the hub first; the new tracks' tiles after.
            return step(
              async () => ({ type: 'peer.answer', sdp: await session.answer(command.sdp) }),
              () => session.deliverHeldTracks(),
            )
          case 'session.restartIce':
            return session.restartIce()
          case 'session.recheckIce':
            return session.recheckIce()
          case 'session.publishScreen':
            return screen.stream ? session.publishScreen(screen.stream) : undefined
          case 'session.unpublishScreen':
            return session.unpublishScreen()
          case 'session.replaceTrack': {
            const track = local.tracks.find((candidate) => candidate.kind === command.kind)
            // A sender that refuses keeps the old (stopped) track: the devices machine's watch sees it ended.
            return track ? void session.replaceTrack(track).catch(() => undefined) : undefined
          }
          case 'hub.candidate':
            return session.addRemoteCandidate(command.candidate)
        }
      })
      return () => {
        detachStats()
        detachCamera?.()
        session.close()
        // The channels were the connection's: forget them with it.
        channels?.clear()
        remote.clear()
      }
    }),
    requestLock: fromPromise<boolean, PeerInput>(({ input, signal }) => hub.isAllowNegotiate(input.roomId, input.clientId, signal)),
    /** PUT negotiate with our offer; resolves with the hub's answer. */
    sendOffer: fromPromise<string, PeerInput & { sdp: string }>(async ({ input, signal }) => {
      const answer = await hub.negotiate(input.roomId, input.clientId, { type: 'offer', sdp: input.sdp }, signal)
      if (!answer) throw new Error('The hub answered our offer without an answer')
      return answer.sdp
    }),
    sendAnswer: fromPromise<void, PeerInput & { sdp: string }>(async ({ input, signal }) => {
      await hub.negotiate(input.roomId, input.clientId, { type: 'answer', sdp: input.sdp }, signal)
    }),
    /** POSTs our ICE candidates in order; a lost one only costs one path (ICE failure is handled by restarts). */
    sendCandidates: serialWorker<{ type: 'candidate.send'; candidate: IceCandidate }, PeerInput>((job, { input, signal }) =>
      hub.candidate(input.roomId, input.clientId, job.candidate, signal),
    ),
  }
}

export type NegotiationActors = ReturnType<typeof negotiationActors>
