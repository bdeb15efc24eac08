// A published video track's keyframe requests to its publisher, as one state (was three booleans and a
// timer beside them). The rules: the asks of one tick share one PLI (a microtask), at most one PLI per
// KEYFRAME_REQUEST_INTERVAL_MS per track with later asks coalesced into one trailing PLI on the injected
// Clock (Chromium ignores a request within 300 ms of the last one it acted on), and a PLI wanted before
// it can be sent (no SSRC, or the publisher's DTLS not up) waits until `retry`. Every transition is here.
//   idle      nothing asked; no PLI unanswered
//   awaiting  a PLI went out at `sentAt`; no keyframe has arrived since (its arrival is logged)
//   queued    asked this tick; the microtask sends, or waits out the interval
//   trailing  asked within the interval of the last PLI; `timer` sends it
//   pending   could not be sent; `retry` (the publisher connected, or its first packet) asks again
//   ended     the track is gone; asks are ignored
// `awaiting` on queued / trailing / pending is the still unanswered PLI's sentAt: a keyframe arriving
// meanwhile is logged as the answer to it, as before the refactor.
import type { Clock, TimerHandle } from '../clock.js'

/**
 * At most one PLI per publisher track in this window; later requests are coalesced into one trailing PLI.
 * Chromium drops a keyframe request that arrives within 300 ms of the last one it acted on
 * (`EncoderRtcpFeedback`, min keyframe send interval); 20 ms more absorbs jitter between the two clocks.
 */
export const KEYFRAME_REQUEST_INTERVAL_MS = 320

export type SourceKeyframeState =
  | { readonly is: 'idle' }
  | { readonly is: 'awaiting'; readonly sentAt: number }
  | { readonly is: 'queued'; readonly awaiting: number | undefined }
  | { readonly is: 'trailing'; readonly timer: TimerHandle; readonly awaiting: number | undefined }
  | { readonly is: 'pending'; readonly awaiting: number | undefined }
  | { readonly is: 'ended' }

const IDLE: SourceKeyframeState = { is: 'idle' }
const ENDED: SourceKeyframeState = { is: 'ended' }

/** The sentAt of the PLI still unanswered in `state`, if any. */
function awaitingIn(state: SourceKeyframeState): number | undefined {
  switch (state.is) {
    case 'awaiting':
      return state.sentAt
    case 'queued':
    case 'trailing':
    case 'pending':
      return state.awaiting
    default:
      return undefined
  }
}

export class KeyframeRequests {
  #state: SourceKeyframeState = IDLE
  #lastSentAt = Number.NEGATIVE_INFINITY
  readonly #clock: Clock
  /** Sends one PLI now; false when it cannot be sent (no SSRC, or no DTLS). */
  readonly #send: () => boolean

  constructor(clock: Clock, send: () => boolean) {
    this.#clock = clock
    this.#send = send
  }

  get state(): SourceKeyframeState {
    return this.#state
  }

  /** When the last PLI went out (-Infinity: never); the interval counts from it, and so does the NACK rule. */
  get lastSentAt(): number {
    return this.#lastSentAt
  }

  /** A PLI is out and no keyframe has arrived since (checked per packet, before the payload is parsed). */
  get awaitingKeyframe(): boolean {
    return awaitingIn(this.#state) !== undefined
  }

  /** Someone can use a keyframe: one PLI for this tick's asks, no sooner than the interval allows. */
  ask(): void {
    const state = this.#state
    // Queued or trailing already covers this ask; an ended track asks nothing.
    if (state.is === 'queued' || state.is === 'trailing' || state.is === 'ended') return
    this.#state = { is: 'queued', awaiting: awaitingIn(state) }
    queueMicrotask(() => this.#flush())
  }

  /** The publisher can carry a PLI now (DTLS up, or its SSRC learnt): a pending request is asked again. */
  retry(): void {
    if (this.#state.is === 'pending') this.ask()
  }

  /** The first packet of a keyframe arrived: returns ms since the PLI it answers (undefined: none was out). */
  keyframeArrived(): number | undefined {
    const state = this.#state
    if (awaitingIn(state) === undefined) return undefined
    if (state.is === 'awaiting') this.#state = IDLE
    else if (state.is === 'queued' || state.is === 'pending') this.#state = { is: state.is, awaiting: undefined }
    else if (state.is === 'trailing') this.#state = { is: 'trailing', timer: state.timer, awaiting: undefined }
    return this.#clock.now() - this.#lastSentAt
  }

  /** The track is gone: the trailing PLI is cancelled, a queued one will find `ended`. */
  end(): void {
    if (this.#state.is === 'trailing') this.#clock.clearTimeout(this.#state.timer)
    this.#state = ENDED
  }

  #flush(): void {
    const state = this.#state
    if (state.is !== 'queued') return
    const wait = this.#lastSentAt + KEYFRAME_REQUEST_INTERVAL_MS - this.#clock.now()
    if (wait <= 0) {
      this.#sendNow(state.awaiting)
      return
    }
    const timer = this.#clock.setTimeout(() => {
      const current = this.#state
      if (current.is === 'trailing' && current.timer === timer) this.#sendNow(current.awaiting)
    }, wait)
    this.#state = { is: 'trailing', timer, awaiting: state.awaiting }
  }

  #sendNow(awaiting: number | undefined): void {
    if (!this.#send()) {
      this.#state = { is: 'pending', awaiting }
      return
    }
    this.#lastSentAt = this.#clock.now()
    this.#state = { is: 'awaiting', sentAt: this.#lastSentAt }
  }
}
