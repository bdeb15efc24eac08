// RTP fan-out of the node-datachannel plane: each published track (an NdcSource, fed by the publisher's
// receiving ndc Track) and the subscriptions it feeds. The keyframe rule is werift's: one PLI per
// publisher track per KEYFRAME_REQUEST_INTERVAL_MS at most, a later request coalesced into one trailing
// PLI on the injected Clock, and asked only when a subscriber can use the keyframe (its track is open).
import type { Track } from 'node-datachannel'
import { type Clock, Timer } from '../clock.js'
import { asksForKeyframe, isRtcp, neutralizeHeaderExtensions, payloadTypeOf, ssrcOf, writeSsrc } from './ndc-sdp.js'
import type { AnsweredCodec } from './ndc-sdp.js'
import type { PublishedTrack } from './types.js'
import { KEYFRAME_REQUEST_INTERVAL_MS, sourceKey } from './werift-forwarder.js'

/** Whoever holds a subscription: told when the published track ends under it. */
export interface NdcSubscriber {
  readonly clientId: string
  sourceEnded(subscription: NdcSubscription): void
}

/** One forwarded track on one subscriber's peer connection. */
export interface NdcSubscription {
  readonly source: NdcSource
  readonly subscriber: NdcSubscriber
  readonly mid: string
  /** The SSRC the subscriber was offered; every forwarded packet carries it. */
  readonly ssrc: number
  /** The subscriber's sendonly track, once a server offer carried it. */
  track: Track | undefined
}

export class NdcSource {
  readonly key: string
  readonly subscriptions = new Set<NdcSubscription>()
  /** The publisher's media SSRC, learnt from its first packet of a forwarded codec (RTX and the rest are dropped). */
  #ssrc: number | undefined
  readonly #forwardedTypes: ReadonlySet<number>
  #lastKeyframeRequestAt = Number.NEGATIVE_INFINITY
  #keyframePending = false
  readonly #keyframeTimer: Timer

  constructor(
    readonly published: PublishedTrack,
    readonly track: Track,
    readonly codecs: readonly AnsweredCodec[],
    private readonly fanOut: NdcFanOut,
  ) {
    this.key = sourceKey(published)
    this.#forwardedTypes = new Set(codecs.map((codec) => codec.payloadType))
    this.#keyframeTimer = new Timer(fanOut.clock)
  }

  /** One packet from the publisher (RTP; RTCP is consumed by the track's RtcpReceivingSession). */
  forward(packet: Buffer): void {
    if (isRtcp(packet) || packet.length < 12 || !this.#forwardedTypes.has(payloadTypeOf(packet))) return
    const ssrc = ssrcOf(packet)
    this.#ssrc ??= ssrc
    if (ssrc !== this.#ssrc) return
    if (this.subscriptions.size === 0) return
    neutralizeHeaderExtensions(packet)
    for (const subscription of this.subscriptions) {
      const track = subscription.track
      if (!track?.isOpen()) continue
      writeSsrc(packet, subscription.ssrc)
      // sendMessageBinary copies the bytes before it returns, so one buffer serves every subscriber.
      if (track.sendMessageBinary(packet)) this.fanOut.packetsForwarded += 1
    }
  }

  /** RTCP from one subscriber of this source: a PLI or FIR asks the publisher for a keyframe. */
  feedback(packet: Buffer): void {
    if (isRtcp(packet) && asksForKeyframe(packet)) this.requestKeyframe()
  }

  requestKeyframe(): void {
    if (this.published.kind !== 'video') return
    if (!this.track.isOpen()) {
      this.#keyframePending = true
      return
    }
    const wait = this.#lastKeyframeRequestAt + KEYFRAME_REQUEST_INTERVAL_MS - this.fanOut.clock.now()
    if (wait > 0) {
      if (!this.#keyframeTimer.running) this.#keyframeTimer.start(wait, () => this.requestKeyframe())
      return
    }
    this.#keyframePending = false
    this.#lastKeyframeRequestAt = this.fanOut.clock.now()
    if (this.track.requestKeyframe()) this.fanOut.keyframeRequestsSent += 1
  }

  /** The publisher's track opened: a request that came too early goes out now. */
  opened(): void {
    if (this.#keyframePending) this.requestKeyframe()
  }

  end(): void {
    this.#keyframeTimer.cancel()
    for (const subscription of [...this.subscriptions]) {
      this.subscriptions.delete(subscription)
      subscription.subscriber.sourceEnded(subscription)
    }
    this.fanOut.sources.delete(this.key)
  }
}

/** Every source of the plane, by `sourceKey`, and the plane's counters. */
export class NdcFanOut {
  readonly sources = new Map<string, NdcSource>()
  packetsForwarded = 0
  keyframeRequestsSent = 0

  constructor(readonly clock: Clock) {}
}
