// A current phase and the one timer that belongs to it. Entering a phase cancels the timer of the
// phase it leaves, so a deadline can never outlive the phase it was set for, and "is that timer
// running" is never needed as a state: the phase says it. The client lifecycle (client.ts) and the
// negotiation lock (negotiation.ts) are each one of these over an explicit union of phases.
import { type Clock, Timer } from './clock.js'

export interface Deadline {
  readonly ms: number
  /** Runs when the phase is still the current one after `ms`. */
  readonly onTimeout: () => void
}

export class Phases<P extends { readonly name: string }> {
  #current: P
  readonly #timer: Timer

  constructor(clock: Clock, initial: P) {
    this.#current = initial
    this.#timer = new Timer(clock)
  }

  get current(): P {
    return this.#current
  }

  /** Leaves the current phase (its timer stops) for `phase`, with its own deadline if it has one. */
  enter(phase: P, deadline?: Deadline): void {
    this.#timer.cancel()
    this.#current = phase
    if (deadline) this.#timer.start(deadline.ms, deadline.onTimeout)
  }

  /** Changes what the current phase carries (same name), keeping its deadline running. */
  amend(phase: P & { readonly name: P['name'] }): void {
    if (phase.name !== this.#current.name) throw new Error(`amend ${phase.name} while in ${this.#current.name}`)
    this.#current = phase
  }

  /** Sets the deadline of the current phase (replacing any). */
  deadline(deadline: Deadline): void {
    this.#timer.start(deadline.ms, deadline.onTimeout)
  }
}
