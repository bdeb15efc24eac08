// The presence region's I/O: our hand and reactions written to room metadata, one after another.
import { handMetaKey, reactionMetaKey, type Hand, type ReactionMeta } from '@parley/protocol'
import type { HubClient } from '../hubClient.js'
import { serialWorker } from './serialWorker.js'

export type PresenceRequest = { type: 'presence.hand'; hand: Hand } | { type: 'presence.reaction'; reaction: ReactionMeta }

export function presenceActors({ hub }: { hub: HubClient }) {
  return {
    /** A lost write costs only that hand or reaction (the next one writes again). */
    presenceRequests: serialWorker<PresenceRequest, { roomId: string; clientId: string }>(async (request, { input, signal }) => {
      const record =
        request.type === 'presence.hand' ? { [handMetaKey(input.clientId)]: request.hand } : { [reactionMetaKey(input.clientId)]: request.reaction }
      await hub.setMeta(input.roomId, record, signal)
    }),
  }
}

export type PresenceActors = ReturnType<typeof presenceActors>
