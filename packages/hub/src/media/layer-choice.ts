// Which simulcast layer one subscriber gets (issue 10, the slowest subscriber, with simulcast). A pure
// state holder, every timer on the injected Clock, as VideoPause: the plane forwards the layer at
// `target` from that layer's next keyframe and says so (`switched`); the estimate's tick judges the
// subscriber's loss (`judge`, as VideoPause.judge). Levels: 0 = paused (nothing forwarded), 1 = the
// lowest layer … `layerCount` = the highest. A subscriber's loss never counts in the publisher's
// estimate here (judge returns false): a lower layer, not a slower publisher, is what fixes its link.
//   starting      nothing forwarded yet (level 0): the target layer's first keyframe starts the video
//                 (`switched`: steady), or another layer's (`started`: startedAside)
//   startedAside  the subscription's first keyframe forwarded of another layer than the target's (the
//                 hold's keyframe, or a wider layer's that came first while a ceiling had lowered the
//                 target): its first picture is never held back for the target; the target's keyframe is
//                 asked until it comes (no give-up), then steady (a start's switch to the target is no
//                 probe: no trial). A ceiling moving the target to `level`: steady there. Judged as
//                 steady: a slow episode on a layer under the target steps down from it (the start's
//                 switch up dropped; the link is slow on what it carries now), over it waits for the
//                 start's switch down
//   steady        forwarding `level`; judged in windows of JUDGE_MIN_PACKETS reported packets; a slow
//                 episode (windows over LOSSY) of STEP_DOWN_MS steps down: to the widest lower layer
//                 whose bitrate fits what the link delivered of this one in the episode's last window
//                 (what was forwarded × (1 − loss) × FIT_MARGIN), at least one level, never below the
//                 lowest (the pause stays the lowest layer's own episode); below the highest level, a
//                 probe one level up after `backoffMs`
//   switching     `target` ≠ `level`: the plane waits for the target layer's keyframe (and keeps
//                 forwarding `level`). Down: asked again until it comes. Up (a probe): given up after
//                 KEYFRAME_WAIT_MS (the layer may not be sent at all), backoff doubled
//   trial         just went up: judged for TRIAL_MS (EARLY_FAIL past TRIAL_MIN_PACKETS ends it early);
//                 failed: one level down again, backoff doubled; passed: steady, backoff back to the first
//   hidden        the subscriber's tile is not shown (a 0×0 video_size, viewer-size.ts): level 0, no
//                 probe, no timer, not told (it asked); a nonzero size switches to the level it left,
//                 within the new ceiling, or to the new ceiling when the old one held that level (a tile
//                 re-drawn larger, e.g. pinned: its layer at once, as a rise is), from that layer's next
//                 keyframe (asked again until it comes)
//   ended         unsubscribed, or the track gone
// The ceiling (setCeiling, from the subscriber's tile size: viewer-size.ts) bounds every level: a fall
// below the target switches down at once (from the lower layer's keyframe); a rise while the target was
// at the old ceiling is taken at once (the wider layer's keyframe asked for; judged as a probe's trial);
// below it, bandwidth still steps down and probes up, never past the ceiling.
// Going down to level 0 (pausing) needs no keyframe: it is at once, and the subscriber is told; the
// probe from 0 is to level 1 (its keyframe resumes the video, and the subscriber is told).
import { EARLY_FAIL, FIRST_BACKOFF_MS, JUDGE_MIN_PACKETS, KEYFRAME_WAIT_MS, LOSSY, MAX_BACKOFF_MS, TRIAL_MIN_PACKETS, TRIAL_MS } from './video-pause.js'
import { type Clock, Timer } from '../clock.js'

/**
 * A slow episode this long steps a level down. Shorter than the pause's SLOW_SUBSCRIBER_MS: that one
 * waits because the publisher slows for everyone meanwhile; here nobody else is slowed, and each second
 * over LOSSY is a frozen or broken picture for this subscriber.
 */
export const STEP_DOWN_MS = 2_000

/**
 * A lower layer fits when its bitrate is at most this share of what the link delivered of the current one:
 * the loss-based reading is of a full queue, whose rate the audio shares and whose depth a keyframe fills.
 */
export const FIT_MARGIN = 0.85

export type LayerChoiceState = 'starting' | 'startedAside' | 'steady' | 'switching' | 'trial' | 'hidden' | 'ended'

/** What the choice reads of the layers (the plane's measurements). */
export interface LayerRates {
  /** The bitrate (bit/s) of the layer at `level` as it arrives now; undefined while not measured. */
  bitrate(level: number): number | undefined
}

export interface LayerChoiceActions {
  /** The subscriber's video stopped (level 0) or came back (level 1 from 0). */
  paused(paused: boolean, why: { level: number; backoffMs: number }): void
  /** `target` changed: the plane asks the target layer's publisher for a keyframe. */
  targetChanged(target: number): void
}

export class LayerChoice {
  readonly layerCount: number
  #state: LayerChoiceState = 'starting'
  /** The level forwarded now (0: none yet, or paused). */
  #level = 0
  #target: number
  readonly #clock: Clock
  readonly #actions: LayerChoiceActions
  readonly #timer: Timer
  #backoffMs = FIRST_BACKOFF_MS
  #slowSince: number | undefined
  #windowLost = 0
  #windowExpected = 0
  #trialLost = 0
  #trialExpected = 0
  #reported = false
  /** The subscriber was told its video paused (the first layer's start is no resume). */
  #toldPaused = false
  readonly #rates: LayerRates | undefined
  /** Bytes forwarded in the current loss window, and when it started. */
  #windowBytes = 0
  #windowStart: number
  /** What the link delivered of the current layer in the last lossy window (bit/s), for the next step down. */
  #deliveredBps: number | undefined
  /** The widest level the subscriber's tile needs (0: hidden); `layerCount` while it told none. */
  #ceiling: number
  /** Hidden: the level it returns to when shown (what it forwarded or wanted when hidden). */
  #hiddenFrom = 0
  /** Hidden: the ceiling held that level (not bandwidth), so a higher ceiling when shown is taken. */
  #hiddenAtCeiling = false

  /** Starts wanting `start` (default the highest level): its layer's first keyframe starts the video, or another's (`started`). */
  constructor(clock: Clock, layerCount: number, actions: LayerChoiceActions, start = layerCount, rates?: LayerRates) {
    this.#clock = clock
    this.#actions = actions
    this.#rates = rates
    this.#windowStart = clock.now()
    this.#timer = new Timer(clock)
    this.layerCount = Math.max(1, layerCount)
    this.#ceiling = this.layerCount
    this.#target = Math.min(this.layerCount, Math.max(1, start))
  }

  get ceiling(): number {
    return this.#ceiling
  }

  /**
   * The widest level the subscriber's tile needs (viewer-size.ts ceilingLevel; 0: not shown). A fall
   * switches down now, a rise from a target at the old ceiling switches up now; see the header.
   */
  setCeiling(ceiling: number): void {
    const next = Math.min(this.layerCount, Math.max(0, Math.floor(ceiling)))
    const before = this.#ceiling
    if (this.#state === 'ended' || next === before) return
    this.#ceiling = next
    if (next === 0) return this.#hide(before)
    if (this.#state === 'hidden') return this.#show()
    if (next < before) return this.#lower(next)
    // A rise: taken only where the ceiling held the choice back (bandwidth's own level stays its own).
    if (this.#target < before) return
    this.#target = next
    // Back up to a level still forwarded (a switch down not yet taken): nothing to switch.
    if (this.#level === next) this.#steady()
    // Started aside, the new target's keyframe is waited for as the old one's was (no give-up); at level 0
    // (starting, or shown again) a keyframe is awaited anyway.
    else if (this.#level > 0 && this.#state !== 'startedAside') {
      this.#timer.cancel()
      this.#state = 'switching'
      this.#timer.start(KEYFRAME_WAIT_MS, () => this.#noKeyframe())
    }
    this.#actions.targetChanged(next)
  }

  get state(): LayerChoiceState {
    return this.#state
  }

  get level(): number {
    return this.#level
  }

  /** The level the plane should forward (from that layer's next keyframe; 0: nothing). */
  get target(): number {
    return this.#target
  }

  get backoffMs(): number {
    return this.#backoffMs
  }

  /** Something is forwarded (PLIs and NACKs from the subscriber are answered). */
  get forwards(): boolean {
    return this.#level > 0
  }

  /** Forwarding, reported on, and in no slow episode (as VideoPause.fine, for the estimate's tick). */
  get fine(): boolean {
    return this.#state === 'steady' && this.#level > 0 && this.#reported && this.#slowSince === undefined
  }

  /** A packet of `bytes` was forwarded to the subscriber (what its link was offered). */
  forwarded(bytes: number): void {
    this.#windowBytes += bytes
  }

  /** One estimation tick (VideoPause.judge's arguments); never counts in the publisher's estimate. */
  judge(fraction: number, packets: number, _othersFine?: boolean): boolean {
    if (packets <= 0) return false
    if (this.#state === 'trial') {
      this.#trialLost += fraction * packets
      this.#trialExpected += packets
      if (this.#trialExpected >= TRIAL_MIN_PACKETS && this.#trialLost / this.#trialExpected > EARLY_FAIL) this.#trialOver()
      return false
    }
    if (this.#level === 0 || this.#state === 'ended') return false
    // Switching down: still judged, the episode goes on; switching up: the level's own windows, as steady.
    this.#windowLost += fraction * packets
    this.#windowExpected += packets
    if (this.#windowExpected < JUDGE_MIN_PACKETS) return false
    const windowFraction = this.#windowLost / this.#windowExpected
    const now = this.#clock.now()
    const windowBps = now > this.#windowStart ? (this.#windowBytes * 8 * 1000) / (now - this.#windowStart) : undefined
    this.#windowLost = 0
    this.#windowExpected = 0
    this.#windowBytes = 0
    this.#windowStart = now
    this.#reported = true
    if (windowFraction <= LOSSY) {
      this.#slowSince = undefined
      return false
    }
    this.#deliveredBps = windowBps === undefined ? undefined : windowBps * (1 - windowFraction)
    this.#slowSince ??= now
    // A switch up waiting for its keyframe (a probe's, or a start's) gives way; a switch down is not stepped past.
    if (now - this.#slowSince >= STEP_DOWN_MS && this.#target >= this.#level) this.#stepDown(this.#backoffMs)
    return false
  }

  /**
   * The plane forwarded the subscription's first keyframe, of `level` (the target's or another layer's):
   * forwarding from now on, towards the target from its keyframe when it is another (see the header).
   */
  started(level: number): void {
    if (this.#state !== 'starting' || level <= 0) return
    if (level === this.#target) return this.switched(level)
    this.#state = 'startedAside'
    this.#level = Math.min(this.layerCount, level)
    this.#resetWindows()
  }

  /** The plane forwarded the first packet of `level`'s keyframe (or, for 0, stopped forwarding). */
  switched(level: number): void {
    if (this.#state === 'ended' || level !== this.#target || level === this.#level) return
    const from = this.#level
    this.#level = level
    this.#resetWindows()
    if (from === 0 && this.#toldPaused) {
      this.#toldPaused = false
      this.#actions.paused(false, { level, backoffMs: this.#backoffMs })
    }
    // Up from a level forwarded is a probe's (or a ceiling rise's) switch, judged; a start's is not.
    if (level > from && from > 0 && this.#state !== 'startedAside') {
      this.#state = 'trial'
      this.#trialLost = 0
      this.#trialExpected = 0
      this.#timer.start(TRIAL_MS, () => this.#trialOver())
      return
    }
    this.#steady()
  }

  end(): void {
    this.#timer.cancel()
    this.#state = 'ended'
  }

  #steady(): void {
    this.#state = 'steady'
    this.#timer.cancel()
    if (this.#level < this.#ceiling) this.#timer.start(this.#backoffMs, () => this.#probeUp())
  }

  /** The ceiling fell under the target (or the level): down to it, from its next keyframe. */
  #lower(ceiling: number): void {
    if (this.#target > ceiling) {
      this.#target = ceiling
      this.#actions.targetChanged(ceiling)
    }
    if (this.#level > ceiling) {
      // A switch down, as a step down's: no give-up timer (asked again until it comes).
      this.#timer.cancel()
      this.#state = 'switching'
    } else if ((this.#state === 'switching' || this.#state === 'startedAside') && this.#level > 0 && this.#target === this.#level) {
      // A probe up past the new ceiling (or a start's switch up): off.
      this.#steady()
    } else if (this.#state === 'steady' && this.#level >= ceiling) {
      this.#timer.cancel()
    }
  }

  #hide(ceiling: number): void {
    this.#hiddenFrom = this.#level > 0 ? this.#level : this.#target
    this.#hiddenAtCeiling = this.#hiddenFrom >= ceiling
    this.#timer.cancel()
    this.#state = 'hidden'
    this.#level = 0
    this.#target = 0
    this.#resetWindows()
    this.#actions.targetChanged(0)
  }

  /**
   * Shown again: the level it left (within the ceiling), or the new ceiling where the old one held it,
   * from that layer's keyframe, however long it takes.
   */
  #show(): void {
    this.#state = 'switching'
    this.#target = Math.min(this.#ceiling, Math.max(1, this.#hiddenAtCeiling ? this.#ceiling : this.#hiddenFrom))
    this.#actions.targetChanged(this.#target)
  }

  #probeUp(): void {
    if (this.#state !== 'steady' || this.#level >= this.#ceiling) return
    this.#state = 'switching'
    this.#target = this.#level + 1
    this.#timer.start(KEYFRAME_WAIT_MS, () => this.#noKeyframe())
    this.#actions.targetChanged(this.#target)
  }

  /** A probe's keyframe never came: stay where it is, try again later. */
  #noKeyframe(): void {
    if (this.#state !== 'switching' || this.#target <= this.#level) return
    this.#target = this.#level
    this.#backoffMs = Math.min(MAX_BACKOFF_MS, 2 * this.#backoffMs)
    this.#actions.targetChanged(this.#target)
    this.#steady()
  }

  #trialOver(): void {
    if (this.#state !== 'trial') return
    this.#timer.cancel()
    const loss = this.#trialExpected > 0 ? this.#trialLost / this.#trialExpected : 0
    if (loss <= LOSSY) {
      this.#backoffMs = FIRST_BACKOFF_MS
      this.#steady()
      return
    }
    this.#stepDown(Math.min(MAX_BACKOFF_MS, 2 * this.#backoffMs))
  }

  #stepDown(backoffMs: number): void {
    this.#backoffMs = backoffMs
    this.#slowSince = undefined
    this.#timer.cancel()
    this.#target = this.#level > 1 ? this.#fitting() : 0
    if (this.#target === 0) {
      this.#level = 0
      this.#resetWindows()
      this.#state = 'steady'
      this.#actions.targetChanged(0)
      this.#toldPaused = true
      this.#actions.paused(true, { level: 0, backoffMs })
      this.#timer.start(backoffMs, () => this.#probeUp())
      return
    }
    this.#state = 'switching'
    this.#actions.targetChanged(this.#target)
  }

  /**
   * The level to step down to from `level` (> 1): the widest lower one whose bitrate fits what the link
   * delivered (FIT_MARGIN), else the lowest; one level down when that is not known.
   */
  #fitting(): number {
    const delivered = this.#deliveredBps
    this.#deliveredBps = undefined
    const below = this.#level - 1
    if (delivered === undefined || !this.#rates) return below
    for (let level = below; level > 1; level--) {
      const bitrate = this.#rates.bitrate(level)
      if (bitrate === undefined) return below
      if (bitrate <= delivered * FIT_MARGIN) return level
    }
    return 1
  }

  #resetWindows(): void {
    this.#windowLost = 0
    this.#windowExpected = 0
    this.#windowBytes = 0
    this.#windowStart = this.#clock.now()
    this.#slowSince = undefined
    this.#deliveredBps = undefined
  }
}
