// The per-client negotiation lock of hub-api-v1.md §4, as one explicit state:
//
//   idle ──(hub change, peer connected+stable)──▶ offerScheduled ──(microtask, or debounce)──▶ hubOffering
//   hubOffering ──(client answer)──▶ idle, or clientTurn('invited') + SSE allowed_renegotation
//                                    when the client asked to negotiate meanwhile
//   idle/offerScheduled ──(isallownegotiate granted)──▶ clientTurn('granted')
//   idle/offerScheduled/clientTurn ──(client offer)──▶ clientOffering ──(answered)──▶ idle
//   clientTurn ──(timeout)──▶ idle
//
// While the hub is offering, a client asking isallownegotiate is told "not now" and remembered;
// a client offer that skipped the lock is refused with 409. A change the hub still has to offer
// (`hubOfferOwed`) survives every phase and is offered once the lock is free again. Each phase owns
// its one deadline (Phases): the offer debounce if one is set, the answer timeout, the client-turn timeout.
// By default there is no debounce: changes of one tick (every subscription a join makes, every track
// of one offer) share the offer made in a microtask, and changes made while an offer awaits its answer
// share the next one (the answer round-trip batches them).
// What is owed is counted in the peer's changes (MediaPeer onNegotiationNeeded, HubOffer.covers), not a
// flag: a worker plane's signals arrive one by one, the later ones often while the offer that already
// carries them is being made, and a flag set again then cost every existing client a second, identical
// offer per join. A change the offer did not carry is still owed; and werift signals again after each
// answer whatever is still unnegotiated.
import { type Answer, MAX_SDP_LENGTH, type Offer } from '@parley/protocol'
import type { Clock } from './clock.js'
import { HubError } from './errors.js'
import type { Logger } from './log.js'
import type { HubOffer, MediaPeer } from './media/types.js'
import { Phases } from './phases.js'

export type NegotiationPhase =
  | { readonly name: 'idle' }
  | { readonly name: 'offerScheduled' }
  | { readonly name: 'hubOffering'; readonly step: 'creating' | 'awaitingAnswer'; readonly clientWaiting: boolean }
  | { readonly name: 'clientTurn'; readonly why: 'granted' | 'invited' }
  | { readonly name: 'clientOffering'; readonly clientWaiting: boolean }
  | { readonly name: 'closed' }

export interface NegotiationTimings {
  /** Debounce before a hub offer, batching changes; 0 = none (the changes of one tick share an offer). */
  offerDebounceMs: number
  /** How long the hub waits for the answer to its offer before giving up on the client. */
  answerTimeoutMs: number
  /** How long a granted lock (or an invitation) defers the hub's own offers. */
  clientTurnTimeoutMs: number
}

export interface NegotiatorDeps {
  peer: MediaPeer
  clock: Clock
  timings: NegotiationTimings
  log: Logger
  /** Deliver the hub's offer as SSE `offer`. */
  sendOffer(offer: Offer): void
  /** Deliver SSE `allowed_renegotation`. */
  sendAllowedRenegotiation(): void
  /** The client never answered the hub's offer: the client has to go. */
  onAnswerTimeout(): void
  /** The hub's offer cannot be sent (over the protocol's SDP limit): the client cannot stay. */
  onUnsendableOffer(why: string): void
}

export const MID_OFFER_MESSAGE = 'hub is mid-offer; wait for allowed_renegotation'

export class Negotiator {
  readonly #phases: Phases<NegotiationPhase>
  /** The latest change the peer signalled (its change count). */
  #changeSignalled = 0
  /** The latest change a hub offer carried (HubOffer.covers), or that a failed offer gave up on. */
  #changeOffered = 0
  readonly #deps: NegotiatorDeps

  constructor(deps: NegotiatorDeps) {
    this.#deps = deps
    this.#phases = new Phases<NegotiationPhase>(deps.clock, { name: 'idle' })
  }

  get phase(): NegotiationPhase {
    return this.#phases.current
  }

  /** The hub's side changed and it still owes the client an offer for it. */
  get hubOfferOwed(): boolean {
    return this.#changeSignalled > this.#changeOffered
  }

  /** The media plane needs a server offer (subscription or data channel changed); `change`: the peer's change count. */
  hubChanged(change: number): void {
    if (this.phase.name === 'closed') return
    this.#changeSignalled = Math.max(this.#changeSignalled, change)
    this.#scheduleIfFree()
  }

  /** The peer's connection or signaling state changed: a deferred offer may now be possible. */
  peerStateChanged(): void {
    this.#scheduleIfFree()
  }

  /** isallownegotiate: true grants the lock, false means "not now, wait for allowed_renegotation". */
  requestClientTurn(): boolean {
    const phase = this.phase
    switch (phase.name) {
      case 'idle':
      case 'offerScheduled':
      case 'clientTurn':
        this.#enterClientTurn('granted')
        return true
      case 'hubOffering':
      case 'clientOffering':
        this.#phases.amend({ ...phase, clientWaiting: true })
        return false
      case 'closed':
        return false
    }
  }

  /** PUT negotiate with an offer. */
  async handleClientOffer(offer: Offer): Promise<Answer> {
    const phase = this.phase
    if (phase.name === 'hubOffering') {
      throw new HubError(409, `${MID_OFFER_MESSAGE}: the hub sent an SSE offer that is not answered yet; answer it, or ask isallownegotiate first`)
    }
    if (phase.name === 'clientOffering') throw new HubError(409, 'a previous offer from this client is still being answered')
    if (phase.name === 'closed') throw new HubError(404, 'client is gone')
    this.#phases.enter({ name: 'clientOffering', clientWaiting: false })
    try {
      return await this.#deps.peer.handleOffer(offer)
    } finally {
      this.#finishPhase('clientOffering')
    }
  }

  /** PUT negotiate with an answer to the hub's offer. */
  async handleClientAnswer(answer: Answer): Promise<void> {
    const phase = this.phase
    if (phase.name !== 'hubOffering' || phase.step !== 'awaitingAnswer') {
      throw new HubError(409, 'no hub offer is waiting for an answer; send an offer instead')
    }
    // A rejected answer leaves the offer outstanding: the client may still send a good one before the timeout.
    await this.#deps.peer.handleAnswer(answer)
    this.#finishPhase('hubOffering')
  }

  close(): void {
    this.#phases.enter({ name: 'closed' })
  }

  #enterClientTurn(why: 'granted' | 'invited'): void {
    this.#phases.enter(
      { name: 'clientTurn', why },
      {
        ms: this.#deps.timings.clientTurnTimeoutMs,
        onTimeout: () => {
          this.#deps.log('debug', 'client did not negotiate in its turn; lock released')
          this.#phases.enter({ name: 'idle' })
          this.#scheduleIfFree()
        },
      },
    )
  }

  /** Leaves a hub or client offer: invites a client that was told to wait, else frees the lock. */
  #finishPhase(from: 'hubOffering' | 'clientOffering'): void {
    const phase = this.phase
    if (phase.name !== from) return
    if (phase.clientWaiting) {
      this.#enterClientTurn('invited')
      this.#deps.sendAllowedRenegotiation()
      return
    }
    this.#phases.enter({ name: 'idle' })
    this.#scheduleIfFree()
  }

  #canOffer(): boolean {
    const { peer } = this.#deps
    return peer.connectionState === 'connected' && peer.signalingState === 'stable'
  }

  #scheduleIfFree(): void {
    if (this.phase.name !== 'idle' || !this.hubOfferOwed || !this.#canOffer()) return
    const { offerDebounceMs } = this.#deps.timings
    if (offerDebounceMs > 0) {
      this.#phases.enter({ name: 'offerScheduled' }, { ms: offerDebounceMs, onTimeout: () => void this.#offer() })
      return
    }
    const scheduled: NegotiationPhase = { name: 'offerScheduled' }
    this.#phases.enter(scheduled)
    queueMicrotask(() => {
      if (this.phase === scheduled) void this.#offer()
    })
  }

  async #offer(): Promise<void> {
    if (!this.#canOffer()) {
      // Offered again from peerStateChanged once the peer is connected and stable.
      this.#phases.enter({ name: 'idle' })
      return
    }
    this.#phases.enter({ name: 'hubOffering', step: 'creating', clientWaiting: false })
    const owed = this.#changeSignalled
    let offer: HubOffer
    try {
      offer = await this.#deps.peer.createOffer()
    } catch (error) {
      this.#deps.log('error', 'creating the hub offer failed', { error })
      // Not tried again for these changes (a plane failing every offer would loop); a later change is offered.
      this.#changeOffered = Math.max(this.#changeOffered, owed)
      this.#finishPhase('hubOffering')
      return
    }
    this.#changeOffered = Math.max(this.#changeOffered, offer.covers)
    const current = this.phase
    if (current.name !== 'hubOffering') return
    if (offer.sdp.length > MAX_SDP_LENGTH) {
      // The protocol forbids it (the client would drop it); a silent eviction 30 s later would be worse.
      const why = `the hub's offer would be ${offer.sdp.length} characters, over the protocol's ${MAX_SDP_LENGTH}`
      this.#deps.log('error', why)
      this.#deps.onUnsendableOffer(why)
      return
    }
    this.#phases.enter(
      { ...current, step: 'awaitingAnswer' },
      {
        ms: this.#deps.timings.answerTimeoutMs,
        onTimeout: () => {
          this.#deps.log('warn', 'client did not answer the hub offer in time')
          this.#deps.onAnswerTimeout()
        },
      },
    )
    this.#deps.sendOffer({ type: offer.type, sdp: offer.sdp })
  }
}
