// The ramp bench's links on `lo` (ramp-bench.ts). `tc netem` is not in this kernel (no sch_netem, no tc
// actions), so a link is an htb root with classes and u32 filters, and for `uplink` an nftables rule:
// - constrained: every packet in the namespace crosses one 800 kbit/s class (both directions, both
//   participants, the hub's forwarding, RTCP); UDP packets whose bytes 40/41 match a bit pattern (1/64 +
//   1/128) are dropped. Those bytes are an RTP packet's payload only without header extensions: the
//   browsers' and the hub's RTP carry extensions, so the patterns hit RTCP and STUN, not video; DTLS
//   records (SCTP) are dropped by their sequence number since stop 40 (CONSTRAINED_LOSS_FILTERS).
// - uplink: only the measured publisher's packets towards the hub (UDP from its candidates' ports) cross
//   an 800 kbit/s class; after it, on lo's ingress, nftables drops UPLINK_LOSS_PER_MILLE ‰ of them at
//   random (numgen random: each transmission on its own, a resend as likely to pass as any packet).
//   Everything else stays on an unlimited default class.
// - slow-subscriber: only what is sent to one subscriber (UDP to its candidates' ports: the hub's RTP,
//   RTCP, STUN and DTLS) crosses a rate class (`--slow-rate`) with a drop-tail queue of about
//   SLOW_QUEUE_MS at that rate; no random loss. Everything else, the other subscriber's path too, is unlimited.
import { execFileSync } from 'node:child_process'
import { addRateClass, checkPort, portFilterCommands, removeLoopbackShaping, tc, type QdiscCounters } from '@parley/testkit'

// The slow subscriber's shaping and tc's counters live in testkit (rate-link.ts), shared with the web app's video-pause spec.
export {
  downlinkFilterCommands,
  parseQdiscCounters,
  prepareDownlink,
  readQdiscCounters,
  shapeDownlinkPort,
  SLOW_QUEUE_MS,
  slowQueuePackets,
  unshapeDownlink,
  type QdiscCounters,
} from '@parley/testkit'

export type Link = 'clean' | 'constrained' | 'uplink' | 'slow-subscriber'

export const RATE = '800kbit'
export const PFIFO_LIMIT = 100
/** The uplink's random loss, in ‰ of the publisher's packets that left the rate class. */
export const UPLINK_LOSS_PER_MILLE = 21
const NFT_TABLE = 'parley_uplink'

const LOSS_CLASS = '1:20'
const UPLINK_CLASS = '1:30'

function nft(script: string): void {
  try {
    execFileSync('nft', [script], { stdio: ['ignore', 'ignore', 'pipe'] })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('the uplink link needs nft (apt-get install nftables)')
    throw error
  }
}

/** One u32 key: `value` under `mask` of the 32-bit word at byte `at` of an IPv4 packet (from its header; 4-aligned). */
export interface WordMatch {
  at: number
  value: number
  mask: number
}

/** A u32 filter of the constrained link: the first (lowest prio) whose keys all match steers the packet to `flowid`. */
export interface PatternFilter {
  prio: number
  matches: readonly WordMatch[]
  flowid: string
}

const DEFAULT_CLASS = '1:10'
const UDP: WordMatch = { at: 8, value: 0x00_11_00_00, mask: 0x00_ff_00_00 }
/** A DTLS record (RFC 7983: content types 20–23) of version 1.2 or 1.0 first in the UDP payload (byte 28). */
const DTLS_RECORD: WordMatch = { at: 28, value: 0x14_fe_fd_00, mask: 0xfc_ff_fd_00 }

/**
 * The constrained link's loss (stop 23's patterns, 1/64 + 1/128 on bytes 40/41) for all but DTLS. In a DTLS
 * record byte 40 is the low byte of its length, so the patterns dropped every record of a length ≡ 0 mod 64,
 * each resend too: Chromium's SCTP COOKIE ECHO to werift (40 bytes, a 64-byte AES-GCM record) never passed and
 * the association never came up (stop 40). DTLS records are lost instead by the low 6 bits of their sequence
 * number (byte 38), which a resend does not keep: 1/64, as many, each transmission on its own.
 */
export const CONSTRAINED_LOSS_FILTERS: readonly PatternFilter[] = [
  { prio: 1, matches: [UDP, DTLS_RECORD, { at: 36, value: 0, mask: 0x00_00_3f_00 }], flowid: LOSS_CLASS },
  { prio: 2, matches: [UDP, DTLS_RECORD], flowid: DEFAULT_CLASS },
  { prio: 3, matches: [UDP, { at: 40, value: 0, mask: 0x3f_00_00_00 }], flowid: LOSS_CLASS },
  { prio: 4, matches: [UDP, { at: 40, value: 0x00_40_00_00, mask: 0x00_7f_00_00 }], flowid: LOSS_CLASS },
]

const hex = (word: number) => `0x${word.toString(16).padStart(8, '0')}`

/** The tc command of one filter. */
export function patternFilterCommand({ prio, matches, flowid }: PatternFilter): string {
  return `filter add dev lo parent 1: protocol ip prio ${prio} u32 ${matches.map((key) => `match u32 ${hex(key.value)} ${hex(key.mask)} at ${key.at}`).join(' ')} flowid ${flowid}`
}

/** Where u32 puts this IPv4 packet under `filters` (a key past the packet's end does not match). */
export function classifyPacket(packet: Uint8Array, filters: readonly PatternFilter[] = CONSTRAINED_LOSS_FILTERS): string {
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength)
  const matches = (key: WordMatch) => key.at + 4 <= packet.byteLength && ((view.getUint32(key.at) & key.mask) >>> 0) === key.value
  for (const filter of [...filters].sort((a, b) => a.prio - b.prio)) if (filter.matches.every(matches)) return filter.flowid
  return DEFAULT_CLASS
}

/** The constrained link: one 800 kbit/s class for everything (since stop 23), loss by CONSTRAINED_LOSS_FILTERS. */
export function constrainLoopback(): void {
  tc('qdisc add dev lo root handle 1: htb default 10')
  tc(`class add dev lo parent 1: classid ${DEFAULT_CLASS} htb rate ${RATE} ceil ${RATE}`)
  tc(`qdisc add dev lo parent ${DEFAULT_CLASS} handle 10: pfifo limit ${PFIFO_LIMIT}`)
  tc(`class add dev lo parent 1: classid ${LOSS_CLASS} htb rate ${RATE}`)
  tc('qdisc add dev lo parent 1:20 handle 20: pfifo limit 0')
  for (const filter of CONSTRAINED_LOSS_FILTERS) tc(patternFilterCommand(filter))
}

/** The uplink's classes, no filters yet (until `shapeUplinkPort` everything passes unlimited), and its empty nftables chain. */
export function prepareUplink(rate = RATE): void {
  addRateClass(UPLINK_CLASS, rate, PFIFO_LIMIT)
  nft(`add table netdev ${NFT_TABLE}; add chain netdev ${NFT_TABLE} loss { type filter hook ingress device lo priority 0; }`)
}

/** Steers UDP from `port` through the uplink's rate class and its random loss. */
export function shapeUplinkPort(port: number): void {
  for (const command of uplinkFilterCommands(port)) tc(command)
  nft(uplinkLossRules(port).join('; '))
}

export function releaseLoopback(): void {
  removeLoopbackShaping()
  try {
    execFileSync('nft', ['delete', 'table', 'netdev', NFT_TABLE], { stdio: ['ignore', 'ignore', 'pipe'] })
  } catch {
    // no uplink table
  }
}

/** The tc filters that put UDP from `port` (IPv4 and IPv6) on the uplink's 800 kbit/s class; never what is sent to it. */
export function uplinkFilterCommands(port: number): string[] {
  return portFilterCommands('sport', port, UPLINK_CLASS)
}

/** The nftables rules dropping UPLINK_LOSS_PER_MILLE ‰ of UDP from `port` at random, on lo's ingress (after the rate class, silently for the sender). */
export function uplinkLossRules(port: number, perMille = UPLINK_LOSS_PER_MILLE): string[] {
  checkPort(port)
  const loss = `numgen random mod 1000 < ${perMille} counter drop`
  return [`add rule netdev ${NFT_TABLE} loss ip protocol udp udp sport ${port} ${loss}`, `add rule netdev ${NFT_TABLE} loss ip6 nexthdr udp udp sport ${port} ${loss}`]
}

/** The packets the uplink's loss rules dropped: the sum of their counters in `nft list table`. */
export function parseNftDropped(text: string): number {
  let dropped = 0
  for (const match of text.matchAll(/counter packets (\d+) bytes \d+ drop/g)) dropped += Number(match[1])
  return dropped
}

export function readUplinkDropped(): number {
  return parseNftDropped(execFileSync('nft', ['list', 'table', 'netdev', NFT_TABLE], { encoding: 'utf8' }))
}

/**
 * One line on what the link did in a run. Constrained: all packets on lo, those lost to the patterns and
 * those dropped by the full queue. Uplink: the publisher's packets, dropped by the full queue, and of
 * those that left the rate class, lost at random (`randomLost`, nftables' counters).
 */
export function describeLinkCounters(link: Link, counters: ReadonlyMap<string, Pick<QdiscCounters, 'sentPackets' | 'dropped'>>, randomLost = 0): string {
  if (link === 'clean') return 'clean'
  const rate = counters.get(link === 'uplink' ? '30' : link === 'slow-subscriber' ? '40' : '10')
  if (!rate) return 'no rate class counters'
  const percent = (part: number, whole: number) => (whole > 0 ? ((part * 100) / whole).toFixed(1) : '-')
  if (link === 'slow-subscriber') {
    const offered = rate.sentPackets + rate.dropped
    return `${offered} packets to the slow subscriber, ${rate.dropped} dropped by its full queue (${percent(rate.dropped, offered)} %)`
  }
  if (link === 'uplink') {
    const offered = rate.sentPackets + rate.dropped
    return `${offered} packets offered, ${rate.dropped} dropped by the full queue (${percent(rate.dropped, offered)} %), ${randomLost} of the ${rate.sentPackets} sent lost at random (${percent(randomLost, rate.sentPackets)} %)`
  }
  const lost = counters.get('20')?.dropped ?? 0
  const offered = lost + rate.sentPackets + rate.dropped
  return `${offered} packets offered, ${lost} lost to the patterns (${percent(lost, offered)} %), ${rate.dropped} dropped by the full queue (${percent(rate.dropped, offered)} %)`
}
