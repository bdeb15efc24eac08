// The `uplink` link's one moving part (ramp-bench.ts): the publisher's UDP ports are known only once its
// peer connection has gathered, so from the Join click on its getStats() is read every 10 ms and each new
// UDP candidate port goes on the shaped class at once (ICE checks, then DTLS and all media from it cross
// it); after the connection is up every 500 ms, to catch a candidate or a selected pair that comes later.
// The slow-subscriber link (ramp-slowsub.ts) watches its slow subscriber the same way, shaping what is sent to each port.
import { watchPeerPorts, type PeerPortWatch } from '@parley/testkit'
import type { BenchPage } from './ramp-stats.js'
import { shapeUplinkPort } from './ramp-link.js'

/** The watch itself is testkit's (peer-ports.ts), shared with the web app's video-pause spec. */
export type UplinkWatch = PeerPortWatch

export function watchUplink(page: BenchPage, clickedAt: number, shape: (port: number) => void = shapeUplinkPort): UplinkWatch {
  return watchPeerPorts(page, clickedAt, shape)
}
