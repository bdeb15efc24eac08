// The pre-join's warm-up: the conference machine's `previewing.ready.peer` invokes it (as the pre-join's
// `peerSession`) to build the room's peer session ahead of the join. Bound to the conference's peer
// connection port and media holders by `warmUpActors(deps)`; the room's negotiation takes the session
// over (negotiationActors.ts `peerSession`, `prepared.take`).
import { fromCallback } from 'xstate'
import { messageOf } from '@parley/protocol'
import type { LocalMedia } from '../localMedia.js'
import type { Prepared, PreparedPeer } from '../preparedPeer.js'
import type { PeerShape } from '../peerSession.js'
import type { PeerConnectionConfig, PeerConnectionFactory } from '../ports.js'
import type { PeerSessionCommand } from './negotiationTypes.js'

export interface WarmUpDeps {
  peerConnection: PeerConnectionFactory
  peerConfig: PeerConnectionConfig
  local: LocalMedia
  /** Where the built session waits for the room (or is released). */
  prepared: PreparedPeer
  /** What the session offers beside the local tracks (peerSession.ts `PeerShape`). */
  shape?: PeerShape
}

/** What the pre-join's warm-up reports (its states in the conference's `previewing.ready.peer`). */
export type WarmUpEvent = { type: 'warmup.offerSet' } | { type: 'warmup.gathered' } | { type: 'warmup.failed'; message: string }

export function warmUpActors({ peerConnection, peerConfig, local, prepared, shape }: WarmUpDeps) {
  return {
    /**
     * The pre-join's warm-up: builds the room's peer session with the preview's tracks, makes and sets
     * its first offer and lets ICE gather, so that the join only registers and sends it. The session
     * is the holder's (`prepared`): stopping this actor leaves it there for the room to take, and
     * leaving, stopping the conference or new local media release it. A device switched meanwhile is
     * put on its sender here (this actor is the `peerSession` of the pre-join). Any failure is
     * `warmup.failed`: the room then builds its own session, as it always could.
     */
    warmUp: fromCallback<PeerSessionCommand, void, WarmUpEvent>(({ sendBack, receive }) => {
      let live = true
      const report = (event: WarmUpEvent) => {
        if (live) sendBack(event)
      }
      let held: Prepared
      try {
        held = prepared.build(() => peerConnection(peerConfig), local, { iceGathered: () => report({ type: 'warmup.gathered' }) }, shape)
      } catch (error) {
        // No peer connection here (WebRTC unavailable or disabled): the room will say so when it tries.
        void Promise.resolve().then(() => report({ type: 'warmup.failed', message: messageOf(error) }))
        return () => {
          live = false
        }
      }
      const failed = (error: unknown) => {
        prepared.release(held)
        report({ type: 'warmup.failed', message: messageOf(error) })
      }
      held.session.prepareOffer().then(() => report({ type: 'warmup.offerSet' }), failed)
      receive((command) => {
        if (command.type !== 'session.replaceTrack') return
        const track = local.tracks.find((candidate) => candidate.kind === command.kind)
        // A sender that refuses would send the old (stopped) track: the join builds afresh instead.
        if (track) held.session.replaceTrack(track).then((replaced) => (replaced ? undefined : failed(new Error(`no ${command.kind} sender`))), failed)
      })
      return () => {
        live = false
      }
    }),
  }
}

export type WarmUpActors = ReturnType<typeof warmUpActors>
