// One peer connection speaking the hub's negotiation protocol (hub-api-v1.md §4). Two regions:
// `signaling` and `ice`. Signaling is either `free` (no offer/answer in flight) or
// `exchanging` (one is), and the glare rules are its transitions:
// - the first offer goes at once: the hub cannot offer before our peer connection exists, so there is
//   no lock to seek (one round trip less in the join);
// - a later local change seeks the hub's lock (isallownegotiate), then offers (PUT negotiate) and applies
//   the answer; a granted lock is ALWAYS followed by PUT negotiate, or by `failed` when the offer cannot
//   even be created (the hub's lock then times out, nothing else can release it);
// - "not now" waits for `allowed_renegotation` (with a fallback retry timer);
// - a hub offer while we are free is answered at once; one arriving while we seek the lock wins: we
//   answer it and seek the lock again afterwards (`then.offer`);
// - while an exchange is in flight, a hub offer is held and delivered again once it is done, and a
//   local change waits in `then` (what follows the exchange);
// - ICE failure asks the session for an ICE restart in the next offer (a local change), a bounded
//   number of times; after that it fails, once no exchange is in flight. Each answer applied while
//   restoring is followed, iceRecheck later, by a look at the connection's state: still `failed`
//   counts as a failed restart (a browser may never report it again).
// Our ICE candidates go to the hub as they are gathered, even before it has our first offer: both
// hubs queue them until they have a remote description (ours in werift-candidates.ts; inLive's sfu
// keeps pendingRemoteCandidates, hub-api-v1.md §9), so the hub's ICE checks start with the offer.
// The hub's candidates wait in the peer session until a remote description exists.
import { assign, enqueueActions, not, raise, sendParent, sendTo, setup, spawnChild, type AnyActorRef } from 'xstate'
import { messageOf, type IceCandidate } from '@parley/protocol'
import type { NegotiationActors } from './negotiationActors.js'
import { notProvided } from './notProvided.js'
import { resolutionHoldMachine } from './resolutionHoldMachine.js'
import { sendLayersMachine } from './sendLayersMachine.js'
import type { NegotiationContext, NegotiationEvent, NegotiationInput, NegotiationParentEvent, PeerSessionCommand } from './negotiationTypes.js'

export const LOCK_RETRY_MS = 3000
/** How long ICE may take to connect again after a restart before the restart counts as failed. */
export const ICE_RESTART_TIMEOUT_MS = 10_000
/**
 * How long after an answer applied during an ICE restart the connection may still say `failed`. Not at
 * once: Chromium leaves `failed` for `checking` a moment after the answer; Firefox may stay there for good.
 */
export const ICE_RECHECK_MS = 2_000
const ICE_FAILED = { message: 'ICE failed' }
const DTLS_FAILED = { message: 'DTLS failed on a working ICE path' }

/** The hub session's ids, as every hub request takes them. */
const ids = ({ context }: { context: NegotiationContext }) => ({ roomId: context.roomId, clientId: context.clientId })


export const negotiationMachine = setup({
  types: {} as { context: NegotiationContext; events: NegotiationEvent; input: NegotiationInput },
  actors: {
    peerSession: notProvided<NegotiationActors['peerSession']>('peerSession'),
    requestLock: notProvided<NegotiationActors['requestLock']>('requestLock'),
    sendOffer: notProvided<NegotiationActors['sendOffer']>('sendOffer'),
    sendAnswer: notProvided<NegotiationActors['sendAnswer']>('sendAnswer'),
    sendCandidates: notProvided<NegotiationActors['sendCandidates']>('sendCandidates'),
    resolutionHold: resolutionHoldMachine,
    sendLayers: sendLayersMachine,
  },
  delays: {
    lockRetry: LOCK_RETRY_MS,
    iceRestartTimeout: ICE_RESTART_TIMEOUT_MS,
    iceRecheck: ICE_RECHECK_MS,
    answerLeaving: 0,
  },
  guards: {
    isLockGranted: (_, granted: boolean) => granted,
    canRestartIce: ({ context }) => context.iceRestarts < context.maxIceRestarts,
  },
  actions: {
    countIceRestart: assign({ iceRestarts: ({ context }) => context.iceRestarts + 1 }),
    resetIceRestarts: assign({ iceRestarts: 0 }),
    restartIceInNextOffer: sendTo('peerSession', { type: 'session.restartIce' } satisfies PeerSessionCommand),
    recheckIce: sendTo('peerSession', { type: 'session.recheckIce' } satisfies PeerSessionCommand),
    createOffer: sendTo('peerSession', { type: 'session.createOffer' } satisfies PeerSessionCommand),
    acceptAnswer: sendTo('peerSession', (_, params: { sdp: string }): PeerSessionCommand => ({ type: 'session.acceptAnswer', sdp: params.sdp })),
    answerOffer: sendTo('peerSession', (_, params: { sdp: string }): PeerSessionCommand => ({ type: 'session.answerOffer', sdp: params.sdp })),
    storeLocalSdp: assign({ localSdp: (_, params: { sdp: string }) => params.sdp }),
    forgetLocalSdp: assign({ localSdp: null }),
    holdHubOffer: assign({ heldHubOfferSdp: (_, params: { sdp: string }) => params.sdp }),
    /** The held hub offer, once the exchange is over: answered like any other (or ignored in `failed`). */
    deliverHeldHubOffer: enqueueActions(({ context, enqueue }) => {
      enqueue.raise({ type: 'hub.offer', sdp: context.heldHubOfferSdp ?? '' })
      enqueue.assign({ heldHubOfferSdp: null })
    }),
    /** Only when there is a camera to hold: a session without one has no hold actor at all. */
    holdCameraResolution: spawnChild('resolutionHold', { id: 'resolutionHold', systemId: 'resolutionHold' }),
    watchCameraLayers: spawnChild('sendLayers', { id: 'sendLayers', systemId: 'sendLayers' }),
    /** A description may have turned the camera's layers on or off against the watch's state: it sets them again. */
    tellCameraLayers: enqueueActions(({ enqueue, system }) => {
      const layers = system.get('sendLayers') as AnyActorRef | undefined
      if (layers) enqueue.sendTo(layers, { type: 'peer.negotiated' })
    }),
    /** The hold counts its second from ICE's first connect; a session without a camera to hold has none. */
    tellResolutionHold: enqueueActions(({ enqueue, system }) => {
      const hold = system.get('resolutionHold') as AnyActorRef | undefined
      if (hold) enqueue.sendTo(hold, { type: 'peer.iceConnected' })
    }),
    sendLocalCandidate: sendTo('localCandidates', (_, params: { candidate: IceCandidate }) => ({ type: 'candidate.send' as const, candidate: params.candidate })),
    storeError: assign({ error: (_, params: { message: string }) => params.message }),
    /** `reason` is the peer session's message or an actor's error. */
    storeFailure: assign({ error: (_, params: { step: string; reason: unknown }) => `${params.step}${messageOf(params.reason)}` }),
    notifyConnected: sendParent({ type: 'negotiation.connected' } satisfies NegotiationParentEvent),
    notifyReconnecting: sendParent({ type: 'negotiation.reconnecting' } satisfies NegotiationParentEvent),
    notifyAnswering: sendParent({ type: 'negotiation.answering' } satisfies NegotiationParentEvent),
    notifyAnswered: sendParent({ type: 'negotiation.answered' } satisfies NegotiationParentEvent),
    notifyFailed: sendParent(({ context }): NegotiationParentEvent => ({ type: 'negotiation.failed', message: context.error ?? 'Negotiation failed' })),
  },
}).createMachine({
  id: 'negotiation',
  type: 'parallel',
  context: ({ input }) => ({
    roomId: input.roomId,
    clientId: input.clientId,
    maxIceRestarts: input.maxIceRestarts ?? 2,
    iceRestarts: 0,
    localSdp: null,
    heldHubOfferSdp: null,
    error: null,
  }),
  invoke: [
    {
      id: 'peerSession',
      systemId: 'peerSession',
      src: 'peerSession',
      // No peer connection (WebRTC unavailable or disabled): nothing can be negotiated.
      onError: { target: '.signaling.failed', actions: { type: 'storeFailure', params: ({ event }) => ({ step: '', reason: event.error }) } },
    },
    { id: 'localCandidates', src: 'sendCandidates', input: ids },
  ],
  on: {
    'peer.iceCandidate': { actions: { type: 'sendLocalCandidate', params: ({ event }) => event } },
    'peer.cameraSending': { actions: 'holdCameraResolution' },
    'peer.cameraLayers': { actions: 'watchCameraLayers' },
    'peer.negotiated': { actions: 'tellCameraLayers' },
  },
  states: {
    signaling: {
      // The first negotiation is always ours, and it needs no lock: the hub cannot offer before our peer
      // connection exists, and nothing else of ours is in flight (hub-api-v1.md §4; both hubs take an
      // offer from a client they are not offering to). One round trip less before the join's offer.
      initial: 'exchanging',
      states: {
        free: {
          initial: 'stable',
          entry: 'forgetLocalSdp',
          on: {
            'hub.offer': { target: 'exchanging.exchange.answering', actions: { type: 'answerOffer', params: ({ event }) => event } },
            'peer.iceFailed': { guard: not('canRestartIce'), target: 'failed', actions: { type: 'storeError', params: ICE_FAILED } },
          },
          states: {
            // (No word to the parent: nothing there changes when an exchange ends; a needless snapshot for every UI.)
            stable: {
              on: { 'negotiation.change': 'seekingLock' },
            },
            seekingLock: {
              tags: ['busy'],
              initial: 'requestingLock',
              on: {
                // Glare: the hub is offering, so it would deny the lock. Its offer first, then ours.
                'hub.offer': {
                  target: ['#negotiation.signaling.exchanging.exchange.answering', '#negotiation.signaling.exchanging.then.offer'],
                  actions: { type: 'answerOffer', params: ({ event }) => event },
                },
              },
              states: {
                requestingLock: {
                  invoke: {
                    id: 'requestLock',
                    src: 'requestLock',
                    input: ids,
                    onDone: [
                      { guard: { type: 'isLockGranted', params: ({ event }) => event.output }, target: '#negotiation.signaling.exchanging' },
                      { target: 'waitingForLock' },
                    ],
                    onError: 'waitingForLock',
                  },
                },
                waitingForLock: {
                  after: { lockRetry: 'requestingLock' },
                  on: { 'hub.allowedRenegotiation': 'requestingLock' },
                },
              },
            },
          },
        },
        exchanging: {
          type: 'parallel',
          states: {
            exchange: {
              initial: 'offering',
              states: {
                offering: {
                  // We hold the hub's lock from the grant until PUT negotiate.
                  tags: ['busy'],
                  initial: 'creatingOffer',
                  states: {
                    creatingOffer: {
                      entry: 'createOffer',
                      on: {
                        'peer.offer': { target: 'sendingOffer', actions: { type: 'storeLocalSdp', params: ({ event }) => event } },
                        // Holding the hub's lock (after the first offer) with no offer to send: failing (and
                        // leaving) frees it at once, where waiting would only let it time out at the hub.
                        'peer.error': {
                          target: '#negotiation.signaling.failed',
                          actions: { type: 'storeFailure', params: ({ event }) => ({ step: 'createOffer: ', reason: event.message }) },
                        },
                      },
                    },
                    sendingOffer: {
                      invoke: {
                        id: 'sendOffer',
                        src: 'sendOffer',
                        input: ({ context }) => ({ ...ids({ context }), sdp: context.localSdp ?? '' }),
                        onDone: { target: 'applyingAnswer', actions: { type: 'acceptAnswer', params: ({ event }) => ({ sdp: event.output }) } },
                        onError: { target: '#negotiation.signaling.failed', actions: { type: 'storeFailure', params: ({ event }) => ({ step: 'offer: ', reason: event.error }) } },
                      },
                    },
                    applyingAnswer: {
                      on: {
                        'peer.answerApplied': '#negotiation.signaling.exchanging.exchange.done',
                        'peer.error': { target: '#negotiation.signaling.failed', actions: { type: 'storeFailure', params: ({ event }) => ({ step: 'offer: ', reason: event.message }) } },
                      },
                    },
                  },
                },
                answering: {
                  tags: ['busy'],
                  initial: 'creatingAnswer',
                  states: {
                    creatingAnswer: {
                      // From the hub's offer to our answer on its way: the conference's `answering`, a UI may hold its render.
                      entry: 'notifyAnswering',
                      on: {
                        'peer.answer': { target: 'sendingAnswer', actions: { type: 'storeLocalSdp', params: ({ event }) => event } },
                        'peer.error': { target: '#negotiation.signaling.failed', actions: { type: 'storeFailure', params: ({ event }) => ({ step: 'answer: ', reason: event.message }) } },
                      },
                    },
                    sendingAnswer: {
                      // The parent is told once the PUT has left (one task after its fetch), not at its start (its
                      // macrostep and a UI's observers ran in front of the PUT: stop 37) nor when done (the hub answers
                      // after forwarding our first keyframe: a UI holding its render till then drew the video late: stop 38).
                      initial: 'leaving',
                      states: { leaving: { exit: 'notifyAnswered', after: { answerLeaving: 'onItsWay' } }, onItsWay: {} },
                      invoke: {
                        id: 'sendAnswer',
                        src: 'sendAnswer',
                        input: ({ context }) => ({ ...ids({ context }), sdp: context.localSdp ?? '' }),
                        onDone: '#negotiation.signaling.exchanging.exchange.done',
                        onError: { target: '#negotiation.signaling.failed', actions: { type: 'storeFailure', params: ({ event }) => ({ step: 'answer: ', reason: event.error }) } },
                      },
                    },
                  },
                },
                done: {
                  entry: raise({ type: 'exchange.done' }),
                },
              },
            },
            then: {
              // What follows the exchange in flight.
              initial: 'settle',
              on: {
                // ICE failed for good mid-exchange: give up only after it, so a held lock still saw PUT negotiate.
                'peer.iceFailed': { guard: not('canRestartIce'), target: '.giveUp' },
              },
              states: {
                settle: {
                  on: {
                    'negotiation.change': 'offer',
                    'exchange.done': '#negotiation.signaling.free.stable',
                  },
                },
                offer: {
                  on: { 'exchange.done': '#negotiation.signaling.free.seekingLock' },
                },
                giveUp: {
                  on: { 'exchange.done': { target: '#negotiation.signaling.failed', actions: { type: 'storeError', params: ICE_FAILED } } },
                },
              },
            },
            heldOffer: {
              initial: 'none',
              states: {
                none: {
                  on: { 'hub.offer': { target: 'held', actions: { type: 'holdHubOffer', params: ({ event }) => event } } },
                },
                held: {
                  exit: 'deliverHeldHubOffer',
                },
              },
            },
          },
        },
        failed: {
          entry: 'notifyFailed',
        },
      },
    },
    ice: {
      // After an ICE failure the connection must come back within iceRestartTimeout. A browser whose ICE
      // stays `failed` after the restart's answer (seen with Firefox) never reports it again, so the
      // restart then counts as failed too: the next one follows, or `failed` once they are used up.
      initial: 'watching',
      on: { 'peer.iceConnected': { target: '.watching', actions: ['resetIceRestarts', 'notifyConnected', 'tellResolutionHold'] } },
      states: {
        watching: {
          // An ICE restart is a local change whose offer restarts ICE (not drawn: it raises negotiation.change).
          on: {
            // DTLS failed with ICE up: no restart redoes it, only a new connection (the parent's recovery).
            'peer.dtlsFailed': { target: '#negotiation.signaling.failed', actions: { type: 'storeError', params: DTLS_FAILED } },
            'peer.iceFailed': {
              guard: 'canRestartIce',
              target: 'restoring',
              actions: ['countIceRestart', 'notifyReconnecting', 'restartIceInNextOffer', raise({ type: 'negotiation.change' })],
            },
            // Not waiting for ICE to fail (Chromium: video frozen 7.4 s against 0.8 s, network-change.spec.ts):
            // the restart gathers on the network there is now. Still connected, so not `reconnecting`.
            'network.changed': {
              guard: 'canRestartIce',
              target: 'restoring',
              actions: ['countIceRestart', 'restartIceInNextOffer', raise({ type: 'negotiation.change' })],
            },
          },
        },
        restoring: {
          // Failed again, or not back in time: watching decides once more (restart, or nothing left to try).
          on: { 'peer.iceFailed': { target: 'watching', actions: raise({ type: 'peer.iceFailed' }) } },
          after: { iceRestartTimeout: { target: 'watching', actions: raise({ type: 'peer.iceFailed' }) } },
          // Only the answer to an offer made after the restart was asked counts (one in flight does not restart ICE).
          initial: 'restarting',
          states: {
            restarting: {
              on: { 'peer.offer': 'offered' },
            },
            offered: {
              on: { 'peer.answerApplied': 'answered' },
            },
            answered: {
              // The session reports `failed` again if ICE is still there (peer.iceFailed above); the
              // answer to a later offer is looked at again.
              after: { iceRecheck: { target: 'restarting', actions: 'recheckIce' } },
            },
          },
        },
      },
    },
  },
})

export type NegotiationMachine = typeof negotiationMachine
