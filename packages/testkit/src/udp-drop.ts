// Real UDP faults on lo for browser specs (root in the loopback-only namespace; `tc netem` is not in
// this kernel): an htb root on lo whose default class passes everything, and u32 filters steering the
// chosen UDP packets to a class whose queue holds nothing. TCP (HTTP, the events stream) passes.
import { execFileSync } from 'node:child_process'

/** One `tc` command (its arguments space-separated), its stderr in the error when it fails. */
export function tc(args: string): void {
  execFileSync('tc', args.split(' '), { stdio: ['ignore', 'ignore', 'pipe'] })
}

/**
 * Drops UDP on lo: every packet (IPv4 and IPv6), or with `port` only those from or to that port
 * (both directions of one socket, IPv4). Returns the undo (idempotent).
 */
export function dropUdpOnLoopback(options: { port?: number } = {}): () => void {
  const { port } = options
  const filters =
    port === undefined
      ? ['protocol ip prio 1 u32 match ip protocol 17 0xff', 'protocol ipv6 prio 2 u32 match ip6 protocol 17 0xff']
      : [`protocol ip prio 1 u32 match ip protocol 17 0xff match ip sport ${port} 0xffff`, `protocol ip prio 2 u32 match ip protocol 17 0xff match ip dport ${port} 0xffff`]
  tc('qdisc add dev lo root handle 1: htb default 10')
  try {
    tc('class add dev lo parent 1: classid 1:10 htb rate 10gbit')
    tc('class add dev lo parent 1: classid 1:20 htb rate 10gbit')
    tc('qdisc add dev lo parent 1:20 handle 20: pfifo limit 0')
    for (const filter of filters) tc(`filter add dev lo parent 1: ${filter} flowid 1:20`)
  } catch (error) {
    tc('qdisc del dev lo root')
    throw error
  }
  let removed = false
  return () => {
    if (removed) return
    removed = true
    tc('qdisc del dev lo root')
  }
}
