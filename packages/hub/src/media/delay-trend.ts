// The delay-based overuse detector of the hub's bandwidth estimate (bandwidth.ts), after GCC's
// (draft-ietf-rmcat-gcc-02, libwebrtc's InterArrival + TrendlineEstimator + OveruseDetector), per video
// track, fed by each packet's arrival time and its send time: the abs-send-time the publisher stamps
// (negotiated by werift-config; `onSendTime`, packets sent within SEND_GROUP_MS of a group's first form
// one group, as libwebrtc's InterArrival), or where there is none (the node-datachannel plane) its RTP
// timestamp, as in libwebrtc's receive-side single-stream estimator (`onPacket`: a frame's packets form
// one group, and the encoder's and the sender's pacer's delays count as path delay). Then
// - the delay variation between two groups is their arrival-time difference minus their timestamp
//   difference (a queue building at the bottleneck makes it positive, a queue draining negative);
// - a group that arrives within BURST_MS of the previous one's last packet with a negative variation is
//   merged into it: packets delivered in one burst (a stall of the event loop, which stamps arrival times,
//   or of the socket) are not read as a queue building and then draining;
// - the variations are summed, smoothed (SMOOTHING) and their slope over the last WINDOW groups taken by
//   least squares; the trend is that slope × min(groups, 60) × GAIN (libwebrtc's "modified trend");
// - the trend is compared with an adaptive threshold, which follows |trend| slowly (K_DOWN) below it and
//   faster (K_UP) above it, so that a noisy path (JavaScript timestamps on a busy machine) does not read as
//   a queue; a trend over the threshold for OVERUSE_MS, and still rising, is overuse; below its negative,
//   underuse (a queue draining).
// No allocation per packet: the window is a ring of two Float64Arrays.

export type Usage = 'normal' | 'overusing' | 'underusing'

export const BURST_MS = 5
/** abs-send-time: packets sent within this of a group's first belong to it (libwebrtc's kTimestampGroupLengthMs). */
export const SEND_GROUP_MS = 5
export const MAX_BURST_MS = 100
export const WINDOW = 20
/** A trend is read from this many groups on (a fifth of a second at 30 fps), before the window is full. */
export const MIN_GROUPS = 6
export const SMOOTHING = 0.9
export const GAIN = 4
export const INITIAL_THRESHOLD = 12.5
export const K_UP = 0.01
export const K_DOWN = 0.00018
export const OVERUSE_MS = 10
/** A gap between frames (capture or arrival) over this restarts the trend and clears its verdict. */
export const GAP_MS = 1_000
/** 90 kHz video clock. */
const TICKS_PER_MS = 90

export class DelayTrend {
  usage: Usage = 'normal'
  threshold = INITIAL_THRESHOLD
  /** The last modified trend (ms of delay growth, scaled), for logs and tests. */
  trend = 0
  /** Current group: first and last send time (ms) and first and last arrival (ms). */
  #groupSendMs = Number.NaN
  #groupFirstSendMs = Number.NaN
  #groupArrivalMs = Number.NaN
  #groupFirstArrivalMs = Number.NaN
  #previousSendMs = Number.NaN
  #previousArrivalMs = Number.NaN
  /** Timestamp unwrapping: the newest raw 32-bit timestamp and its extended value. */
  #lastRaw = -1
  #lastExtended = 0
  #accumulated = 0
  #smoothed = 0
  #firstArrivalMs = Number.NaN
  readonly #xs = new Float64Array(WINDOW)
  readonly #ys = new Float64Array(WINDOW)
  #count = 0
  #groups = 0
  #lastThresholdUpdateMs = Number.NaN
  #overuseMs = -1
  #overuseCount = 0
  #previousTrend = 0

  /** One packet of the track; returns the usage after it (changes only when a group completes). */
  onPacket(rtpTimestamp: number, arrivalMs: number): Usage {
    return this.#onSend(this.#unwrap(rtpTimestamp), arrivalMs, 0)
  }

  /** One packet by its send time (abs-send-time, ms, unwrapped by the caller); see the header. */
  onSendTime(sendMs: number, arrivalMs: number): Usage {
    return this.#onSend(sendMs, arrivalMs, SEND_GROUP_MS)
  }

  #onSend(sendMs: number, arrivalMs: number, groupSpanMs: number): Usage {
    if (Number.isNaN(this.#groupSendMs)) {
      this.#startGroup(sendMs, arrivalMs)
      return this.usage
    }
    // A packet of the current group, or of an older one (reordered, or a resend): nothing new to learn.
    if (sendMs <= this.#groupSendMs || sendMs - this.#groupFirstSendMs <= groupSpanMs) {
      if (sendMs > this.#groupSendMs) this.#groupSendMs = sendMs
      if (sendMs === this.#groupSendMs || (groupSpanMs > 0 && sendMs >= this.#groupFirstSendMs)) this.#groupArrivalMs = Math.max(this.#groupArrivalMs, arrivalMs)
      return this.usage
    }
    // A burst: the next frame arrived with the current one (see the header); it joins the group.
    const arrivalDelta = arrivalMs - this.#groupArrivalMs
    if (arrivalDelta <= BURST_MS && arrivalDelta - (sendMs - this.#groupSendMs) < 0 && arrivalMs - this.#groupFirstArrivalMs < MAX_BURST_MS) {
      this.#groupSendMs = sendMs
      this.#groupArrivalMs = arrivalMs
      return this.usage
    }
    // A second or more without a frame (a frozen or paused camera, a sender starved after a cut): what
    // the trend and the verdict said before is stale; they start again (see #restart).
    if (sendMs - this.#groupSendMs > GAP_MS || arrivalMs - this.#groupArrivalMs > GAP_MS) {
      this.#restart()
      this.#startGroup(sendMs, arrivalMs)
      return this.usage
    }
    if (!Number.isNaN(this.#previousSendMs)) {
      const variation = this.#groupArrivalMs - this.#previousArrivalMs - (this.#groupSendMs - this.#previousSendMs)
      this.#update(variation, this.#groupArrivalMs, this.#groupSendMs - this.#previousSendMs)
    }
    this.#previousSendMs = this.#groupSendMs
    this.#previousArrivalMs = this.#groupArrivalMs
    this.#startGroup(sendMs, arrivalMs)
    return this.usage
  }

  #startGroup(sendMs: number, arrivalMs: number): void {
    this.#groupSendMs = sendMs
    this.#groupFirstSendMs = sendMs
    this.#groupArrivalMs = arrivalMs
    this.#groupFirstArrivalMs = arrivalMs
  }

  #unwrap(raw: number): number {
    if (this.#lastRaw < 0) {
      this.#lastRaw = raw
      this.#lastExtended = raw
      return raw / TICKS_PER_MS
    }
    // Signed 32-bit difference: forward across the wrap stays forward, a late packet stays behind.
    const delta = (raw - this.#lastRaw) | 0
    const extended = this.#lastExtended + delta
    if (delta > 0) {
      this.#lastRaw = raw
      this.#lastExtended = extended
    }
    return extended / TICKS_PER_MS
  }

  /**
   * The trend starts again, and an overuse said before the gap is cleared: left standing, the window
   * read it on every tick until MIN_GROUPS new frames came, which at the floor's few frames a second
   * held the estimate at the floor for 2–3.5 s (measured on the ramp bench). The threshold is kept.
   */
  #restart(): void {
    this.#count = 0
    this.#groups = 0
    this.#accumulated = 0
    this.#smoothed = 0
    this.#firstArrivalMs = Number.NaN
    this.#previousSendMs = Number.NaN
    this.#previousArrivalMs = Number.NaN
    this.#overuseMs = -1
    this.#overuseCount = 0
    this.#previousTrend = 0
    this.trend = 0
    this.usage = 'normal'
  }

  /** One delay variation (ms) of the group that completed at `arrivalMs`, `sendDeltaMs` after the one before. */
  #update(variation: number, arrivalMs: number, sendDeltaMs: number): void {
    // A stream restarted (a jump of the timestamps): start the trend again.
    if (Math.abs(variation) > 5_000) {
      this.#restart()
      return
    }
    if (Number.isNaN(this.#firstArrivalMs)) this.#firstArrivalMs = arrivalMs
    this.#groups++
    this.#accumulated += variation
    this.#smoothed = SMOOTHING * this.#smoothed + (1 - SMOOTHING) * this.#accumulated
    const slot = this.#count % WINDOW
    this.#xs[slot] = arrivalMs - this.#firstArrivalMs
    this.#ys[slot] = this.#smoothed
    this.#count++
    if (this.#count < MIN_GROUPS) return
    const slope = this.#slope()
    this.trend = slope * Math.min(this.#groups, 60) * GAIN
    this.#detect(sendDeltaMs, arrivalMs)
  }

  /** Least-squares slope of the window (ms of smoothed delay per ms of arrival time). */
  #slope(): number {
    let sumX = 0
    let sumY = 0
    const n = Math.min(this.#count, WINDOW)
    for (let i = 0; i < n; i++) {
      sumX += this.#xs[i]!
      sumY += this.#ys[i]!
    }
    const meanX = sumX / n
    const meanY = sumY / n
    let numerator = 0
    let denominator = 0
    for (let i = 0; i < n; i++) {
      const dx = this.#xs[i]! - meanX
      numerator += dx * (this.#ys[i]! - meanY)
      denominator += dx * dx
    }
    return denominator === 0 ? 0 : numerator / denominator
  }

  #detect(sendDeltaMs: number, nowMs: number): void {
    const trend = this.trend
    if (trend > this.threshold) {
      if (this.#overuseMs < 0) this.#overuseMs = sendDeltaMs / 2
      else this.#overuseMs += sendDeltaMs
      this.#overuseCount++
      if (this.#overuseMs > OVERUSE_MS && this.#overuseCount > 1 && trend >= this.#previousTrend) {
        this.#overuseMs = 0
        this.#overuseCount = 0
        this.usage = 'overusing'
      }
    } else if (trend < -this.threshold) {
      this.#overuseMs = -1
      this.#overuseCount = 0
      this.usage = 'underusing'
    } else {
      this.#overuseMs = -1
      this.#overuseCount = 0
      this.usage = 'normal'
    }
    this.#previousTrend = trend
    this.#adaptThreshold(trend, nowMs)
  }

  #adaptThreshold(trend: number, nowMs: number): void {
    if (Number.isNaN(this.#lastThresholdUpdateMs)) this.#lastThresholdUpdateMs = nowMs
    const magnitude = Math.abs(trend)
    // A spike far over the threshold (a keyframe, a stall) does not raise it.
    if (magnitude > this.threshold + 15) {
      this.#lastThresholdUpdateMs = nowMs
      return
    }
    const k = magnitude < this.threshold ? K_DOWN : K_UP
    const elapsed = Math.min(nowMs - this.#lastThresholdUpdateMs, 100)
    this.threshold = Math.min(600, Math.max(6, this.threshold + k * (magnitude - this.threshold) * elapsed))
    this.#lastThresholdUpdateMs = nowMs
  }
}
