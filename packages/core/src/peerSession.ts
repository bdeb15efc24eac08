// The one owner of a room session's RTCPeerConnection (the role of LiveKit's PCTransport). Built with
// the local tracks, it makes our offers and answers, keeps the hub's ICE candidates until a remote
// description exists, remembers that the next offer must restart ICE, and reports what the connection
// does. Nothing else touches the peer connection; the negotiation machine drives it through the
// `peerSession` actor (machines/negotiationActors.ts).
import type { IceCandidate } from '@parley/protocol'
import type { DataChannelLike, IceCandidateInitLike, MediaStreamLike, MediaStreamTrackLike, PeerConnectionLike, RtpSenderLike, RtpTransceiverLike, SendEncodingLike, TrackEventLike } from './ports.js'
import { offerSlotCodecsOnly } from './slotCodecs.js'

/** What the peer connection reports, as the negotiation machine's events. */
export type PeerSessionEvent =
  | { type: 'peer.iceCandidate'; candidate: IceCandidate }
  | { type: 'peer.iceFailed' }
  | { type: 'peer.iceConnected' }
  /** The connection failed on a working ICE path: DTLS (an ICE restart does not redo it). */
  | { type: 'peer.dtlsFailed' }

export interface PeerSessionReports {
  event(event: PeerSessionEvent): void
  /** A remote track arrived in its publisher's stream. */
  track(track: MediaStreamTrackLike, stream: MediaStreamLike): void
  /** A data channel the hub opened on this connection (its owner is the data-channel holder). */
  dataChannel?(channel: DataChannelLike): void
  /** Gathering is complete (the end-of-candidates event): the pre-join's warm-up waits for it, nothing is sent. */
  iceGathered?(): void
  /**
   * An offer/answer exchange is complete (the hub's answer applied, or our answer set). A description
   * may have changed the senders' parameters: Chromium sets each simulcast encoding's `active` from the
   * remote `a=simulcast` (the send-layers machine turns its stopped layers off again).
   */
  negotiated?(): void
}

/**
 * Our own data channel, opened before the first offer and never used: it puts m=application in that
 * offer (as inLive's Python client does with its `ignore` channel), so SCTP starts with the first
 * connection and every room channel the hub opens later arrives over it at once. Without it, the
 * hub's channels ride on a later hub offer, and a werift client (0.25.2) never starts SCTP for an
 * m=application added to a connected transport: the chat channel would never open.
 */
export const BOOTSTRAP_CHANNEL_LABEL = 'parley.bootstrap'

/**
 * It is negotiated out of band on a stream id no hub allocates (hubs count up from 0 or 1, and 1023
 * is the highest id every browser accepts): the hub never hears of it, so no stream id is claimed
 * by both ends. Opened in band it raced the hub's chat channel for stream 0 in Chromium (Chromium,
 * as DTLS client, takes even ids; werift picks its parity from the ICE role, also even): the chat
 * channel never opened.
 */
export const BOOTSTRAP_CHANNEL_INIT = { negotiated: true, id: 1023 } as const

/**
 * The camera's simulcast layers (Hub API v1 §5: rids `high`, `mid`, `low` at 1, 1/2 and 1/4 of the
 * camera's size), for a hub that forwards each subscriber the layer its bandwidth carries (asked for by
 * `simulcast: true`; off by default). `high` comes first and has no ceiling: a hub that negotiates the RID
 * extension and declines simulcast gets that first encoding alone, the full-size stream of before (a hub
 * that routes by the offer's SSRCs gets no video from a rid offer at all: core README, "Simulcast"). `mid`
 * (320x240 of our 640x480 camera) is capped so that it and the audio fit a 300 kbit/s subscriber with
 * room (at 200 kbit/s the hub paused that subscriber once on its way down, web e2e simulcast.spec),
 * `low` (160x120) so that it fits 100 kbit/s. A smaller camera gets fewer layers: the browser drops the
 * ones it cannot make (core README, "Simulcast").
 */
export const CAMERA_LAYERS: readonly SendEncodingLike[] = [
  { rid: 'high' },
  { rid: 'mid', scaleResolutionDownBy: 2, maxBitrate: 150_000 },
  { rid: 'low', scaleResolutionDownBy: 4, maxBitrate: 80_000 },
]

/**
 * Receive slots per kind in our first offer by default: the others' cameras and microphones that can
 * come in the hub's answer, so that a newcomer to a room of up to four gets every one of them as soon as
 * DTLS is up. A further one comes by a hub offer; a slot left empty (answered inactive) takes the next
 * forwarding of its kind in a later offer (hub README, "Receive slots", with the join bench's figures for
 * rooms of three and four). Eight were measured at stop 46 and not taken (loadtest README, "Stop 46").
 */
export const RECEIVE_SLOTS = 3

/** What a session offers beside its local tracks. */
export interface PeerShape {
  /** The camera's simulcast layers (`CAMERA_LAYERS`); one stream without. */
  readonly cameraLayers?: readonly SendEncodingLike[] | undefined
  /** Receive slots per kind (`RECEIVE_SLOTS` when not given). */
  readonly receiveSlots?: number
}

export class PeerSession {
  /** The hub's candidates that arrived before any remote description (they would be rejected). */
  private readonly pendingCandidates: IceCandidate[] = []
  private hasRemoteDescription = false
  /** restartIce() was asked: the next offer restarts ICE. */
  private iceRestartNext = false
  /** The transceivers sending our screen share (its video, and its audio when the browser gave some). */
  private screenTransceivers: RtpTransceiverLike[] = []
  /**
   * Remote tracks that arrived while we answer the hub's offer, reported once the answer is out
   * (`deliverHeldTracks`): a track's report makes a UI draw a tile, and in a browser that work would
   * run between setRemoteDescription and createAnswer, holding the answer (and the media) back.
   */
  private heldTracks: [MediaStreamTrackLike, MediaStreamLike][] | null = null
  /** An offer made ahead of need (`prepareOffer`, the pre-join's warm-up): the next createOffer is it. */
  private preparedOffer: Promise<string> | null = null
  /** The prepared offer's SDP once it is set (`takeReadyOffer`). */
  private readyOffer: string | null = null
  /**
   * The sender of our camera when its resolution can be held (it has parameters: a browser's or
   * werift's, not a trace replay's); the negotiation's resolution hold sets it (resolutionHoldMachine.ts).
   */
  readonly camera: RtpSenderLike | undefined
  /**
   * The camera's sender encodes more than one layer (its parameters say so: a page that strips the layers
   * from addTransceiver, as web e2e video-pause.spec does, sends one stream): the layers' watch is for it.
   */
  readonly layered: boolean = false
  private readonly detach: () => void

  constructor(
    private readonly pc: PeerConnectionLike,
    local: { stream: MediaStreamLike | undefined; tracks: MediaStreamTrackLike[] },
    private readonly reports: PeerSessionReports,
    /** The camera's layers (`CAMERA_LAYERS` when the conference publishes it as simulcast; one stream without) and the receive slots. */
    { cameraLayers, receiveSlots = RECEIVE_SLOTS }: PeerShape = {},
  ) {
    for (const track of local.tracks) {
      const layers = track.kind === 'video' && cameraLayers ? { sendEncodings: cameraLayers } : {}
      const { sender } = pc.addTransceiver(track, { direction: 'sendonly', ...(local.stream ? { streams: [local.stream] } : {}), ...layers })
      if (track.kind === 'video' && sender.getParameters) {
        this.camera = sender
        this.layered = ((sender.getParameters().encodings as unknown[] | undefined)?.length ?? 0) > 1
      }
    }
    // Receive slots, recvonly m-lines whatever we send: our hub puts the others' media in them in its
    // answer to this offer, so it flows as soon as DTLS is up instead of after a server offer and our
    // answer to it (hub README, "Receive slots"). A hub that fills none answers them inactive. Audio and
    // video alternate, so that a person's microphone and camera sit side by side. Each offers only the
    // codecs the hub forwards (slotCodecs.ts).
    for (let slot = 0; slot < receiveSlots; slot++) {
      for (const kind of ['audio', 'video'] as const) offerSlotCodecsOnly(pc.addTransceiver(kind, { direction: 'recvonly' }), kind)
    }
    pc.createDataChannel?.(BOOTSTRAP_CHANNEL_LABEL, BOOTSTRAP_CHANNEL_INIT)
    const onCandidate = (event: { candidate: { toJSON(): IceCandidateInitLike } | IceCandidateInitLike | null | undefined }) => {
      const candidate = toCandidate(event.candidate)
      if (candidate) reports.event({ type: 'peer.iceCandidate', candidate })
      // null (or an empty candidate, in older browsers) marks the end of gathering.
      else reports.iceGathered?.()
    }
    const onIceState = () => {
      const state = pc.iceConnectionState
      if (state === 'failed') reports.event({ type: 'peer.iceFailed' })
      else if (state === 'connected' || state === 'completed') reports.event({ type: 'peer.iceConnected' })
    }
    // `failed` with ICE up is DTLS's failure (ICE's own shows in iceConnectionState first). Unseen, the call
    // looked connected with no media both ways (werift's client, stop 36's load fault).
    const onConnectionState = () => {
      const ice = pc.iceConnectionState
      if (pc.connectionState === 'failed' && (ice === 'connected' || ice === 'completed')) reports.event({ type: 'peer.dtlsFailed' })
    }
    const onTrack = (event: TrackEventLike) => {
      const stream = event.streams[0]
      if (!stream) return
      if (this.heldTracks) this.heldTracks.push([event.track, stream])
      else reports.track(event.track, stream)
    }
    pc.addEventListener('icecandidate', onCandidate)
    pc.addEventListener('iceconnectionstatechange', onIceState)
    pc.addEventListener('connectionstatechange', onConnectionState)
    const onDataChannel = (event: { channel: DataChannelLike }) => reports.dataChannel?.(event.channel)
    pc.addEventListener('track', onTrack)
    pc.addEventListener('datachannel', onDataChannel)
    this.detach = () => {
      pc.removeEventListener('datachannel', onDataChannel)
      pc.removeEventListener('icecandidate', onCandidate)
      pc.removeEventListener('iceconnectionstatechange', onIceState)
      pc.removeEventListener('connectionstatechange', onConnectionState)
      pc.removeEventListener('track', onTrack)
    }
  }

  /**
   * Our offer, set as the local description; an ICE restart when one was asked for since the last offer.
   * A prepared offer not used yet is this one (the SDP as it was when set: the same text a fresh one
   * would give, its candidates follow one by one); if preparing it failed, a fresh one is made.
   */
  createOffer(): Promise<string> {
    const prepared = this.preparedOffer
    this.preparedOffer = null
    this.readyOffer = null
    if (prepared && !this.iceRestartNext) return prepared.catch(() => this.freshOffer())
    return this.freshOffer()
  }

  /** Makes and sets our first offer now, for a createOffer later (the pre-join's warm-up). */
  prepareOffer(): Promise<string> {
    const offer = this.freshOffer()
    this.preparedOffer = offer
    offer.then((sdp) => this.preparedOffer === offer && (this.readyOffer = sdp), () => undefined)
    return offer
  }

  /**
   * The prepared offer, when it is already set and the next offer would be it: taken now, so the caller
   * can send it in this task (createOffer answers in a later one, after what else this task scheduled).
   */
  takeReadyOffer(): string | null {
    const sdp = this.iceRestartNext ? null : this.readyOffer
    if (sdp !== null) this.preparedOffer = this.readyOffer = null
    return sdp
  }

  /** Whether the senders (the screen share's aside) send exactly these tracks. */
  sends(tracks: MediaStreamTrackLike[]): boolean {
    const sending = this.pc
      .getTransceivers()
      .filter((transceiver) => !this.screenTransceivers.includes(transceiver))
      .flatMap((transceiver) => (transceiver.sender.track ? [transceiver.sender.track] : []))
    return sending.length === tracks.length && tracks.every((track) => sending.includes(track))
  }

  private async freshOffer(): Promise<string> {
    const iceRestart = this.iceRestartNext
    this.iceRestartNext = false
    const offer = await this.pc.createOffer(iceRestart ? { iceRestart: true } : undefined)
    await this.pc.setLocalDescription(offer)
    return sdpOf(this.pc, offer.sdp, 'createOffer')
  }

  /** The hub's answer to our offer. */
  async acceptAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp })
    this.remoteDescriptionApplied()
    this.reports.negotiated?.()
  }

  /**
   * Applies the hub's offer and returns our answer, set as the local description. The tracks the offer
   * brings are held until `deliverHeldTracks()` (the caller's, once the answer is on its way).
   */
  async answer(offerSdp: string): Promise<string> {
    this.heldTracks ??= []
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offerSdp })
    this.remoteDescriptionApplied()
    const answer = await this.pc.createAnswer()
    await this.pc.setLocalDescription(answer)
    this.reports.negotiated?.()
    return sdpOf(this.pc, answer.sdp, 'createAnswer')
  }

  /** Reports the remote tracks held while answering (after the answer, or after it failed). */
  deliverHeldTracks(): void {
    const held = this.heldTracks ?? []
    this.heldTracks = null
    for (const [track, stream] of held) this.reports.track(track, stream)
  }

  /**
   * Reports `failed` again when the connection is still there: a browser whose ICE stays `failed` after
   * a restart's answer (seen with Firefox) fires no new state change to report.
   */
  recheckIce(): void {
    if (this.pc.iceConnectionState === 'failed') this.reports.event({ type: 'peer.iceFailed' })
  }

  /** The next offer restarts ICE (what `RTCPeerConnection.restartIce()` does in browsers). */
  restartIce(): void {
    this.iceRestartNext = true
  }

  /**
   * Adds the screen stream's tracks as send-only transceivers of their own stream, so the hub sees a
   * separate stream to label `screen`. The caller renegotiates. A share already published is left as is.
   */
  publishScreen(stream: MediaStreamLike): void {
    if (this.screenTransceivers.length > 0) return
    this.screenTransceivers = stream.getTracks().map((track) => this.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] }))
  }

  /** Stops sending the screen share: each transceiver loses its track, so the next offer no longer sends it. */
  unpublishScreen(): void {
    for (const transceiver of this.screenTransceivers.splice(0)) {
      if (this.pc.removeTrack) {
        this.pc.removeTrack(transceiver.sender)
      } else {
        transceiver.direction = 'inactive'
        transceiver.sender.replaceTrack(null).catch(() => undefined)
      }
    }
  }

  /**
   * A device switch: the new track takes the old one's place on its sender (`replaceTrack`), with no
   * renegotiation, so the others keep the same stream and tile. The screen share's senders are left alone.
   * Resolves false when nothing sends a track of this kind (the device was unavailable at join).
   */
  async replaceTrack(track: MediaStreamTrackLike): Promise<boolean> {
    const transceiver = this.pc
      .getTransceivers()
      .find((candidate) => !this.screenTransceivers.includes(candidate) && candidate.sender.track?.kind === track.kind)
    if (!transceiver) return false
    await transceiver.sender.replaceTrack(track)
    return true
  }

  /** A candidate from the hub: applied now, or kept until a remote description exists. */
  addRemoteCandidate(candidate: IceCandidate): void {
    if (this.hasRemoteDescription) this.apply(candidate)
    else this.pendingCandidates.push(candidate)
  }

  close(): void {
    this.heldTracks = null
    this.detach()
    this.pc.close()
  }

  private remoteDescriptionApplied(): void {
    this.hasRemoteDescription = true
    for (const candidate of this.pendingCandidates.splice(0)) this.apply(candidate)
  }

  private apply(candidate: IceCandidate): void {
    // The peer connection applies them in call order. A stale candidate (e.g. from before an ICE
    // restart) is expected to be rejected; the next ones still count.
    this.pc.addIceCandidate(candidate).catch(() => undefined)
  }
}

function sdpOf(pc: PeerConnectionLike, created: string | undefined, step: string): string {
  const sdp = pc.localDescription?.sdp ?? created
  if (!sdp) throw new Error(`${step} produced no SDP`)
  return sdp
}

function toCandidate(candidate: { toJSON(): IceCandidateInitLike } | IceCandidateInitLike | null | undefined): IceCandidate | undefined {
  if (!candidate) return undefined
  const init: IceCandidateInitLike = 'toJSON' in candidate && typeof candidate.toJSON === 'function' ? candidate.toJSON() : (candidate as IceCandidateInitLike)
  // The empty end-of-candidates marker is not sent (the hub does not need it).
  if (!init.candidate) return undefined
  return {
    candidate: init.candidate,
    sdpMid: init.sdpMid ?? null,
    sdpMLineIndex: init.sdpMLineIndex ?? null,
    usernameFragment: init.usernameFragment ?? null,
  }
}
