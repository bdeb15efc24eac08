// One client's peer connection on node-datachannel (libdatachannel): signaling with automatic
// negotiation off (the room decides when a server offer goes out), candidates, the tracks the client
// publishes (one NdcSource per sending m-line), the tracks it receives (one sendonly m-line per
// subscription, under the publisher's MSID) and the room's data channels.
import ndc from 'node-datachannel'
import type { Audio, DataChannel, MediaHandler, PeerConnection, RtcConfig, Track, Video } from 'node-datachannel'
import { type Answer, type IceCandidate, type Offer, messageOf } from '@parley/protocol'
import type { Logger } from '../log.js'
import { deferHandlers } from './boundary.js'
import type { BandwidthLimits } from './bandwidth.js'
import { type NdcFanOut, NdcSource, type NdcSubscriber, NdcSubscription } from './ndc-forwarding.js'
import { answeredCodecs, announcedSsrc, asPublishOnly, iceUfrag, withoutRedundancyFormats, withoutSimulcast, withoutTransportCc, withOfferedDirections, withOneSetupRole } from './ndc-sdp.js'
import type { HubOffer, MediaPeer, MediaPeerHandlers, PeerConnectionState, PublishedTrack, SignalingState } from './types.js'
import { sourceKey } from './werift-forwarder.js'
import { type PixelThresholds, ViewerSizes, applyViewerSize } from './viewer-size.js'
import { assertUsableDescription, filterSdpCandidates, hasApplicationSection, isMdnsAddress, isSendingSection, parseCandidate, parseMediaSections } from './werift-sdp.js'

export interface NdcPeerContext {
  readonly config: RtcConfig
  readonly allowedRemoteAddresses: ReadonlySet<string>
  readonly fanOut: NdcFanOut
  readonly log: Logger
  readonly now: () => number
  /** The bounds of the REMB estimate for this client's video (its room's bitrates). */
  readonly limits: BandwidthLimits
  /** Its room's video_*_pixels options (viewer-size.ts). */
  readonly viewerPixels: PixelThresholds
  readonly released: (peer: NdcPeer) => void
}

const STATES = new Set<PeerConnectionState>(['new', 'connecting', 'connected', 'disconnected', 'failed', 'closed'])

export class NdcPeer implements MediaPeer, NdcSubscriber {
  readonly #pc: PeerConnection
  readonly #later: MediaPeerHandlers
  readonly #context: NdcPeerContext
  #connectionState: PeerConnectionState = 'new'
  #closed = false
  #lastReceivedAt: number | undefined
  /** Changes signalled with onNegotiationNeeded so far (HubOffer.covers). */
  #changes = 0
  #queue: Promise<unknown> = Promise.resolve()
  /** The client's receiving tracks by MID (libdatachannel announces them after the description is applied). */
  readonly #remoteTracks = new Map<string, Track>()
  /** What each sending m-line publishes, by MID; a source exists once its track is known. */
  readonly #publishing = new Map<string, { published: PublishedTrack; ssrc: number | undefined; source?: NdcSource }>()
  readonly #subscriptions = new Map<string, NdcSubscription>()
  /** The client's tile sizes by track id (viewer-size.ts; ndc forwards no simulcast: only 0×0 matters). */
  readonly #sizes = new ViewerSizes()
  readonly #pendingCandidates: IceCandidate[] = []
  readonly #channels = new Map<string, { ordered: boolean; channel?: DataChannel; withNextOffer: boolean }>()
  #subscriptionCount = 0

  constructor(context: NdcPeerContext, roomId: string, readonly clientId: string, handlers: MediaPeerHandlers) {
    this.#context = context
    this.#later = deferHandlers(handlers, () => this.#closed)
    const pc = new ndc.PeerConnection(`${roomId}/${clientId}`, context.config)
    this.#pc = pc
    pc.onLocalCandidate((candidate, mid) => {
      if (this.#closed) return
      const sdpMLineIndex = parseMediaSections(pc.localDescription()?.sdp ?? '').findIndex((s) => s.mid === mid)
      this.#later.onIceCandidate({ candidate: candidate.replace(/^a=/, ''), sdpMid: mid, sdpMLineIndex: Math.max(0, sdpMLineIndex) })
    })
    pc.onStateChange((state) => {
      if (this.#closed || !STATES.has(state as PeerConnectionState)) return
      // libdatachannel says closed as soon as the client's close (its DTLS close_notify) arrives, which the
      // hub would take for our own close and remove the client at once, before its own DELETE /leave
      // (then a 404 in its console). The connection cannot heal, so it is failed: the failed grace, as
      // for a peer that went silent, and the client's leave or ICE restart decide first.
      this.#connectionState = state === 'closed' ? 'failed' : (state as PeerConnectionState)
      this.#later.onConnectionStateChange(this.#connectionState)
    })
    pc.onTrack((track) => this.#trackArrived(track))
  }

  get connectionState(): PeerConnectionState {
    return this.#closed ? 'closed' : this.#connectionState
  }

  get signalingState(): SignalingState {
    if (this.#closed) return 'closed'
    const state = this.#pc.signalingState()
    if (state === 'have-local-pranswer') return 'have-remote-offer'
    if (state === 'have-remote-pranswer') return 'have-local-offer'
    return state
  }

  get lastReceivedAt(): number | undefined {
    return this.#lastReceivedAt
  }

  handleOffer(offer: Offer): Promise<Answer> {
    return this.#serial(() => {
      this.#assertOpen()
      if (this.signalingState !== 'stable') throw new Error(`a client offer needs signaling state stable, not ${this.signalingState}`)
      const sdp = asPublishOnly(withoutSimulcast(withoutTransportCc(withoutRedundancyFormats(filterSdpCandidates(offer.sdp, this.#context.allowedRemoteAddresses)))))
      assertUsableDescription('offer', sdp, parseMediaSections(this.#pc.remoteDescription()?.sdp ?? '').length)
      // libdatachannel has no ICE restart (its issue #545): it refuses new credentials, and would only fail later.
      const current = iceUfrag(this.#pc.remoteDescription()?.sdp)
      if (current !== undefined && iceUfrag(sdp) !== current) throw new Error('an ICE restart offer: the node-datachannel plane cannot restart ICE')
      try {
        this.#pc.setRemoteDescription(sdp, 'offer')
      } catch (error) {
        throw new Error(`the client's offer cannot be applied: ${messageOf(error)}`)
      }
      // An answer asked outside have-remote-offer is a native logic_error that aborts the whole process.
      if (this.#pc.signalingState() !== 'have-remote-offer') throw new Error(`the client's offer was not applied (signaling state ${this.#pc.signalingState()})`)
      try {
        this.#pc.setLocalDescription('answer')
      } catch (error) {
        throw new Error(`no answer to the client's offer: ${messageOf(error)}`)
      }
      const answer = this.#pc.localDescription()
      if (!answer) throw new Error('no answer to the client offer')
      this.#afterRemoteDescription()
      const answerSdp = withOfferedDirections(sdp, answer.sdp)
      this.#readPublications(sdp, answerSdp)
      return { type: 'answer', sdp: answerSdp }
    })
  }

  createOffer(): Promise<HubOffer> {
    return this.#serial(() => {
      this.#assertOpen()
      if (this.signalingState !== 'stable') throw new Error(`a server offer needs signaling state stable, not ${this.signalingState}`)
      const covers = this.#changes
      this.#materializeSubscriptions()
      try {
        this.#pc.setLocalDescription('offer')
      } catch (error) {
        throw new Error(`cannot create a server offer: ${messageOf(error)}`)
      }
      const offer = this.#pc.localDescription()
      if (!offer) throw new Error('no server offer')
      return { type: 'offer', sdp: offer.sdp, covers }
    })
  }

  handleAnswer(answer: Answer): Promise<void> {
    return this.#serial(() => {
      this.#assertOpen()
      if (this.signalingState !== 'have-local-offer') throw new Error(`no server offer awaits an answer (signaling state ${this.signalingState})`)
      const sdp = withOneSetupRole(filterSdpCandidates(answer.sdp, this.#context.allowedRemoteAddresses))
      assertUsableDescription('answer', sdp, parseMediaSections(this.#pc.localDescription()?.sdp ?? '').length)
      try {
        this.#pc.setRemoteDescription(sdp, 'answer')
      } catch (error) {
        throw new Error(`the client's answer cannot be applied: ${messageOf(error)}`)
      }
      this.#afterRemoteDescription()
    })
  }

  async addIceCandidate(candidate: IceCandidate): Promise<void> {
    if (this.#closed || candidate.candidate.trim() === '') return
    const parsed = parseCandidate(candidate.candidate)
    const allowed = this.#context.allowedRemoteAddresses
    if (isMdnsAddress(parsed.address) || (allowed.size > 0 && !allowed.has(parsed.address)) || parsed.protocol !== 'udp') return
    if (!this.#pc.remoteDescription()) {
      this.#pendingCandidates.push(candidate)
      return
    }
    this.#addCandidate(candidate)
  }

  subscribe(track: PublishedTrack): void {
    const key = sourceKey(track)
    if (this.#closed || track.clientId === this.clientId || this.#subscriptions.has(key)) return
    const source = this.#context.fanOut.sources.get(key)
    if (!source) return
    const subscription = new NdcSubscription(source, this, `${track.kind}-${++this.#subscriptionCount}`, (Math.random() * 0xffff_fffe + 1) >>> 0)
    this.#subscriptions.set(key, subscription)
    source.subscriptions.add(subscription)
    const size = this.#sizes.get(track.trackId)
    if (size) applyViewerSize(subscription, size, this.#context.viewerPixels)
    this.#later.onNegotiationNeeded(++this.#changes)
  }

  unsubscribe(track: PublishedTrack): void {
    const subscription = this.#subscriptions.get(sourceKey(track))
    if (this.#closed || !subscription) return
    subscription.source.subscriptions.delete(subscription)
    this.sourceEnded(subscription)
  }

  videoPaused(subscription: NdcSubscription, paused: boolean): void {
    if (!this.#closed && this.#subscriptions.get(subscription.source.key) === subscription) this.#later.onVideoPaused(subscription.source.published, paused)
  }

  sourceEnded(subscription: NdcSubscription): void {
    if (this.#subscriptions.get(subscription.source.key) !== subscription) return
    this.#subscriptions.delete(subscription.source.key)
    // Closing the track makes the next server offer reject its m-line (port 0), which ends the track at
    // the client; a stopped transceiver, as werift's plane does.
    subscription.close()
    // The track went (its publisher's, or the room's withdrawal): its size goes too (viewer-size.ts).
    const trackId = subscription.source.published.trackId
    if (![...this.#subscriptions.values()].some((other) => other.source.published.trackId === trackId)) this.#sizes.forget(trackId)
    if (!this.#closed) this.#later.onNegotiationNeeded(++this.#changes)
  }

  /** `withNextOffer`: see MediaPeer.openDataChannel; here created only once an m=application is negotiated (#createChannels). */
  openDataChannel(label: string, ordered: boolean, withNextOffer = false): void {
    if (this.#closed || this.#channels.has(label)) return
    this.#channels.set(label, { ordered, withNextOffer })
    if (this.#pc.remoteDescription()) this.#createChannels()
  }

  /** Nothing to do: this plane declines simulcast (ndc-plane.ts `simulcast: false`), so no track has layers. */
  publisherLayers(): void {}

  viewerSize(trackId: string, width: number, height: number): void {
    if (this.#closed || !this.#sizes.set(trackId, { width, height })) return
    for (const subscription of this.#subscriptions.values()) {
      if (subscription.source.published.trackId === trackId) applyViewerSize(subscription, { width, height }, this.#context.viewerPixels)
    }
  }

  sendDataChannelMessage(label: string, data: string | Uint8Array): void {
    const channel = this.#channels.get(label)?.channel
    if (this.#closed || !channel?.isOpen()) return
    if (typeof data === 'string') channel.sendMessage(data)
    else channel.sendMessageBinary(data)
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve()
    this.#closed = true
    for (const { source } of this.#publishing.values()) source?.end()
    this.#publishing.clear()
    for (const subscription of this.#subscriptions.values()) subscription.source.subscriptions.delete(subscription)
    this.#subscriptions.clear()
    for (const { channel } of this.#channels.values()) channel?.close()
    this.#channels.clear()
    this.#pc.close()
    this.#context.released(this)
    return Promise.resolve()
  }

  // -------------------------------------------------------------------------------------------

  /** Signaling calls one after the other: libdatachannel's are synchronous, the room's may overlap. */
  #serial<T>(work: () => T): Promise<T> {
    const run = this.#queue.then(work)
    this.#queue = run.catch(() => undefined)
    return run
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('the peer connection is closed')
  }

  #afterRemoteDescription(): void {
    for (const candidate of this.#pendingCandidates.splice(0)) this.#addCandidate(candidate)
    this.#createChannels()
  }

  #addCandidate(candidate: IceCandidate): void {
    const mid = candidate.sdpMid ?? parseMediaSections(this.#pc.remoteDescription()?.sdp ?? '')[candidate.sdpMLineIndex ?? 0]?.mid ?? '0'
    try {
      this.#pc.addRemoteCandidate(candidate.candidate, mid)
    } catch (error) {
      this.#context.log('warn', 'an ICE candidate was rejected', { clientId: this.clientId, error: messageOf(error) })
    }
  }

  #createChannels(): void {
    let created = false
    for (const [label, entry] of this.#channels) {
      if (entry.channel) continue
      // A rider (the hub's `internal`) only once an m=application is negotiated: libdatachannel's behaviour
      // with a channel pending on a connection without one is untested here (stop 37: two ndc browser specs
      // with the tutorial's client hung with it), and on this plane only Parley's client, whose first offer
      // always has one, sends what the channel is for (0x0; no simulcast here).
      if (entry.withNextOffer && !hasApplicationSection(this.#pc.remoteDescription()?.sdp)) continue
      const channel = this.#pc.createDataChannel(label, { unordered: !entry.ordered })
      channel.onMessage((message) => {
        this.#later.onDataChannelMessage(label, typeof message === 'string' ? message : new Uint8Array(message))
      })
      entry.channel = channel
      created ||= !entry.withNextOffer
    }
    if (created && !this.#applicationNegotiated()) this.#later.onNegotiationNeeded(++this.#changes)
  }

  #applicationNegotiated(): boolean {
    return hasApplicationSection(this.#pc.remoteDescription()?.sdp) && hasApplicationSection(this.#pc.localDescription()?.sdp)
  }

  /** Which m-lines of the client's offer send, under which MSID: new ones publish, gone ones unpublish. */
  #readPublications(offerSdp: string, answerSdp: string): void {
    const sending = new Map<string, PublishedTrack>()
    for (const section of parseMediaSections(offerSdp)) {
      if (!section.mid || !section.msid || !isSendingSection(section) || (section.kind !== 'audio' && section.kind !== 'video')) continue
      sending.set(section.mid, { clientId: this.clientId, kind: section.kind, streamId: section.msid.streamId, trackId: section.msid.trackId })
    }
    for (const [mid, entry] of this.#publishing) {
      const now = sending.get(mid)
      if (now && now.trackId === entry.published.trackId && now.streamId === entry.published.streamId) continue
      this.#publishing.delete(mid)
      if (entry.source) {
        entry.source.end()
        this.#later.onTrackUnpublished(entry.published)
      }
    }
    for (const [mid, published] of sending) {
      if (this.#publishing.has(mid)) continue
      this.#publishing.set(mid, { published, ssrc: announcedSsrc(offerSdp, mid) })
      this.#startSource(mid, answerSdp)
    }
  }

  #trackArrived(track: Track): void {
    if (this.#closed) return
    const mid = track.mid()
    this.#remoteTracks.set(mid, track)
    if (track.direction() === 'SendOnly') return // a subscription's own track
    // No media handler: the publisher's RTCP reaches us (liveness, its SRs) and ours goes out as we
    // write it (receiver reports, NACK, PLI, REMB: ndc-forwarding.ts).
    track.onOpen(() => this.#publishing.get(mid)?.source?.opened())
    track.onMessage((packet) => {
      const now = this.#context.now()
      this.#lastReceivedAt = now
      this.#publishing.get(mid)?.source?.received(packet, now)
    })
    const answer = this.#pc.localDescription()?.sdp
    if (answer) this.#startSource(mid, answer)
  }

  /** Makes the source of a sending m-line once both its MSID and its track are known. */
  #startSource(mid: string, answerSdp: string): void {
    const entry = this.#publishing.get(mid)
    const track = this.#remoteTracks.get(mid)
    if (!entry || entry.source || !track) return
    const source = new NdcSource(entry.published, this, track, answeredCodecs(answerSdp, mid), entry.ssrc, this.#context.limits, this.#context.fanOut)
    this.#context.fanOut.add(source)
    entry.source = source
    this.#later.onTrackPublished(entry.published)
  }

  /** Adds the m-lines of new subscriptions before a server offer (ended ones were closed, so rejected). */
  #materializeSubscriptions(): void {
    for (const subscription of this.#subscriptions.values()) {
      if (subscription.track) continue
      const { published } = subscription.source
      const media = this.#media(subscription, 'SendOnly')
      media.addSSRC(subscription.ssrc, `parley-${subscription.mid}`, published.streamId, published.trackId)
      const track = this.#pc.addTrack(media)
      track.setMediaHandler(this.#senderHandlers(subscription))
      subscription.attach(track)
      track.onMessage((packet) => {
        this.#lastReceivedAt = this.#context.now()
        if (this.#subscriptions.get(subscription.source.key) === subscription) subscription.source.feedback(subscription, packet)
      })
    }
  }

  /**
   * libdatachannel's sender reports on a forwarded track (RtcpSrReporter: each second, the NTP time against
   * the RTP timestamp of the last packet sent, so the subscriber can sync audio and video). Its NACKs are
   * answered by the source's history (ndc-forwarding.ts), not RtcpNackResponder, which would store a copy
   * of every forwarded packet.
   */
  #senderHandlers(subscription: NdcSubscription): MediaHandler {
    const video = subscription.source.published.kind === 'video'
    const payloadType = subscription.source.codecs[0]?.payloadType ?? 0
    return new ndc.RtcpSrReporter(new ndc.RtpPacketizationConfig(subscription.ssrc, `parley-${subscription.mid}`, payloadType, video ? 90_000 : 48_000))
  }

  #media(subscription: NdcSubscription, direction: 'SendOnly' | 'Inactive'): Audio | Video {
    const audio = subscription.source.published.kind === 'audio'
    const media = audio ? new ndc.Audio(subscription.mid, direction) : new ndc.Video(subscription.mid, direction)
    for (const codec of subscription.source.codecs) {
      // The native binding takes the profile (a=fmtp) only as a string when it is given at all.
      const add = media instanceof ndc.Audio ? media.addAudioCodec.bind(media) : media.addVideoCodec.bind(media)
      if (codec.fmtp === undefined) add(codec.payloadType, codec.name)
      else add(codec.payloadType, codec.name, codec.fmtp)
    }
    return media
  }
}
