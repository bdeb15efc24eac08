// The publishers' side of bandwidth estimation in the werift plane: per publisher of video, an estimate
// from what arrives and from its subscribers' loss (werift-bandwidth.ts), and the REMB that tells the
// publisher, each tick and at once when its connection comes up or its first video packet arrives. The
// Forwarder owns the sources; this owns the estimators and the tick's timer.
import type { RtcpRrPacket, RtcpSrPacket } from 'werift'
import { messageOf } from '@parley/protocol'
import { type BandwidthLimits, BandwidthEstimator, TICK_MS, rembPacket } from './werift-bandwidth.js'
import { type Clock, Timer } from '../clock.js'
import type { Logger } from '../log.js'
import type { ForwarderCounters, Source, Subscription } from './werift-forwarder.js'

export class PublisherFeedback {
  readonly #clock: Clock
  readonly #log: Logger
  readonly #counters: Pick<ForwarderCounters, 'rembSent'>
  /** Every published track now (the Forwarder's). */
  readonly #sources: () => Iterable<Source>
  /** Runs the estimation while any video track with bounds is published. */
  readonly #timer: Timer
  readonly #estimators = new Map<object, BandwidthEstimator>()
  #lastTickAt = 0

  constructor(deps: { clock: Clock; log: Logger; counters: Pick<ForwarderCounters, 'rembSent'>; sources: () => Iterable<Source> }) {
    this.#clock = deps.clock
    this.#log = deps.log
    this.#counters = deps.counters
    this.#sources = deps.sources
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
   * below what VGA needs, unless our REMB is in) and raises it again only after ~10 s; see
   * werift-bandwidth.ts.
   */
  rembNow(publisher: object): void {
    const sources = [...this.#sources()].filter((source) => source.publisher === publisher && source.inbound)
    if (sources.length === 0) return
    const estimator = this.#estimatorOf(publisher, sources[0]!.limits!)
    this.#sendRemb(sources, estimator.estimateBps)
  }

  /** Subscribers' receiver reports on forwarded streams: their loss feeds the publisher's estimate. */
  receiverReports(packet: RtcpRrPacket | RtcpSrPacket, subscriptions: Iterable<Subscription>): void {
    if (packet.reports.length === 0) return
    for (const subscription of subscriptions) {
      const ssrc = subscription.transceiver?.sender.ssrc
      const report = ssrc === undefined ? undefined : packet.reports.find((entry) => entry.ssrc === ssrc)
      if (report) subscription.loss.report(report.packetsLost, report.highestSequence)
    }
  }

  /** One estimation step for every publisher of video; a REMB to each (see werift-bandwidth.ts). */
  #tick(): void {
    const now = this.#clock.now()
    const windowMs = Math.max(1, now - this.#lastTickAt)
    this.#lastTickAt = now
    const byPublisher = new Map<object, Source[]>()
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

  #estimatePublisher(publisher: object, sources: Source[], windowMs: number, now: number): void {
    let receivedBps = 0
    let lossFraction = 0
    let queueDelayMs = 0
    let packets = 0
    for (const source of sources) {
      packets += source.inbound!.received
      const window = source.inbound!.take(windowMs)
      receivedBps += window.receivedBps
      lossFraction = Math.max(lossFraction, window.lossFraction)
      queueDelayMs = Math.max(queueDelayMs, window.queueDelayMs)
      for (const subscription of source.subscriptions) lossFraction = Math.max(lossFraction, subscription.loss.take(now))
    }
    const estimator = this.#estimatorOf(publisher, sources[0]!.limits!)
    // Nothing arrived (camera off, or not started): no evidence either way, the estimate holds.
    const estimate = packets > 0 ? estimator.update({ receivedBps, lossFraction, queueDelayMs }) : estimator.estimateBps
    this.#log('debug', 'bandwidth estimate', { clientId: sources[0]!.published.clientId, estimate, receivedBps: Math.round(receivedBps), lossFraction, queueDelayMs, packets })
    this.#sendRemb(sources, estimate)
  }

  #estimatorOf(publisher: object, limits: BandwidthLimits): BandwidthEstimator {
    let estimator = this.#estimators.get(publisher)
    if (!estimator) {
      estimator = new BandwidthEstimator(limits)
      this.#estimators.set(publisher, estimator)
    }
    return estimator
  }

  /** One REMB to the publisher of `sources` (its video tracks), if its DTLS is up and an SSRC is known. */
  #sendRemb(sources: Source[], estimate: number): void {
    const ssrcs = sources.map((source) => source.ssrc ?? source.transceiver.receiver.track.ssrc).filter((ssrc): ssrc is number => ssrc !== undefined)
    const first = sources[0]!
    const dtls = first.transceiver.dtlsTransport
    if (ssrcs.length === 0 || !dtls || dtls.state !== 'connected') return
    this.#counters.rembSent++
    dtls.sendRtcp([rembPacket(first.transceiver.sender.ssrc, ssrcs, estimate)]).catch((error: unknown) => {
      this.#log('debug', 'sending a REMB failed', { error: messageOf(error) })
    })
  }
}
