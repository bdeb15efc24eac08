// Our screen share, one at a time: idle → requesting (the browser's picker) → sharing → stopping → idle.
// Sharing publishes the screen as its own stream: the peer session (systemId `peerSession`) adds its
// tracks and the negotiation (systemId `negotiation`) is asked for one renegotiation, which its
// statechart serialises with whatever exchange is in flight. Stopping, by our button or by the
// browser's own "Stop sharing" (the track's `ended`), removes the tracks and renegotiates once more.
// A cancelled or refused picker is a non-fatal error in context; the call goes on.
import { assign, enqueueActions, sendParent, setup } from 'xstate'
import type { ScreenShareError } from '../api.js'
import type { PeerSessionCommand } from './negotiationTypes.js'
import { notProvided } from './notProvided.js'
import type { ScreenShareActors } from './screenShareActors.js'

export interface ScreenShareContext {
  /** The published screen stream's id (the stream registry's key), while one is held. */
  streamId: string | null
  /** Why the last request did not become a share. */
  error: ScreenShareError | null
}

export type ScreenShareEvent =
  | { type: 'user.startScreenShare' }
  | { type: 'user.stopScreenShare' }
  /** The capture ended outside our control (the browser's "Stop sharing", the shared window closed). */
  | { type: 'screen.ended' }

/** What the screen share tells its parent (the conference): which of our streams is the screen. */
export type ScreenShareParentEvent = { type: 'screen.published'; streamId: string } | { type: 'screen.unpublished' }

export const screenShareMachine = setup({
  types: {} as { context: ScreenShareContext; events: ScreenShareEvent },
  actors: {
    requestScreen: notProvided<ScreenShareActors['requestScreen']>('requestScreen'),
    watchScreen: notProvided<ScreenShareActors['watchScreen']>('watchScreen'),
    releaseScreen: notProvided<ScreenShareActors['releaseScreen']>('releaseScreen'),
    releaseOnStop: notProvided<ScreenShareActors['releaseOnStop']>('releaseOnStop'),
  },
  actions: {
    clearError: assign({ error: null }),
    storeStream: assign({ streamId: (_, streamId: string) => streamId, error: null }),
    forgetStream: assign({ streamId: null }),
    storeError: assign({ error: (_, error: ScreenShareError) => error }),
    /** Tells the parent first, so our tracks are labelled `screen` once the hub announces them. */
    notifyPublished: sendParent(({ context }): ScreenShareParentEvent => ({ type: 'screen.published', streamId: context.streamId ?? '' })),
    notifyUnpublished: sendParent({ type: 'screen.unpublished' } satisfies ScreenShareParentEvent),
    /** The peer session changes its transceivers, then the negotiation makes exactly one new offer. */
    renegotiate: enqueueActions(({ system, enqueue }, command: PeerSessionCommand) => {
      const peerSession = system.get('peerSession')
      const negotiation = system.get('negotiation')
      if (peerSession) enqueue.sendTo(peerSession, command)
      if (negotiation) enqueue.sendTo(negotiation, { type: 'negotiation.change' })
    }),
  },
}).createMachine({
  id: 'screenShare',
  context: { streamId: null, error: null },
  // Whatever way this actor stops (leave, failure), the capture stops with it.
  invoke: { id: 'releaseOnStop', src: 'releaseOnStop' },
  initial: 'idle',
  states: {
    idle: {
      on: { 'user.startScreenShare': { target: 'requesting', actions: 'clearError' } },
    },
    requesting: {
      // The picker is open; stopping now cancels the request (a stream that still arrives is stopped).
      tags: ['busy'],
      on: { 'user.stopScreenShare': 'idle' },
      invoke: {
        id: 'requestScreen',
        src: 'requestScreen',
        onDone: { target: 'sharing', actions: { type: 'storeStream', params: ({ event }) => event.output.streamId } },
        onError: { target: 'idle', actions: { type: 'storeError', params: ({ event }) => event.error as ScreenShareError } },
      },
    },
    sharing: {
      entry: ['notifyPublished', { type: 'renegotiate', params: { type: 'session.publishScreen' } }],
      invoke: { id: 'watchScreen', src: 'watchScreen' },
      on: {
        'user.stopScreenShare': 'stopping',
        'screen.ended': 'stopping',
      },
    },
    stopping: {
      entry: [{ type: 'renegotiate', params: { type: 'session.unpublishScreen' } }, 'notifyUnpublished'],
      invoke: {
        id: 'releaseScreen',
        src: 'releaseScreen',
        // Stopping tracks cannot fail: there is no error path to model.
        onDone: { target: 'idle', actions: 'forgetStream' },
      },
    },
  },
})

export type ScreenShareMachine = typeof screenShareMachine
