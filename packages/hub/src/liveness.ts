// Is a present client still there? Three rules on what the hub can observe, each on the injected Clock
// (the hub README's "Fast, honest departure" says why these signals and these times):
// - no media or RTCP came from it for `problemAfterMs`: it has a connection problem, which the others
//   are told (`parley_connection`), and told again when its packets come back;
// - its event stream closed AND no media or RTCP came from it for `streamLostSilenceMs`: the client is
//   gone (a killed tab or process closes its TCP connection at once and stops sending at once);
// - no media or RTCP came from it for `frozenPeerMs`, stream open or not: it is frozen (a stopped
//   process, a dead network: its TCP connection may stay open for minutes).
// Only for clients that have sent something: a peer with no media at all is left to the reconnect grace
// and ICE consent. One timer per client, set for the earliest moment a rule could hold, so a healthy
// client costs one check per `problemAfterMs`; while a problem is reported it looks every
// `PROBLEM_RECHECK_MS` for packets that came back.
import { type Clock, Timer } from './clock.js'

export interface LivenessTimings {
  /** Media silent this long → the others are told of a connection problem; 0 = never. */
  connectionProblemMs: number
  /** Stream closed and media silent this long → removed. */
  streamLostSilenceMs: number
  /** Media silent this long → removed; 0 = never by silence alone. */
  frozenPeerMs: number
}

/** While a problem is reported: how often to look whether packets came back (the "ok" is at most this late). */
export const PROBLEM_RECHECK_MS = 250

export interface LivenessDeps {
  clock: Clock
  timings: LivenessTimings
  /** When the client last sent media or RTCP (Clock ms); undefined before its first packet. */
  lastReceivedAt(): number | undefined
  streamLost(): boolean
  /** A rule holds: remove the client, saying why. */
  gone(why: string): void
  /** The connection-problem rule started (true) or stopped (false) holding. */
  problem(problem: boolean, silentMs: number): void
}

export class LivenessWatch {
  readonly #timer: Timer
  readonly #deps: LivenessDeps
  #watching = false
  #problem = false

  constructor(deps: LivenessDeps) {
    this.#deps = deps
    this.#timer = new Timer(deps.clock)
  }

  /** Starts (or re-evaluates, after the stream opened or closed) the watch. */
  check(): void {
    this.#watching = true
    const { clock, timings, lastReceivedAt, streamLost, gone } = this.#deps
    const last = lastReceivedAt()
    const now = clock.now()
    const after = (ms: number) => (ms > 0 ? ms : Infinity)
    // Nothing received yet: look again after the shortest period (media may start any moment).
    if (last === undefined) {
      this.#timer.start(Math.min(timings.streamLostSilenceMs, after(timings.frozenPeerMs), after(timings.connectionProblemMs)), () => this.check())
      return
    }
    const silent = now - last
    if (streamLost() && silent >= timings.streamLostSilenceMs) return gone(`event stream closed and no media for ${silent} ms`)
    if (silent >= after(timings.frozenPeerMs)) return gone(`no media or RTCP for ${silent} ms`)
    const problem = silent >= after(timings.connectionProblemMs)
    if (problem !== this.#problem) {
      this.#problem = problem
      this.#deps.problem(problem, silent)
    }
    const deadlines = [last + after(timings.frozenPeerMs), problem ? now + PROBLEM_RECHECK_MS : last + after(timings.connectionProblemMs)]
    if (streamLost()) deadlines.push(last + timings.streamLostSilenceMs)
    const next = Math.min(...deadlines)
    if (next !== Infinity) this.#timer.start(next - now, () => this.check())
  }

  /** The stream opened or closed: a running watch looks again now. */
  streamChanged(): void {
    if (this.#watching) this.check()
  }

  stop(): void {
    this.#watching = false
    this.#timer.cancel()
  }
}
