// A slow link on lo for one peer's ports (root in the loopback-only namespace; `tc netem` is not in this
// kernel, no sch_netem, no tc actions): an htb root whose default class passes everything unlimited, and a
// rate class with a drop-tail queue that u32 filters fill with the chosen UDP ports' packets. A browser's
// ports are known only once its peer connection gathers, so `watchPeerPorts` reads its getStats() and hands
// each new UDP candidate port over as it appears. Used by the loadtest ramp bench's `uplink` and
// `slow-subscriber` links (packages/loadtest/src/ramp-link.ts) and the web app's video-pause spec.
import { execFileSync } from 'node:child_process'
import { tc } from './udp-drop.js'

/** The slow (downlink) class: everything sent to a shaped port crosses it. */
export const DOWNLINK_CLASS = '1:40'
/** The slow subscriber's queue, in ms at its rate (with 1200-byte packets): a bottleneck's buffer, not an unbounded one. */
export const SLOW_QUEUE_MS = 500

/** An unlimited default class for everything, and `classId` (`1:N`, its queue `N:`) at `rate` with a drop-tail queue of `limit` packets, for the filters to fill. */
export function addRateClass(classId: string, rate: string, limit: number): void {
  tc('qdisc add dev lo root handle 1: htb default 10')
  tc('class add dev lo parent 1: classid 1:10 htb rate 10gbit')
  tc(`class add dev lo parent 1: classid ${classId} htb rate ${rate} ceil ${rate}`)
  tc(`qdisc add dev lo parent ${classId} handle ${classId.split(':')[1]}: pfifo limit ${limit}`)
}

/** The packets the slow queue holds: SLOW_QUEUE_MS at `rate` (e.g. '300kbit') in 1200-byte packets, at least 10. */
export function slowQueuePackets(rate: string): number {
  const kbit = /^(\d+)kbit$/.exec(rate)
  if (!kbit) throw new Error(`not a rate in kbit: ${rate}`)
  return Math.max(10, Math.round((Number(kbit[1]) * SLOW_QUEUE_MS) / (8 * 1200)))
}

/** The slow downlink's class, no filters yet (until `shapeDownlinkPort` everything passes unlimited). */
export function prepareDownlink(rate: string): void {
  addRateClass(DOWNLINK_CLASS, rate, slowQueuePackets(rate))
}

/** Steers UDP to `port` (one of the slow peer's candidates) through the downlink's rate class. */
export function shapeDownlinkPort(port: number): void {
  for (const command of downlinkFilterCommands(port)) tc(command)
}

/** The slow link recovers: its class is no longer a bottleneck (its filters and counters stay). */
export function unshapeDownlink(): void {
  tc(`class change dev lo parent 1: classid ${DOWNLINK_CLASS} htb rate 10gbit ceil 10gbit`)
}

/** Removes the htb root from lo, whatever was set on it (nothing set: nothing to do). */
export function removeLoopbackShaping(): void {
  try {
    tc('qdisc del dev lo root')
  } catch {
    // nothing was set
  }
}

export function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new RangeError(`not a UDP port: ${port}`)
}

/** The tc filters that put UDP to `port` (IPv4 and IPv6) on the downlink's class; never what it sends. */
export function downlinkFilterCommands(port: number): string[] {
  return portFilterCommands('dport', port, DOWNLINK_CLASS)
}

/** UDP from (`sport`) or to (`dport`) `port`, IPv4 and IPv6, onto `classId`. */
export function portFilterCommands(side: 'sport' | 'dport', port: number, classId: string): string[] {
  checkPort(port)
  return [
    `filter add dev lo parent 1: protocol ip prio 1 u32 match ip protocol 17 0xff match ip ${side} ${port} 0xffff flowid ${classId}`,
    `filter add dev lo parent 1: protocol ipv6 prio 2 u32 match ip6 protocol 17 0xff match ip6 ${side} ${port} 0xffff flowid ${classId}`,
  ]
}

/** What a leaf qdisc passed and dropped, and what it holds now. */
export interface QdiscCounters {
  sentBytes: number
  sentPackets: number
  dropped: number
  backlogPackets: number
}

/** `tc -s qdisc show dev lo`, by qdisc handle ("20:" → "20"). */
export function parseQdiscCounters(text: string): Map<string, QdiscCounters> {
  const counters = new Map<string, QdiscCounters>()
  let handle: string | undefined
  let current: QdiscCounters | undefined
  for (const line of text.split('\n')) {
    const head = /^qdisc \S+ (\d+):/.exec(line)
    if (head) {
      handle = head[1]
      current = undefined
      continue
    }
    const sent = /Sent (\d+) bytes (\d+) pkt \(dropped (\d+)/.exec(line)
    if (sent && handle !== undefined) {
      current = { sentBytes: Number(sent[1]), sentPackets: Number(sent[2]), dropped: Number(sent[3]), backlogPackets: 0 }
      counters.set(handle, current)
      handle = undefined
      continue
    }
    const backlog = /^\s*backlog \S+ (\d+)p/.exec(line)
    if (backlog && current) {
      current.backlogPackets = Number(backlog[1])
      current = undefined
    }
  }
  return counters
}

export function readQdiscCounters(): Map<string, QdiscCounters> {
  return parseQdiscCounters(tcOutput('-s qdisc show dev lo'))
}

function tcOutput(args: string): string {
  return execFileSync('tc', args.split(' '), { encoding: 'utf8' })
}
