// The camera's resolution, held for the first second of sending (why, and the figures: sendResolution.ts).
// The negotiation spawns it (systemId `resolutionHold`) when its peer session sends our camera on a
// sender that has parameters; the negotiation passes it its peer session's word that ICE connected. For its whole life it
// invokes `senderPreference`, which asks the sender to hold its resolution at once. `holding` waits
// for ICE to connect, then for the named delay `resolutionHold` (1 s, counted from the first connect: a
// later one, e.g. after an ICE restart, counts nothing); `released` asks the sender for its own
// preference back. Stopping it (the negotiation stops with the room session) cancels the delay: nothing
// is released after a leave.
import { sendTo, setup } from 'xstate'
import type { PeerSessionEvent } from '../peerSession.js'
import { RESOLUTION_HOLD_MS } from '../sendResolution.js'
import type { ResolutionHoldActors, SenderPreferenceCommand } from './resolutionHoldActors.js'
import { notProvided } from './notProvided.js'

export type ResolutionHoldEvent = Extract<PeerSessionEvent, { type: 'peer.iceConnected' }>

export const resolutionHoldMachine = setup({
  types: {} as { events: ResolutionHoldEvent },
  actors: {
    senderPreference: notProvided<ResolutionHoldActors['senderPreference']>('senderPreference'),
  },
  delays: {
    resolutionHold: RESOLUTION_HOLD_MS,
  },
  actions: {
    releaseResolution: sendTo('senderPreference', { type: 'hold.release' } satisfies SenderPreferenceCommand),
  },
}).createMachine({
  id: 'resolutionHold',
  invoke: { id: 'senderPreference', src: 'senderPreference' },
  initial: 'holding',
  states: {
    holding: {
      initial: 'waiting',
      states: {
        waiting: {
          on: { 'peer.iceConnected': 'connected' },
        },
        connected: {
          after: { resolutionHold: '#resolutionHold.released' },
        },
      },
    },
    // Not final: the actor stays, and the devtools show it released, as long as the peer session.
    released: {
      entry: 'releaseResolution',
    },
  },
})

export type ResolutionHoldMachine = typeof resolutionHoldMachine
