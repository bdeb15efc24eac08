// RTP fan-out of the node-datachannel plane: each published track (an NdcSource, fed by the publisher's
// receiving ndc Track) and the subscriptions it feeds, and the RTCP that goes back to the publisher.
// The keyframe rule is werift's: one PLI per publisher track per KEYFRAME_REQUEST_INTERVAL_MS at most, a
// later request coalesced into one trailing PLI on the injected Clock (one state per track:
// ndc-keyframe-requests.ts), and asked only when a subscriber can use the keyframe (its track is open,
// or it sent a PLI/FIR, or it NACKed twice a packet the hub never had: nack.ts). The publisher is asked
// to resend what the hub lost on the way in (NACK), gets receiver reports (on each of its SRs) and a
// REMB from the shared estimate (bandwidth.ts, feedback.ts) fed by what arrives and by its subscribers'
// receiver reports. Subscribers' NACKs are answered here from
// one history per published video track (every subscriber gets the same bytes but the SSRC, so one copy
// per incoming packet serves them all; libdatachannel's RtcpNackResponder would keep one per forwarded
// packet); their sender reports are libdatachannel's RtcpSrReporter on each forwarded track.
import type { Track } from 'node-datachannel'
import { type BandwidthLimits, InboundWindow } from './bandwidth.js'
import { SubscriberLoss } from './subscriber-loss.js'
import { rembBytes } from './remb.js'
import { PublisherFeedback } from './feedback.js'
import { UnanswerableNacks } from './nack.js'
import type { Clock } from '../clock.js'
import type { Logger } from '../log.js'
import { type SubscriberRtcpHandler, PublisherReception, nackBytes, pliBytes, readSubscriberRtcp, receiverReportBytes, senderReportNtpMiddle } from './ndc-rtcp.js'
import { isRtcp, neutralizeHeaderExtensions, payloadOffset, payloadTypeOf, ssrcOf, writeSeq, writeSsrc } from './ndc-sdp.js'
import type { AnsweredCodec } from './ndc-sdp.js'
import type { PublishedTrack } from './types.js'
import { sourceKey } from './werift-forwarder.js'
import { NdcKeyframeRequests } from './ndc-keyframe-requests.js'
import { VideoPause } from './video-pause.js'
import { startsVp8Keyframe } from './vp8.js'

/** Packets each published video track keeps for subscribers' NACKs, ≈ 2 s at 640x480. */
export const NACK_HISTORY = 512
/** Bytes of one history slot: an RTP packet over libdatachannel's default MTU (1280) never arrives. */
const HISTORY_SLOT_BYTES = 1500

/** Whoever holds a subscription: told when the published track ends under it. */
export interface NdcSubscriber {
  readonly clientId: string
  sourceEnded(subscription: NdcSubscription): void
  /** The hub stopped forwarding the subscription's video (its link cannot carry it), or resumed it. */
  videoPaused(subscription: NdcSubscription, paused: boolean): void
}

/**
 * One forwarded track on one subscriber's peer connection. It registers no open or close callback on its
 * track: node-datachannel makes each callback a thread-safe function with its own libuv async handle, and
 * libuv walks every async handle of the loop on each wakeup from libdatachannel's threads, so a room of N
 * with 2·N·(N−1) such tracks paid for each one on every incoming packet (perf at N = 16: uv__async_io
 * ≈ 10 % of the hub's CPU). The per-packet loop asks the native track (isOpen) only until it is open
 * once, and a send that throws (closed natively) stops it.
 */
export class NdcSubscription {
  /** The loss this subscriber reports on the forwarded stream (its receiver reports). */
  readonly loss = new SubscriberLoss()
  /** Its NACKs the hub never had the packet for (a repeat asks for a keyframe). */
  readonly nacks = new UnanswerableNacks()
  /** Video with an estimate: paused while the subscriber's link cannot carry it (video-pause.ts). */
  readonly pause: VideoPause | undefined
  /**
   * Its numbering is the publisher's plus this: 0 until a pause, after which the resume continues from the
   * last number it sent (the subscriber sees no gap to NACK or count as lost). Its NACKs are mapped back.
   */
  seqOffset = 0
  /** The last sequence number sent to it (its numbering). */
  lastSeq: number | undefined
  #track: Track | undefined
  /** Its track: not yet seen open (asked per packet), open, or done (closed or failed a send; not asked again). */
  #state: 'waiting' | 'open' | 'done' = 'waiting'

  constructor(
    readonly source: NdcSource,
    readonly subscriber: NdcSubscriber,
    readonly mid: string,
    /** The SSRC the subscriber was offered; every forwarded packet carries it. */
    readonly ssrc: number,
  ) {
    this.pause = source.pauseFor(this)
  }

  /** The subscriber's sendonly track, once a server offer carried it. */
  get track(): Track | undefined {
    return this.#track
  }

  /** Its track was open (DTLS up) when last asked, and has not closed since. */
  get open(): boolean {
    return this.#state === 'open'
  }

  /** Takes the subscriber's sendonly track: once it is open, forwarding starts and the publisher is asked for a keyframe. */
  attach(track: Track): void {
    this.#track = track
    this.#state = 'waiting'
  }

  /**
   * True when packets may go to its track. Until the track is seen open this asks the native track, once
   * per packet of the source; the first time it is open the publisher is asked for a keyframe (the
   * subscriber can use one from now on).
   */
  ready(): boolean {
    if (this.#state === 'open') return true
    const track = this.#track
    if (!track || this.#state === 'done' || !track.isOpen()) return false
    this.#state = 'open'
    this.source.requestKeyframe()
    return true
  }

  /** Closes its track (the next server offer rejects its m-line, which ends the track at the client). */
  close(): void {
    const track = this.#track
    this.pause?.end()
    this.#state = 'done'
    this.#track = undefined
    track?.close()
  }

  /** Sends one packet on its track; false when it did not go out. */
  send(packet: Buffer): boolean {
    try {
      return this.#track!.sendMessageBinary(packet)
    } catch {
      // closed natively (libdatachannel throws on a closed track): no more sends to it
      this.#state = 'done'
      return false
    }
  }
}

export class NdcSource {
  readonly key: string
  readonly subscriptions = new Set<NdcSubscription>()
  /** What arrived in the current estimation window (video with bounds only). */
  readonly inbound: InboundWindow | undefined
  /** The publisher's media SSRC: from its SDP, then from its first packet of a forwarded codec (RTX and the rest are dropped). */
  #ssrc: number | undefined
  readonly #forwardedTypes: ReadonlySet<number>
  readonly #reception = new PublisherReception()
  /** The last NACK_HISTORY video packets forwarded, by seq % NACK_HISTORY: their sequence numbers, lengths and bytes. */
  readonly #historySeqs = new Int32Array(NACK_HISTORY).fill(-1)
  readonly #historyLengths = new Uint16Array(NACK_HISTORY)
  readonly #history: Buffer[] = []
  #firstPacket = true
  readonly #keyframes: NdcKeyframeRequests

  constructor(
    readonly published: PublishedTrack,
    /** The publishing peer. */
    readonly publisher: object,
    readonly track: Track,
    readonly codecs: readonly AnsweredCodec[],
    /** The SSRC the publisher's SDP announced for this m-line, if any. */
    announcedSsrc: number | undefined,
    readonly limits: BandwidthLimits | undefined,
    private readonly fanOut: NdcFanOut,
  ) {
    this.key = sourceKey(published)
    this.#ssrc = announcedSsrc
    this.#forwardedTypes = new Set(codecs.map((codec) => codec.payloadType))
    this.#keyframes = new NdcKeyframeRequests(fanOut.clock, {
      canSend: () => this.track.isOpen() && this.#ssrc !== undefined,
      send: () => this.#send(pliBytes(this.fanOut.feedbackSsrc, this.#ssrc!), 'keyframeRequestsSent'),
    })
    this.inbound = published.kind === 'video' && limits ? new InboundWindow() : undefined
  }

  get ssrc(): number | undefined {
    return this.#ssrc
  }

  /** One packet from the publisher's track: RTP is forwarded, RTCP read (an SR is answered with a receiver report). */
  received(packet: Buffer, nowMs: number): void {
    if (isRtcp(packet)) {
      this.#publisherRtcp(packet)
      return
    }
    if (packet.length < 12 || !this.#forwardedTypes.has(payloadTypeOf(packet))) return
    const ssrc = ssrcOf(packet)
    if (this.#firstPacket) {
      this.#firstPacket = false
      this.#ssrc = ssrc
      this.#keyframes.retry()
      if (this.inbound) this.fanOut.feedback.rembNow(this.publisher)
    }
    if (ssrc !== this.#ssrc) return
    const seq = (packet[2]! << 8) | packet[3]!
    const video = this.published.kind === 'video'
    this.inbound?.onPacket(seq, packet.readUInt32BE(4), packet.length, nowMs)
    const nacks = this.#reception.onPacket(seq, nowMs, video)
    if (nacks > 0) this.#send(nackBytes(this.fanOut.feedbackSsrc, ssrc, this.#reception.due, nacks), 'nacksSent')
    if (this.subscriptions.size === 0) return
    neutralizeHeaderExtensions(packet)
    if (video) this.#remember(seq, packet)
    let forwarded = 0
    for (const subscription of this.subscriptions) {
      if (!subscription.ready()) continue
      const pause = subscription.pause
      if (pause && !pause.forwards && !this.#resumes(subscription, pause, packet, seq)) continue
      writeSsrc(packet, subscription.ssrc)
      const out = (seq + subscription.seqOffset) & 0xffff
      writeSeq(packet, out)
      subscription.lastSeq = out
      // sendMessageBinary copies the bytes before it returns, so one buffer serves every subscriber.
      if (subscription.send(packet)) forwarded++
    }
    this.fanOut.counters.packetsForwarded += forwarded
  }

  /** A video subscription's pause (video-pause.ts), when the estimate covers this track. */
  pauseFor(subscription: NdcSubscription): VideoPause | undefined {
    if (!this.inbound) return undefined
    const { clock, log } = this.fanOut
    return new VideoPause(clock, {
      changed: (paused, why) => {
        log('info', paused ? 'video paused' : 'video resumed', { clientId: subscription.subscriber.clientId, publisher: this.published.clientId, trackId: this.published.trackId, ...why })
        subscription.subscriber.videoPaused(subscription, paused)
      },
      keyframeWanted: () => this.requestKeyframe(),
    })
  }

  /** A resuming subscription starts again with the first packet of a keyframe, numbered right after its last. */
  #resumes(subscription: NdcSubscription, pause: VideoPause, packet: Buffer, seq: number): boolean {
    if (pause.state !== 'resuming' || !startsVp8Keyframe(packet.subarray(payloadOffset(packet)))) return false
    if (subscription.lastSeq !== undefined) subscription.seqOffset = (subscription.lastSeq + 1 - seq) & 0xffff
    pause.keyframeForwarded()
    return true
  }

  /** Keeps a copy of a forwarded video packet (its extensions neutralized, the publisher's SSRC) for NACKs. */
  #remember(seq: number, packet: Buffer): void {
    if (packet.length > HISTORY_SLOT_BYTES) return
    const slot = seq % NACK_HISTORY
    const bytes = (this.#history[slot] ??= Buffer.allocUnsafeSlow(HISTORY_SLOT_BYTES))
    packet.copy(bytes)
    this.#historySeqs[slot] = seq
    this.#historyLengths[slot] = packet.length
  }

  /** Resends what the history holds of `lost` (the subscriber's numbering) to one subscriber. */
  #answerNack(subscription: NdcSubscription, lost: readonly number[]): void {
    if (!subscription.open) return
    for (const raw of lost) {
      const seq = (raw - subscription.seqOffset) & 0xffff
      const slot = seq % NACK_HISTORY
      if (this.#historySeqs[slot] !== seq) continue
      const packet = this.#history[slot]!.subarray(0, this.#historyLengths[slot])
      writeSsrc(packet, subscription.ssrc)
      writeSeq(packet, raw & 0xffff)
      if (subscription.send(packet)) this.fanOut.counters.nacksAnswered++
    }
  }

  /** RTCP from one subscriber of this source: its report blocks, PLI/FIR and NACKs on `subscription`'s stream. */
  feedback(subscription: NdcSubscription, packet: Buffer): void {
    if (!isRtcp(packet)) return
    const handler: SubscriberRtcpHandler = {
      report: (lost, highest) => subscription.loss.report(lost, highest),
      keyframeRequested: () => {
        // A paused forwarding asks its own keyframe when it resumes.
        if (subscription.pause && !subscription.pause.forwards) return
        this.fanOut.counters.subscriberKeyframeRequests++
        this.requestKeyframe()
      },
      nacked: (lost) => {
        // Paused: resends of what its link already failed to carry would keep filling it.
        if (this.published.kind !== 'video' || (subscription.pause && !subscription.pause.forwards)) return
        this.#answerNack(subscription, lost)
        const held = (seq: number) => {
          const published = (seq - subscription.seqOffset) & 0xffff
          return this.#historySeqs[published % NACK_HISTORY] === published
        }
        if (subscription.nacks.nacked(held, lost)) {
          this.fanOut.counters.unanswerableNackKeyframeRequests++
          this.requestKeyframe()
        }
      },
    }
    readSubscriberRtcp(packet, subscription.ssrc, handler)
  }

  /** A subscriber can use a keyframe of this (video) track: the publisher gets a PLI under the keyframe rule. */
  requestKeyframe(): void {
    if (this.published.kind !== 'video') return
    this.#keyframes.ask()
  }

  /** The publisher's track opened (its DTLS is up): a keyframe asked too early goes out, and the first REMB. */
  opened(): void {
    this.#keyframes.retry()
    if (this.inbound) this.fanOut.feedback.rembNow(this.publisher)
  }

  end(): void {
    this.#keyframes.end()
    for (const subscription of [...this.subscriptions]) {
      this.subscriptions.delete(subscription)
      subscription.subscriber.sourceEnded(subscription)
    }
    if (this.fanOut.sources.get(this.key) === this) this.fanOut.sources.delete(this.key)
  }

  /** Sends raw RTCP to the publisher (its track has no media handler, so libdatachannel passes it as is). */
  #send(rtcp: Buffer, counter: 'nacksSent' | 'keyframeRequestsSent' | 'receiverReportsSent' | 'rembSent'): void {
    if (!this.track.isOpen()) return
    try {
      if (this.track.sendMessageBinary(rtcp)) this.fanOut.counters[counter]++
    } catch {
      // the track closed under us; its peer's close follows
    }
  }

  /** An SR from the publisher is answered at once with a receiver report (so its DLSR is 0 and its RTT true). */
  #publisherRtcp(packet: Buffer): void {
    if (this.#ssrc === undefined) return
    const ntpMiddle = senderReportNtpMiddle(packet, this.#ssrc)
    if (ntpMiddle === undefined) return
    this.#send(receiverReportBytes(this.fanOut.feedbackSsrc, this.#reception.report(this.#ssrc, ntpMiddle, 0)), 'receiverReportsSent')
  }

  /** A REMB for this publisher's video `sources` (called by the estimate's tick, feedback.ts). */
  static sendRemb(sources: NdcSource[], estimateBps: number): void {
    const ssrcs = sources.map((source) => source.#ssrc).filter((ssrc): ssrc is number => ssrc !== undefined)
    if (ssrcs.length === 0) return
    sources[0]!.#send(rembBytes(sources[0]!.fanOut.feedbackSsrc, ssrcs, estimateBps), 'rembSent')
  }
}

export interface NdcCounters {
  /** RTP packets handed to an open subscriber track. */
  packetsForwarded: number
  /** PLIs sent to publishers. */
  keyframeRequestsSent: number
  /** PLI/FIR read from subscribers. */
  subscriberKeyframeRequests: number
  /** Keyframe requests for a packet a subscriber NACKed twice and the hub never had (nack.ts). */
  unanswerableNackKeyframeRequests: number
  /** NACKs sent to publishers for packets lost on the way in. */
  nacksSent: number
  /** Packets resent to subscribers on their NACKs. */
  nacksAnswered: number
  receiverReportsSent: number
  /** REMB packets sent to publishers (bandwidth estimation). */
  rembSent: number
}

/** Every source of the plane, by `sourceKey`, the publishers' estimates and the plane's counters. */
export class NdcFanOut {
  readonly sources = new Map<string, NdcSource>()
  readonly counters: NdcCounters = {
    packetsForwarded: 0,
    keyframeRequestsSent: 0,
    subscriberKeyframeRequests: 0,
    unanswerableNackKeyframeRequests: 0,
    nacksSent: 0,
    nacksAnswered: 0,
    receiverReportsSent: 0,
    rembSent: 0,
  }
  /** The sender SSRC of the hub's RTCP to publishers (it sends them no media). */
  readonly feedbackSsrc = (Math.random() * 0xffff_fffe + 1) >>> 0
  readonly feedback: PublisherFeedback<NdcSource>

  constructor(
    readonly clock: Clock,
    readonly log: Logger,
  ) {
    this.feedback = new PublisherFeedback<NdcSource>({ clock, log, sources: () => this.sources.values(), sendRemb: (sources, estimate) => NdcSource.sendRemb(sources, estimate) })
  }

  /** A new published track replaces any older one of the same key; its video starts the estimate's ticks. */
  add(source: NdcSource): void {
    this.sources.get(source.key)?.end()
    this.sources.set(source.key, source)
    if (source.inbound) this.feedback.sourceAdded()
  }
}
