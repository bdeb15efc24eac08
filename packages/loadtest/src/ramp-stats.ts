// What the ramp benchmark reads from its two pages (ramp-bench.ts): the publisher's outbound video as its
// getStats() reports it (estimate, bytes, resolution, the loss its receiver reports, NACKs, PLIs, resends),
// and the subscriber's inbound video with the longest gap between two painted frames.
/** What this benchmark does with a page, in Playwright (Chromium) and puppeteer (Firefox) alike. */
export interface BenchPage {
  goto(url: string): Promise<unknown>
  click(selector: string): Promise<void>
  evaluate<T>(fn: () => T | Promise<T>): Promise<T>
}

/** The publisher's outbound video and what its receiver (the hub) reports back, cumulative. */
export interface PublisherStats {
  available: number | null
  bytesSent: number
  bytesTarget: number | null
  at: number
  resolution: string
  fractionLost: number | null
  packetsSent: number
  retransmitted: number
  nacks: number
  plis: number
  framesEncoded: number
  limitation: string
  /** Each simulcast layer's outbound-rtp as `rid widthw fFRAMES kKEYFRAMES[ off]` (--trace); none for one stream. */
  layers: string[]
}

/** The subscriber's inbound video of the publisher, cumulative, and its longest gap between painted frames. */
export interface SubscriberStats {
  freezes: number
  freezeMs: number
  packetsLost: number
  packetsReceived: number
  nacks: number
  plis: number
  framesDecoded: number
  longestGapMs: number
  bytesReceived: number
  /** Since its last painted frame (0 before the first). */
  currentGapMs: number
  resolution: string
  /** Its inbound audio (the other participants' tracks, summed), cumulative: what a person in the meeting hears. */
  audio: SubscriberAudio
}

/** Inbound-rtp kind audio summed over the page's audio tracks, cumulative; the concealment fields are null where the browser has none. */
export interface SubscriberAudio {
  packetsLost: number
  packetsReceived: number
  concealedSamples: number | null
  totalSamplesReceived: number | null
  concealmentEvents: number | null
}

/** The publisher's figures now, and the bytes it has sent so far (for the rate between two samples). */
export async function publisherStats(page: BenchPage): Promise<PublisherStats> {
  return page.evaluate(async () => {
    // The last open connection that sends video: the tutorial has one; Parley's app may keep a closed one from before.
    const pcs = (globalThis as unknown as { __pcs: RTCPeerConnection[] }).__pcs
    const pc = [...pcs].reverse().find((candidate) => candidate.connectionState !== 'closed' && candidate.getSenders().some((sender) => sender.track?.kind === 'video')) ?? pcs.at(-1)!
    const report = await pc.getStats()
    const figures = {
      available: null as number | null,
      bytesSent: 0,
      bytesTarget: null as number | null,
      at: performance.now(),
      resolution: '-',
      fractionLost: null as number | null,
      packetsSent: 0,
      retransmitted: 0,
      nacks: 0,
      plis: 0,
      framesEncoded: 0,
      limitation: '-',
      layers: [] as string[],
    }
    report.forEach((stat: Record<string, unknown>) => {
      if (stat.type === 'candidate-pair' && stat.nominated && typeof stat.availableOutgoingBitrate === 'number') figures.available = stat.availableOutgoingBitrate
      if (stat.type === 'outbound-rtp' && stat.kind === 'video') {
        figures.bytesSent += Number(stat.bytesSent ?? 0)
        // Chromium's VP8 encoder leaves it at 0: read as "not reported".
        if (typeof stat.totalEncodedBytesTarget === 'number' && stat.totalEncodedBytesTarget > 0) figures.bytesTarget = (figures.bytesTarget ?? 0) + stat.totalEncodedBytesTarget
        if (stat.frameWidth) figures.resolution = `${String(stat.frameWidth)}x${String(stat.frameHeight)}`
        figures.packetsSent += Number(stat.packetsSent ?? 0)
        figures.retransmitted += Number(stat.retransmittedPacketsSent ?? 0)
        figures.nacks += Number(stat.nackCount ?? 0)
        figures.plis += Number(stat.pliCount ?? 0) + Number(stat.firCount ?? 0)
        figures.framesEncoded += Number(stat.framesEncoded ?? 0)
        if (typeof stat.qualityLimitationReason === 'string') figures.limitation = stat.qualityLimitationReason
        // Per simulcast layer (--trace): rid, size, frames and keyframes encoded so far, and whether it is active.
        if (typeof stat.rid === 'string') figures.layers.push(`${stat.rid} ${String(stat.frameWidth ?? 0)}w f${String(stat.framesEncoded ?? 0)} k${String(stat.keyFramesEncoded ?? 0)}${stat.active === false ? ' off' : ''}`)
      }
      if (stat.type === 'remote-inbound-rtp' && stat.kind === 'video' && typeof stat.fractionLost === 'number') figures.fractionLost = stat.fractionLost
    })
    return figures
  })
}

/** In the subscriber page: the longest gap between two painted frames of each remote video, from its first frame on. */
export async function watchSubscriberFrames(page: BenchPage): Promise<void> {
  await page.evaluate(() => {
    const scope = globalThis as unknown as { __rampGaps?: Map<HTMLVideoElement, { last: number; longest: number; over: [number, number][] }> }
    const gaps = new Map<HTMLVideoElement, { last: number; longest: number; over: [number, number][] }>()
    scope.__rampGaps = gaps
    const watch = (video: HTMLVideoElement) => {
      if (gaps.has(video)) return
      const entry = { last: 0, longest: 0, over: [] as [number, number][] }
      gaps.set(video, entry)
      const onFrame = (now: number) => {
        if (entry.last > 0) entry.longest = Math.max(entry.longest, now - entry.last)
        // Gaps over 300 ms, as [epoch ms of the last frame before, length], for --trace.
        if (entry.last > 0 && now - entry.last > 300) entry.over.push([performance.timeOrigin + entry.last, now - entry.last])
        entry.last = now
        video.requestVideoFrameCallback(onFrame)
      }
      video.requestVideoFrameCallback(onFrame)
    }
    const scan = () => document.querySelectorAll<HTMLVideoElement>('video.remote').forEach(watch)
    new MutationObserver(scan).observe(document.body, { childList: true, subtree: true })
    scan()
  })
}

export async function subscriberStats(page: BenchPage): Promise<SubscriberStats> {
  return page.evaluate(async () => {
    const audio = { packetsLost: 0, packetsReceived: 0, concealedSamples: null as number | null, totalSamplesReceived: null as number | null, concealmentEvents: null as number | null }
    const figures = { freezes: 0, freezeMs: 0, packetsLost: 0, packetsReceived: 0, nacks: 0, plis: 0, framesDecoded: 0, longestGapMs: 0, bytesReceived: 0, currentGapMs: 0, resolution: '-', audio }
    const scope = globalThis as unknown as { __pcs: RTCPeerConnection[]; __rampGaps?: Map<HTMLVideoElement, { last: number; longest: number }> }
    // A stream frozen right now counts up to now.
    for (const entry of scope.__rampGaps?.values() ?? []) {
      if (entry.last > 0) {
        figures.longestGapMs = Math.max(figures.longestGapMs, entry.longest, performance.now() - entry.last)
        figures.currentGapMs = Math.max(figures.currentGapMs, performance.now() - entry.last)
      }
    }
    const pc = scope.__pcs.at(-1)
    if (!pc) return figures
    const report = await pc.getStats()
    report.forEach((stat: Record<string, unknown>) => {
      if (stat.type === 'inbound-rtp' && stat.kind === 'video') {
        figures.freezes += Number(stat.freezeCount ?? 0)
        figures.freezeMs += Number(stat.totalFreezesDuration ?? 0) * 1000
        figures.packetsLost += Number(stat.packetsLost ?? 0)
        figures.packetsReceived += Number(stat.packetsReceived ?? 0)
        figures.nacks += Number(stat.nackCount ?? 0)
        figures.plis += Number(stat.pliCount ?? 0) + Number(stat.firCount ?? 0)
        figures.framesDecoded += Number(stat.framesDecoded ?? 0)
        figures.bytesReceived += Number(stat.bytesReceived ?? 0)
        if (stat.frameWidth) figures.resolution = `${String(stat.frameWidth)}x${String(stat.frameHeight)}`
      }
      if (stat.type === 'inbound-rtp' && stat.kind === 'audio') {
        audio.packetsLost += Number(stat.packetsLost ?? 0)
        audio.packetsReceived += Number(stat.packetsReceived ?? 0)
        const add = (was: number | null, value: unknown) => (typeof value === 'number' ? (was ?? 0) + value : was)
        audio.concealedSamples = add(audio.concealedSamples, stat.concealedSamples)
        audio.totalSamplesReceived = add(audio.totalSamplesReceived, stat.totalSamplesReceived)
        audio.concealmentEvents = add(audio.concealmentEvents, stat.concealmentEvents)
      }
    })
    return figures
  })
}

/** In the subscriber page: its gaps over 300 ms between painted frames, [epoch ms of the last frame before, length] (a gap still open counts up to now). */
export async function subscriberGaps(page: BenchPage): Promise<[number, number][]> {
  return page.evaluate(() => {
    const scope = globalThis as unknown as { __rampGaps?: Map<HTMLVideoElement, { last: number; over: [number, number][] }> }
    const all: [number, number][] = []
    for (const entry of scope.__rampGaps?.values() ?? []) {
      all.push(...entry.over)
      const open = performance.now() - entry.last
      if (entry.last > 0 && open > 300) all.push([performance.timeOrigin + entry.last, open])
    }
    return all
  })
}

// The publisher's transport (its UDP candidates, selected pair, RTP sent) is testkit's peerTransport, shared with the web app's video-pause spec.
export { peerTransport as publisherTransport, type PeerTransport as PublisherTransport } from '@parley/testkit'
