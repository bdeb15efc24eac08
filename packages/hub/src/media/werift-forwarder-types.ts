// The werift forwarder's records: a published track (Source), one forwarded track on a subscriber's peer
// (Subscription) and the forwarder's counters. Kept apart from werift-forwarder.ts, which re-exports them.
import type { RTCRtpTransceiver } from 'werift'
import type { AudioLevelSample } from '@parley/protocol'
import type { BandwidthLimits, InboundWindow } from './bandwidth.js'
import type { SubscriberLoss } from './subscriber-loss.js'
import type { VideoPause } from './video-pause.js'
import type { LayerChoice } from './layer-choice.js'
import type { LayerSwitch } from './werift-layer-switch.js'
import type { SimulcastLayers } from './werift-simulcast.js'
import type { NackRecovery, RelayedNacks } from './nack-recovery.js'
import type { ResendLimit } from './resend-limit.js'
import type { KeyframeHold, SubscriptionKeyframeState } from './werift-keyframe-hold.js'
import type { KeyframeRequests } from './werift-keyframe-requests.js'
import type { SourceTransportCc } from './werift-transport-cc.js'
import type { SourceVoice } from './werift-voice.js'
import type { PublishedTrack } from './types.js'

export function sourceKey(track: Pick<PublishedTrack, 'clientId' | 'trackId'>): string {
  return `${track.clientId}\u0000${track.trackId}`
}

/** A published track: the publisher's receiving transceiver and everything forwarded from it. */
export interface Source {
  readonly key: string
  readonly published: PublishedTrack
  /** The publishing peer (track ids are only unique per peer). */
  readonly publisher: object
  readonly transceiver: RTCRtpTransceiver
  readonly subscriptions: Set<Subscription>
  /** The publisher's actual SSRC, learnt from its first RTP packet. */
  ssrc: number | undefined
  /** Its keyframe requests to the publisher: one state (werift-keyframe-requests.ts). */
  readonly keyframes: KeyframeRequests
  /** The keyframe held for forwardings offered but not yet answered (werift-keyframe-hold.ts). */
  readonly hold: KeyframeHold<Subscription>
  /** The NACKs relayed to the publisher lately, shared by its subscribers (nack-recovery.ts). */
  readonly relayedNacks: RelayedNacks
  /** What arrived in the current estimation window (video only). */
  readonly inbound: InboundWindow | undefined
  /** The bounds of the REMB estimate (the publisher's room's bitrates). */
  readonly limits: BandwidthLimits | undefined
  /** The abs-send-time extension's id on the publisher's m-line (null: not negotiated), read on the first packet. */
  absSendTimeId: number | null | undefined
  /** A simulcast publication: its layers, one werift track per rid (werift-simulcast.ts); else undefined. */
  readonly simulcast: SimulcastLayers | undefined
  /** Its publisher transport's transport-cc feedback (null: not negotiated), looked up on the first packet. */
  transportCc: SourceTransportCc | null | undefined
  /** RTP packets that arrived, and of them those that began a VP8 keyframe (werift-source-report.ts). */
  packetsIn: number
  keyframesIn: number
  /** Audio that a subscriber registered with enable_vad receives: its voice detector (werift-voice.ts). */
  voice: SourceVoice | undefined
  stopRtp: () => void
}

/** Whoever holds a subscription: told when the published track ends under it. */
export interface SubscriptionOwner {
  readonly clientId: string
  sourceEnded(subscription: Subscription): void
  /** The hub stopped forwarding the subscription's video (its link cannot carry it), or resumed it. */
  videoPaused(subscription: Subscription, paused: boolean): void
  /** Present when the subscriber registered with enable_vad: a voice report of a track it receives (werift-voice.ts). */
  readonly voiceActivity?: (subscription: Subscription, audioLevels: AudioLevelSample[] | null) => void
}

/** One forwarded track on one subscriber's peer connection. */
export interface Subscription {
  readonly key: string
  readonly track: PublishedTrack
  readonly owner: SubscriptionOwner
  source: Source | undefined
  /** Created lazily right before a server offer (see WeriftSubscriptions.materialize). */
  transceiver: RTCRtpTransceiver | undefined
  /** Its keyframe from offer to answer, and whether its packets wait behind a held one (werift-keyframe-hold.ts). */
  keyframe: SubscriptionKeyframeState
  /** A packet was forwarded on it (the first one is logged at debug level, for the join trace). */
  forwarding: boolean
  /** RTP packets sent on it (werift-source-report.ts). */
  packetsOut: number
  /** The loss this subscriber reports on the forwarded stream (its receiver reports). */
  readonly loss: SubscriberLoss
  /** Its NACKs the hub's history could not answer (relayed to the publisher; nack-recovery.ts). */
  readonly nacks: NackRecovery
  /** Video: what werift may resend on its NACKs (resend-limit.ts), filled by what is forwarded to it. */
  readonly resends: ResendLimit | undefined
  /**
   * Video with an estimate: paused while the subscriber's link cannot carry it (video-pause.ts); for a
   * simulcast source, its layer choice (layer-choice.ts, the `layers` switch's), which pauses below the lowest.
   */
  readonly pause: VideoPause | LayerChoice | undefined
  /** A simulcast source's forwarding: which layer, and the switches between them (werift-simulcast.ts). */
  readonly layers: LayerSwitch | undefined
}

export interface ForwarderCounters {
  /** RTP packets received from publishers. */
  packetsReceived: number
  /** RTP packets handed to a negotiated, connected subscriber sender. */
  packetsForwarded: number
  /** PLIs sent to publishers. */
  keyframeRequestsSent: number
  /** PLI/FIR packets read from subscribers (the werift routing workaround). */
  subscriberKeyframeRequests: number
  /** Keyframe requests for a packet a subscriber NACKed and the hub never had, still missing (nack-recovery.ts). */
  unanswerableNackKeyframeRequests: number
  /** REMB packets sent to publishers (bandwidth estimation). */
  rembSent: number
  /** Of packetsForwarded, those sent by werift's own sendRtp (the fast path declined or is off). */
  packetsForwardedByWerift: number
  /** Transport-wide feedback packets sent to publishers (transport-cc.ts). */
  transportCcFeedbackSent: number
  /** NACKs sent to publishers for packets subscribers NACKed and the hub never had (nack-recovery.ts). */
  nacksRelayed: number
  /** Sequence numbers a subscriber NACKed that were not relayed again: relayed for the source within NACK_RELAY_WINDOW_MS. */
  nacksCoalesced: number
  /** Packets the transport-wide feedback reported lost, and received (transport-cc.ts; a late one counts in both). */
  transportCcReportedLost: number
  transportCcReportedReceived: number
  /** Packets that arrived after their number had been reported lost. */
  transportCcLateArrivals: number
}
