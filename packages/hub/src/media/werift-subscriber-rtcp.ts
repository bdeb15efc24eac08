// What the forwarder reads of its subscribers' RTCP (split from werift-forwarder.ts): receiver reports
// (their loss feeds the publisher's estimate, or the layer choice), PLI/FIR (a keyframe from the
// publisher: of the forwarded layer, for simulcast) and NACKs werift's history cannot answer (relayed to
// the publisher, on the forwarded layer's SSRC for simulcast; nack-recovery.ts).
import { GenericNack, PictureLossIndication, RtcpPayloadSpecificFeedback, RtcpRrPacket, RtcpSrPacket, RtcpTransportLayerFeedback } from 'werift'
import type { RtcpPacket } from 'werift'
import type { ForwarderCounters, Source, Subscription } from './werift-forwarder-types.js'
import { nackPacket, dtlsUp, sendRtcp } from './werift-rtcp.js'
import { NACK_KEYFRAME_INTERVAL_MS, nackAgainstHistory } from './nack-recovery.js'
import type { Clock } from '../clock.js'
import type { Logger } from '../log.js'

/** RTCP PSFB FMT of a Full Intra Request (werift does not export the class from its ESM build). */
const FIR_FORMAT = 4

export interface SubscriberRtcpDeps {
  clock: Clock
  log: Logger
  counters: ForwarderCounters
  /** A keyframe from the source's publisher (all layers of a simulcast source), under its rule. */
  requestKeyframe(source: Source): void
}

/** A subscription whose video is not forwarded now (paused, or a simulcast one on no layer) asks nothing. */
function silent(subscription: Subscription): boolean {
  return subscription.pause !== undefined && !subscription.pause.forwards
}

export class SubscriberRtcp {
  readonly #deps: SubscriberRtcpDeps

  constructor(deps: SubscriberRtcpDeps) {
    this.#deps = deps
  }

  /**
   * Subscriber PLI/FIR, read straight from its DTLS transport: werift's router hands payload-specific
   * feedback to ssrcTable[senderSsrc] first, and Chrome's sender SSRC is its own outgoing stream, which
   * the server registered as a receiver, so sender.onPictureLossIndication never fires.
   */
  onPacket(packet: RtcpPacket, subscriptions: Iterable<Subscription>): void {
    if (packet instanceof RtcpRrPacket || packet instanceof RtcpSrPacket) {
      this.#receiverReports(packet, subscriptions)
      return
    }
    if (packet instanceof RtcpTransportLayerFeedback) {
      if (packet.feedback.count === GenericNack.count) this.#nack(packet.feedback as GenericNack, subscriptions)
      return
    }
    if (!(packet instanceof RtcpPayloadSpecificFeedback)) return
    const feedback = packet.feedback as { count: number; mediaSsrc?: number; fir?: { ssrc: number }[] }
    let ssrcs: number[]
    if (feedback.count === PictureLossIndication.count) ssrcs = feedback.mediaSsrc === undefined ? [] : [feedback.mediaSsrc]
    else if (feedback.count === FIR_FORMAT) ssrcs = (feedback.fir ?? []).map((entry) => entry.ssrc)
    else return
    for (const subscription of subscriptions) {
      const sender = subscription.transceiver?.sender
      // A paused forwarding asks its own keyframe when it resumes.
      if (silent(subscription)) continue
      if (!sender || !ssrcs.includes(sender.ssrc) || !subscription.source) continue
      this.#deps.counters.subscriberKeyframeRequests++
      const layer = subscription.layers?.forwarded
      if (layer) layer.keyframes.ask()
      else this.#deps.requestKeyframe(subscription.source)
    }
  }

  /**
   * werift's sender resends what its history holds; a packet it never had is NACKed to the publisher on the
   * subscriber's behalf, and a keyframe asked for only when that does not bring it in time (nack-recovery.ts).
   */
  #nack(nack: GenericNack, subscriptions: Iterable<Subscription>): void {
    const { clock, counters } = this.#deps
    for (const subscription of subscriptions) {
      const sender = subscription.transceiver?.sender
      const source = subscription.source
      if (!sender || sender.ssrc !== nack.mediaSourceSsrc || !source || source.published.kind !== 'video') continue
      // Paused: nothing more for it (its history was dropped at the pause).
      if (silent(subscription)) continue
      const layer = subscription.layers?.forwarded
      const keyframes = layer?.keyframes ?? source.keyframes
      const now = clock.now()
      const { relayed, coalesced, keyframeDue } = nackAgainstHistory(subscription.nacks, source.relayedNacks, sender, nack.lost, now, now - keyframes.lastSentAt >= NACK_KEYFRAME_INTERVAL_MS, subscription.layers ? (seq) => subscription.layers!.published(seq) : undefined)
      counters.nacksCoalesced += coalesced
      if (relayed.length > 0) this.#relay(source, layer ? layer.ssrc : (source.ssrc ?? source.transceiver.receiver.track.ssrc), relayed)
      if (keyframeDue) {
        counters.unanswerableNackKeyframeRequests++
        if (layer) layer.keyframes.ask()
        else this.#deps.requestKeyframe(source)
      }
    }
  }

  /** A NACK to the publisher for `lost` (its numbering on `mediaSsrc`), on the subscriber's behalf. */
  #relay(source: Source, mediaSsrc: number | undefined, lost: number[]): void {
    if (mediaSsrc === undefined || !dtlsUp(source.transceiver)) return
    this.#deps.counters.nacksRelayed++
    sendRtcp(source.transceiver, [nackPacket(source.transceiver.sender.ssrc, mediaSsrc, lost)], this.#deps.log, 'a relayed NACK')
  }

  /** Subscribers' receiver reports on forwarded streams: their loss feeds the publisher's estimate. */
  #receiverReports(packet: RtcpRrPacket | RtcpSrPacket, subscriptions: Iterable<Subscription>): void {
    if (packet.reports.length === 0) return
    for (const subscription of subscriptions) {
      const ssrc = subscription.transceiver?.sender.ssrc
      const report = ssrc === undefined ? undefined : packet.reports.find((entry) => entry.ssrc === ssrc)
      if (report) subscription.loss.report(report.packetsLost, report.highestSequence)
    }
  }
}
