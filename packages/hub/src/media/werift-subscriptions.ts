// The forwarded tracks of one werift peer (its subscriptions): a sendonly transceiver per track, created
// right before a server offer, under the publisher's MSID; stopped to end a forwarding; a keyframe asked
// for when a subscriber becomes able to use one: its forwarding negotiated and its DTLS up, whichever
// comes last (after the answer, or on `connected`); with DTLS already up, with the offer, and held until
// the answer (werift-keyframe-hold.ts).
import { MediaStream, RTCRtpHeaderExtensionParameters, RTP_EXTENSION_URI } from 'werift'
import type { RTCPeerConnection, RTCRtpTransceiver, RtcpPacket } from 'werift'
import { type AudioLevelSample, messageOf } from '@parley/protocol'
import type { LogFields, LogLevel } from '../log.js'
import type { PublishedTrack, VoiceActivity } from './types.js'
import { type Forwarder, type Subscription, type SubscriptionOwner, sourceKey } from './werift-forwarder.js'
import { parseMediaSections } from './werift-sdp.js'
import { type PixelThresholds, type ViewerSize, ViewerSizes, applyViewerSize } from './viewer-size.js'

/** Opus's RTP clock rate (RFC 7587), before the sender's codec is negotiated. */
const OPUS_CLOCK_RATE = 48_000

export class WeriftSubscriptions implements SubscriptionOwner {
  readonly clientId: string
  readonly #pc: RTCPeerConnection
  readonly #forwarder: Forwarder
  readonly #negotiationNeeded: () => void
  readonly #videoPaused: (track: PublishedTrack, paused: boolean) => void
  readonly #log: (level: LogLevel, msg: string, fields?: LogFields) => void
  readonly #byKey = new Map<string, Subscription>()
  /** What the subscriber reported on its `internal` channel, by track id (viewer-size.ts). */
  readonly #sizes = new ViewerSizes()
  readonly #pixels: PixelThresholds
  /** Set when the subscriber registered with enable_vad (werift-voice.ts reports to it). */
  readonly voiceActivity?: (subscription: Subscription, audioLevels: AudioLevelSample[] | null) => void
  #closed = false

  constructor(init: {
    clientId: string
    pc: RTCPeerConnection
    forwarder: Forwarder
    negotiationNeeded: () => void
    /** Tells the subscriber (SSE parley_video_paused). */
    videoPaused: (track: PublishedTrack, paused: boolean) => void
    log: (level: LogLevel, msg: string, fields?: LogFields) => void
    /** The room's video_*_pixels options (viewer-size.ts ceilingLevel). */
    pixels: PixelThresholds
    /** The subscriber's voice reports (only for a client registered with enable_vad). */
    voiceActivity?: (track: PublishedTrack, activity: VoiceActivity) => void
  }) {
    this.#pixels = init.pixels
    this.clientId = init.clientId
    this.#pc = init.pc
    this.#forwarder = init.forwarder
    this.#negotiationNeeded = init.negotiationNeeded
    this.#videoPaused = init.videoPaused
    this.#log = init.log
    const tell = init.voiceActivity
    if (tell) {
      this.voiceActivity = (subscription, audioLevels) => {
        const sender = subscription.transceiver?.sender
        if (this.#closed || !sender || this.#byKey.get(subscription.key) !== subscription) return
        tell(subscription.track, { ssrc: sender.ssrc, clockRate: sender.codec?.clockRate ?? OPUS_CLOCK_RATE, audioLevels })
      }
    }
  }

  /** Forwards another client's track here (idempotent); the keyframe is asked for once it is negotiated. */
  subscribe(track: PublishedTrack): void {
    if (this.#closed || track.clientId === this.clientId) return
    const source = this.#forwarder.source(track)
    if (!source) {
      this.#log('warn', 'subscribe to a track that is not published (any more)', { publisher: track.clientId, trackId: track.trackId })
      return
    }
    if (!this.#byKey.has(source.key)) {
      const subscription = this.#forwarder.attach(this, source)
      this.#byKey.set(source.key, subscription)
      const size = this.#sizes.get(track.trackId)
      if (size) applyViewerSize(subscription, size, this.#pixels)
      if (this.#pc.remoteDescription) this.#negotiationNeeded()
      // Before the client's first offer (a joining client's receive slots) there is nothing to renegotiate:
      // that offer's slots, or the server offer its answer finds owed (#afterDescription), carry the
      // forwarding. Its keyframe is asked for now and held, so that one arriving before the subscriber's
      // DTLS is up (or before the answer that places it) is not lost to it.
      else this.#forwarder.holdKeyframe(subscription)
    }
  }

  /**
   * Between a client offer's setRemoteDescription and the hub's answer. The offer's recvonly audio and
   * video m-lines that carry nothing are receive slots: each takes a forwarding still without an m-line,
   * of its kind (preferring the stream of one just placed, so a camera and its microphone stay
   * together), and its media comes with this answer instead of a server offer once DTLS is up. Returns
   * the forwardings placed; their keyframes are asked for when the answer is set (`answeredInSlots`).
   */
  fillReceiveSlots(): Subscription[] {
    const waiting = [...this.#byKey.values()].filter((subscription) => !subscription.transceiver && subscription.source)
    if (waiting.length === 0 || this.#closed) return []
    const placed: Subscription[] = []
    for (const transceiver of this.#emptySlots()) {
      const streams = new Set(placed.map((subscription) => subscription.track.streamId))
      const index = bestSlotCandidate(waiting, transceiver.kind, streams)
      if (index < 0) continue
      const [subscription] = waiting.splice(index, 1) as [Subscription]
      this.#place(subscription, transceiver)
      placed.push(subscription)
    }
    if (placed.length > 0) this.#log('debug', 'forwarded in the answer', { trackIds: placed.map((subscription) => subscription.track.trackId) })
    return placed
  }

  /**
   * The client's recvonly m-lines that carry no forwarding (negotiated, with a codec: werift prepared their
   * senders at setRemoteDescription). `offerDirection` is the client's offer reversed: `sendonly` for recvonly.
   */
  #emptySlots(): RTCRtpTransceiver[] {
    const taken = new Set([...this.#byKey.values()].map((subscription) => subscription.transceiver))
    return this.#pc
      .getTransceivers()
      .filter((t) => t.offerDirection === 'sendonly' && t.direction === 'recvonly' && t.mid != null && !t.stopped && !t.stopping && !taken.has(t) && t.sender.codec)
  }

  /** The slot's transceiver sends the forwarding from now on, under the publisher's MSID. */
  #place(subscription: Subscription, transceiver: RTCRtpTransceiver): void {
    const { track } = subscription
    transceiver.setDirection('sendonly')
    transceiver.sender.streamId = track.streamId
    Object.defineProperty(transceiver.sender, 'trackId', { value: track.trackId, writable: true, configurable: true })
    // As for the transceivers of a server offer, the MID only (what the fast send writes). The sender took
    // the offer's extensions at setRemoteDescription (werift's prepareSend), so it is told too.
    const mid = transceiver.headerExtensions.filter((extension) => extension.uri === RTP_EXTENSION_URI.sdesMid)
    transceiver.headerExtensions = mid
    Object.assign(transceiver.sender, { headerExtensions: mid })
    subscription.transceiver = transceiver
    this.#forwarder.transceiverCreated(subscription)
  }

  /** No answer was set after all: the forwardings wait for an m-line again. */
  unplace(placed: readonly Subscription[]): void {
    for (const subscription of placed) subscription.transceiver = undefined
  }

  /**
   * The answer placing `placed` is set. Their video keyframes are asked for now and held until the
   * subscriber's DTLS is up (`connected`), so the publisher's encode overlaps the handshake.
   */
  answeredInSlots(placed: readonly Subscription[]): void {
    for (const subscription of placed) {
      if (this.#byKey.get(subscription.key) === subscription) this.#forwarder.holdKeyframe(subscription)
    }
  }

  /**
   * The subscriber shows the video track `trackId` at `size` (CSS pixels; 0: not shown). Its track id is
   * the publisher's MSID track id (materialize gives the sender that id), so it names the subscription.
   * Kept for a subscription still to come; a size that did not change does nothing.
   */
  viewerSize(trackId: string, size: ViewerSize): void {
    if (this.#closed || !this.#sizes.set(trackId, size)) return
    let matched = false
    for (const subscription of this.#byKey.values()) {
      if (subscription.track.trackId !== trackId || subscription.track.kind !== 'video') continue
      matched = true
      applyViewerSize(subscription, size, this.#pixels)
      const choice = subscription.layers?.choice
      this.#log('debug', 'viewer size', { clientId: this.clientId, trackId, width: size.width, height: size.height, ...(choice ? { ceiling: choice.ceiling, target: choice.target, level: choice.level } : { state: subscription.pause?.state }) })
    }
    if (!matched) this.#log('debug', 'viewer size for no video subscription (kept for one to come)', { trackId, width: size.width, height: size.height })
  }

  /** The room withdrew the track (it left the room: tracks.ts unsubscribes everyone). */
  unsubscribe(track: PublishedTrack): void {
    const subscription = this.#byKey.get(sourceKey(track))
    if (subscription) this.#end(subscription)
    this.#forgetSize(track.trackId)
  }

  /** The published track ended under this subscription (unpublished, or its publisher gone). */
  sourceEnded(subscription: Subscription): void {
    this.#end(subscription)
    this.#forgetSize(subscription.track.trackId)
  }

  videoPaused(subscription: Subscription, paused: boolean): void {
    if (!this.#closed && this.#byKey.get(subscription.key) === subscription) this.#videoPaused(subscription.track, paused)
  }

  /**
   * Gives new subscriptions their sendonly transceivers right before a server offer: an empty receive slot
   * of their kind (the m-line exists, the offer only changes its direction), else a new one. Created
   * earlier, an unassociated transceiver could be matched by werift to a new m-line of a client offer and
   * steal it.
   */
  materialize(): void {
    const slots = this.#emptySlots()
    for (const subscription of this.#byKey.values()) {
      if (subscription.transceiver) continue
      const slot = slots.findIndex((transceiver) => transceiver.kind === subscription.track.kind)
      if (slot >= 0) {
        this.#place(subscription, slots.splice(slot, 1)[0]!)
        continue
      }
      const { track } = subscription
      const transceiver = this.#pc.addTransceiver(track.kind, {
        direction: 'sendonly',
        streams: [new MediaStream({ id: track.streamId })],
      })
      // The MSID track id must be the publisher's, so subscribers see the ids of tracks_available.
      Object.defineProperty(transceiver.sender, 'trackId', { value: track.trackId, writable: true, configurable: true })
      const extensions = this.#headerExtensionsFor(track.kind, transceiver)
      if (extensions.length > 0) transceiver.headerExtensions = extensions
      subscription.transceiver = transceiver
      this.#forwarder.transceiverCreated(subscription)
    }
  }

  /**
   * The server offer carrying new forwardings is set: with DTLS up they can use a keyframe as soon as they
   * are answered, so it is asked for now and held until then (werift-keyframe-hold.ts).
   */
  offered(): void {
    for (const subscription of this.#byKey.values()) {
      const transceiver = subscription.transceiver
      if (transceiver && subscription.keyframe === 'unanswered' && transceiver.sender.dtlsTransport?.state === 'connected') this.#forwarder.holdKeyframe(subscription)
    }
  }

  /** After an answer: drop subscriptions the client rejected, ask keyframes for the newly negotiated ones (DTLS up). */
  settle(): void {
    for (const subscription of [...this.#byKey.values()]) {
      const transceiver = subscription.transceiver
      if (!transceiver) continue
      if (transceiver.stopped) {
        this.#log('warn', 'the client rejected a forwarded track', { trackId: subscription.track.trackId })
        releaseSenderFromTransport(transceiver)
        this.#byKey.delete(subscription.key)
        this.#forwarder.detach(subscription)
        continue
      }
      const direction = transceiver.currentDirection
      const dtlsUp = transceiver.sender.dtlsTransport?.state === 'connected'
      // `negotiated` makes it `live` (werift-keyframe-hold.ts): asked once per forwarding.
      if (subscription.keyframe !== 'live' && dtlsUp && transceiver.sender.codec && (direction === 'sendonly' || direction === 'sendrecv')) {
        this.#forwarder.negotiated(subscription)
      }
    }
  }

  /** A forwarding waits for a server offer (new, or stopped but not yet renegotiated away). */
  get unnegotiated(): boolean {
    if (this.#pc.getTransceivers().some((t) => t.stopping && !t.stopped)) return true
    for (const subscription of this.#byKey.values()) {
      if (!subscription.transceiver || subscription.transceiver.mid == null) return true
    }
    return false
  }

  /**
   * The subscriber can decode only from a keyframe sent after its DTLS came up: each forwarding asks now,
   * except those whose keyframe is held for them (receive slots): `releaseHeld` sends those.
   */
  connected(): void {
    for (const subscription of this.#byKey.values()) {
      if (subscription.source && subscription.transceiver?.sender.codec && !isHeld(subscription)) this.#forwarder.requestKeyframe(subscription.source)
    }
  }

  /** The subscriber can take media (its SRTP is up): each negotiated forwarding with a held keyframe gets it, and is live. */
  releaseHeld(): void {
    for (const subscription of this.#byKey.values()) {
      if (isHeld(subscription) && subscription.transceiver?.sender.codec && subscription.transceiver.currentDirection === 'sendonly') this.#forwarder.negotiated(subscription)
    }
  }

  /** RTCP from the subscriber: PLI/FIR for a forwarded track go to its publisher. */
  feedback(packet: RtcpPacket): void {
    this.#forwarder.subscriberFeedback(packet, this.#byKey.values())
  }

  close(): void {
    this.#closed = true
    for (const subscription of this.#byKey.values()) this.#forwarder.detach(subscription)
    this.#byKey.clear()
  }

  /**
   * A track that went keeps no size (a long meeting would grow the map; a track published again under
   * the id would start at the old tile's size), unless another publisher's track of that id is still here.
   */
  #forgetSize(trackId: string): void {
    for (const subscription of this.#byKey.values()) if (subscription.track.trackId === trackId) return
    this.#sizes.forget(trackId)
  }

  /** Stops one forwarding. Idempotent. */
  #end(subscription: Subscription): void {
    if (this.#byKey.get(subscription.key) !== subscription) return
    this.#byKey.delete(subscription.key)
    this.#forwarder.detach(subscription)
    const transceiver = subscription.transceiver
    if (!transceiver || this.#closed) return
    // Not removeTrack: with manual sendRtp the sender has no track and werift's removeTrack does nothing.
    const negotiated = transceiver.mid != null
    try {
      transceiver.stop()
    } catch (error) {
      this.#log('warn', 'stopping a forwarding transceiver failed', { error: messageOf(error) })
    }
    releaseSenderFromTransport(transceiver)
    if (negotiated) this.#negotiationNeeded()
  }

  /**
   * werift numbers the extensions of m-lines it offers itself (audio mid=1, video mid=2), which clashes
   * with the IDs the client chose in the same BUNDLE: reuse the negotiated ones, sdes:mid only. A
   * publisher's m-line also has abs-send-time (werift-config), which is for the hub's estimate: the fast
   * send writes only the MID, so subscribers are not offered another extension.
   */
  #headerExtensionsFor(kind: 'audio' | 'video', except: RTCRtpTransceiver): RTCRtpHeaderExtensionParameters[] {
    const negotiated = this.#pc
      .getTransceivers()
      .filter((t) => t !== except && t.mid != null && !t.stopped && !t.stopping && t.headerExtensions.length > 0)
    const template = negotiated.find((t) => t.kind === kind) ?? negotiated[0]
    const mid = template?.headerExtensions.find((h) => h.uri === RTP_EXTENSION_URI.sdesMid)
    if (mid) return [new RTCRtpHeaderExtensionParameters({ id: mid.id, uri: mid.uri })]
    const remote = this.#pc.remoteDescription?.sdp
    const midExtensionId = remote ? parseMediaSections(remote).find((s) => s.midExtensionId !== undefined)?.midExtensionId : undefined
    if (midExtensionId === undefined) return []
    return [new RTCRtpHeaderExtensionParameters({ id: midExtensionId, uri: RTP_EXTENSION_URI.sdesMid })]
  }
}

/**
 * werift 0.25.2's RTCRtpSender subscribes to the shared DTLS transport's state event
 * (`setDtlsTransport`, rtpSender.js:457-469) and its `stop()` never unsubscribes: every stopped
 * forwarding would stay reachable from the subscriber's transport, with its packet cache, for the
 * subscriber's whole life. We pin werift, so the sender's private disposers are run here.
 */
export function releaseSenderFromTransport(transceiver: RTCRtpTransceiver): void {
  const sender = transceiver.sender as unknown as { dtlsDisposer?: unknown }
  if (!Array.isArray(sender.dtlsDisposer)) return
  for (const dispose of sender.dtlsDisposer.splice(0)) if (typeof dispose === 'function') dispose()
}

function isHeld(subscription: Subscription): boolean {
  return subscription.keyframe === 'awaiting' || subscription.keyframe === 'holding'
}

/** The waiting forwarding a slot of `kind` takes: one of a stream already placed, else the first. */
function bestSlotCandidate(waiting: readonly Subscription[], kind: string, streams: ReadonlySet<string>): number {
  const sameStream = waiting.findIndex((subscription) => subscription.track.kind === kind && streams.has(subscription.track.streamId))
  return sameStream >= 0 ? sameStream : waiting.findIndex((subscription) => subscription.track.kind === kind)
}
