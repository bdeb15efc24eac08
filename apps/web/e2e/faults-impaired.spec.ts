// Delay, loss, a blip and an outage on the media path, for real: this kernel has no netem, so every
// page's config.json points it at its own impairing TURN relay (testkit startTurnRelay) with
// `iceTransportPolicy: 'relay'`, and all media between that page and the hub crosses the relay. The
// event streams (HTTP) do not: what is cut is the media, as on a Wi-Fi drop with a kept TCP connection.
// Two Chromium pages (built app, real hub, default timings):
//   - 100 ms each way + 2 % loss: both keep decoding, nobody marked or removed; freezes and frame rate printed;
//   - a 1.5 s blackout of Grace: her tile at Ada may be marked, is not removed, video resumes, mark cleared;
//   - Grace cut for good: her tile is gone at Ada (goal ≤ 10 s; asserted ≤ 15 s), Ada stays in the call.
// Loopback-only namespace.
import { loadavg } from 'node:os'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pollUntil, recordPeerConnections, sampleVideo, startTurnRelay, waitForDecodedVideo, type TurnRelay } from '@parley/testkit'
import { appStatus, oneRemoteDecoding, openRoom, remoteVideoSelector, useAppCall, type AppParticipant } from './web-app'

const tileSelector = (participantId: string) => `[data-testid="tile"][data-local="false"][data-participant="${participantId}"]`
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ')

interface SelectedPair {
  local: string
  remote: string
  /** Seconds, as getStats reports it. */
  rtt: number | null
}

/** In the page: the selected candidate pair of each open peer connection (kept in `__pcs` by recordPeerConnections). */
async function readSelectedPairs(): Promise<SelectedPair[]> {
  interface Report { type: string; id: string; selectedCandidatePairId?: string; localCandidateId?: string; remoteCandidateId?: string; candidateType?: string; currentRoundTripTime?: number }
  const pcs = ((globalThis as { __pcs?: RTCPeerConnection[] }).__pcs ?? []).filter((pc) => pc.connectionState !== 'closed')
  const pairs: SelectedPair[] = []
  for (const pc of pcs) {
    const reports = new Map<string, Report>()
    ;(await pc.getStats()).forEach((report: Report) => reports.set(report.id, report))
    for (const transport of [...reports.values()].filter((report) => report.type === 'transport' && report.selectedCandidatePairId)) {
      const pair = reports.get(transport.selectedCandidatePairId!)
      pairs.push({
        local: reports.get(pair?.localCandidateId ?? '')?.candidateType ?? '?',
        remote: reports.get(pair?.remoteCandidateId ?? '')?.candidateType ?? '?',
        rtt: pair?.currentRoundTripTime ?? null,
      })
    }
  }
  return pairs
}

/** In the page: the video RTP stats (inbound and outbound) of every open peer connection, for diagnosis. */
async function readVideoRtpStats(): Promise<Record<string, unknown>[]> {
  const keys = ['type', 'ssrc', 'mid', 'nackCount', 'pliCount', 'firCount', 'framesDropped', 'freezeCount', 'totalFreezesDuration', 'keyFramesDecoded',
    'framesDecoded', 'packetsLost', 'packetsReceived', 'retransmittedPacketsReceived', 'jitterBufferDelay', 'jitterBufferEmittedCount', 'framesReceived',
    'retransmittedPacketsSent', 'keyFramesEncoded', 'framesEncoded', 'framesSent', 'qualityLimitationReason', 'targetBitrate', 'frameWidth', 'frameHeight',
    'packetsSent', 'totalPacketSendDelay', 'pauseCount', 'totalPausesDuration', 'encoderImplementation', 'decoderImplementation']
  const pcs = ((globalThis as { __pcs?: RTCPeerConnection[] }).__pcs ?? []).filter((pc) => pc.connectionState !== 'closed')
  const out: Record<string, unknown>[] = []
  for (const pc of pcs) {
    ;(await pc.getStats()).forEach((report: Record<string, unknown>) => {
      if ((report.type === 'inbound-rtp' || report.type === 'outbound-rtp') && report.kind === 'video') {
        out.push(Object.fromEntries(keys.filter((key) => report[key] !== undefined).map((key) => [key, report[key]])))
      }
    })
  }
  return out
}

interface Watch {
  /** Decoded frames per second over the window. */
  fps: number
  /** Longest time without a new decoded frame, ms. */
  longestFreezeMs: number
  framesGrowth: number
  /** Whether the tile was ever marked "Connection problem", or missing, during the window. */
  everMarked: boolean
  everMissing: boolean
}

/** Samples `observer`'s tile of `participantId` every 100 ms for `windowMs`: frames, freezes, mark, presence. */
async function watchTile(observer: Page, participantId: string, windowMs: number): Promise<Watch> {
  const started = performance.now()
  let lastFrames: number | undefined
  let firstFrames: number | undefined
  let lastGrowthAt = started
  let longestFreezeMs = 0
  let everMarked = false
  let everMissing = false
  while (performance.now() - started < windowMs) {
    const sample = await sampleVideo(observer, remoteVideoSelector(participantId))
    const marked = await observer.getAttribute(tileSelector(participantId), 'data-connection-problem', { timeout: 500 }).catch(() => null)
    const now = performance.now()
    if (sample === null || marked === null) everMissing = true
    if (marked === 'true') everMarked = true
    if (sample?.frames != null) {
      firstFrames ??= sample.frames
      if (lastFrames === undefined || sample.frames > lastFrames) lastGrowthAt = now
      lastFrames = sample.frames
    }
    longestFreezeMs = Math.max(longestFreezeMs, now - lastGrowthAt)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const framesGrowth = (lastFrames ?? 0) - (firstFrames ?? 0)
  return { fps: framesGrowth / (windowMs / 1000), longestFreezeMs: Math.round(longestFreezeMs), framesGrowth, everMarked, everMissing }
}

describe('media through an impairing TURN relay (two Chromium pages, built app, real hub)', () => {
  const call = useAppCall(['Ada', 'Grace'], { pageOptions: () => ({ viewport: { width: 640, height: 480 } }) })
  const { explain } = call
  const relays = new Map<string, TurnRelay>()
  const relayOf = (name: string) => relays.get(name)!
  let ada: AppParticipant
  let grace: AppParticipant
  let adaId: string
  let graceId: string
  const figures: Record<string, unknown> = {}
  const marked = (participantId: string) =>
    ada.page.getAttribute(tileSelector(participantId), 'data-connection-problem', { timeout: 1_000 }).catch(() => null)

  beforeAll(async () => {
    ada = call.page('Ada')
    grace = call.page('Grace')
    for (const participant of [ada, grace]) {
      // Each page its own relay, so one participant's media can be cut alone.
      const relay = await startTurnRelay()
      relays.set(participant.name, relay)
      await participant.context.addInitScript(recordPeerConnections)
      await participant.context.route('**/config.json', (route) =>
        route.fulfill({ json: { iceServers: [relay.iceServer], iceTransportPolicy: 'relay' } }))
    }
    const invite = await openRoom(ada, call.hub.url, 'Impaired path', explain)
    await grace.page.goto(invite)
    await grace.page.getByTestId('display-name').fill('Grace')
    await grace.page.getByTestId('join-button').click()
    await pollUntil(async () => ((await appStatus(grace.page)) === 'connected' ? true : undefined), { timeoutMs: 20_000, description: 'Grace connected' }).catch(explain)
    graceId = await oneRemoteDecoding(ada, 'Grace', explain)
    adaId = await oneRemoteDecoding(grace, 'Ada', explain)
  }, 60_000)

  afterAll(async () => {
    for (const relay of relays.values()) await relay.close()
    console.info(`[faults-impaired figures] load ${load()}:`, JSON.stringify(figures))
  })

  it('carries all media through the relays (relay candidates selected, both directions counted)', async () => {
    for (const participant of [ada, grace]) {
      const pairs = await participant.page.evaluate(readSelectedPairs)
      expect(pairs.length, `${participant.name}'s selected candidate pairs`).toBeGreaterThan(0)
      for (const pair of pairs) expect(pair.local, `${participant.name}'s local candidate`).toBe('relay')
      // The counters grow with the call, and ten frames decoded each way may come before 100 packets:
      // polled until both directions passed 100, then asserted as they stand.
      const relay = relayOf(participant.name)
      await pollUntil(() => relay.counters().clientToPeer.relayed > 100 && relay.counters().peerToClient.relayed > 100, {
        timeoutMs: 10_000,
        description: `${participant.name}'s relay carrying over 100 packets each way`,
        seen: () => relay.counters(),
      }).catch(explain)
      const counters = relay.counters()
      expect(counters.allocations).toBeGreaterThan(0)
      expect(counters.clientToPeer.relayed).toBeGreaterThan(100)
      expect(counters.peerToClient.relayed).toBeGreaterThan(100)
    }
  })

  it('keeps both directions decoding with 100 ms each way and 2 % loss, nobody marked or removed', async () => {
    for (const relay of relays.values()) relay.impair({ delayMs: 100, lossPercent: 2 })
    try {
      // The delay is real: the round trip browser → relay → hub and back grows by 2 × 100 ms.
      const rtt = await pollUntil(async () => {
        const pairs = await ada.page.evaluate(readSelectedPairs)
        const worst = Math.max(...pairs.map((pair) => pair.rtt ?? 0))
        return worst >= 0.18 ? worst : undefined
      }, { timeoutMs: 15_000, intervalMs: 250, description: "Ada's candidate-pair round trip ≥ 180 ms" }).catch(explain)
      const statsBefore = { ada: await ada.page.evaluate(readVideoRtpStats), grace: await grace.page.evaluate(readVideoRtpStats) }
      const [atAda, atGrace] = await Promise.all([watchTile(ada.page, graceId, 6_000), watchTile(grace.page, adaId, 6_000)])
      const statsAfter = { ada: await ada.page.evaluate(readVideoRtpStats), grace: await grace.page.evaluate(readVideoRtpStats) }
      console.info('[faults-impaired stats]', JSON.stringify({ statsBefore, statsAfter, atAda, atGrace }))
      figures.impaired = { rttMs: Math.round(rtt * 1000), atAda, atGrace, load: load() }
      for (const watch of [atAda, atGrace]) {
        expect(watch.framesGrowth).toBeGreaterThan(20)
        expect(watch.everMarked).toBe(false)
        expect(watch.everMissing).toBe(false)
      }
      const lost = [...relays.values()].reduce((sum, relay) => sum + relay.counters().clientToPeer.lost + relay.counters().peerToClient.lost, 0)
      expect(lost).toBeGreaterThan(0)
    } finally {
      for (const relay of relays.values()) relay.impair({ delayMs: 0, lossPercent: 0 })
    }
  })

  it('rides out a 1.5 s blackout: not removed, video back by itself, any mark cleared', async () => {
    const relay = relayOf('Grace')
    const cutAt = Date.now()
    relay.blackout(1_500)
    let markedAt: number | undefined
    let backAt: number | undefined
    let framesAtBack: number | undefined
    let videoBackAt: number | undefined
    let everMissing = false
    // From the cut until Grace's video decodes 10 new frames after the blackout and her tile is unmarked.
    const settledAt = await pollUntil(async () => {
      const mark = await marked(graceId)
      const sample = await sampleVideo(ada.page, remoteVideoSelector(graceId))
      const now = Date.now()
      if (mark === null || sample === null) everMissing = true
      if (mark === 'true') markedAt ??= now
      if (backAt === undefined && !relay.blackedOut()) backAt = now
      if (backAt !== undefined && sample?.frames != null) {
        framesAtBack ??= sample.frames
        if (videoBackAt === undefined && sample.frames >= framesAtBack + 10) videoBackAt = now
      }
      return videoBackAt !== undefined && mark === 'false' ? now : undefined
    }, { timeoutMs: 20_000, intervalMs: 50, description: "Grace's video decoding again at Ada, her tile unmarked" }).catch(explain)
    await waitForDecodedVideo(grace.page, remoteVideoSelector(adaId), { minFramesGrowth: 10, timeoutMs: 15_000 }).catch(explain)
    figures.blip = {
      blackoutMs: backAt! - cutAt,
      markedAfterCutMs: markedAt === undefined ? null : markedAt - cutAt,
      tenFramesAfterBlackoutMs: videoBackAt! - backAt!,
      settledAfterBlackoutMs: settledAt - backAt!,
      load: load(),
    }
    expect(everMissing).toBe(false)
    expect(relay.counters().clientToPeer.blackedOut).toBeGreaterThan(0)
  })

  it("removes a participant cut for good from the other's page, which stays in the call", async () => {
    const cutAt = Date.now()
    relayOf('Grace').blackout(Infinity)
    let markedMs: number | undefined
    await pollUntil(async () => {
      if (markedMs === undefined && (await marked(graceId)) === 'true') markedMs = Date.now() - cutAt
      return (await ada.page.$(tileSelector(graceId))) === null ? true : undefined
    }, { timeoutMs: 30_000, intervalMs: 100, description: "Grace's tile gone at Ada" }).catch(explain)
    const removedMs = Date.now() - cutAt
    figures.outage = { markedMs, removedMs, load: load() }
    expect(removedMs).toBeLessThanOrEqual(15_000)
    expect(await appStatus(ada.page)).toBe('connected')
  })
})

