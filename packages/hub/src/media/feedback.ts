// The publishers' side of bandwidth estimation, for either media plane: per publisher of video, an
// estimate from what arrives and from its subscribers' loss (bandwidth.ts), and the REMB that tells the
// publisher, each tick and at once when its connection comes up or its first video packet arrives. The
// plane owns the sources and sends the REMB (`sendRemb`); this owns the estimators and the tick's timer.
import { messageOf } from '@parley/protocol'
import { type BandwidthLimits, BandwidthEstimator, type InboundWindow, TICK_MS } from './bandwidth.js'
import { type JudgedSubscription, judgeSubscriptions } from './video-pause.js'
import type { ProbeCluster } from './probe.js'
import type { Usage } from './delay-trend.js'
import { type Clock, Timer } from '../clock.js'
import type { Logger } from '../log.js'

/** What the estimation reads of a published track. */
export interface EstimatedSource {
  /** The publishing peer (one estimate per publisher, over its video tracks). */
  readonly publisher: object
  /** Its client (for the estimate's log line, which the ramp benchmark reads). */
  readonly published: { readonly clientId: string }
  /** What arrived in the current estimation window (video with bounds only). */
  readonly inbound: InboundWindow | undefined
  readonly limits: BandwidthLimits | undefined
  readonly subscriptions: Iterable<JudgedSubscription>
  /** Set (non-null) when the publisher's transport has transport-cc feedback from the hub (werift plane). */
  readonly transportCc?: object | null | undefined
}

/**
 * What the REMB says to a publisher whose own send side estimates by transport-cc (libwebrtc takes the
 * lower of the two): `estimate` (default), the hub's whole estimate as without transport-cc, started at
 * the ceiling; or `bounds`, only what the hub alone knows (the room's ceiling and its subscribers' loss;
 * the delay detector, the queue, the loss on the way in and the start probes left to the publisher's
 * estimator, which sees the same packets every feedback). Measured side by side on the ramp bench
 * (loadtest README, stop 28): the same frozen time for Chromium, less with `estimate` for Firefox.
 */
export type RembWithTransportCc = 'bounds' | 'estimate'

export class PublisherFeedback<S extends EstimatedSource> {
  readonly #clock: Clock
  readonly #log: Logger
  /** Every published track now (the plane's). */
  readonly #sources: () => Iterable<S>
  /** Sends one REMB for a publisher's video `sources`, if it can now. */
  readonly #sendRemb: (sources: S[], estimateBps: number) => void
  /** Runs the estimation while any video track with bounds is published. */
  readonly #timer: Timer
  readonly #estimators = new Map<object, { estimator: BandwidthEstimator; sendSide: boolean }>()
  readonly #rembWithTransportCc: RembWithTransportCc
  #lastTickAt = 0

  constructor(deps: { clock: Clock; log: Logger; sources: () => Iterable<S>; sendRemb: (sources: S[], estimateBps: number) => void; rembWithTransportCc?: RembWithTransportCc }) {
    this.#rembWithTransportCc = deps.rembWithTransportCc ?? 'estimate'
    this.#clock = deps.clock
    this.#log = deps.log
    this.#sources = deps.sources
    this.#sendRemb = deps.sendRemb
    this.#timer = new Timer(deps.clock)
  }

  /** A video track with bounds was published: the ticks run (again) if they had stopped. */
  sourceAdded(): void {
    if (this.#timer.running) return
    this.#lastTickAt = this.#clock.now()
    this.#timer.start(TICK_MS, () => this.#tick())
  }

  /**
   * A REMB at the publisher's current estimate now, not at the next tick (up to TICK_MS later, and only
   * once an SSRC had arrived): when its connection comes up, and on its first video packet. Firefox
   * picks the resolution of its first frames from the bitrate it knows at that moment (its start rate,
   * below what VGA needs, unless our REMB is in) and raises it again only after ~10 s; see bandwidth.ts.
   */
  rembNow(publisher: object): void {
    const sources = [...this.#sources()].filter((source) => source.publisher === publisher && source.inbound)
    if (sources.length === 0) return
    const estimator = this.#estimatorOf(publisher, sources)
    this.#sendRemb(sources, estimator.estimateBps)
  }

  /** A probe cluster measured on one of the publisher's tracks (probe.ts): a REMB at once if the estimate moved. */
  probed(publisher: object, clientId: string, cluster: ProbeCluster): void {
    const sources = [...this.#sources()].filter((source) => source.publisher === publisher && source.inbound)
    if (sources.length === 0 || this.#boundsOnly(sources)) return
    const estimator = this.#estimatorOf(publisher, sources)
    const changed = estimator.probed(cluster)
    this.#log('debug', 'probe', { clientId, ...cluster, estimate: estimator.estimateBps })
    if (changed) this.#sendRemb(sources, estimator.estimateBps)
  }

  /** One estimation step for every publisher of video; a REMB to each (see bandwidth.ts). */
  #tick(): void {
    const now = this.#clock.now()
    const windowMs = Math.max(1, now - this.#lastTickAt)
    this.#lastTickAt = now
    const byPublisher = new Map<object, S[]>()
    for (const source of this.#sources()) {
      if (!source.inbound) continue
      const list = byPublisher.get(source.publisher)
      if (list) list.push(source)
      else byPublisher.set(source.publisher, [source])
    }
    for (const publisher of this.#estimators.keys()) if (!byPublisher.has(publisher)) this.#estimators.delete(publisher)
    for (const [publisher, sources] of byPublisher) {
      try {
        this.#estimatePublisher(publisher, sources, windowMs, now)
      } catch (error) {
        this.#log('error', 'bandwidth estimation failed', { error: messageOf(error) })
      }
    }
    if (byPublisher.size > 0) this.#timer.start(TICK_MS, () => this.#tick())
  }

  #estimatePublisher(publisher: object, sources: S[], windowMs: number, now: number): void {
    let receivedBps = 0
    let queueDelayMs = 0
    // Loss as packets lost of packets expected: on the way in (all tracks), or the worst subscriber's
    // reports of this tick, whichever is worse. A subscriber's fraction kept from an earlier tick is not
    // counted again (measured: one report's 1 of 5 read as 20 % for 2 s of ticks).
    let inboundLost = 0
    let packets = 0
    let subscriberLost = 0
    let subscriberPackets = 0
    let usage: Usage = 'normal'
    let trend = 0
    let rebasedMs = 0
    for (const source of sources) {
      const window = source.inbound!.take(windowMs)
      packets += window.expected
      inboundLost += window.lossFraction * window.expected
      receivedBps += window.receivedBps
      queueDelayMs = Math.max(queueDelayMs, window.queueDelayMs)
      rebasedMs = Math.max(rebasedMs, window.rebasedMs)
      if (window.rebasedMs > 0) this.#log('info', 'path delay step', { clientId: source.published.clientId, rebasedMs: Math.round(window.rebasedMs) })
      trend = Math.max(trend, source.inbound!.trend.trend)
      // Overuse on any track decides; underuse only when no track overuses.
      if (window.usage === 'overusing' || (window.usage === 'underusing' && usage === 'normal')) usage = window.usage
      // A subscriber whose video is paused, or on trial, is left out (video-pause.ts).
      judgeSubscriptions(source.subscriptions, now, (fraction, reported) => {
        if (reported > 0 && (subscriberPackets === 0 || fraction > subscriberLost / subscriberPackets)) {
          subscriberLost = fraction * reported
          subscriberPackets = reported
        }
      })
    }
    if (this.#boundsOnly(sources)) {
      // The publisher measures delay and loss on the way in itself (transport-cc): only its subscribers count.
      usage = 'normal'
      queueDelayMs = 0
      rebasedMs = 0
      inboundLost = 0
    }
    const inboundFraction = packets > 0 ? inboundLost / packets : 0
    const fromSubscriber = subscriberPackets > 0 && subscriberLost / subscriberPackets > inboundFraction
    const lossFraction = fromSubscriber ? subscriberLost / subscriberPackets : inboundFraction
    const lossPackets = fromSubscriber ? subscriberPackets : packets
    const estimator = this.#estimatorOf(publisher, sources)
    // Nothing arrived (camera off, or not started): no evidence either way, the estimate holds.
    const estimate = packets > 0 ? estimator.update({ receivedBps, lossFraction, packets: lossPackets, queueDelayMs, usage, rebasedMs, windowMs }) : estimator.estimateBps
    this.#log('debug', 'bandwidth estimate', { clientId: sources[0]!.published.clientId, estimate, receivedBps: Math.round(receivedBps), lossFraction, queueDelayMs, usage, trend: Math.round(trend * 10) / 10, packets, lossPackets })
    this.#sendRemb(sources, estimate)
  }

  #boundsOnly(sources: readonly S[]): boolean {
    return this.#rembWithTransportCc === 'bounds' && sources.some((source) => source.transportCc)
  }

  /**
   * The publisher's estimator. With transport-cc it starts at the ceiling: the REMB is only an upper bound
   * on the publisher's own estimate then, and a start below the ceiling held Chromium's start probes'
   * result down to it (1182 kbit/s on the clean link, where it stays while the encoder sends less:
   * libwebrtc does not raise an estimate far above what it sends).
   */
  #estimatorOf(publisher: object, sources: readonly S[]): BandwidthEstimator {
    const sendSide = sources.some((source) => source.transportCc)
    const known = this.#estimators.get(publisher)
    if (known && known.sendSide === sendSide) return known.estimator
    const limits = sources[0]!.limits!
    const estimator = new BandwidthEstimator(sendSide ? { ...limits, startBps: limits.ceilingBps } : limits)
    this.#estimators.set(publisher, { estimator, sendSide })
    return estimator
  }

}
