// Why a published track reaches whom, read off the forwarder's records on demand (the load bench asks
// before and after its window; nothing here runs per packet). Per source: packets and keyframe starts
// that arrived, its keyframe request state and hold; per subscription: every condition the forwarder's
// #forward and #sendTo check before a packet leaves, and the packets that left. A forwarding that sends
// nothing shows here which condition holds it back.
import type { Source, Subscription } from './werift-forwarder-types.js'

export interface SubscriptionReport {
  /** The subscriber. */
  clientId: string
  /** Its keyframe from offer to answer (werift-keyframe-hold.ts); only `unanswered` and `live` forward. */
  keyframe: Subscription['keyframe']
  /** `none`: not created yet (no server offer); `unbound`: created, not in a description yet (no mid). */
  transceiver: 'none' | 'unbound' | 'stopped' | 'bound'
  direction: string | undefined
  /** The sender's negotiated codec (#sendTo sends nothing without one). */
  codec: boolean
  /** The sender's DTLS transport state (#sendTo sends only when `connected`). */
  dtls: string | undefined
  /** The video pause's (or simulcast layer choice's) state; undefined: none. */
  pause: string | undefined
  /** Whether the pause lets packets through now. */
  pauseForwards: boolean | undefined
  /** A packet was forwarded on it. */
  forwarding: boolean
  packetsOut: number
}

export interface SourceReport {
  clientId: string
  trackId: string
  kind: 'audio' | 'video'
  ssrc: number | undefined
  packetsIn: number
  /** Packets that began a VP8 keyframe. */
  keyframesIn: number
  /** Its keyframe request state (werift-keyframe-requests.ts) and when its last PLI left (-1: never). */
  keyframeRequest: string
  lastPliAt: number
  /** Some forwarding waits for a held keyframe. */
  holding: boolean
  subscriptions: SubscriptionReport[]
}

export function sourceReport(source: Source): SourceReport {
  const { published } = source
  return {
    clientId: published.clientId,
    trackId: published.trackId,
    kind: published.kind,
    ssrc: source.ssrc,
    packetsIn: source.packetsIn,
    keyframesIn: source.keyframesIn,
    keyframeRequest: source.keyframes.state.is,
    lastPliAt: Number.isFinite(source.keyframes.lastSentAt) ? source.keyframes.lastSentAt : -1,
    holding: source.hold.active,
    subscriptions: [...source.subscriptions].map(subscriptionReport),
  }
}

function subscriptionReport(subscription: Subscription): SubscriptionReport {
  const transceiver = subscription.transceiver
  const sender = transceiver?.sender
  const pause = subscription.pause
  return {
    clientId: subscription.owner.clientId,
    keyframe: subscription.keyframe,
    transceiver: !transceiver ? 'none' : transceiver.stopping || transceiver.stopped ? 'stopped' : transceiver.mid == null ? 'unbound' : 'bound',
    direction: transceiver?.currentDirection ?? undefined,
    codec: Boolean(sender?.codec),
    dtls: sender?.dtlsTransport?.state,
    pause: pause?.state,
    pauseForwards: pause?.forwards,
    forwarding: subscription.forwarding,
    packetsOut: subscription.packetsOut,
  }
}
