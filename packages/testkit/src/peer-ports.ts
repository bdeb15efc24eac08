// The ports a browser's peer connection sends from and receives on, known only once it gathers: from the
// Join click on, its getStats() (through `window.__pcs`, testkit's recordPeerConnections) is read every
// 10 ms and each new UDP candidate port is handed to `shape` at once (so ICE checks, then DTLS and all media
// on it, cross the shaped class); once connected every 500 ms, to catch a candidate or a selected pair that
// comes later. Used with rate-link.ts by the ramp bench and the web app's video-pause spec.

/** What the watch needs of a page (Playwright's and puppeteer's both fit). */
export interface StatsPage {
  evaluate<T>(fn: () => T | Promise<T>): Promise<T>
}

/** The peer's transport as its getStats() shows it: its UDP candidates, the selected pair's local port, the RTP it has sent. */
export interface PeerTransport {
  candidates: { port: number; address: string }[]
  selectedPort: number | null
  rtpPacketsSent: number
  connectionState: string
}

/** null until the page has a peer connection; the last open one that sends video, else the last one. */
export async function peerTransport(page: StatsPage): Promise<PeerTransport | null> {
  return page.evaluate(async () => {
    // The page's RTCPeerConnection, as far as it is read here (testkit has no DOM types).
    interface PeerShape {
      connectionState: string
      getSenders(): { track: { kind: string } | null }[]
      getStats(): Promise<{ forEach(callback: (stat: Record<string, unknown>) => void): void }>
    }
    const pcs = (globalThis as unknown as { __pcs?: PeerShape[] }).__pcs ?? []
    // The tutorial has one connection; Parley's app may keep a closed one from before.
    const pc = [...pcs].reverse().find((candidate) => candidate.connectionState !== 'closed' && candidate.getSenders().some((sender) => sender.track?.kind === 'video')) ?? pcs.at(-1)
    if (!pc) return null
    const report = await pc.getStats()
    const candidates: { id: string; port: number; address: string }[] = []
    const pairs = new Map<string, Record<string, unknown>>()
    let selectedPair: string | undefined
    let rtpPacketsSent = 0
    report.forEach((stat: Record<string, unknown>) => {
      if (stat.type === 'local-candidate' && stat.protocol === 'udp' && typeof stat.port === 'number') candidates.push({ id: String(stat.id), port: stat.port, address: String(stat.address ?? stat.ip ?? '') })
      if (stat.type === 'transport' && typeof stat.selectedCandidatePairId === 'string') selectedPair = stat.selectedCandidatePairId
      if (stat.type === 'candidate-pair') pairs.set(String(stat.id), stat)
      if (stat.type === 'outbound-rtp') rtpPacketsSent += Number(stat.packetsSent ?? 0)
    })
    // Firefox has no transport stats: its selected pair says so itself.
    if (selectedPair === undefined) for (const [id, pair] of pairs) if (pair.selected === true) selectedPair = id
    const local = selectedPair === undefined ? undefined : pairs.get(selectedPair)?.localCandidateId
    const selectedPort = candidates.find((candidate) => candidate.id === local)?.port ?? null
    return { candidates: candidates.map(({ port, address }) => ({ port, address })), selectedPort, rtpPacketsSent, connectionState: pc.connectionState }
  })
}

export interface PeerPortWatch {
  /** What happened, in ms after `since`: each port shaped (with the RTP the peer had sent by then), each selected pair. */
  readonly events: string[]
  /** True once a selected pair's local port was not among the candidates shaped (it should not happen: reported). */
  readonly unshapedSelected: boolean
  stop(): Promise<void>
}

/** Hands each new UDP candidate port of `page`'s peer connection to `shape`, once, until stopped. */
export function watchPeerPorts(page: StatsPage, since: number, shape: (port: number) => void): PeerPortWatch {
  const shaped = new Set<number>()
  const events: string[] = []
  let selected: number | null = null
  let unshapedSelected = false
  let stopped = false
  const loop = async () => {
    while (!stopped) {
      const transport = await peerTransport(page).catch(() => null)
      const at = Date.now() - since
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
