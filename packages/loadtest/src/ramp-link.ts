// The ramp bench's links on `lo` (ramp-bench.ts). `tc netem` is not in this kernel (no sch_netem), so a
// link is an htb root with classes and u32 filters:
// - constrained: every packet in the namespace crosses one 800 kbit/s class (both directions, both
//   participants, the hub's forwarding, RTCP), ≈ 2 % of UDP dropped by bit patterns at a fixed offset.
// - uplink: only the measured publisher's packets towards the hub (UDP from its candidates' ports) cross
//   the 800 kbit/s class and the loss; everything else stays on an unlimited default class.
// Loss: a packet is dropped when an encrypted byte matches 0bxx000000 (1/64) or the next one 0bx1000000
// (1/128): ≈ 2.3 % of packets at random, sent to a class whose queue holds nothing.
import { execFileSync } from 'node:child_process'

export type Link = 'clean' | 'constrained' | 'uplink'

export const RATE = '800kbit'
export const PFIFO_LIMIT = 100
/** The publisher's RTP header extension block is at most this many 32-bit words (Chromium's video: 2–6). */
export const MAX_EXTENSION_WORDS = 24

const LOSS_CLASS = '1:20'
const UPLINK_CLASS = '1:30'

function tc(args: string): void {
  execFileSync('tc', args.split(' '), { stdio: ['ignore', 'ignore', 'pipe'] })
}

/** The constrained link as it has been since stop 23: one 800 kbit/s class for everything, loss at bytes 40/41. */
export function constrainLoopback(): void {
  tc('qdisc add dev lo root handle 1: htb default 10')
  tc(`class add dev lo parent 1: classid 1:10 htb rate ${RATE} ceil ${RATE}`)
  tc(`qdisc add dev lo parent 1:10 handle 10: pfifo limit ${PFIFO_LIMIT}`)
  tc(`class add dev lo parent 1: classid ${LOSS_CLASS} htb rate ${RATE}`)
  tc('qdisc add dev lo parent 1:20 handle 20: pfifo limit 0')
  tc(`filter add dev lo parent 1: protocol ip prio 1 u32 match ip protocol 17 0xff match u8 0x00 0x3f at 40 flowid ${LOSS_CLASS}`)
  tc(`filter add dev lo parent 1: protocol ip prio 2 u32 match ip protocol 17 0xff match u8 0x40 0x7f at 41 flowid ${LOSS_CLASS}`)
}

/** The uplink link's classes, no filters yet: until `shapeUplinkPort`, everything passes unlimited. */
export function prepareUplink(): void {
  tc('qdisc add dev lo root handle 1: htb default 10')
  tc('class add dev lo parent 1: classid 1:10 htb rate 10gbit')
  tc(`class add dev lo parent 1: classid ${UPLINK_CLASS} htb rate ${RATE} ceil ${RATE}`)
  tc(`qdisc add dev lo parent ${UPLINK_CLASS} handle 30: pfifo limit ${PFIFO_LIMIT}`)
  tc(`class add dev lo parent 1: classid ${LOSS_CLASS} htb rate 10gbit`)
  tc('qdisc add dev lo parent 1:20 handle 20: pfifo limit 0')
}

/** Steers UDP from `port` (IPv4) through the uplink's loss and rate classes. */
export function shapeUplinkPort(port: number): void {
  for (const command of uplinkFilterCommands(port)) tc(command)
}

export function releaseLoopback(): void {
  try {
    tc('qdisc del dev lo root')
  } catch {
    // nothing was set
  }
}

/**
 * The tc filter commands that put UDP from `port` on the uplink: prio 1, the loss patterns (to the drop
 * class); prio 2, everything else from the port (to the 800 kbit/s class). The loss bytes must be
 * encrypted ones: an SRTP packet's payload starts after its RTP header extensions (the constrained link's
 * fixed bytes 40/41 are the extension block's 0xBEDE there and never match), so there is one filter per
 * extension length (u16 at 42, in words) for RTP with X set and no CSRC, and the fixed offset for the
 * rest (RTP without extensions, SRTCP, STUN, DTLS).
 */
export function uplinkFilterCommands(port: number, maxExtensionWords = MAX_EXTENSION_WORDS): string[] {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new RangeError(`not a UDP port: ${port}`)
  const from = `match ip protocol 17 0xff match ip sport ${port} 0xffff`
  const filter = (prio: number, matches: string, flow: string) => `filter add dev lo parent 1: protocol ip prio ${prio} u32 ${matches} flowid ${flow}`
  // Offsets from the IP header: 20 (IPv4, no options) + 8 (UDP) = 28, the RTP header; 40 after its fixed 12 bytes.
  const loss = (first: number) => [`match u8 0x00 0x3f at ${first}`, `match u8 0x40 0x7f at ${first + 1}`]
  const commands: string[] = []
  for (const pattern of loss(40)) commands.push(filter(1, `${from} ${pattern}`, LOSS_CLASS))
  for (let words = 0; words <= maxExtensionWords; words++) {
    // Version 2, X set, CC 0 (padding bit free), the extension block `words` long: payload at 44 + 4 words.
    const rtpWithExtensions = `match u8 0x90 0xdf at 28 match u16 0x${words.toString(16).padStart(4, '0')} 0xffff at 42`
    for (const pattern of loss(44 + 4 * words)) commands.push(filter(1, `${from} ${rtpWithExtensions} ${pattern}`, LOSS_CLASS))
  }
  commands.push(filter(2, from, UPLINK_CLASS))
  return commands
}

/** What a leaf qdisc passed and dropped. */
export interface QdiscCounters {
  sentPackets: number
  dropped: number
}

/** `tc -s qdisc show dev lo`, by qdisc handle ("20:" → "20"). */
export function parseQdiscCounters(text: string): Map<string, QdiscCounters> {
  const counters = new Map<string, QdiscCounters>()
  let handle: string | undefined
  for (const line of text.split('\n')) {
    const head = /^qdisc \S+ (\d+):/.exec(line)
    if (head) {
      handle = head[1]
      continue
    }
    const sent = /Sent \d+ bytes (\d+) pkt \(dropped (\d+)/.exec(line)
    if (sent && handle !== undefined) {
      counters.set(handle, { sentPackets: Number(sent[1]), dropped: Number(sent[2]) })
      handle = undefined
    }
  }
  return counters
}

export function readQdiscCounters(): Map<string, QdiscCounters> {
  return parseQdiscCounters(execFileSync('tc', ['-s', 'qdisc', 'show', 'dev', 'lo'], { encoding: 'utf8' }))
}

/**
 * One line on what the link did in a run: packets lost to the loss patterns against those that reached the
 * rate class (its queue's drops are the overload's). Constrained: all packets in the namespace; uplink: the
 * publisher's.
 */
export function describeLinkCounters(link: Link, counters: Map<string, QdiscCounters>): string {
  if (link === 'clean') return 'clean'
  const rate = counters.get(link === 'uplink' ? '30' : '10')
  const lost = counters.get('20')?.dropped ?? 0
  if (!rate) return `${lost} packets lost to the patterns, no rate class counters`
  const offered = lost + rate.sentPackets + rate.dropped
  const percent = (part: number) => (offered > 0 ? ((part * 100) / offered).toFixed(1) : '-')
  return `${offered} packets offered, ${lost} lost to the patterns (${percent(lost)} %), ${rate.dropped} dropped by the full queue (${percent(rate.dropped)} %)`
}
