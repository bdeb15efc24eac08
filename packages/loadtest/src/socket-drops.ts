// Datagrams the kernel dropped at this process's UDP sockets (receive buffer full): the generator's own
// loss. A short delivery with drops here was lost because the generator did not read in time, not by the
// hub. Linux only: /proc/net/udp lists the network namespace's sockets with a `drops` column, and
// /proc/self/fd names this process's sockets by inode (the hub's, another process, are not among them).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

/** Σ drops of the /proc/net/udp rows whose inode is in `inodes`. */
export function dropsOf(procNetUdp: string, inodes: ReadonlySet<string>): number {
  let drops = 0
  for (const line of procNetUdp.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/)
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
    if (fields.length >= 13 && inodes.has(fields[9]!)) drops += Number(fields[12])
  }
  return drops
}

/** This process's socket inodes, from /proc/self/fd (`socket:[inode]`). */
function ownSocketInodes(): Set<string> {
  const inodes = new Set<string>()
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))
      if (match) inodes.add(match[1]!)
    } catch {
      // closed between the listing and the read
    }
  }
  return inodes
}

/** Drops so far at this process's UDP sockets (0 where /proc is not Linux's). */
export function ownUdpDrops(): number {
  try {
    return dropsOf(readFileSync('/proc/net/udp', 'utf8'), ownSocketInodes())
  } catch {
    return 0
  }
}
