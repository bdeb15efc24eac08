// Per published track, where a window's packets stopped: the hub's per-track report (werift plane,
// werift-source-report.ts) before and after the window, beside what each publisher handed werift and what
// each subscriber's tap counted. Pure: run.ts reads, this compares. A delivery short of 100 % then names
// the publisher, the subscribers and the state that held the packets back (a keyframe hold, a pause, a
// transceiver without codec or DTLS), or says that the hub forwarded them and the loss is past it.
import type { SourceReport, SubscriptionReport } from './hub-protocol.js'

/** One participant of the room, as the check needs it (counts over the window). */
export interface CheckedParticipant {
  name: string
  clientId: string | undefined
  /** Video packets its camera handed werift in the window. */
  videoSent: number
  /** RTP packets its receive tap counted in the window (every kind). */
  received: number
}

/** A forwarding that sent less than this share of what arrived is short (keyframe holds cost a few packets). */
export const SHORT_SHARE = 0.9

export interface SourceCheck {
  /** One line per track or subscriber whose packets stopped somewhere (empty: every packet went on). */
  problems: string[]
  /** One line: packets in and out over the window, per kind (for the progress log). */
  summary: string
}

type Counted = Pick<SourceReport, 'packetsIn' | 'keyframesIn'> & { out: Map<string, number> }

function key(report: Pick<SourceReport, 'clientId' | 'trackId'>): string {
  return `${report.clientId}\u0000${report.trackId}`
}

/** A forwarding's state in a few words: every condition the forwarder checks before a packet leaves. */
export function describeSubscription(subscription: SubscriptionReport, name: string): string {
  const pause = subscription.pause === undefined ? '' : ` pause ${subscription.pause}${subscription.pauseForwards ? '' : ' (holds)'}`
  return `${name}: out ${subscription.packetsOut}, keyframe ${subscription.keyframe}, transceiver ${subscription.transceiver}${subscription.direction ? ` ${subscription.direction}` : ''}, codec ${subscription.codec ? 'yes' : 'no'}, dtls ${subscription.dtls ?? '-'}${pause}`
}

function describeSource(source: SourceReport, name: string, counted: Counted): string {
  return `${name}'s ${source.kind} (in ${counted.packetsIn}, keyframe starts ${counted.keyframesIn}, PLI state ${source.keyframeRequest}, hold ${source.holding ? 'on' : 'off'}, ${source.subscriptions.length} subscriptions)`
}

export function checkSources(
  before: readonly SourceReport[],
  after: readonly SourceReport[],
  participants: readonly CheckedParticipant[],
): SourceCheck {
  const nameOf = new Map(participants.flatMap((p) => (p.clientId ? [[p.clientId, p.name] as const] : [])))
  const name = (clientId: string) => nameOf.get(clientId) ?? clientId
  const earlier = new Map(before.map((source) => [key(source), source]))
  const problems: string[] = []
  const outTo = new Map<string, number>()
  const totals = { audio: { in: 0, out: 0 }, video: { in: 0, out: 0 } }
  const roomOf = new Set(nameOf.keys())
  for (const source of after) {
    if (!roomOf.has(source.clientId)) continue
    const previous = earlier.get(key(source))
    const outBefore = new Map(previous?.subscriptions.map((s) => [s.clientId, s.packetsOut]) ?? [])
    const counted: Counted = {
      packetsIn: source.packetsIn - (previous?.packetsIn ?? 0),
      keyframesIn: source.keyframesIn - (previous?.keyframesIn ?? 0),
      out: new Map(source.subscriptions.map((s) => [s.clientId, s.packetsOut - (outBefore.get(s.clientId) ?? 0)])),
    }
    totals[source.kind].in += counted.packetsIn
    for (const [subscriber, out] of counted.out) {
      totals[source.kind].out += out
      outTo.set(subscriber, (outTo.get(subscriber) ?? 0) + out)
    }
    const publisher = participants.find((p) => p.clientId === source.clientId)
    if (source.kind === 'video' && publisher && counted.packetsIn < publisher.videoSent * SHORT_SHARE) {
      problems.push(`${describeSource(source, name(source.clientId), counted)}: ${publisher.videoSent} handed to werift by its camera, ${counted.packetsIn} arrived at the hub`)
    }
    const missing = [...roomOf].filter((id) => id !== source.clientId && !counted.out.has(id))
    const short = source.subscriptions.filter((s) => roomOf.has(s.clientId) && counted.out.get(s.clientId)! < counted.packetsIn * SHORT_SHARE)
    if (missing.length === 0 && short.length === 0) continue
    const parts = [
      ...(missing.length > 0 ? [`no subscription for ${missing.map(name).join(', ')}`] : []),
      ...short.map((s) => describeSubscription({ ...s, packetsOut: counted.out.get(s.clientId)! }, name(s.clientId))),
    ]
    problems.push(`${describeSource(source, name(source.clientId), counted)} short to ${short.length + missing.length}: ${parts.join('; ')}`)
  }
  for (const participant of participants) {
    const out = participant.clientId ? outTo.get(participant.clientId) : undefined
    if (out !== undefined && participant.received < out * 0.99) {
      problems.push(`${participant.name}: the hub sent it ${out} packets in the window, its tap counted ${participant.received}`)
    }
  }
  const summary = (['video', 'audio'] as const)
    .map((kind) => `${kind} in ${totals[kind].in} → out ${totals[kind].out}`)
    .join(', ')
  return { problems, summary }
}

/** Before a window, for the note on subscribers that did not receive every video: the forwardings that never sent. */
export function describeSilentForwardings(sources: readonly SourceReport[], participants: readonly CheckedParticipant[]): string[] {
  const nameOf = new Map(participants.flatMap((p) => (p.clientId ? [[p.clientId, p.name] as const] : [])))
  const name = (clientId: string) => nameOf.get(clientId) ?? clientId
  const lines: string[] = []
  for (const source of sources) {
    if (source.kind !== 'video' || !nameOf.has(source.clientId)) continue
    const silent = source.subscriptions.filter((s) => s.packetsOut === 0)
    const subscribed = new Set(source.subscriptions.map((s) => s.clientId))
    const missing = [...nameOf.keys()].filter((id) => id !== source.clientId && !subscribed.has(id))
    if (silent.length === 0 && missing.length === 0) continue
    const counted: Counted = { packetsIn: source.packetsIn, keyframesIn: source.keyframesIn, out: new Map() }
    const parts = [...(missing.length > 0 ? [`no subscription for ${missing.map(name).join(', ')}`] : []), ...silent.map((s) => describeSubscription(s, name(s.clientId)))]
    lines.push(`${describeSource(source, name(source.clientId), counted)} never sent to ${silent.length + missing.length}: ${parts.join('; ')}`)
  }
  return lines
}
