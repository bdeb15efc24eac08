// RTP fan-out of the werift plane: every published track (a Source) and the subscriptions fed from it,
// across all peers. Also when a keyframe is asked for; how a source's requests become PLIs is
// werift-keyframe-requests.ts, a subscription's keyframe from offer to answer werift-keyframe-hold.ts. A
// subscriber's NACK for a packet the hub never had is relayed to the publisher and asks for a keyframe
// only when that does not bring it in time (nack-recovery.ts). The
// publishers' bandwidth estimates are feedback.ts (shared with the node-datachannel plane); the REMBs and
// PLIs to publishers are built and sent by werift-rtcp.ts.
import type { RTCRtpTransceiver, RtcpPacket, RtpPacket } from 'werift'
import { messageOf } from '@parley/protocol'
import { type BandwidthLimits, InboundWindow } from './bandwidth.js'
import { SubscriberLoss } from './subscriber-loss.js'
import { PublisherFeedback, type RembWithTransportCc } from './feedback.js'
import { WeriftTransportCc } from './werift-transport-cc.js'
import { type ForwarderCounters, type Source, type Subscription, type SubscriptionOwner, sourceKey } from './werift-forwarder-types.js'
import { FastRtpSend, continueSequence, withPadding } from './werift-fast-send.js'
import { VideoPause } from './video-pause.js'
import type { LayerChoice } from './layer-choice.js'
import { sendPli, sendRemb } from './werift-rtcp.js'
import { NackRecovery, RelayedNacks } from './nack-recovery.js'
import { SubscriberRtcp } from './werift-subscriber-rtcp.js'
import { ResendLimit, limitResends } from './resend-limit.js'
import { LayerSwitch } from './werift-layer-switch.js'
import { type Layer, SimulcastLayers, keepSimulcastInOffers, simulcastTracks } from './werift-simulcast.js'
import { startsVp8Keyframe } from './vp8.js'
import { absSendTimeId, absSendTimeIn } from './probe.js'
import { KeyframeHold, forwardsLive } from './werift-keyframe-hold.js'
import { KEYFRAME_REQUEST_INTERVAL_MS, KeyframeRequests } from './werift-keyframe-requests.js'
import { type SourceReport, sourceReport } from './werift-source-report.js'
import { voiceAttached, voiceDetached, voiceEnded, voicePacket } from './werift-voice.js'
import type { Clock } from '../clock.js'
import type { Logger } from '../log.js'
import type { PublishedTrack } from './types.js'

export type { ForwarderCounters, Source, Subscription, SubscriptionOwner } from './werift-forwarder-types.js'
export { sourceKey } from './werift-forwarder-types.js'
export { KEYFRAME_REQUEST_INTERVAL_MS } from './werift-keyframe-requests.js'

export class Forwarder {
  readonly #sources = new Map<string, Source>()
  readonly #clock: Clock
  readonly #log: Logger
  /** The publishers' bandwidth estimates (feedback.ts); the REMBs that tell them leave through werift-rtcp.ts sendRemb. */
  readonly #feedback: PublisherFeedback<Source>
  readonly counters: ForwarderCounters = {
    packetsReceived: 0,
    packetsForwarded: 0,
    keyframeRequestsSent: 0,
    subscriberKeyframeRequests: 0,
    unanswerableNackKeyframeRequests: 0,
    rembSent: 0,
    packetsForwardedByWerift: 0,
    transportCcFeedbackSent: 0,
    nacksRelayed: 0,
    nacksCoalesced: 0,
    transportCcReportedLost: 0,
    transportCcReportedReceived: 0,
    transportCcLateArrivals: 0,
  }
  /** Undefined when the fast path is off (every packet through werift's sendRtp). */
  readonly #fastSend: FastRtpSend | undefined
  /** The publishers' transport-wide feedback (werift-transport-cc.ts). */
  readonly #transportCc: WeriftTransportCc
  readonly #subscriberRtcp: SubscriberRtcp

  constructor(deps: { clock: Clock; log: Logger; fastSend?: boolean; rembWithTransportCc?: RembWithTransportCc }) {
    this.#clock = deps.clock
    this.#log = deps.log
    this.#fastSend = deps.fastSend === false ? undefined : new FastRtpSend()
    this.#transportCc = new WeriftTransportCc({ clock: deps.clock, log: deps.log, counters: this.counters })
    this.#subscriberRtcp = new SubscriberRtcp({ clock: deps.clock, log: deps.log, counters: this.counters, requestKeyframe: (source) => this.requestKeyframe(source) })
    this.#feedback = new PublisherFeedback<Source>({
      clock: deps.clock,
      log: deps.log,
      rembWithTransportCc: deps.rembWithTransportCc,
      sources: () => this.#sources.values(),
      sendRemb: (sources, estimate) => sendRemb(sources, estimate, this.counters, this.#log),
    })
  }

  get sourceCount(): number {
    return this.#sources.size
  }

  /** Each source's arrivals and each forwarding's state and sends (werift-source-report.ts; not per packet). */
  report(): SourceReport[] {
    return [...this.#sources.values()].map(sourceReport)
  }

  get subscriptionCount(): number {
    let count = 0
    for (const source of this.#sources.values()) count += source.subscriptions.size
    return count
  }

  source(track: Pick<PublishedTrack, 'clientId' | 'trackId'>): Source | undefined {
    return this.#sources.get(sourceKey(track))
  }

  /** Starts forwarding what arrives on the publisher's transceiver; undefined when that track id is taken. */
  addSource(publisher: object, published: PublishedTrack, mid: string, transceiver: RTCRtpTransceiver, limits?: BandwidthLimits): Source | undefined {
    const key = sourceKey(published)
    if (this.#sources.has(key)) {
      this.#log('warn', 'a client publishes the same track id twice; ignoring the second m-line', {
        clientId: published.clientId,
        trackId: published.trackId,
        mid,
      })
      return undefined
    }
    const source: Source = {
      key,
      published,
      publisher,
      transceiver,
      subscriptions: new Set(),
      ssrc: undefined,
      keyframes: new KeyframeRequests(this.#clock, () => sendPli(source, source.simulcast?.layers, this.counters, this.#log)),
      hold: new KeyframeHold(),
      relayedNacks: new RelayedNacks(),
      inbound: published.kind === 'video' && limits ? new InboundWindow() : undefined,
      limits,
      absSendTimeId: undefined,
      transportCc: undefined,
      simulcast: undefined,
      packetsIn: 0,
      keyframesIn: 0,
      voice: undefined,
      stopRtp: () => undefined,
    }
    const ridTracks = published.kind === 'video' ? simulcastTracks(transceiver) : []
    if (ridTracks.length > 0) {
      Object.assign(source, { simulcast: new SimulcastLayers(ridTracks.map((track) => track.rid!), this.#clock, (layer) => sendPli(source, [layer], this.counters, this.#log)) })
      keepSimulcastInOffers(transceiver, ridTracks.map((track) => track.rid!))
    }
    this.#transportCc.sourceAdded(source)
    const stops = (ridTracks.length > 0 ? ridTracks : [transceiver.receiver.track]).map((track) => {
      const layer = track.rid ? source.simulcast?.byRid(track.rid) : undefined
      return track.onReceiveRtp.subscribe((packet: RtpPacket) => {
        try {
          this.#forward(source, packet, layer)
        } catch (error) {
          this.#log('error', 'forwarding an RTP packet failed', { trackId: published.trackId, error: messageOf(error) })
        }
      }).unSubscribe
    })
    source.stopRtp = () => {
      for (const stop of stops) stop()
    }
    if (source.simulcast) this.#log('info', 'simulcast publication', { clientId: published.clientId, trackId: published.trackId, rids: ridTracks.map((track) => track.rid) })
    this.#sources.set(key, source)
    if (source.inbound) this.#feedback.sourceAdded()
    return source
  }

  /** Ends a published track: forwarding stops and every subscriber renegotiates its transceiver away. */
  removeSource(source: Source): void {
    if (this.#sources.get(source.key) !== source) return
    this.#sources.delete(source.key)
    source.stopRtp()
    source.keyframes.end()
    source.simulcast?.end()
    voiceEnded(source)
    this.#transportCc.sourceRemoved(source)
    for (const subscription of [...source.subscriptions]) subscription.owner.sourceEnded(subscription)
    source.subscriptions.clear()
  }

  /** A new subscription fed from `source`. */
  attach(owner: SubscriptionOwner, source: Source): Subscription {
    const layers = source.simulcast
      ? new LayerSwitch(
          this.#clock,
          source.simulcast.layers.length,
          {
            paused: (paused, why) => this.#videoPaused(subscription, paused, { backoffMs: why.backoffMs, state: paused ? 'paused' : 'layer' }),
            targetChanged: (target) => this.#log('debug', 'simulcast layer wanted', { clientId: owner.clientId, trackId: source.published.trackId, level: target }),
          },
          source.simulcast,
        )
      : undefined
    const subscription: Subscription = {
      key: source.key,
      track: source.published,
      owner,
      source,
      transceiver: undefined,
      keyframe: 'unanswered',
      forwarding: false,
      packetsOut: 0,
      loss: new SubscriberLoss(),
      nacks: new NackRecovery(),
      resends: source.published.kind === 'video' ? new ResendLimit() : undefined,
      layers,
      // Only video the estimate covers can be judged too slow for a subscriber; simulcast: its layer choice.
      pause: layers ? layers.choice : source.inbound ? new VideoPause(this.#clock, { changed: (paused, why) => this.#videoPaused(subscription, paused, why), keyframeWanted: () => subscription.source && this.requestKeyframe(subscription.source) }) : undefined,
    }
    source.subscriptions.add(subscription)
    voiceAttached(source, subscription, this.#clock)
    return subscription
  }

  #videoPaused(subscription: Subscription, paused: boolean, why: { backoffMs: number; state: string }): void {
    // Its NACK history goes: resends of what its link already failed to carry would keep filling it (measured
    // before: 56–83 kbit/s still reaching it and 60–77 % of its audio concealed for 2–3 s after a failed trial).
    const sender = subscription.transceiver?.sender as { rtpCache?: unknown[] } | undefined
    if (paused && sender?.rtpCache) sender.rtpCache = []
    this.#log('info', paused ? 'video paused' : 'video resumed', { clientId: subscription.owner.clientId, publisher: subscription.track.clientId, trackId: subscription.track.trackId, ...why })
    subscription.owner.videoPaused(subscription, paused)
  }

  /** The subscription's transceiver was created: its resends on NACKs go through its limit (resend-limit.ts). */
  transceiverCreated(subscription: Subscription): void {
    if (subscription.resends && subscription.transceiver) limitResends(subscription.transceiver.sender, subscription.resends, this.#clock)
  }

  /** The subscription receives nothing more from its source. Idempotent. */
  detach(subscription: Subscription): void {
    // No source: detached already (and `ended`).
    subscription.pause?.end()
    subscription.source?.hold.ended(subscription)
    const source = subscription.source
    source?.subscriptions.delete(subscription)
    subscription.source = undefined
    if (source) voiceDetached(source)
  }

  /**
   * Asks the publisher for a keyframe, at most once per KEYFRAME_REQUEST_INTERVAL_MS per track. Callers
   * ask only when a subscriber can use one (its forwarding negotiated and its DTLS up, or it sent a PLI):
   * a keyframe sent before that is lost to it and only pushes the useful request out by the interval.
   */
  requestKeyframe(source: Source): void {
    if (source.published.kind === 'video') source.keyframes.ask()
  }

  /** A video forwarding offered to a subscriber whose DTLS is up: its keyframe is asked for now and held. */
  holdKeyframe(subscription: Subscription): void {
    const source = subscription.source
    if (!source || source.published.kind !== 'video') return
    // A keyframe already held for another forwarding serves this one too.
    if (source.hold.offered(subscription) === 'awaiting') this.requestKeyframe(source)
  }

  /** The forwarding is negotiated and DTLS is up: the held keyframe goes first, else one is asked for. */
  negotiated(subscription: Subscription): void {
    const source = subscription.source
    if (!source) return
    const answered = source.hold.answered(subscription)
    if (answered.was === 'holding') {
      const { packets, heldSince } = answered
      const held = source.simulcast?.heldLayer
      this.#log('debug', 'held keyframe forwarded', { clientId: subscription.owner.clientId, trackId: subscription.track.trackId, packets: packets.length, heldMs: this.#clock.now() - heldSince, ...(held ? { rid: held.rid, width: held.width, target: subscription.layers?.choice.target } : {}) })
      if (subscription.layers && source.simulcast && held && packets[0]) subscription.layers.startedWith(source.simulcast, held, packets[0].header.sequenceNumber, this.#clock.now())
      for (const packet of packets) this.#sendTo(subscription, subscription.layers ? subscription.layers.rewritten(packet) : packet, undefined)
      return
    }
    // Still `awaiting`: the early request is out (or queued) and its keyframe will be forwarded live,
    // unless it is older than the interval (the publisher did not answer it): then ask again.
    if (answered.was !== 'awaiting' || this.#clock.now() - source.keyframes.lastSentAt >= KEYFRAME_REQUEST_INTERVAL_MS) this.requestKeyframe(source)
  }

  /** A publisher's connection came up: ask for the keyframes wanted before it could carry RTCP. */
  publisherConnected(publisher: object): void {
    for (const source of this.#sources.values()) {
      if (source.publisher === publisher) source.keyframes.retry()
    }
    this.#feedback.rembNow(publisher)
  }

  /** A subscriber's RTCP on its forwarded streams (werift-subscriber-rtcp.ts). */
  subscriberFeedback(packet: RtcpPacket, subscriptions: Iterable<Subscription>): void {
    this.#subscriberRtcp.onPacket(packet, subscriptions)
  }

  /** `layer`: the simulcast layer the packet is of (undefined: not simulcast). */
  #forward(source: Source, packet: RtpPacket, layer: Layer | undefined): void {
    this.counters.packetsReceived++
    source.packetsIn++
    if (source.voice) voicePacket(source.voice, source, packet.header)
    const { header } = packet
    const { ssrc } = header
    this.#transportCc.onPacket(source, header.extensions)
    const inbound = source.inbound
    const now = this.#clock.now()
    // Simulcast: the estimate's window follows one layer's numbering and timing (the first that arrived);
    // the others count in the bitrate only.
    if (layer && source.ssrc !== undefined && ssrc !== source.ssrc) {
      if (inbound) inbound.bytes += packet.payload.length + 12
    } else if (inbound) {
      const size = packet.payload.length + 12 + (header.padding ? header.paddingSize : 0)
      // The abs-send-time the publisher stamped, when negotiated: the estimate's send time and the probes'.
      // Looked up once (null, not negotiated, is remembered too).
      if (source.absSendTimeId === undefined) source.absSendTimeId = absSendTimeId(source.transceiver.headerExtensions)
      const sendTime = source.absSendTimeId === null ? undefined : absSendTimeIn(header.extensions, source.absSendTimeId)
      inbound.onPacket(header.sequenceNumber, header.timestamp, size, now, header.padding && packet.payload.length === 0, sendTime)
      if (sendTime !== undefined && inbound.probe.open) {
        const cluster = inbound.probe.onPacket(sendTime, now, size)
        if (cluster) this.#feedback.probed(source.publisher, source.published.clientId, cluster)
      }
    }
    const keyframe = startsVp8Keyframe(packet.payload)
    if (keyframe) source.keyframesIn++
    if (layer) source.simulcast!.onPacket(layer, ssrc, packet.payload, now, keyframe, header.timestamp, header.sequenceNumber)
    if (source.ssrc !== ssrc && !(layer && source.ssrc !== undefined)) {
      const switched = source.ssrc !== undefined
      source.ssrc = ssrc
      if (switched) {
        // The publisher restarted its stream: keep the subscribers' sequence numbers continuous.
        for (const subscription of source.subscriptions) subscription.transceiver?.sender.replaceRTP(packet.header)
      }
      source.keyframes.retry()
      if (!switched && source.inbound) this.#feedback.rembNow(source.publisher)
    }
    if (source.keyframes.awaitingKeyframe && keyframe) {
      const afterRequestMs = source.keyframes.keyframeArrived()
      this.#log('debug', 'keyframe arrived', { clientId: source.published.clientId, trackId: source.published.trackId, afterRequestMs, ...(layer ? { rid: layer.rid } : {}) })
    }
    // Per keyframe, not per packet: which layer's keyframe reaches the hub first after a join's PLI (loadtest README, stop 42).
    if (keyframe && layer) this.#log('debug', 'keyframe of layer', { clientId: source.published.clientId, trackId: source.published.trackId, rid: layer.rid, width: layer.width })
    if (source.hold.active && (!layer || source.simulcast!.holds(layer, keyframe, now))) source.hold.onPacket(packet, keyframe, now)
    if (source.subscriptions.size === 0) return
    if (layer) {
      this.#forwardLayer(source, layer, packet, keyframe, now)
      return
    }
    // werift's sender clones again before rewriting SSRC/PT; this copy, made only when some sender
    // needs werift's path, has the publisher's extensions stripped, or werift would merge its MID
    // over the subscriber's. The fast path writes the subscriber's header itself (werift-fast-send.ts).
    let outgoing: RtpPacket | undefined
    for (const subscription of source.subscriptions) {
      if (!forwardsLive(subscription.keyframe)) continue
      const pause = subscription.pause
      if (pause && !pause.forwards && !this.#resumesWith(subscription, pause, packet)) continue
      outgoing = this.#sendTo(subscription, packet, outgoing)
    }
  }

  /** One packet of a simulcast layer to each subscription forwarding that layer (werift-simulcast.ts). */
  #forwardLayer(source: Source, layer: Layer, packet: RtpPacket, keyframe: boolean, now: number): void {
    let outgoing: RtpPacket | undefined
    for (const subscription of source.subscriptions) {
      const layers = subscription.layers
      const sender = subscription.transceiver?.sender
      if (!layers || !sender || !forwardsLive(subscription.keyframe)) continue
      const from = layers.forwarded
      if (!layers.admit(source.simulcast!, layer, packet, keyframe, now, sender)) continue
      if (!layers.sends(packet, sender)) continue
      if (from !== layers.forwarded) this.#log('info', 'simulcast layer switched', { clientId: subscription.owner.clientId, trackId: source.published.trackId, rid: layer.rid, width: layer.width, level: layers.choice.level })
      const out = layers.rewritten(packet)
      if (out === packet) outgoing = this.#sendTo(subscription, packet, outgoing)
      else this.#sendTo(subscription, out, undefined)
      layers.sent()
    }
  }

  /**
   * A paused forwarding that is resuming starts again with the first packet of a keyframe, numbered right
   * after the last packet it sent: the subscriber sees no gap to NACK or count as lost (the RTP timestamp
   * keeps its offset: the time that passed).
   */
  #resumesWith(subscription: Subscription, pause: VideoPause | LayerChoice, packet: RtpPacket): boolean {
    const sender = subscription.transceiver?.sender
    if (!(pause instanceof VideoPause) || pause.state !== 'resuming' || !sender || !startsVp8Keyframe(packet.payload)) return false
    continueSequence(sender, packet.header.sequenceNumber)
    pause.keyframeForwarded()
    return true
  }

  /** One packet to a negotiated, connected forwarding; returns werift's copy of it for the next sender. */
  #sendTo(subscription: Subscription, packet: RtpPacket, outgoing: RtpPacket | undefined): RtpPacket | undefined {
    const transceiver = subscription.transceiver
    if (!transceiver || transceiver.stopping || transceiver.stopped) return outgoing
    const sender = transceiver.sender
    if (!sender.codec || sender.dtlsTransport?.state !== 'connected') return outgoing
    if (!subscription.forwarding) this.#firstForwarded(subscription, packet)
    this.counters.packetsForwarded++
    subscription.packetsOut++
    subscription.resends?.forwarded(packet.payload.length + 12)
    if (this.#fastSend?.send(sender, packet)) return outgoing
    this.counters.packetsForwardedByWerift++
    if (!outgoing) {
      outgoing = packet.clone()
      outgoing.header.extensions = []
      // werift writes the P bit but no padding bytes (it encrypts the payload as given): a probe's
      // padding goes in the payload, as the fast send does.
      if (packet.header.padding && packet.header.paddingSize > 0) outgoing.payload = withPadding(packet.payload, packet.header.paddingSize)
    }
    sender.sendRtp(outgoing).catch((error: unknown) => {
      this.#log('debug', 'sendRtp failed', { clientId: subscription.owner.clientId, error: messageOf(error) })
    })
    return outgoing
  }

  #firstForwarded(subscription: Subscription, packet: RtpPacket): void {
    subscription.forwarding = true
    const keyframe = subscription.track.kind === 'video' ? startsVp8Keyframe(packet.payload) : undefined
    const layer = subscription.layers?.forwarded
    this.#log('debug', 'first packet forwarded', { clientId: subscription.owner.clientId, trackId: subscription.track.trackId, kind: subscription.track.kind, keyframe, ...(layer ? { rid: layer.rid, width: layer.width } : {}) })
  }
}
