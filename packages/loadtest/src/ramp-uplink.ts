// The `uplink` link's one moving part (ramp-bench.ts): the publisher's UDP ports are known only once its
// peer connection has gathered, so from the Join click on its getStats() is read every 10 ms and each new
// UDP candidate port goes on the shaped class at once (ICE checks, then DTLS and all media from it cross
// it); after the connection is up every 500 ms, to catch a candidate or a selected pair that comes later.
// The slow-subscriber link (ramp-slowsub.ts) watches its slow subscriber the same way, shaping what is sent to each port.
import { publisherTransport, type BenchPage } from './ramp-stats.js'
import { shapeUplinkPort } from './ramp-link.js'

export interface UplinkWatch {
  /** What happened, in ms after the Join click: each port shaped (with the RTP the publisher had sent by then), each selected pair. */
  readonly events: string[]
  /** True once a selected pair's local port was not among the candidates shaped (it should not happen: reported). */
  readonly unshapedSelected: boolean
  stop(): Promise<void>
}

export function watchUplink(page: BenchPage, clickedAt: number, shape: (port: number) => void = shapeUplinkPort): UplinkWatch {
  const shaped = new Set<number>()
  const events: string[] = []
  let selected: number | null = null
  let unshapedSelected = false
  let stopped = false
  const loop = async () => {
    while (!stopped) {
      const transport = await publisherTransport(page).catch(() => null)
      const at = Date.now() - clickedAt
      if (transport) {
        for (const { port, address } of transport.candidates) {
          if (shaped.has(port)) continue
          shaped.add(port)
          shape(port)
          events.push(`${at} ms: port ${port} (${address}) shaped, connection ${transport.connectionState}, ${transport.rtpPacketsSent} RTP packets sent before`)
        }
        if (transport.selectedPort !== null && transport.selectedPort !== selected) {
          selected = transport.selectedPort
          const isShaped = shaped.has(selected)
          if (!isShaped) unshapedSelected = true
          events.push(`${at} ms: selected pair from port ${selected}${isShaped ? '' : ' (NOT shaped)'}, ${transport.rtpPacketsSent} RTP packets sent`)
        }
      }
      await new Promise((resolve) => setTimeout(resolve, transport?.connectionState === 'connected' ? 500 : 10))
    }
  }
  const running = loop()
  return {
    events,
    get unshapedSelected() {
      return unshapedSelected
    },
    async stop() {
      stopped = true
      await running
    },
  }
}
