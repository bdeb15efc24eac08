// Bandwidth estimation from the hub: what each publisher is told it may send, as REMB (RTCP
// receiver-estimated maximum bitrate, `goog-remb`), from what the hub sees of its video. Shared by both
// media planes (no werift or libdatachannel types here): the werift plane feeds it in werift-forwarder.ts,
// the node-datachannel plane in ndc-forwarding.ts; the tick and the REMBs are feedback.ts.
//
// Per video track, from packets counted as they arrive (no allocation per packet), every TICK_MS:
// - the received bitrate;
// - the loss on the way in (gaps in the RTP sequence numbers);
// - the overuse detector's verdict (delay-trend.ts, after GCC): the trend of the one-way delay variation
//   between packet groups (arrival time against send time: abs-send-time when the publisher stamps it,
//   else the RTP timestamp), against an adaptive threshold;
// - the standing queue: arrival time minus send time, the window's minimum against the lowest seen in the
//   last BASELINE_MS, where a queue that stays flat for STEP_MS is a step in the path's delay and becomes
//   the baseline (queue-baseline.ts);
// - the loss the track's subscribers report (RTCP receiver reports on the hub's forwarded stream: their
//   cumulative counters over the tick, subscriber-loss.ts).
// The estimate is the lower of two rates, as GCC's:
// - delay-based, AIMD: on overuse it falls at once to BETA × what arrived (and further while a queue
//   stands, so that it drains, not only stops growing), at most once per DECREASE_INTERVAL_MS; while the
//   queue drains (underuse) it holds; then it grows, by ADDITIVE_BPS_PER_S near the capacity seen at
//   the last decreases, by MULTIPLICATIVE_PER_S away from it (at the start, and once what arrives leaves
//   that capacity behind: the limit was lifted); a queue that then stays flat for STEP_MS was a step in
//   the path's delay (queue-baseline.ts), and the cuts made for it are undone;
// - loss-based, over at least LOSS_MIN_PACKETS packets and LOSS_MIN_MS (a fraction of the packets, not an
//   average over time: after a cut a publisher sends 2–7 packets a tick, and one random loss in a tick
//   read 11–20 %): over 10 % it falls by half the loss; 2–10 % holds it while a queue stands (loss at a
//   full drop-tail queue is congestion) and lets it grow when none does (the link's own random loss);
//   below 2 % it grows. Random loss of a few % therefore neither cuts the rate nor holds it at the floor
//   after a cut; the delay rule, not loss, finds a bottleneck, before its queue overflows.
// It starts at the room's `initial_bandwidth`, which Chromium adopts at once in its first 2 s (it trusts
// REMB in its start phase while it sees no loss), so a clean link is used from the first second; the
// publisher's probe clusters (probe.ts, `probed`) then cap it at what a narrower link delivered, within
// ~0.5 s (they never raise it); and the first overuse cuts it. The forwarder sends the start estimate the
// moment the publisher's connection is up and again on its first video packet, not at the next tick:
// Firefox ESR sizes its first frames from the
// bitrate it knows when it starts encoding (its own start rate is too low for 640x480) and scales up
// again only after ~10 s, so a REMB that comes a tick late costs it 640x480 for those 10 s.
// Arrival times are taken in JavaScript: a busy event loop delivers frames late and then in a burst,
// which the detector merges into one group (delay-trend.ts) rather than reading it as a queue.
// Bounds come from the room's `bitrates`: never below `video_low` (+ audio), never above twice
// `initial_bandwidth` or `video_high` (+ audio), whichever is higher.
//
// The slowest subscriber: its loss counts like the publisher's own in the loss-based rate, so one
// subscriber on a bad link slows the publisher for everyone (unless the publisher sends simulcast: then
// its loss does not count and it gets a lower layer, layer-choice.ts), but only down to `video_low`, and only for a while: once its loss has held the estimate down
// for SLOW_SUBSCRIBER_MS while another subscriber is fine, the plane pauses that video to it and leaves
// it out of the estimate (video-pause.ts; hub README, "The slowest subscriber"). Its queueing delay is
// not measured (the hub sees only arrivals from publishers), so a subscriber behind a queue that drops
// nothing slows nobody.
import type { Bitrates } from '@parley/protocol'
import { DelayTrend, type Usage } from './delay-trend.js'
import { ABS_SEND_TIME_UNITS_PER_MS, type ProbeCluster, ProbeMeter } from './probe.js'
import { QueueBaseline, STEP_MS } from './queue-baseline.js'

export { BASELINE_MS } from './queue-baseline.js'
export const TICK_MS = 250
/** A queue over this, grown from over half of it in the window before, is overuse (InboundWindow). */
export const QUEUE_OVERUSE_MS = 100
/** Growth of the queue over one window that counts for that rule (less is the arrival times' jitter). */
export const QUEUE_GROWTH_MS = 5
/** Overuse: the rate falls to BETA × what arrived, at most once per DECREASE_INTERVAL_MS. */
export const BETA = 0.85
export const DECREASE_INTERVAL_MS = 500
/** A queue over DRAIN_FROM_MS at a decrease lowers the rate further: × (1 − queue / (2 × DRAIN_MS)), half at DRAIN_MS. */
export const DRAIN_FROM_MS = 50
export const DRAIN_MS = 500
/** Growth far from any capacity seen (16 %/s: 1 → 2 Mbit/s in under 5 s), and near it. */
export const MULTIPLICATIVE_PER_S = 1.16
export const ADDITIVE_BPS_PER_S = 40_000
/** A cluster that arrived slower than this × its send rate was held at a bottleneck (probe.ts). */
export const PROBE_HELD = 0.85
/** The loss rule judges a fraction over at least this many packets and this long (one loss in 30 is 3.3 %). */
export const LOSS_MIN_PACKETS = 30
export const LOSS_MIN_MS = 500
/** A queue under this (and no overuse) means loss in the 2–10 % band is the link's own, not congestion. */
export const LOSS_QUEUE_MS = 50

export interface BandwidthLimits {
  floorBps: number
  startBps: number
  ceilingBps: number
}

/** The estimate's bounds for a room, from its `bitrates` option (all in bit/s). */
export function bandwidthLimits(bitrates: Bitrates): BandwidthLimits {
  const audio = Math.max(bitrates.audio, bitrates.audio_red)
  const floorBps = Math.max(50_000, bitrates.video_low + audio)
  const ceilingBps = Math.max(floorBps, 2 * bitrates.initial_bandwidth, bitrates.video_high + audio)
  const startBps = Math.min(ceilingBps, Math.max(floorBps, bitrates.initial_bandwidth))
  return { floorBps, startBps, ceilingBps }
}

/** What arrived of one video track in the current window; fed per packet, read and reset per tick. */
export class InboundWindow {
  bytes = 0
  received = 0
  /** Extended highest sequence number seen (-1 before the first packet). */
  #highest = -1
  #expectedFrom = -1
  #minTransitMs = Number.POSITIVE_INFINITY
  /** The recent windows' minimum transit, and the path-delay steps taken into it (queue-baseline.ts). */
  readonly #baseline = new QueueBaseline(TICK_MS)
  /** The overuse detector over this track's frames (delay-trend.ts). */
  readonly trend = new DelayTrend()
  /** The detector said overuse at some point in this window. */
  #overused = false
  /** The previous window's queue delay. */
  #lastQueueDelayMs = 0
  /** The publisher's probe clusters at the start (abs-send-time, probe.ts); fed by the plane. */
  readonly probe = new ProbeMeter()

  /** Send times from abs-send-time (null: the track's first packet had none, RTP timestamps are used). */
  #absSendTime: { raw: number; ms: number } | null | undefined

  /**
   * One packet; `paddingOnly` (a probe's padding, stamped with the last frame's RTP time) counts in the
   * bitrate and loss only. `absSendTime` (24 bits, when negotiated) is its send time for the queue and the
   * delay trend; without it, the capture time (RTP timestamp) is, with the encoder's delay in the path.
   */
  onPacket(sequenceNumber: number, rtpTimestamp: number, size: number, arrivalMs: number, paddingOnly = false, absSendTime?: number): void {
    this.bytes += size
    this.received++
    if (this.#highest < 0) {
      this.#highest = sequenceNumber
      this.#expectedFrom = sequenceNumber
    } else {
      const current = this.#highest & 0xffff
      let delta = (sequenceNumber - current) & 0xffff
      if (delta >= 0x8000) delta -= 0x10000
      if (delta > 0) this.#highest += delta
      // Not ahead of the highest: a resend on a NACK (or a reordered packet). Its RTP timestamp is its
      // frame's, its arrival a round trip or more later, so it would read as queue and as delay growth
      // (measured on the ramp bench: a 0.4–1.9 s "queue" in windows where resends were most of what came).
      else return
    }
    if (paddingOnly) return
    this.#absSendTime ??= absSendTime === undefined ? null : { raw: absSendTime, ms: absSendTime / ABS_SEND_TIME_UNITS_PER_MS }
    if (this.#absSendTime) {
      // One clock per track: a packet without the extension on a track that had it says nothing of delay.
      if (absSendTime === undefined) return
      const sendMs = this.#sendMs(this.#absSendTime, absSendTime)
      const transit = arrivalMs - sendMs
      if (transit < this.#minTransitMs) this.#minTransitMs = transit
      if (this.trend.onSendTime(sendMs, arrivalMs) === 'overusing') this.#overused = true
      return
    }
    // 90 kHz video clock: transit in ms up to a constant offset, which the baseline removes.
    const transit = arrivalMs - rtpTimestamp / 90
    if (transit < this.#minTransitMs) this.#minTransitMs = transit
    if (this.trend.onPacket(rtpTimestamp, arrivalMs) === 'overusing') this.#overused = true
  }

  /** abs-send-time (6.18 s, wrapping every 64 s) as ms, unwrapped against the newest seen. */
  #sendMs(last: { raw: number; ms: number }, raw: number): number {
    let delta = (raw - last.raw) & 0xffffff
    if (delta >= 0x800000) delta -= 0x1000000
    const ms = last.ms + delta / ABS_SEND_TIME_UNITS_PER_MS
    if (delta > 0) {
      last.raw = raw
      last.ms = ms
    }
    return ms
  }

  /** The window's figures; the next window starts. */
  take(windowMs: number): { receivedBps: number; lossFraction: number; expected: number; queueDelayMs: number; rebasedMs: number; usage: Usage } {
    const expected = this.#highest < 0 ? 0 : this.#highest - this.#expectedFrom + 1
    const lossFraction = expected > 0 ? Math.max(0, 1 - this.received / expected) : 0
    const receivedBps = (this.bytes * 8 * 1000) / windowMs
    const { queueDelayMs, rebasedMs } = this.#baseline.push(this.#minTransitMs, windowMs, this.#overused)
    this.bytes = 0
    this.received = 0
    if (this.#highest >= 0) this.#expectedFrom = this.#highest + 1
    this.#minTransitMs = Number.POSITIVE_INFINITY
    // A standing queue that grew over two windows is overuse too, even before the trend says so: at a
    // low frame rate the trend needs a second or more of frames (measured: 1.3 s from 50 to 450 ms of
    // queue at 800 kbit/s). One long stall of the event loop raises one window only.
    const queueGrowing = queueDelayMs > QUEUE_OVERUSE_MS && this.#lastQueueDelayMs > QUEUE_OVERUSE_MS / 2 && queueDelayMs > this.#lastQueueDelayMs + QUEUE_GROWTH_MS
    this.#lastQueueDelayMs = queueDelayMs
    const usage = this.#overused || queueGrowing ? 'overusing' : this.trend.usage
    this.#overused = false
    return { receivedBps, lossFraction, expected, queueDelayMs, rebasedMs, usage }
  }
}

export interface EstimatorInput {
  /** What arrived of the publisher's video over the window. */
  receivedBps: number
  /** The worse of the loss on the way in and its subscribers' (SubscriberLoss). */
  lossFraction: number
  /** The packets that fraction is of (those expected on the way in over the window). */
  packets: number
  /** The window's minimum transit above the baseline (InboundWindow). */
  queueDelayMs: number
  /** The delay-trend detector's verdict over the window (delay-trend.ts). */
  usage: Usage
  /** The queue was found to be a step in the path delay and taken into the baseline (queue-baseline.ts). */
  rebasedMs?: number
  /** The window's length; TICK_MS unless the timer ran late. */
  windowMs?: number
}

/** A link capacity estimate: mean throughput at decreases (kbit/s) and its normalised deviation. */
interface Capacity {
  mean: number
  deviation: number
}

/** The mean ± `sigmas` standard deviations (σ = √(deviation × mean), kbit/s). */
function capacityBound(capacity: Capacity, sigmas: number): number {
  return capacity.mean + sigmas * Math.sqrt(capacity.deviation * capacity.mean)
}

/**
 * The estimate for one publisher: the lower of a delay-based rate (AIMD on the overuse detector, as GCC's
 * rate controller) and a loss-based one, within the room's bounds (see the header).
 */
export class BandwidthEstimator {
  estimateBps: number
  readonly #limits: BandwidthLimits
  #delayBps: number
  #lossBps: number
  #state: 'hold' | 'increase' = 'increase'
  /** The link's capacity as seen at the decreases, until the throughput leaves it behind. */
  #capacity: Capacity | undefined
  #previousReceivedBps: number | undefined
  /** The last cut went below BETA × the capacity seen, to drain a queue: undone once it has drained. */
  #draining = false
  /** Loss judged over the last LOSS_MIN_PACKETS or more, and the packets (lost, expected) being gathered for the next. */
  #lossFraction = 0
  #lossLost = 0
  #lossExpected = 0
  #lossSinceMs = 0
  #sinceDecreaseMs = Number.POSITIVE_INFINITY
  #sinceLossDecreaseMs = Number.POSITIVE_INFINITY
  /** The delay rule has cut: probes no longer decide. */
  #decreased = false
  /** The delay-based rate before the latest run of cuts (undone if their queue was a path-delay step). */
  #beforeCutsBps: number | undefined

  constructor(limits: BandwidthLimits) {
    this.#limits = limits
    this.estimateBps = limits.startBps
    this.#delayBps = limits.startBps
    this.#lossBps = limits.startBps
  }

  update(input: EstimatorInput): number {
    const windowMs = input.windowMs ?? TICK_MS
    this.#sinceDecreaseMs += windowMs
    this.#sinceLossDecreaseMs += windowMs
    // Throughput over the last two windows: one window may hold an extra frame or a keyframe.
    const incoming = this.#previousReceivedBps === undefined ? input.receivedBps : (input.receivedBps + this.#previousReceivedBps) / 2
    this.#previousReceivedBps = input.receivedBps
    this.#delayBased(input, incoming, windowMs)
    this.#lossBased(input, windowMs)
    this.estimateBps = Math.round(this.#clamp(Math.min(this.#delayBps, this.#lossBps)))
    return this.estimateBps
  }

  /**
   * A probe cluster at the start (probe.ts), before the delay rule has cut: one held at a bottleneck
   * below the estimate caps the estimate at its arrival rate, which becomes the capacity the additive
   * growth starts near (the start then does not overload a narrow link for the second or two the queue
   * needs to show). A cluster that passed raises nothing: a shaper's burst allowance lets the first
   * clusters through at any rate (measured: 1.2 and 2.6 Mbit/s through the ramp bench's 800 kbit/s, which
   * raised the start to 2 Mbit/s and made the overload worse). True when the estimate changed.
   */
  probed(cluster: ProbeCluster): boolean {
    if (this.#decreased) return false
    const before = this.estimateBps
    if (cluster.receiveBps >= PROBE_HELD * cluster.sendBps || cluster.receiveBps >= before) return false
    this.#delayBps = this.#clamp(Math.min(this.#delayBps, cluster.receiveBps))
    this.#capacitySample(cluster.receiveBps)
    this.estimateBps = Math.round(this.#clamp(Math.min(this.#delayBps, this.#lossBps)))
    return this.estimateBps !== before
  }

  #clamp(bps: number): number {
    return Math.min(this.#limits.ceilingBps, Math.max(this.#limits.floorBps, bps))
  }

  #delayBased(input: EstimatorInput, incoming: number, windowMs: number): void {
    // The queue the cuts since the step were for was path delay (queue-baseline.ts): they are undone.
    if ((input.rebasedMs ?? 0) > 0 && this.#beforeCutsBps !== undefined && this.#sinceDecreaseMs <= STEP_MS + DECREASE_INTERVAL_MS) {
      this.#delayBps = Math.max(this.#delayBps, this.#beforeCutsBps)
      this.#beforeCutsBps = undefined
      this.#draining = false
      this.#state = 'increase'
      return
    }
    if (input.usage === 'overusing') {
      if (this.#sinceDecreaseMs < DECREASE_INTERVAL_MS && incoming > 0.5 * this.#delayBps) return
      let target = BETA * incoming
      // A standing queue is drained too, not only kept from growing: the further below what arrives,
      // the longer the queue (DRAIN_MS of queue halves the rate).
      if (input.queueDelayMs > DRAIN_FROM_MS) target = Math.min(target, incoming * Math.max(0.5, 1 - input.queueDelayMs / (2 * DRAIN_MS)))
      if (this.#sinceDecreaseMs > STEP_MS + DECREASE_INTERVAL_MS) this.#beforeCutsBps = this.#delayBps
      this.#delayBps = this.#clamp(Math.min(this.#delayBps, target))
      this.#capacitySample(incoming)
      this.#draining = this.#delayBps < BETA * this.#capacity!.mean * 1000
      this.#sinceDecreaseMs = 0
      this.#decreased = true
      this.#state = 'hold'
      return
    }
    if (input.usage === 'underusing') {
      // A queue draining: wait for it to be empty before probing again.
      this.#state = 'hold'
      return
    }
    if (this.#state === 'hold') {
      this.#state = 'increase'
      return
    }
    // The queue a drain cut was for is gone: back to BETA × the capacity seen at the cuts (libwebrtc's
    // bound on a decrease), not up from the floor by ADDITIVE_BPS_PER_S (measured: 165 kbit/s held for
    // seconds on the ramp bench's link after the start overload's queue drained).
    if (this.#draining && input.queueDelayMs < DRAIN_FROM_MS) {
      this.#draining = false
      if (this.#capacity) this.#delayBps = this.#clamp(Math.max(this.#delayBps, BETA * capacityBound(this.#capacity, -3) * 1000))
      return
    }
    if (this.#capacity && incoming / 1000 > capacityBound(this.#capacity, 3)) this.#capacity = undefined
    if (this.#capacity) {
      // Near the capacity last seen: about one packet more per response time (GCC's additive increase).
      this.#delayBps += (ADDITIVE_BPS_PER_S * windowMs) / 1000
    } else {
      this.#delayBps *= MULTIPLICATIVE_PER_S ** (windowMs / 1000)
    }
    this.#delayBps = this.#clamp(this.#delayBps)
  }

  /**
   * libwebrtc's link capacity estimate (LinkCapacityEstimator, in kbit/s): an average of the throughput at
   * decreases with a normalised deviation in 0.4..2.5; forgotten when the throughput leaves it by 3σ.
   */
  #capacitySample(incoming: number): void {
    const kbps = incoming / 1000
    if (this.#capacity && kbps < capacityBound(this.#capacity, -3)) this.#capacity = undefined
    const mean = this.#capacity ? 0.95 * this.#capacity.mean + 0.05 * kbps : kbps
    const error = mean - kbps
    const deviation = (this.#capacity ? 0.95 * this.#capacity.deviation : 0.95 * 0.4) + (0.05 * error * error) / Math.max(1, mean)
    this.#capacity = { mean, deviation: Math.min(2.5, Math.max(0.4, deviation)) }
  }

  /**
   * Loss over LOSS_MIN_PACKETS and LOSS_MIN_MS or more: > 10 % cuts the rate by half the loss; 2–10 % holds
   * it while a queue stands, lets it grow otherwise; < 2 % lets it grow.
   */
  #lossBased(input: EstimatorInput, windowMs: number): void {
    this.#lossLost += input.lossFraction * input.packets
    this.#lossExpected += input.packets
    this.#lossSinceMs += windowMs
    if (this.#lossExpected >= LOSS_MIN_PACKETS && this.#lossSinceMs >= LOSS_MIN_MS) {
      this.#lossFraction = this.#lossLost / this.#lossExpected
      this.#lossLost = 0
      this.#lossExpected = 0
      this.#lossSinceMs = 0
      if (this.#lossFraction > 0.1 && this.#sinceLossDecreaseMs >= DECREASE_INTERVAL_MS) {
        this.#lossBps = this.#clamp(Math.min(this.#lossBps, this.#delayBps) * (1 - 0.5 * this.#lossFraction))
        this.#sinceLossDecreaseMs = 0
        return
      }
    }
    const queued = input.usage === 'overusing' || input.queueDelayMs > LOSS_QUEUE_MS
    if (this.#lossFraction < 0.02 || (this.#lossFraction <= 0.1 && !queued)) {
      this.#lossBps = this.#clamp(this.#lossBps * MULTIPLICATIVE_PER_S ** (windowMs / 1000))
    }
  }
}
