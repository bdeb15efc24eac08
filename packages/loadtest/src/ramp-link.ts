// The ramp bench's links on `lo` (ramp-bench.ts). `tc netem` is not in this kernel (no sch_netem, no tc
// actions), so a link is an htb root with classes and u32 filters, and for `uplink` an nftables rule:
// - constrained: every packet in the namespace crosses one 800 kbit/s class (both directions, both
//   participants, the hub's forwarding, RTCP); UDP packets whose bytes 40/41 match a bit pattern (1/64 +
//   1/128) are dropped. Those bytes are an RTP packet's payload only without header extensions: the
//   browsers' and the hub's RTP carry extensions, so the patterns hit RTCP, STUN and DTLS, not video.
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
