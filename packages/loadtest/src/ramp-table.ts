// The ramp bench's tables (ramp-bench.ts): one row per sample of the ramp, one of why, and one per run
// of what its link did. Pure, so the rows are unit tested; the bench prints them.
import { type Link, RATE, UPLINK_LOSS_PER_MILLE } from './ramp-link.js'
import type { PublisherStats, SubscriberStats } from './ramp-stats.js'

/** The hub's side of a sample: its last estimate of the publisher, and its PLIs to it since the publisher connected. */
export interface HubFigures {
  estimateKbps: number | null
  hubLossPercent: number | null
  queueDelayMs: number | null
  keyframeRequests: number
  unanswerableNackKeyframes: number
}

/** One sample of a run, some seconds after the publisher connected. */
export interface Sample {
  atS: number
  availableKbps: number | null
  sentKbps: number | null
  /** What the encoder was asked for since the last row (outbound-rtp totalEncodedBytesTarget): the share of the estimate given to video. */
  targetKbps: number | null
  resolution: string
  remoteLossPercent: number | null
  publisher: PublisherStats
  subscriber: SubscriberStats
  hub: HubFigures
  load: number
}

const format = (value: number | null, digits = 0) => (value === null ? '-' : value.toFixed(digits))

/** How a run's link reads in the tables' `link` column. */
export function linkLabel(link: Link, uplinkRate: string): string {
  return link === 'constrained' ? `${RATE} shared by all traffic` : link === 'uplink' ? `uplink ${uplinkRate}, ${UPLINK_LOSS_PER_MILLE / 10} % loss` : 'clean'
}

export const RAMP_TABLE_HEAD = [
  '| hub | publisher | client | link | s | available outgoing kbps | encoder target kbps (since last row) | video sent kbps (since last row) | resolution | loss reported by the hub % | subscriber freezes / ms | longest gap between painted frames ms | load avg |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
]

export function rampRow(label: string, publisher: string, client: string, linkName: string, sample: Sample): string {
  const inbound = sample.subscriber
  return `| ${label} | ${publisher} | ${client} | ${linkName} | ${sample.atS} | ${format(sample.availableKbps)} | ${format(sample.targetKbps)} | ${format(sample.sentKbps)} | ${sample.resolution} | ${format(sample.remoteLossPercent, 1)} | ${inbound.freezes} / ${inbound.freezeMs.toFixed(0)} | ${inbound.longestGapMs.toFixed(0)} | ${sample.load.toFixed(2)} |`
}

export const DETAIL_TABLE_HEAD = [
  '| hub | publisher | client | link | s | pub packets sent | pub resent | pub NACKs received | pub PLI+FIR received | pub frames encoded | pub quality limitation | sub packets received | sub packets lost | sub NACKs sent | sub PLI+FIR sent | sub frames decoded | hub REMB kbps | hub loss % | hub queue delay ms | hub PLIs / for NACKs | load avg |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
]

export function detailRow(label: string, publisher: string, client: string, linkName: string, sample: Sample): string {
  const { publisher: out, subscriber: inbound, hub } = sample
  return `| ${label} | ${publisher} | ${client} | ${linkName} | ${sample.atS} | ${out.packetsSent} | ${out.retransmitted} | ${out.nacks} | ${out.plis} | ${out.framesEncoded} | ${out.limitation} | ${inbound.packetsReceived} | ${inbound.packetsLost} | ${inbound.nacks} | ${inbound.plis} | ${inbound.framesDecoded} | ${format(hub.estimateKbps)} | ${format(hub.hubLossPercent, 1)} | ${format(hub.queueDelayMs)} | ${hub.keyframeRequests} / ${hub.unanswerableNackKeyframes} | ${sample.load.toFixed(2)} |`
}

export const LINK_TABLE_HEAD = ['| hub | publisher | client | link | what the link did |', '|---|---|---|---|---|']

export function linkRow(label: string, publisher: string, client: string, linkName: string, line: string): string {
  return `| ${label} | ${publisher} | ${client} | ${linkName} | ${line} |`
}
