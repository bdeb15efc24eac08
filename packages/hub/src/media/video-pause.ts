// A subscriber's forwarded video, paused while its link cannot carry it (issue 10, the slowest subscriber;
// LiveKit's "paused for bandwidth"). Shared by the media planes: the plane gates its packets on `forwards`,
// resumes from a keyframe (`keyframeForwarded`), and is told through VideoPauseActions; the estimate's
// tick (feedback.ts, judgeSubscriptions) judges each subscription's loss and leaves out what does not
// count. One state per video subscription, every transition here, every timer on the injected Clock:
//   live      forwarded; its loss counts in the publisher's estimate
//   paused    not forwarded (its audio still is); left out of the estimate; a probe after `backoffMs`
//   resuming  the publisher was asked for a keyframe; forwarding starts again from the next one
//   trial     forwarded again (from that keyframe) for TRIAL_MS; judged, but left out of the estimate
//   hidden    the subscriber does not show it (0×0 on its `internal` channel, hub-api-v1.md §5): not
//             forwarded, no probe, no timer, left out of the estimate; not told (it asked)
//   ended     unsubscribed, or the track or the publisher gone
// live → paused: the subscriber's slow episode (its first window over LOSSY, windows of JUDGE_MIN_PACKETS
//   reported packets or more) is SLOW_SUBSCRIBER_MS old, it is over LOSSY again now, and another
//   subscriber of the track is fine (live, with no slow episode). A window at or under LOSSY does not end
//   the episode (the cut it asked for brings those: the stop 31 bug); only QUIET_MS of them in a row do.
// paused → resuming: `backoffMs` later (FIRST_BACKOFF_MS, doubled after each failed trial up to
//   MAX_BACKOFF_MS, back to the first after a passed one), or at once when no other subscriber is fine
//   any more (never pause everyone: the publisher then follows the loss, as without this rule).
// resuming → trial: the keyframe is forwarded; → paused (backoff doubled): none came in KEYFRAME_WAIT_MS
//   (asked again instead while no other subscriber is fine).
// trial → live: TRIAL_MS passed at or under LOSSY; → paused (backoff doubled): over LOSSY at its end, or
//   over EARLY_FAIL past TRIAL_MIN_PACKETS before it, while another subscriber is fine (else live).
// any → hidden: `hide()`; hidden → resuming: `show()` asks a keyframe (asked again while none comes);
//   its keyframe goes back to live (hidden from live) or trial (hidden from anything else).
import { SLOW_SUBSCRIBER_MS, type SubscriberLoss } from './subscriber-loss.js'
import { type Clock, Timer } from '../clock.js'

/** Loss over this is slow (as the estimate's loss rule: over 10 % cuts). */
export const LOSSY = 0.1
/**
 * A live subscription's loss is judged over at least this many packets (the estimate's LOSS_MIN_PACKETS):
 * one loss in a tick of 8 packets reads 12.5 %, and would end a good subscriber's being fine.
 */
export const JUDGE_MIN_PACKETS = 30
/** A slow episode ends after this long at or under LOSSY (no window over it). */
export const QUIET_MS = 10_000
export const FIRST_BACKOFF_MS = 10_000
export const MAX_BACKOFF_MS = 40_000
/** How long a resumed forwarding is judged before it counts again. */
export const TRIAL_MS = 4_000
/** A trial ends early once this many packets were reported with over EARLY_FAIL of them lost. */
export const TRIAL_MIN_PACKETS = 30
export const EARLY_FAIL = 0.25
/** How long a resume waits for a keyframe before it pauses again. */
export const KEYFRAME_WAIT_MS = 3_000

/** A failed trial's loss (in %, one decimal) and the packets it was judged over, for the hub's log. */
export interface TrialVerdict {
  trialLossPercent?: number
  trialPackets?: number
}

export type VideoPauseState = 'live' | 'paused' | 'resuming' | 'trial' | 'hidden' | 'ended'

/** What a transition asks of the plane. */
export interface VideoPauseActions {
  /** Forwarding stopped (`paused: true` to the subscriber) or started again from a keyframe (`false`). */
  changed(paused: boolean, why: { backoffMs: number; state: VideoPauseState } & TrialVerdict): void
  /** A keyframe is wanted: the publisher is asked (under its keyframe rule). */
  keyframeWanted(): void
}

export class VideoPause {
  #state: VideoPauseState = 'live'
  readonly #clock: Clock
  readonly #actions: VideoPauseActions
  readonly #timer: Timer
  /** Live: the first window over LOSSY of the current slow episode (undefined: none). */
  #slowSince: number | undefined
  /** Live, in a slow episode: since when every window has been at or under LOSSY. */
  #quietSince: number | undefined
  /** Some receiver report has covered packets (a subscriber with none is no evidence of a link that carries). */
  #reported = false
  #backoffMs = FIRST_BACKOFF_MS
  /** The last tick's verdict on the other subscribers (the trial's timer decides without a tick). */
  #othersFine = false
  #trialLost = 0
  #trialExpected = 0
  /** Live: the packets reported (and lost) since the last judged window. */
  #windowLost = 0
  #windowExpected = 0
  /** What the subscriber was last told (paused or not): a pause after a failed resume is not told twice. */
  #toldPaused = false
  /** Resuming after `show()`: the state its keyframe returns to (undefined: a resume from a pause). */
  #unhidingTo: 'live' | 'trial' | undefined

  constructor(clock: Clock, actions: VideoPauseActions) {
    this.#clock = clock
    this.#actions = actions
    this.#timer = new Timer(clock)
  }

  get state(): VideoPauseState {
    return this.#state
  }

  /** The next pause's backoff (the current one's while paused). */
  get backoffMs(): number {
    return this.#backoffMs
  }

  /** Its packets are forwarded as they come (`resuming`: only from a keyframe, see keyframeForwarded). */
  get forwards(): boolean {
    return this.#state === 'live' || this.#state === 'trial'
  }

  /** Live, reported on, and in no slow episode: its link carries what the publisher sends. */
  get fine(): boolean {
    return this.#state === 'live' && this.#reported && this.#slowSince === undefined
  }

  /**
   * One estimation tick: this subscription's loss (`packets`: what its reports covered this tick, 0 when
   * none came) and whether another subscriber of the track is fine. True when the loss counts in the
   * publisher's estimate (live only).
   */
  judge(fraction: number, packets: number, othersFine: boolean): boolean {
    this.#othersFine = othersFine
    const now = this.#clock.now()
    switch (this.#state) {
      case 'live':
        return this.#judgeLive(fraction, packets, othersFine, now)
      case 'paused':
        if (!othersFine) this.#resume()
        return false
      case 'trial':
        if (packets > 0) {
          this.#trialLost += fraction * packets
          this.#trialExpected += packets
        }
        if (this.#trialExpected >= TRIAL_MIN_PACKETS && this.#trialLost / this.#trialExpected > EARLY_FAIL) this.#trialOver()
        return false
      default:
        return false
    }
  }

  /** Resuming: the plane forwards the first packet of a keyframe now (with continuous sequence numbers). */
  keyframeForwarded(): void {
    if (this.#state !== 'resuming') return
    const to = this.#unhidingTo ?? 'trial'
    this.#unhidingTo = undefined
    if (to === 'live') {
      this.#timer.cancel()
      this.#live(this.#backoffMs)
    } else {
      this.#state = 'trial'
      this.#trialLost = 0
      this.#trialExpected = 0
      this.#timer.start(TRIAL_MS, () => this.#trialOver())
    }
    // A tile shown again after it was hidden while live was never told it paused.
    if (!this.#toldPaused) return
    this.#toldPaused = false
    this.#actions.changed(false, { backoffMs: this.#backoffMs, state: this.#state })
  }

  /**
   * The subscriber does not show the video (its tile is off screen): nothing forwarded and no probe until
   * `show()`. The subscriber is not told (it asked); a pause it was told of stays told.
   */
  hide(): void {
    if (this.#state === 'hidden' || this.#state === 'ended') return
    this.#unhidingTo = this.#state === 'live' || (this.#state === 'resuming' && this.#unhidingTo === 'live') ? 'live' : 'trial'
    this.#timer.cancel()
    this.#state = 'hidden'
    this.#windowLost = 0
    this.#windowExpected = 0
    this.#slowSince = undefined
    this.#quietSince = undefined
  }

  /** Shown again: forwarded from the next keyframe, asked for now (and again each KEYFRAME_WAIT_MS until it comes). */
  show(): void {
    if (this.#state !== 'hidden') return
    this.#state = 'resuming'
    this.#timer.start(KEYFRAME_WAIT_MS, () => this.#noKeyframe())
    this.#actions.keyframeWanted()
  }

  /** Unsubscribed, or the track or its publisher is gone: no more timers, no more actions. */
  end(): void {
    this.#timer.cancel()
    this.#state = 'ended'
  }

  #judgeLive(tickFraction: number, packets: number, othersFine: boolean, now: number): boolean {
    this.#windowLost += tickFraction * packets
    this.#windowExpected += packets
    if (this.#windowExpected < JUDGE_MIN_PACKETS) return true
    const fraction = this.#windowLost / this.#windowExpected
    this.#windowLost = 0
    this.#windowExpected = 0
    this.#reported = true
    if (fraction > LOSSY) {
      this.#slowSince ??= now
      this.#quietSince = undefined
    } else if (this.#slowSince !== undefined) {
      this.#quietSince ??= now
      if (now - this.#quietSince >= QUIET_MS) {
        this.#slowSince = undefined
        this.#quietSince = undefined
      }
    }
    const slowEnough = this.#slowSince !== undefined && now - this.#slowSince >= SLOW_SUBSCRIBER_MS
    if (fraction > LOSSY && slowEnough && othersFine) {
      this.#pause(FIRST_BACKOFF_MS)
      return false
    }
    return true
  }

  /** `why`: what the log line says besides (a failed trial's loss and the packets it was judged over). */
  #pause(backoffMs: number, why: TrialVerdict = {}): void {
    this.#state = 'paused'
    this.#backoffMs = backoffMs
    this.#slowSince = undefined
    this.#quietSince = undefined
    this.#timer.start(backoffMs, () => this.#resume())
    if (this.#toldPaused) return
    this.#toldPaused = true
    this.#actions.changed(true, { backoffMs, state: 'paused', ...why })
  }

  #resume(): void {
    if (this.#state !== 'paused') return
    this.#state = 'resuming'
    this.#timer.start(KEYFRAME_WAIT_MS, () => this.#noKeyframe())
    this.#actions.keyframeWanted()
  }

  /** No keyframe came (the publisher's video stopped, or the PLI or its answer was lost). */
  #noKeyframe(): void {
    if (this.#state !== 'resuming') return
    // A tile shown again waits for its keyframe however long it takes: a pause would blank a watched tile.
    if (this.#othersFine && this.#unhidingTo === undefined) {
      this.#pause(Math.min(MAX_BACKOFF_MS, 2 * this.#backoffMs))
      return
    }
    // Nobody else is fine: it must not stay paused; ask again.
    this.#timer.start(KEYFRAME_WAIT_MS, () => this.#noKeyframe())
    this.#actions.keyframeWanted()
  }

  #trialOver(): void {
    if (this.#state !== 'trial') return
    this.#timer.cancel()
    const loss = this.#trialExpected > 0 ? this.#trialLost / this.#trialExpected : 0
    if (loss <= LOSSY) this.#live(FIRST_BACKOFF_MS)
    else if (this.#othersFine) this.#pause(Math.min(MAX_BACKOFF_MS, 2 * this.#backoffMs), { trialLossPercent: Math.round(loss * 1000) / 10, trialPackets: this.#trialExpected })
    // Everyone is slow: it counts again, and the publisher follows its loss.
    else this.#live(this.#backoffMs)
  }

  #live(backoffMs: number): void {
    this.#state = 'live'
    this.#windowLost = 0
    this.#windowExpected = 0
    this.#backoffMs = backoffMs
    this.#slowSince = undefined
    this.#quietSince = undefined
  }
}

/** What the tick reads of a subscription's pause (VideoPause, or a simulcast layer choice: layer-choice.ts). */
export interface JudgedPause {
  readonly fine: boolean
  /** Something is forwarded: while not, the subscriber's loss restarts (its resume's first report is not judged). */
  readonly forwards: boolean
  judge(fraction: number, packets: number, othersFine: boolean): boolean
}

/** A subscription as the estimate's tick reads it (no `pause`: audio, or a plane that does not pause). */
export interface JudgedSubscription {
  readonly loss: SubscriberLoss
  readonly pause?: JudgedPause | undefined
}

/**
 * One estimation tick over one track's subscriptions: each one's loss is taken (SubscriberLoss.take) and
 * judged; `counted` gets the loss of each one that counts in the publisher's estimate (what `take`
 * returns, over the packets its reports covered). A pause is judged on the tick's raw loss: `take`
 * returns 0 for a subscriber over 10 % for longer than SLOW_SUBSCRIBER_MS, which is when it is slow.
 */
export function judgeSubscriptions(subscriptions: Iterable<JudgedSubscription>, now: number, counted: (fraction: number, packets: number) => void): void {
  const taken: { subscription: JudgedSubscription; fraction: number }[] = []
  let fine = 0
  for (const subscription of subscriptions) {
    taken.push({ subscription, fraction: subscription.loss.take(now) })
    if (subscription.pause?.fine) fine++
  }
  for (const { subscription, fraction } of taken) {
    const { loss, pause } = subscription
    if (pause && !pause.judge(loss.fraction, loss.packets, fine - (pause.fine ? 1 : 0) > 0)) {
      // Paused or resuming: the trial is judged from the resume's first report on (SubscriberLoss.restart).
      if (!pause.forwards) loss.restart()
      continue
    }
    counted(fraction, loss.packets)
  }
}
