// A published video track's keyframe requests on the node-datachannel plane, as one state (was a
// `#keyframePending` boolean beside a timer). The rule is werift's interval, but not werift's module
// (werift-keyframe-requests.ts): this plane sends a PLI in the call that asks for it (werift batches the
// asks of one tick in a microtask) and does not parse the payload for the keyframe's arrival, so neither
// `queued` nor `awaiting` exists here. Every transition is in this file:
//   idle      nothing wanted (a PLI may have gone out at `lastSentAt`)
//   trailing  asked within KEYFRAME_REQUEST_INTERVAL_MS of the last PLI; `timer` asks again when it ends
//   pending   could not be sent (the publisher's track not open, or its SSRC unknown); `retry` asks again
//   ended     the track is gone; asks are ignored and no timer is left
import type { Clock, TimerHandle } from '../clock.js'
import { KEYFRAME_REQUEST_INTERVAL_MS } from './werift-keyframe-requests.js'

export type NdcKeyframeState =
  | { readonly is: 'idle' }
  | { readonly is: 'trailing'; readonly timer: TimerHandle }
  | { readonly is: 'pending' }
  | { readonly is: 'ended' }

const IDLE: NdcKeyframeState = { is: 'idle' }
const PENDING: NdcKeyframeState = { is: 'pending' }
const ENDED: NdcKeyframeState = { is: 'ended' }

/** How a source's PLI reaches its publisher. */
export interface NdcKeyframePort {
  /** The PLI can go out now (the publisher's track is open and its SSRC known). */
  canSend(): boolean
  /** Sends one PLI (a failed send still counts for the interval, as it may have gone out). */
  send(): void
}

export class NdcKeyframeRequests {
  #state: NdcKeyframeState = IDLE
  #lastSentAt = Number.NEGATIVE_INFINITY
  readonly #clock: Clock
  readonly #port: NdcKeyframePort

  constructor(clock: Clock, port: NdcKeyframePort) {
    this.#clock = clock
    this.#port = port
  }

  get state(): NdcKeyframeState {
    return this.#state
  }

  /** Someone can use a keyframe: a PLI now, or when the interval since the last one ends. */
  ask(): void {
    const state = this.#state
    // A trailing PLI covers this ask (its timer asks again, so it finds the track as it is then).
    if (state.is === 'trailing' || state.is === 'ended') return
    if (!this.#port.canSend()) {
      this.#state = PENDING
      return
    }
    const now = this.#clock.now()
    const wait = this.#lastSentAt + KEYFRAME_REQUEST_INTERVAL_MS - now
    if (wait > 0) {
      const timer = this.#clock.setTimeout(() => {
        const current = this.#state
        if (current.is !== 'trailing' || current.timer !== timer) return
        this.#state = IDLE
        this.ask()
      }, wait)
      this.#state = { is: 'trailing', timer }
      return
    }
    this.#state = IDLE
    this.#lastSentAt = now
    this.#port.send()
  }

  /** The publisher can carry a PLI now (its track opened, or its first packet gave the SSRC): a pending request is asked again. */
  retry(): void {
    if (this.#state.is === 'pending') this.ask()
  }

  /** The track is gone: a trailing PLI is cancelled and later asks are ignored. */
  end(): void {
    if (this.#state.is === 'trailing') this.#clock.clearTimeout(this.#state.timer)
    this.#state = ENDED
  }
}
