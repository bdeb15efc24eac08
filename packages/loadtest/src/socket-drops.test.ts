import { describe, expect, it } from 'vitest'
import { dropsOf } from './socket-drops.js'

// Two rows of /proc/net/udp as Linux 6.1 prints them (header, then one line per socket).
const PROC_NET_UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  101: 0100007F:A1B2 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4242 2 0000000000000000 17
  102: 0100007F:C3D4 00000000:0000 07 00000000:00034000 00:00000000 00000000     0        0 4343 2 0000000000000000 5
`

describe('dropsOf', () => {
  it('sums the drops column of the sockets named by inode, and only those', () => {
    expect(dropsOf(PROC_NET_UDP, new Set(['4242']))).toBe(17)
    expect(dropsOf(PROC_NET_UDP, new Set(['4242', '4343']))).toBe(22)
    expect(dropsOf(PROC_NET_UDP, new Set(['9999']))).toBe(0)
  })
})
