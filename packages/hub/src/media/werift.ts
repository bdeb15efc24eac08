// The hub's media plane on werift (pure TypeScript WebRTC): one RTCPeerConnection per client, RTP of
// each published track forwarded to every subscriber through its own sendonly transceiver.
// The werift workarounds applied here are those measured in shared/reference/werift-sfu-notes.md:
// loopback ICE without STUN, pinned payload types, header-extension IDs copied from a negotiated
// transceiver and incoming extensions stripped before sendRtp, subscriber PLIs read from the DTLS
// transport (werift routes them to the wrong object), and transceiver.stop() to end a forwarding.
//
// Known limits: werift routes incoming RTP by SSRC only, so a publishing m-line must carry a=ssrc
// (Chrome, Firefox, werift and aiortc do); a client publishes on new m-lines (addTransceiver), not by
// reusing an m-line the hub offered; no simulcast, RTX, transport-cc or REMB (Chrome's bitrate grows
// from receiver reports only). ICE restarts are werift's own (a client offer with a new ufrag/pwd);
// e2e/browser-ice-restart.spec.ts measures one from Chromium.
import {
  MediaStream,
  PictureLossIndication,
  RTCPeerConnection,
  RTCRtpHeaderExtensionParameters,
  RTP_EXTENSION_URI,
  RtcpPayloadSpecificFeedback,
} from 'werift'
import type {
  MediaStreamTrack,
  RTCDataChannel,
  RTCDtlsTransport,
  RTCRtpTransceiver,
  RtcpPacket,
  RtpPacket,
} from 'werift'
import type { Answer, IceCandidate, Offer } from '@parley/protocol'
import type {
  IceConfig,
  MediaPeer,
  MediaPeerHandlers,
  MediaPlane,
  PeerConnectionState,
  PublishedTrack,
  SignalingState,
} from './types.js'
import { resolveIceConfig, weriftPeerConfig } from './werift-config.js'
import {
  assertUsableDescription,
  filterSdpCandidates,
  hasApplicationSection,
  isMdnsAddress,
  isSendingSection,
  parseCandidate,
  parseMediaSections,
} from './werift-sdp.js'
import type { SdpMediaSection } from './werift-sdp.js'

export type MediaLogLevel = 'debug' | 'info' | 'warn' | 'error'
export type MediaLog = (level: MediaLogLevel, msg: string, fields?: Record<string, unknown>) => void

export interface WeriftMediaPlaneOptions {
  ice?: Partial<IceConfig>
  log?: MediaLog
}

/** Counters for tests and diagnostics. */
export interface WeriftPlaneStats {
  peers: number
  publishedTracks: number
  subscriptions: number
  /** RTP packets received from publishers. */
  packetsReceived: number
  /** RTP packets handed to a negotiated, connected subscriber sender. */
  packetsForwarded: number
  /** PLIs sent to publishers. */
  keyframeRequestsSent: number
  /** PLI/FIR packets read from subscribers (the werift routing workaround). */
  subscriberKeyframeRequests: number
}

export interface WeriftMediaPlane extends MediaPlane {
  stats(): WeriftPlaneStats
}

/** At most one PLI per publisher track in this window; later requests are coalesced into one trailing PLI. */
const KEYFRAME_REQUEST_INTERVAL_MS = 300
/** RTCP PSFB FMT of a Full Intra Request (werift does not export the class from its ESM build). */
const FIR_FORMAT = 4

const defaultLog: MediaLog = (level, msg, fields) => {
  if (level === 'warn' || level === 'error') console[level](`[media] ${msg}`, fields ?? '')
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}

function sourceKey(track: Pick<PublishedTrack, 'clientId' | 'trackId'>): string {
  return `${track.clientId}\u0000${track.trackId}`
}

/** A published track: the publisher's receiving transceiver and everything forwarded from it. */
interface Source {
  readonly key: string
  readonly published: PublishedTrack
  readonly publisher: WeriftPeer
  readonly mid: string
  readonly transceiver: RTCRtpTransceiver
  readonly subscriptions: Set<Subscription>
  /** The publisher's actual SSRC, learnt from its first RTP packet. */
  ssrc: number | undefined
  lastKeyframeRequestAt: number
  keyframeTimer: NodeJS.Timeout | undefined
  /** A keyframe was wanted before it could be asked for (no SSRC or no DTLS yet). */
  keyframePending: boolean
  stopRtp: () => void
}

/** One forwarded track on one subscriber's peer connection. */
interface Subscription {
  readonly key: string
  readonly track: PublishedTrack
  readonly subscriber: WeriftPeer
  source: Source | undefined
  /** Created lazily in createOffer (see WeriftPeer.materializeSubscriptions). */
  transceiver: RTCRtpTransceiver | undefined
  keyframeRequestedOnAnswer: boolean
}

interface ServerChannel {
  readonly label: string
  readonly ordered: boolean
  channel: RTCDataChannel | undefined
}

class WeriftPlane implements WeriftMediaPlane {
  readonly ice: IceConfig
  readonly allowedRemoteAddresses: ReadonlySet<string>
  readonly log: MediaLog
  private readonly peers = new Set<WeriftPeer>()
  private readonly sources = new Map<string, Source>()
  private closed = false
  private readonly counters = {
    packetsReceived: 0,
    packetsForwarded: 0,
    keyframeRequestsSent: 0,
    subscriberKeyframeRequests: 0,
  }

  constructor(options: WeriftMediaPlaneOptions) {
    this.ice = resolveIceConfig(options.ice)
    this.allowedRemoteAddresses = new Set(this.ice.allowedRemoteAddresses)
    const log = options.log ?? defaultLog
    // A throwing logger must not take the media plane down with it.
    this.log = (level, msg, fields) => {
      try {
        log(level, msg, fields)
      } catch {
        // nothing sensible left to do
      }
    }
  }

  createPeer(init: { roomId: string; clientId: string; handlers: MediaPeerHandlers }): MediaPeer {
    if (this.closed) throw new Error('the media plane is closed')
    const peer = new WeriftPeer(this, init.roomId, init.clientId, init.handlers)
    this.peers.add(peer)
    return peer
  }

  requestKeyframe(track: PublishedTrack): void {
    const source = this.sources.get(sourceKey(track))
    if (source) this.requestKeyframeFor(source)
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.all([...this.peers].map((peer) => peer.close()))
  }

  stats(): WeriftPlaneStats {
    let subscriptions = 0
    for (const source of this.sources.values()) subscriptions += source.subscriptions.size
    return { peers: this.peers.size, publishedTracks: this.sources.size, subscriptions, ...this.counters }
  }

  // -------------------------------------------------------------------------------------------
  // Internal API for peers

  forgetPeer(peer: WeriftPeer): void {
    this.peers.delete(peer)
  }

  findSource(track: PublishedTrack): Source | undefined {
    return this.sources.get(sourceKey(track))
  }

  addSource(publisher: WeriftPeer, mid: string, published: PublishedTrack, transceiver: RTCRtpTransceiver): Source | undefined {
    const key = sourceKey(published)
    if (this.sources.has(key)) {
      this.log('warn', 'a client publishes the same track id twice; ignoring the second m-line', {
        clientId: published.clientId,
        trackId: published.trackId,
        mid,
      })
      return undefined
    }
    const track: MediaStreamTrack = transceiver.receiver.track
    const source: Source = {
      key,
      published,
      publisher,
      mid,
      transceiver,
      subscriptions: new Set(),
      ssrc: undefined,
      lastKeyframeRequestAt: Number.NEGATIVE_INFINITY,
      keyframeTimer: undefined,
      keyframePending: false,
      stopRtp: () => undefined,
    }
    const { unSubscribe } = track.onReceiveRtp.subscribe((packet: RtpPacket) => {
      try {
        this.forward(source, packet)
      } catch (error) {
        this.log('error', 'forwarding an RTP packet failed', { trackId: published.trackId, error: describe(error) })
      }
    })
    source.stopRtp = unSubscribe
    this.sources.set(key, source)
    return source
  }

  /** Ends a published track: forwarding stops and every subscriber renegotiates its transceiver away. */
  removeSource(source: Source): void {
    if (this.sources.get(source.key) !== source) return
    this.sources.delete(source.key)
    source.stopRtp()
    if (source.keyframeTimer) clearTimeout(source.keyframeTimer)
    source.keyframeTimer = undefined
    for (const subscription of [...source.subscriptions]) subscription.subscriber.endSubscription(subscription)
    source.subscriptions.clear()
  }

  private forward(source: Source, packet: RtpPacket): void {
    this.counters.packetsReceived++
    const { ssrc } = packet.header
    if (source.ssrc !== ssrc) {
      const switched = source.ssrc !== undefined
      source.ssrc = ssrc
      if (switched) {
        // The publisher restarted its stream: keep the subscribers' sequence numbers continuous.
        for (const subscription of source.subscriptions) subscription.transceiver?.sender.replaceRTP(packet.header)
      }
      if (source.keyframePending) this.requestKeyframeFor(source)
    }
    if (source.subscriptions.size === 0) return
    // One copy for all subscribers: werift's sender clones again before rewriting SSRC/PT.
    // The publisher's extensions are stripped, or werift would merge its MID over the subscriber's.
    const outgoing = packet.clone()
    outgoing.header.extensions = []
    for (const subscription of source.subscriptions) {
      const transceiver = subscription.transceiver
      if (!transceiver || transceiver.stopping || transceiver.stopped) continue
      const sender = transceiver.sender
      if (!sender.codec || sender.dtlsTransport?.state !== 'connected') continue
      this.counters.packetsForwarded++
      sender.sendRtp(outgoing).catch((error: unknown) => {
        this.log('debug', 'sendRtp failed', { clientId: subscription.subscriber.clientId, error: describe(error) })
      })
    }
  }

  /** Asks the publisher for a keyframe, at most once per KEYFRAME_REQUEST_INTERVAL_MS per track. */
  requestKeyframeFor(source: Source): void {
    if (source.published.kind !== 'video' || this.sources.get(source.key) !== source) return
    const wait = source.lastKeyframeRequestAt + KEYFRAME_REQUEST_INTERVAL_MS - performance.now()
    if (wait > 0) {
      source.keyframeTimer ??= setTimeout(() => {
        source.keyframeTimer = undefined
        this.sendPli(source)
      }, wait)
      return
    }
    this.sendPli(source)
  }

  private sendPli(source: Source): void {
    if (this.sources.get(source.key) !== source) return
    const mediaSsrc = source.ssrc ?? source.transceiver.receiver.track.ssrc
    const dtls = source.transceiver.dtlsTransport
    if (mediaSsrc === undefined || !dtls || dtls.state !== 'connected') {
      source.keyframePending = true
      return
    }
    source.keyframePending = false
    source.lastKeyframeRequestAt = performance.now()
    this.counters.keyframeRequestsSent++
    // Sent directly rather than through receiver.sendRtcpPLI, which stays silent unless the
    // publisher's offer listed "nack pli" for the codec.
    const pli = new RtcpPayloadSpecificFeedback({
      feedback: new PictureLossIndication({ senderSsrc: source.transceiver.sender.ssrc, mediaSsrc }),
    })
    dtls.sendRtcp([pli]).catch((error: unknown) => {
      this.log('debug', 'sending a PLI failed', { trackId: source.published.trackId, error: describe(error) })
    })
  }

  countSubscriberKeyframeRequest(): void {
    this.counters.subscriberKeyframeRequests++
  }

  /** A publisher's connection came up: ask for keyframes wanted before it could carry RTCP. */
  onPublisherConnected(publisher: WeriftPeer): void {
    for (const source of this.sources.values()) {
      if (source.publisher === publisher && source.keyframePending) this.requestKeyframeFor(source)
    }
  }
}

class WeriftPeer implements MediaPeer {
  private readonly pc: RTCPeerConnection
  private closed = false
  private closing: Promise<void> | undefined
  /** Published tracks of this client by MID. */
  private readonly published = new Map<string, Source>()
  /** Forwarded tracks by source key. */
  private readonly subscriptions = new Map<string, Subscription>()
  private readonly channels = new Map<string, ServerChannel>()
  private readonly pendingCandidates: IceCandidate[] = []
  private applyingRemoteDescription = false
  private readonly disposers: (() => void)[] = []
  private readonly watchedTransports = new Set<RTCDtlsTransport>()
  private chain: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly plane: WeriftPlane,
    readonly roomId: string,
    readonly clientId: string,
    private readonly handlers: MediaPeerHandlers,
  ) {
    this.pc = new RTCPeerConnection(weriftPeerConfig(plane.ice))
    this.disposers.push(
      this.pc.onIceCandidate.subscribe((candidate) => {
        this.guard('onIceCandidate', () => {
          if (!candidate?.candidate) return
          const init: IceCandidate = { candidate: candidate.candidate }
          if (candidate.sdpMid !== undefined) init.sdpMid = candidate.sdpMid
          if (candidate.sdpMLineIndex !== undefined) init.sdpMLineIndex = candidate.sdpMLineIndex
          if (candidate.usernameFragment !== undefined) init.usernameFragment = candidate.usernameFragment
          this.emit('onIceCandidate', (h) => h.onIceCandidate(init))
        })
      }).unSubscribe,
      this.pc.connectionStateChange.subscribe((state) => {
        this.guard('connectionStateChange', () => this.onConnectionState(state))
      }).unSubscribe,
      this.pc.onDataChannel.subscribe((channel) => {
        this.guard('onDataChannel', () => {
          // A client-created channel with a label the room hosts carries room messages too.
          if (this.channels.has(channel.label)) this.listenToChannel(channel.label, channel)
          else this.log('debug', 'ignoring a client data channel with an unknown label', { label: channel.label })
        })
      }).unSubscribe,
    )
  }

  get connectionState(): PeerConnectionState {
    return this.pc.connectionState
  }

  get signalingState(): SignalingState {
    const state = this.pc.signalingState
    if (state === 'have-local-pranswer') return 'have-remote-offer'
    if (state === 'have-remote-pranswer') return 'have-local-offer'
    return state
  }

  // -------------------------------------------------------------------------------------------
  // Negotiation

  handleOffer(offer: Offer): Promise<Answer> {
    return this.serial(async () => {
      this.assertOpen()
      const sdp = filterSdpCandidates(offer.sdp, this.plane.allowedRemoteAddresses)
      assertUsableDescription('offer', sdp, this.sectionCount(this.pc.remoteDescription?.sdp))
      this.applyingRemoteDescription = true
      try {
        try {
          await this.pc.setRemoteDescription({ type: 'offer', sdp })
        } catch (error) {
          throw new Error(`the client's offer cannot be applied: ${describe(error)}`)
        }
        try {
          const answer = await this.pc.createAnswer()
          await this.pc.setLocalDescription(answer)
        } catch (error) {
          await this.pc.setRemoteDescription({ type: 'rollback', sdp: '' }).catch(() => undefined)
          throw new Error(`no answer to the client's offer: ${describe(error)}`)
        }
      } finally {
        this.applyingRemoteDescription = false
      }
      await this.flushPendingCandidates()
      this.afterDescription()
      const local = this.pc.localDescription
      if (!local) throw new Error('werift produced no local description')
      return { type: 'answer', sdp: local.sdp }
    })
  }

  createOffer(): Promise<Offer> {
    return this.serial(async () => {
      this.assertOpen()
      if (this.pc.signalingState !== 'stable') {
        throw new Error(`a server offer needs signaling state stable, not ${this.pc.signalingState}`)
      }
      this.materializeDataChannels()
      this.materializeSubscriptions()
      try {
        const offer = await this.pc.createOffer()
        await this.pc.setLocalDescription(offer)
      } catch (error) {
        throw new Error(`cannot create a server offer: ${describe(error)}`)
      }
      this.watchTransports()
      const local = this.pc.localDescription
      if (!local) throw new Error('werift produced no local description')
      return { type: 'offer', sdp: local.sdp }
    })
  }

  handleAnswer(answer: Answer): Promise<void> {
    return this.serial(async () => {
      this.assertOpen()
      if (this.pc.signalingState !== 'have-local-offer') {
        throw new Error(`no server offer awaits an answer (signaling state ${this.pc.signalingState})`)
      }
      const sdp = filterSdpCandidates(answer.sdp, this.plane.allowedRemoteAddresses)
      assertUsableDescription('answer', sdp, this.sectionCount(this.pc.localDescription?.sdp))
      this.applyingRemoteDescription = true
      try {
        await this.pc.setRemoteDescription({ type: 'answer', sdp })
      } catch (error) {
        throw new Error(`the client's answer cannot be applied: ${describe(error)}`)
      } finally {
        this.applyingRemoteDescription = false
      }
      await this.flushPendingCandidates()
      this.afterDescription()
    })
  }

  async addIceCandidate(candidate: IceCandidate): Promise<void> {
    if (this.closed) return
    if (candidate.candidate.trim() === '') return // end-of-candidates: nothing to do with trickle on loopback
    const parsed = parseCandidate(candidate.candidate)
    if (isMdnsAddress(parsed.address)) {
      this.log('debug', 'ignoring an mDNS candidate', { clientId: this.clientId })
      return
    }
    const allowed = this.plane.allowedRemoteAddresses
    if (allowed.size > 0 && !allowed.has(parsed.address)) {
      this.log('debug', 'ignoring a candidate outside the allowed addresses', { address: parsed.address })
      return
    }
    if (parsed.protocol !== 'udp') return
    const init: IceCandidate = { ...candidate }
    if (init.sdpMid == null && init.sdpMLineIndex == null) init.sdpMLineIndex = 0 // BUNDLE: one transport
    if (!this.pc.remoteDescription || this.applyingRemoteDescription) {
      this.pendingCandidates.push(init)
      return
    }
    await this.applyCandidate(init)
  }

  private async applyCandidate(candidate: IceCandidate): Promise<void> {
    try {
      await this.pc.addIceCandidate({
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid ?? undefined,
        sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
        usernameFragment: candidate.usernameFragment ?? undefined,
      })
    } catch (error) {
      throw new Error(`the ICE candidate cannot be added: ${describe(error)}`)
    }
  }

  private async flushPendingCandidates(): Promise<void> {
    while (this.pendingCandidates.length > 0 && this.pc.remoteDescription && !this.closed) {
      const candidate = this.pendingCandidates.shift()
      if (!candidate) break
      await this.applyCandidate(candidate).catch((error: unknown) => {
        this.log('warn', 'a queued ICE candidate was rejected', { clientId: this.clientId, error: describe(error) })
      })
    }
  }

  /** Bookkeeping after any applied description: publications, subscriptions, SCTP, pending changes. */
  private afterDescription(): void {
    this.watchTransports()
    this.reconcilePublished()
    this.settleSubscriptions()
    this.materializeDataChannels()
    this.startSctpIfNeeded()
    if (this.hasUnnegotiatedChanges()) this.emit('onNegotiationNeeded', (h) => h.onNegotiationNeeded())
  }

  // -------------------------------------------------------------------------------------------
  // Publishing

  /** Compares the client's sending m-lines with the tracks it published so far. */
  private reconcilePublished(): void {
    const remote = this.pc.remoteDescription?.sdp
    if (!remote) return
    const sending = new Map<string, SdpMediaSection>()
    for (const section of parseMediaSections(remote)) {
      if (section.mid !== undefined && isSendingSection(section)) sending.set(section.mid, section)
    }
    for (const [mid, source] of [...this.published]) {
      const section = sending.get(mid)
      const transceiver = source.transceiver
      const identity = section ? this.publishedIdentity(section) : undefined
      if (
        !section ||
        transceiver.stopped ||
        transceiver.stopping ||
        transceiver.mid !== mid ||
        identity?.trackId !== source.published.trackId ||
        identity?.streamId !== source.published.streamId
      ) {
        this.published.delete(mid)
        this.plane.removeSource(source)
        this.emit('onTrackUnpublished', (h) => h.onTrackUnpublished(source.published))
      }
    }
    for (const [mid, section] of sending) {
      if (this.published.has(mid)) continue
      const transceiver = this.pc.getTransceivers().find((t) => t.mid === mid && !t.stopped && !t.stopping)
      if (!transceiver) continue
      if (transceiver.direction !== 'recvonly' && transceiver.direction !== 'sendrecv') {
        // A client that reuses a server-offered sendonly m-line to send cannot be received by werift
        // (the receiver is only wired on receiving transceivers): publish on new m-lines instead.
        this.log('warn', 'the client sends on an m-line the server cannot receive on; ignored', {
          clientId: this.clientId,
          mid,
        })
        continue
      }
      if (section.ssrcCount === 0) {
        this.log('warn', 'a sending m-line has no a=ssrc; werift routes RTP by SSRC only, so it will not arrive', {
          clientId: this.clientId,
          mid,
        })
      }
      const identity = this.publishedIdentity(section)
      const published: PublishedTrack = {
        trackId: identity.trackId,
        streamId: identity.streamId,
        kind: section.kind === 'audio' ? 'audio' : 'video',
        clientId: this.clientId,
      }
      const source = this.plane.addSource(this, mid, published, transceiver)
      if (!source) continue
      this.published.set(mid, source)
      this.emit('onTrackPublished', (h) => h.onTrackPublished(published))
    }
  }

  private publishedIdentity(section: SdpMediaSection): { streamId: string; trackId: string } {
    const msid = section.msid
    return {
      // "-" is the MSID of a track without a stream; the client id then names the stream.
      streamId: msid && msid.streamId !== '-' ? msid.streamId : this.clientId,
      trackId: msid?.trackId ?? `${this.clientId}-mid${section.mid ?? section.index}`,
    }
  }

  // -------------------------------------------------------------------------------------------
  // Subscribing

  subscribe(track: PublishedTrack): void {
    this.guard('subscribe', () => {
      if (this.closed || track.clientId === this.clientId) return
      const key = sourceKey(track)
      if (this.subscriptions.has(key)) return
      const source = this.plane.findSource(track)
      if (!source) {
        this.log('warn', 'subscribe to a track that is not published (any more)', {
          clientId: this.clientId,
          publisher: track.clientId,
          trackId: track.trackId,
        })
        return
      }
      const subscription: Subscription = {
        key,
        track: source.published,
        subscriber: this,
        source,
        transceiver: undefined,
        keyframeRequestedOnAnswer: false,
      }
      this.subscriptions.set(key, subscription)
      source.subscriptions.add(subscription)
      this.emit('onNegotiationNeeded', (h) => h.onNegotiationNeeded())
    })
  }

  unsubscribe(track: PublishedTrack): void {
    this.guard('unsubscribe', () => {
      const subscription = this.subscriptions.get(sourceKey(track))
      if (subscription) this.endSubscription(subscription)
    })
  }

  /** Stops one forwarding; also called by the plane when the published track ends. Idempotent. */
  endSubscription(subscription: Subscription): void {
    if (this.subscriptions.get(subscription.key) !== subscription) return
    this.subscriptions.delete(subscription.key)
    subscription.source?.subscriptions.delete(subscription)
    subscription.source = undefined
    const transceiver = subscription.transceiver
    if (!transceiver || this.closed) return
    // Not removeTrack: with manual sendRtp the sender has no track and werift's removeTrack does nothing.
    const negotiated = transceiver.mid != null
    try {
      transceiver.stop()
    } catch (error) {
      this.log('warn', 'stopping a forwarding transceiver failed', { error: describe(error) })
    }
    if (negotiated) this.emit('onNegotiationNeeded', (h) => h.onNegotiationNeeded())
  }

  /**
   * Creates the sendonly transceivers of new subscriptions right before a server offer. Created earlier,
   * an unassociated transceiver could be matched by werift to a new m-line of a client offer and steal it.
   */
  private materializeSubscriptions(): void {
    for (const subscription of this.subscriptions.values()) {
      if (subscription.transceiver) continue
      const { track } = subscription
      const transceiver = this.pc.addTransceiver(track.kind, {
        direction: 'sendonly',
        streams: [new MediaStream({ id: track.streamId })],
      })
      // The MSID track id must be the publisher's, so subscribers see the ids of tracks_available.
      Object.defineProperty(transceiver.sender, 'trackId', { value: track.trackId, writable: true, configurable: true })
      const extensions = this.headerExtensionsFor(track.kind, transceiver)
      if (extensions.length > 0) transceiver.headerExtensions = extensions
      subscription.transceiver = transceiver
    }
  }

  /**
   * werift numbers the extensions of m-lines it offers itself (audio mid=1, video mid=2), which clashes
   * with the IDs the client chose in the same BUNDLE: reuse the negotiated ones.
   */
  private headerExtensionsFor(kind: 'audio' | 'video', except: RTCRtpTransceiver): RTCRtpHeaderExtensionParameters[] {
    const negotiated = this.pc
      .getTransceivers()
      .filter((t) => t !== except && t.mid != null && !t.stopped && !t.stopping && t.headerExtensions.length > 0)
    const template = negotiated.find((t) => t.kind === kind) ?? negotiated[0]
    if (template) {
      return template.headerExtensions.map((h) => new RTCRtpHeaderExtensionParameters({ id: h.id, uri: h.uri }))
    }
    const remote = this.pc.remoteDescription?.sdp
    const midExtensionId = remote
      ? parseMediaSections(remote).find((s) => s.midExtensionId !== undefined)?.midExtensionId
      : undefined
    if (midExtensionId === undefined) return []
    return [new RTCRtpHeaderExtensionParameters({ id: midExtensionId, uri: RTP_EXTENSION_URI.sdesMid })]
  }

  /** After an answer: drop subscriptions the client rejected, ask keyframes for the newly negotiated ones. */
  private settleSubscriptions(): void {
    for (const subscription of [...this.subscriptions.values()]) {
      const transceiver = subscription.transceiver
      if (!transceiver) continue
      if (transceiver.stopped) {
        this.log('warn', 'the client rejected a forwarded track', {
          clientId: this.clientId,
          trackId: subscription.track.trackId,
        })
        this.subscriptions.delete(subscription.key)
        subscription.source?.subscriptions.delete(subscription)
        subscription.source = undefined
        continue
      }
      const direction = transceiver.currentDirection
      if (
        !subscription.keyframeRequestedOnAnswer &&
        transceiver.sender.codec &&
        (direction === 'sendonly' || direction === 'sendrecv')
      ) {
        subscription.keyframeRequestedOnAnswer = true
        if (subscription.source) this.plane.requestKeyframeFor(subscription.source)
      }
    }
  }

  /** Something only a server offer can carry: a new forwarding, a stop, a data channel without m=application. */
  private hasUnnegotiatedChanges(): boolean {
    if (this.closed) return false
    if (this.pc.getTransceivers().some((t) => t.stopping && !t.stopped)) return true
    for (const subscription of this.subscriptions.values()) {
      if (!subscription.transceiver || subscription.transceiver.mid == null) return true
    }
    return this.channels.size > 0 && !hasApplicationSection(this.pc.localDescription?.sdp)
  }

  // -------------------------------------------------------------------------------------------
  // RTCP and connection state

  private watchTransports(): void {
    for (const transport of this.pc.dtlsTransports) {
      if (this.watchedTransports.has(transport)) continue
      this.watchedTransports.add(transport)
      this.disposers.push(
        transport.onRtcp.subscribe((packet) => this.guard('onRtcp', () => this.onRtcp(packet))).unSubscribe,
      )
    }
  }

  /**
   * Subscriber PLI/FIR, read straight from the DTLS transport: werift's router hands payload-specific
   * feedback to ssrcTable[senderSsrc] first, and Chrome's sender SSRC is its own outgoing stream, which
   * the server registered as a receiver, so sender.onPictureLossIndication never fires.
   */
  private onRtcp(packet: RtcpPacket): void {
    if (!(packet instanceof RtcpPayloadSpecificFeedback)) return
    const feedback = packet.feedback as { count: number; mediaSsrc?: number; fir?: { ssrc: number }[] }
    let ssrcs: number[]
    if (feedback.count === PictureLossIndication.count) ssrcs = feedback.mediaSsrc === undefined ? [] : [feedback.mediaSsrc]
    else if (feedback.count === FIR_FORMAT) ssrcs = (feedback.fir ?? []).map((entry) => entry.ssrc)
    else return
    for (const subscription of this.subscriptions.values()) {
      const sender = subscription.transceiver?.sender
      if (sender && ssrcs.includes(sender.ssrc) && subscription.source) {
        this.plane.countSubscriberKeyframeRequest()
        this.plane.requestKeyframeFor(subscription.source)
      }
    }
  }

  private onConnectionState(state: PeerConnectionState): void {
    this.emit('onConnectionStateChange', (h) => h.onConnectionStateChange(state))
    if (state !== 'connected') return
    this.watchTransports()
    this.startSctpIfNeeded()
    this.plane.onPublisherConnected(this)
    // The subscriber can decode only from a keyframe sent after its DTLS came up.
    for (const subscription of this.subscriptions.values()) {
      if (subscription.source && subscription.transceiver?.sender.codec) {
        this.plane.requestKeyframeFor(subscription.source)
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Data channels

  openDataChannel(label: string, ordered: boolean): void {
    this.guard('openDataChannel', () => {
      if (this.closed || this.channels.has(label)) return
      this.channels.set(label, { label, ordered, channel: undefined })
      this.materializeDataChannels()
      this.startSctpIfNeeded()
      if (!hasApplicationSection(this.pc.localDescription?.sdp)) {
        this.emit('onNegotiationNeeded', (h) => h.onNegotiationNeeded())
      }
    })
  }

  sendDataChannelMessage(label: string, data: string | Uint8Array): void {
    this.guard('sendDataChannelMessage', () => {
      const channel = this.channels.get(label)?.channel
      if (!channel || channel.readyState !== 'open') {
        this.log('debug', 'data channel not open; message dropped', { clientId: this.clientId, label })
        return
      }
      channel.send(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength))
    })
  }

  /**
   * Server channels are created once the client's first offer is applied: before it, werift would
   * build a DTLS transport outside the client's BUNDLE. When that offer had no m=application, the
   * channel rides on the next server offer (onNegotiationNeeded).
   */
  private materializeDataChannels(): void {
    if (!this.pc.remoteDescription || this.closed) return
    for (const entry of this.channels.values()) {
      if (entry.channel) continue
      const channel = this.pc.createDataChannel(entry.label, { ordered: entry.ordered })
      entry.channel = channel
      this.listenToChannel(entry.label, channel)
    }
  }

  private listenToChannel(label: string, channel: RTCDataChannel): void {
    this.disposers.push(
      channel.onMessage.subscribe((data) => {
        this.guard('onDataChannelMessage', () => {
          const message = typeof data === 'string' ? data : Uint8Array.from(data)
          this.emit('onDataChannelMessage', (h) => h.onDataChannelMessage(label, message))
        })
      }).unSubscribe,
    )
  }

  /**
   * werift starts SCTP only while connecting its transports; an m=application added by a later
   * offer/answer on an already connected transport needs the start here.
   */
  private startSctpIfNeeded(): void {
    const sctp = this.pc.sctpTransport
    const remotePort = this.pc.sctpRemotePort
    if (!sctp || !remotePort || sctp.dtlsTransport?.state !== 'connected') return
    sctp.start(remotePort).catch((error: unknown) => {
      this.log('warn', 'starting SCTP failed', { clientId: this.clientId, error: describe(error) })
    })
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  close(): Promise<void> {
    this.closing ??= this.release()
    return this.closing
  }

  private async release(): Promise<void> {
    this.closed = true
    for (const subscription of this.subscriptions.values()) {
      subscription.source?.subscriptions.delete(subscription)
      subscription.source = undefined
    }
    this.subscriptions.clear()
    for (const source of this.published.values()) this.plane.removeSource(source)
    this.published.clear()
    this.pendingCandidates.length = 0
    for (const dispose of this.disposers.splice(0)) dispose()
    this.watchedTransports.clear()
    this.plane.forgetPeer(this)
    // close() force-stops every transceiver (senders, receivers, RTCP loops) and the SCTP/DTLS/ICE transports.
    try {
      await this.pc.close()
    } catch (error) {
      this.log('warn', 'closing the peer connection failed', { clientId: this.clientId, error: describe(error) })
    }
  }

  // -------------------------------------------------------------------------------------------
  // Helpers

  private sectionCount(sdp: string | undefined): number {
    return sdp ? parseMediaSections(sdp).length : 0
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`the media peer of client ${this.clientId} is closed`)
  }

  /** Runs description operations one after the other: werift must not see two at once. */
  private serial<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.chain.then(operation, operation)
    this.chain = run.catch(() => undefined)
    return run
  }

  /** Calls the room logic later (never re-entrantly) and keeps its exceptions out of werift. */
  private emit(name: keyof MediaPeerHandlers, call: (handlers: MediaPeerHandlers) => void): void {
    queueMicrotask(() => {
      if (this.closed) return
      try {
        call(this.handlers)
      } catch (error) {
        this.log('error', `handler ${name} threw`, { clientId: this.clientId, error: describe(error) })
      }
    })
  }

  /** Runs plane code from a werift event or a public method without letting an exception escape. */
  private guard(what: string, run: () => void): void {
    try {
      run()
    } catch (error) {
      this.log('error', `${what} failed`, { clientId: this.clientId, error: describe(error) })
    }
  }

  private log(level: MediaLogLevel, msg: string, fields?: Record<string, unknown>): void {
    this.plane.log(level, msg, { roomId: this.roomId, ...fields })
  }
}

export function createWeriftMediaPlane(options: WeriftMediaPlaneOptions = {}): WeriftMediaPlane {
  return new WeriftPlane(options)
}
