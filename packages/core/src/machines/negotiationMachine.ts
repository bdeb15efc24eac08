// One peer connection speaking the hub's negotiation protocol (hub-api-v1.md §4):
// - a local change asks the hub for the lock (isallownegotiate), then offers (PUT negotiate) and
//   applies the answer; a granted lock is ALWAYS followed by PUT negotiate, or by `failed` when the
//   offer cannot even be created (then the hub's lock times out — nothing else can release it);
// - "not now" waits for `allowed_renegotation` (with a fallback retry timer);
// - a hub offer is answered; one arriving while we wait for the lock is served first and the local
//   change is queued (region `pending`); one arriving while we hold the lock is held (region
//   `hubOffer`) and served right after;
// - remote candidates wait in context until a remote description exists (region `candidates`);
// - ICE failure restarts ICE through the same lock, a bounded number of times.
import { and, assign, enqueueActions, fromCallback, fromPromise, not, or, raise, sendParent, sendTo, setup, stateIn } from 'xstate'
import type { IceCandidate } from '@parley/protocol'
import { errorText, type HubClient } from '../hubClient.js'
import type { MediaRegistry } from '../registry.js'
import type { IceCandidateInitLike } from '../ports.js'
import { notProvided } from './notProvided.js'

export interface NegotiationInput {
  roomId: string
  clientId: string
  /** ICE restarts tried before giving up (default 2). */
  maxIceRestarts?: number
}

export type OfferKind = 'change' | 'iceRestart'

export interface NegotiationContext {
  roomId: string
  clientId: string
  maxIceRestarts: number
  iceRestarts: number
  /** What the lock being requested (or held) is for. */
  offerKind: OfferKind
  /** The local offer created under the lock, until the hub answers it. */
  localOfferSdp: string | null
  /** The hub offer being answered. */
  hubOfferSdp: string | null
  /** A hub offer that arrived while we held the lock; answered next (region hubOffer = held). */
  heldHubOfferSdp: string | null
  /** Remote candidates not yet applied (plain JSON). */
  remoteCandidates: IceCandidate[]
  /** How many of `remoteCandidates` the running apply step took. */
  applyingCandidates: number
  error: string | null
}

export type NegotiationEvent =
  | { type: 'negotiation.change' }
  | { type: 'hub.offer'; sdp: string }
  | { type: 'hub.candidate'; candidate: IceCandidate }
  | { type: 'hub.allowedRenegotiation' }
  | { type: 'peer.iceCandidate'; candidate: IceCandidate }
  | { type: 'peer.iceFailed' }
  | { type: 'peer.iceConnected' }
  | { type: 'hubOffer.taken' }
  /** Raised once an offer/answer exchange set the remote description: buffered candidates may go in. */
  | { type: 'remoteDescription.applied' }

/** What the negotiation machine tells its parent (the conference). */
export type NegotiationParentEvent =
  | { type: 'negotiation.connected' }
  | { type: 'negotiation.reconnecting' }
  | { type: 'negotiation.stable' }
  | { type: 'negotiation.failed'; message: string }

export interface NegotiationDeps {
  hub: HubClient
  media: MediaRegistry
}

export interface PeerInput {
  roomId: string
  clientId: string
}

/** The real actor implementations, bound to a hub client and the conference's media registry. */
export function negotiationActors({ hub, media }: NegotiationDeps) {
  return {
    requestLock: fromPromise<boolean, PeerInput>(({ input, signal }) => hub.isAllowNegotiate(input.roomId, input.clientId, signal)),
    createOffer: fromPromise<{ sdp: string }, { iceRestart: boolean }>(async ({ input }) => {
      const pc = media.requirePeer()
      const offer = await pc.createOffer(input.iceRestart ? { iceRestart: true } : undefined)
      await pc.setLocalDescription(offer)
      const sdp = pc.localDescription?.sdp ?? offer.sdp
      if (!sdp) throw new Error('createOffer produced no SDP')
      return { sdp }
    }),
    sendOffer: fromPromise<void, PeerInput & { sdp: string }>(async ({ input, signal }) => {
      const answer = await hub.negotiate(input.roomId, input.clientId, { type: 'offer', sdp: input.sdp }, signal)
      if (!answer) throw new Error('The hub answered our offer without an answer')
      if (signal.aborted) return
      await media.requirePeer().setRemoteDescription(answer)
    }),
    answerOffer: fromPromise<void, PeerInput & { sdp: string }>(async ({ input, signal }) => {
      const pc = media.requirePeer()
      await pc.setRemoteDescription({ type: 'offer', sdp: input.sdp })
      const answer = await pc.createAnswer()
      await pc.setLocalDescription(answer)
      const sdp = pc.localDescription?.sdp ?? answer.sdp
      if (!sdp) throw new Error('createAnswer produced no SDP')
      await hub.negotiate(input.roomId, input.clientId, { type: 'answer', sdp }, signal)
    }),
    /** Applies candidates in order; a candidate the peer rejects is skipped, not fatal. Returns how many it took. */
    addRemoteCandidates: fromPromise<number, { candidates: IceCandidate[] }>(async ({ input }) => {
      const pc = media.requirePeer()
      for (const candidate of input.candidates) {
        try {
          await pc.addIceCandidate(candidate)
        } catch {
          // A stale candidate (e.g. from before an ICE restart) is expected; the next ones still count.
        }
      }
      return input.candidates.length
    }),
    /** Forwards the peer connection's ICE events as machine events. */
    watchPeer: fromCallback<NegotiationEvent>(({ sendBack }) => {
      // No peer connection: its creation failed and the conference is already failing.
      const pc = media.currentPeer()
      if (!pc) return undefined
      const onCandidate = (event: { candidate: { toJSON(): IceCandidateInitLike } | IceCandidateInitLike | null | undefined }) => {
        const init = toCandidateInit(event.candidate)
        if (init) sendBack({ type: 'peer.iceCandidate', candidate: init })
      }
      const onIceState = () => {
        const state = pc.iceConnectionState
        if (state === 'failed') sendBack({ type: 'peer.iceFailed' })
        else if (state === 'connected' || state === 'completed') sendBack({ type: 'peer.iceConnected' })
      }
      pc.addEventListener('icecandidate', onCandidate)
      pc.addEventListener('iceconnectionstatechange', onIceState)
      return () => {
        pc.removeEventListener('icecandidate', onCandidate)
        pc.removeEventListener('iceconnectionstatechange', onIceState)
      }
    }),
    /** POSTs local candidates one after another; cleanup aborts the one in flight. */
    sendLocalCandidates: fromCallback<NegotiationEvent, PeerInput, NegotiationEvent>(({ input, receive }) => {
      const abort = new AbortController()
      let chain: Promise<void> = Promise.resolve()
      receive((event) => {
        if (event.type !== 'peer.iceCandidate') return
        chain = chain
          .then(() => hub.candidate(input.roomId, input.clientId, event.candidate, abort.signal))
          .catch(() => {
            // A lost candidate only costs one path; ICE failure is handled by the restart logic.
          })
      })
      return () => abort.abort()
    }),
  }
}

function toCandidateInit(
  candidate: { toJSON(): IceCandidateInitLike } | IceCandidateInitLike | null | undefined,
): IceCandidate | undefined {
  if (!candidate) return undefined
  const init: IceCandidateInitLike = 'toJSON' in candidate && typeof candidate.toJSON === 'function' ? candidate.toJSON() : (candidate as IceCandidateInitLike)
  // The empty end-of-candidates marker is not sent (the hub does not need it).
  if (!init.candidate) return undefined
  return {
    candidate: init.candidate,
    sdpMid: init.sdpMid ?? null,
    sdpMLineIndex: init.sdpMLineIndex ?? null,
    usernameFragment: init.usernameFragment ?? null,
  }
}

export const LOCK_RETRY_MS = 3000
const ICE_FAILED_MESSAGE = 'ICE failed'

type NegotiationActors = ReturnType<typeof negotiationActors>

export const negotiationMachine = setup({
  types: {
    context: {} as NegotiationContext,
    events: {} as NegotiationEvent,
    input: {} as NegotiationInput,
  },
  actors: {
    requestLock: notProvided<NegotiationActors['requestLock']>('requestLock'),
    createOffer: notProvided<NegotiationActors['createOffer']>('createOffer'),
    sendOffer: notProvided<NegotiationActors['sendOffer']>('sendOffer'),
    answerOffer: notProvided<NegotiationActors['answerOffer']>('answerOffer'),
    addRemoteCandidates: notProvided<NegotiationActors['addRemoteCandidates']>('addRemoteCandidates'),
    watchPeer: notProvided<NegotiationActors['watchPeer']>('watchPeer'),
    sendLocalCandidates: notProvided<NegotiationActors['sendLocalCandidates']>('sendLocalCandidates'),
  },
  delays: {
    lockRetry: LOCK_RETRY_MS,
  },
  guards: {
    isLockGranted: (_, granted: boolean) => granted,
    canRestartIce: ({ context }) => context.iceRestarts < context.maxIceRestarts,
    isRequestingIceRestart: ({ context }) => context.offerKind === 'iceRestart',
    hasQueuedCandidates: ({ context }) => context.remoteCandidates.length > 0,
    isHubOfferHeld: stateIn({ hubOffer: 'held' }),
    isChangeQueued: stateIn({ pending: 'changeQueued' }),
    isIceRestartQueued: stateIn({ pending: 'iceRestartQueued' }),
    isIceFailureQueued: stateIn({ pending: 'iceFailureQueued' }),
    isStable: stateIn({ signaling: 'stable' }),
    isRequestingLock: stateIn({ signaling: 'requestingLock' }),
    isWaitingForLock: stateIn({ signaling: 'waitingForLock' }),
    isHoldingLock: stateIn({ signaling: 'offering' }),
    isAnswering: stateIn({ signaling: 'answering' }),
  },
  actions: {
    requestChange: assign({ offerKind: 'change' as OfferKind }),
    requestIceRestart: assign({ offerKind: 'iceRestart' as OfferKind }),
    countIceRestart: assign({ iceRestarts: ({ context }) => context.iceRestarts + 1 }),
    resetIceRestarts: assign({ iceRestarts: 0 }),
    storeLocalOffer: assign({ localOfferSdp: (_, params: { sdp: string }) => params.sdp }),
    storeHubOffer: assign({ hubOfferSdp: (_, params: { sdp: string }) => params.sdp }),
    holdHubOffer: assign({ heldHubOfferSdp: (_, params: { sdp: string }) => params.sdp }),
    takeHeldHubOffer: assign({ hubOfferSdp: ({ context }) => context.heldHubOfferSdp, heldHubOfferSdp: null }),
    markRemoteDescription: enqueueActions(({ enqueue }) => {
      enqueue.assign({ localOfferSdp: null, hubOfferSdp: null })
      enqueue.raise({ type: 'remoteDescription.applied' })
    }),
    queueRemoteCandidate: assign({
      remoteCandidates: ({ context }, params: { candidate: IceCandidate }) => [...context.remoteCandidates, params.candidate],
    }),
    startApplyingCandidates: assign({ applyingCandidates: ({ context }) => context.remoteCandidates.length }),
    dropAppliedCandidates: assign({
      remoteCandidates: ({ context }) => context.remoteCandidates.slice(context.applyingCandidates),
      applyingCandidates: 0,
    }),
    storeError: assign({ error: (_, params: { message: string }) => params.message }),
    forwardLocalCandidate: sendTo('localCandidates', (_, params: { candidate: IceCandidate }) => ({
      type: 'peer.iceCandidate' as const,
      candidate: params.candidate,
    })),
    notifyConnected: sendParent({ type: 'negotiation.connected' } satisfies NegotiationParentEvent),
    notifyReconnecting: sendParent({ type: 'negotiation.reconnecting' } satisfies NegotiationParentEvent),
    notifyStable: sendParent({ type: 'negotiation.stable' } satisfies NegotiationParentEvent),
    notifyFailed: sendParent(({ context }): NegotiationParentEvent => ({
      type: 'negotiation.failed',
      message: context.error ?? 'Negotiation failed',
    })),
  },
}).createMachine({
  id: 'negotiation',
  type: 'parallel',
  context: ({ input }) => ({
    roomId: input.roomId,
    clientId: input.clientId,
    maxIceRestarts: input.maxIceRestarts ?? 2,
    iceRestarts: 0,
    offerKind: 'change',
    localOfferSdp: null,
    hubOfferSdp: null,
    heldHubOfferSdp: null,
    remoteCandidates: [],
    applyingCandidates: 0,
    error: null,
  }),
  invoke: [
    { id: 'watchPeer', src: 'watchPeer' },
    { id: 'localCandidates', src: 'sendLocalCandidates', input: ({ context }) => ({ roomId: context.roomId, clientId: context.clientId }) },
  ],
  on: {
    'peer.iceCandidate': { actions: { type: 'forwardLocalCandidate', params: ({ event }) => ({ candidate: event.candidate }) } },
    'peer.iceConnected': { actions: ['resetIceRestarts', 'notifyConnected'] },
  },
  states: {
    signaling: {
      // The first negotiation is always ours: the hub cannot offer before our peer connection exists.
      initial: 'requestingLock',
      states: {
        stable: {
          entry: 'notifyStable',
          always: [
            // Served in this order: a hub offer we held, then the queued local change.
            { guard: 'isHubOfferHeld', target: 'answering', actions: ['takeHeldHubOffer', raise({ type: 'hubOffer.taken' })] },
            { guard: 'isIceRestartQueued', target: 'requestingLock', actions: 'requestIceRestart' },
            // ICE failed for good while an offer/answer was in flight: give up only now, so a held lock was still followed by PUT negotiate.
            { guard: 'isIceFailureQueued', target: 'failed', actions: { type: 'storeError', params: { message: ICE_FAILED_MESSAGE } } },
            { guard: 'isChangeQueued', target: 'requestingLock', actions: 'requestChange' },
          ],
          on: {
            'negotiation.change': { target: 'requestingLock', actions: 'requestChange' },
            'hub.offer': { target: 'answering', actions: { type: 'storeHubOffer', params: ({ event }) => ({ sdp: event.sdp }) } },
            'peer.iceFailed': [
              { guard: 'canRestartIce', target: 'requestingLock', actions: ['countIceRestart', 'requestIceRestart', 'notifyReconnecting'] },
              { target: 'failed', actions: { type: 'storeError', params: { message: ICE_FAILED_MESSAGE } } },
            ],
          },
        },
        requestingLock: {
          tags: ['busy'],
          invoke: {
            id: 'requestLock',
            src: 'requestLock',
            input: ({ context }) => ({ roomId: context.roomId, clientId: context.clientId }),
            onDone: [
              { guard: { type: 'isLockGranted', params: ({ event }) => event.output }, target: 'offering' },
              { target: 'waitingForLock' },
            ],
            onError: { target: 'waitingForLock' },
          },
          on: {
            // The hub is offering, so it will deny the lock: answer first, the local change is queued.
            'hub.offer': { target: 'answering', actions: { type: 'storeHubOffer', params: ({ event }) => ({ sdp: event.sdp }) } },
          },
        },
        waitingForLock: {
          tags: ['busy'],
          after: { lockRetry: 'requestingLock' },
          on: {
            'hub.allowedRenegotiation': 'requestingLock',
            'hub.offer': { target: 'answering', actions: { type: 'storeHubOffer', params: ({ event }) => ({ sdp: event.sdp }) } },
          },
        },
        offering: {
          // We hold the hub's lock from here until PUT negotiate.
          tags: ['busy'],
          initial: 'creatingOffer',
          states: {
            creatingOffer: {
              invoke: {
                id: 'createOffer',
                src: 'createOffer',
                input: ({ context }) => ({ iceRestart: context.offerKind === 'iceRestart' }),
                onDone: { target: 'sendingOffer', actions: { type: 'storeLocalOffer', params: ({ event }) => event.output } },
                // Holding the hub's lock with no offer to send: failing (and leaving) frees it at once,
                // where waiting would only let it time out at the hub.
                onError: {
                  target: '#negotiation.signaling.failed',
                  actions: { type: 'storeError', params: ({ event }) => ({ message: `createOffer with the lock held: ${errorText(event.error)}` }) },
                },
              },
            },
            sendingOffer: {
              invoke: {
                id: 'sendOffer',
                src: 'sendOffer',
                input: ({ context }) => ({ roomId: context.roomId, clientId: context.clientId, sdp: context.localOfferSdp ?? '' }),
                onDone: { target: '#negotiation.signaling.stable', actions: 'markRemoteDescription' },
                onError: {
                  target: '#negotiation.signaling.failed',
                  actions: { type: 'storeError', params: ({ event }) => ({ message: `offer: ${errorText(event.error)}` }) },
                },
              },
            },
          },
        },
        answering: {
          tags: ['busy'],
          invoke: {
            id: 'answerOffer',
            src: 'answerOffer',
            input: ({ context }) => ({ roomId: context.roomId, clientId: context.clientId, sdp: context.hubOfferSdp ?? '' }),
            onDone: { target: 'stable', actions: 'markRemoteDescription' },
            onError: {
              target: 'failed',
              actions: { type: 'storeError', params: ({ event }) => ({ message: `answer: ${errorText(event.error)}` }) },
            },
          },
        },
        failed: {
          entry: 'notifyFailed',
        },
      },
    },
    pending: {
      // A local change requested while an offer/answer is in flight, served when signaling is stable.
      initial: 'idle',
      states: {
        idle: {
          on: {
            'negotiation.change': { guard: or(['isHoldingLock', 'isAnswering']), target: 'changeQueued' },
            'peer.iceFailed': [
              { guard: and([not('isStable'), 'canRestartIce']), target: 'iceRestartQueued', actions: ['countIceRestart', 'notifyReconnecting'] },
              { guard: not('isStable'), target: 'iceFailureQueued' },
            ],
            'hub.offer': [
              { guard: and([or(['isRequestingLock', 'isWaitingForLock']), 'isRequestingIceRestart']), target: 'iceRestartQueued' },
              { guard: or(['isRequestingLock', 'isWaitingForLock']), target: 'changeQueued' },
            ],
          },
        },
        changeQueued: {
          always: { guard: 'isRequestingLock', target: 'idle' },
          on: {
            'peer.iceFailed': [
              { guard: and([not('isStable'), 'canRestartIce']), target: 'iceRestartQueued', actions: ['countIceRestart', 'notifyReconnecting'] },
              { guard: not('isStable'), target: 'iceFailureQueued' },
            ],
          },
        },
        iceRestartQueued: {
          always: { guard: 'isRequestingLock', target: 'idle' },
        },
        iceFailureQueued: {
          // Served by signaling (stable → failed); nothing leaves this state.
        },
      },
    },
    hubOffer: {
      // A hub offer that arrived while we were offering or answering.
      initial: 'none',
      states: {
        none: {
          on: {
            'hub.offer': { guard: or(['isHoldingLock', 'isAnswering']), target: 'held', actions: { type: 'holdHubOffer', params: ({ event }) => ({ sdp: event.sdp }) } },
          },
        },
        held: {
          on: { 'hubOffer.taken': 'none' },
        },
      },
    },
    candidates: {
      initial: 'buffering',
      states: {
        buffering: {
          // Until the first remote description; `ready` applies what was queued meanwhile.
          on: {
            'hub.candidate': { actions: { type: 'queueRemoteCandidate', params: ({ event }) => ({ candidate: event.candidate }) } },
            'remoteDescription.applied': 'ready',
          },
        },
        applying: {
          entry: 'startApplyingCandidates',
          invoke: {
            id: 'addRemoteCandidates',
            src: 'addRemoteCandidates',
            input: ({ context }) => ({ candidates: context.remoteCandidates.slice(0, context.applyingCandidates) }),
            onDone: { target: 'ready', actions: 'dropAppliedCandidates' },
          },
          on: { 'hub.candidate': { actions: { type: 'queueRemoteCandidate', params: ({ event }) => ({ candidate: event.candidate }) } } },
        },
        ready: {
          always: { guard: 'hasQueuedCandidates', target: 'applying' },
          on: { 'hub.candidate': { target: 'applying', actions: { type: 'queueRemoteCandidate', params: ({ event }) => ({ candidate: event.candidate }) } } },
        },
      },
    },
  },
})
