// The hub's video pause for the slowest subscriber, end to end with Parley's own web app on every side:
// the built app against the real hub (werift plane, default timings), three Chromium pages at 640x480 in
// one browser. Ada publishes her camera as one stream (her page takes the core's simulcast layers off;
// Chromium's fake 640x480 device, ~480 kbit/s once her estimate has grown) and microphone; Bo and Cy join with camera and microphone off, so all they receive is Ada's.
// Bo's path is unlimited; everything the hub sends to Cy (UDP to her candidates' ports, shaped from her
// Join click on) crosses a 300 kbit/s class with a 500 ms drop-tail queue (testkit rate-link.ts and
// peer-ports.ts, the loadtest ramp's `slow-subscriber` link). Observed, never slept on:
//   1. Cy's tile of Ada shows "Video paused — your connection is too slow" (hub README, "The slowest subscriber"),
//      and Cy (not Bo) is offered Audio only;
//   2. while paused Cy still receives Ada's audio and decodes no video of hers; Bo keeps decoding it;
//   3. with the shaping removed the notice goes and Cy decodes Ada's video again (after the hub's backoff),
//      (a second pause, the hub's trial failing on the recovered link, is printed: see the check's comment).
// Loopback-only namespace, root in it (tc on lo).
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  pollUntil,
  prepareDownlink,
  readQdiscCounters,
  recordPeerConnections,
  sampleVideo,
  shapeDownlinkPort,
  unshapeDownlink,
  waitForDecodedVideo,
  watchPeerPorts,
  type PeerPortWatch,
  type VideoSample,
} from '@parley/testkit'
import { appStatus, expectSelectedPairShaped, joinWithoutMedia, oneRemoteDecoding, openRoom, releaseSlowLink, remoteVideoSelector, useAppCall, type AppParticipant } from './web-app'

const SLOW_RATE = '300kbit'
/** Ada's video send rate before Cy joins: over the slow link's rate, so that it cannot carry it. */
const PUBLISHER_KBPS_BEFORE = 380
/** From the badge going (the hub's trial starting) past its end: the trial's 4 s (TRIAL_MS) and 2 s more. */
const TRIAL_WATCH_MS = 6_000

/** UDP datagrams the namespace's sockets dropped for a full receive buffer so far (Udp RcvbufErrors, /proc/net/snmp). */
function udpReceiveBufferDrops(): number {
  const [names, values] = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((line) => line.startsWith('Udp:'))
  return Number(values?.split(' ')[names?.split(' ').indexOf('RcvbufErrors') ?? -1] ?? NaN)
}
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ')
const tileSelector = (participantId: string) => `[data-testid="tile"][data-local="false"][data-participant="${participantId}"]`

/** In the page: what its peer connections received, summed over their inbound RTP (all of it Ada's here). */
async function readInbound(page: Page) {
  return page.evaluate(async () => {
    const figures = { audioPackets: 0, audioSamples: 0, concealedSamples: 0, videoPackets: 0, videoPacketsLost: 0, videoBytes: 0, framesDecoded: 0 }
    for (const pc of (globalThis as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []) {
      if (pc.connectionState === 'closed') continue
      ;(await pc.getStats()).forEach((stat: Record<string, unknown>) => {
        if (stat.type !== 'inbound-rtp') return
        if (stat.kind === 'audio') {
          figures.audioPackets += Number(stat.packetsReceived ?? 0)
          figures.audioSamples += Number(stat.totalSamplesReceived ?? 0)
          figures.concealedSamples += Number(stat.concealedSamples ?? 0)
        } else if (stat.kind === 'video') {
          figures.videoPackets += Number(stat.packetsReceived ?? 0)
          figures.videoPacketsLost += Number(stat.packetsLost ?? 0)
          figures.videoBytes += Number(stat.bytesReceived ?? 0)
          figures.framesDecoded += Number(stat.framesDecoded ?? 0)
        }
      })
    }
    return figures
  })
}

/**
 * The frames decoded so far of the video in `selector`: polled until a sample has its counter (the element
 * may be between renders for a moment), never taken as 0 from a missing read.
 */
async function framesNow(page: Page, selector: string, what: string): Promise<number> {
  let last: VideoSample | null = null
  return pollUntil(
    async () => {
      last = await sampleVideo(page, selector).catch(() => null)
      return last?.frames ?? undefined
    },
    { timeoutMs: 5_000, intervalMs: 50, description: `a frame count of ${what}`, seen: () => last },
  )
}

/** In the page: the bytes its peer connections sent as video so far, and when (ms). */
async function readVideoBytesSent(page: Page): Promise<{ bytes: number; at: number }> {
  return page.evaluate(async () => {
    let bytes = 0
    for (const pc of (globalThis as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []) {
      if (pc.connectionState === 'closed') continue
      ;(await pc.getStats()).forEach((stat: Record<string, unknown>) => {
        if (stat.type === 'outbound-rtp' && stat.kind === 'video') bytes += Number(stat.bytesSent ?? 0)
      })
    }
    return { bytes, at: performance.now() }
  })
}

/**
 * In Ada's page: her camera as one stream, as a client without simulcast sends it. The pause is the hub's
 * answer to a publisher with no smaller layer; to the app's simulcast it answers with a layer (simulcast.spec.ts).
 */
function publishOneStream(): void {
  const proto = RTCPeerConnection.prototype
  const add = proto.addTransceiver
  proto.addTransceiver = function (this: RTCPeerConnection, trackOrKind: MediaStreamTrack | string, init?: RTCRtpTransceiverInit) {
    const { sendEncodings: _layers, ...oneStream } = init ?? {}
    return add.call(this, trackOrKind, oneStream)
  }
}

describe("the hub pauses a slow subscriber's video (three Chromium pages, built app, real hub)", () => {
  const call = useAppCall(['Ada', 'Bo', 'Cy'], { pageOptions: () => ({ viewport: { width: 640, height: 480 } }) })
  const { explain } = call
  let ada: AppParticipant
  let bo: AppParticipant
  let cy: AppParticipant
  let adaId: string
  let boId: string
  let cyId: string
  let watch: PeerPortWatch | undefined
  let cyJoinedAt = 0
  let pausedAt = 0
  const figures: Record<string, unknown> = {}
  const pausedForYou = (page: Page) => page.getAttribute(tileSelector(adaId), 'data-paused-for-you', { timeout: 1_000 }).catch(() => null)
  const hubPauses = () => call.hub.logs.filter((entry) => (entry.msg === 'video paused' || entry.msg === 'video resumed') && entry.fields?.publisher === adaId)

  beforeAll(async () => {
    ada = call.page('Ada')
    bo = call.page('Bo')
    cy = call.page('Cy')
    for (const participant of [ada, bo, cy]) await participant.context.addInitScript(recordPeerConnections)
    await ada.context.addInitScript(publishOneStream)
    const invite = await openRoom(ada, call.hub.url, 'Slow link', explain)
    await joinWithoutMedia(bo, invite)
    adaId = await oneRemoteDecoding(bo, 'Ada', explain)
    // Ada's rate grows after her join; the slow link must be narrower than what she sends when Cy joins.
    let previous = await readVideoBytesSent(ada.page)
    const rampFrom = Date.now()
    const kbps = await pollUntil(async () => {
      const now = await readVideoBytesSent(ada.page)
      const rate = now.at - previous.at >= 900 ? ((now.bytes - previous.bytes) * 8) / (now.at - previous.at) : undefined
      if (rate !== undefined) {
        previous = now
        // The best second so far, printed even when the wait times out.
        figures.publisherKbpsMax = Math.max(Number(figures.publisherKbpsMax ?? 0), Math.round(rate))
      }
      return rate !== undefined && rate >= PUBLISHER_KBPS_BEFORE ? rate : undefined
    }, { timeoutMs: 30_000, intervalMs: 250, description: `Ada sending ≥ ${PUBLISHER_KBPS_BEFORE} kbit/s of video` }).catch(explain)
    figures.publisherKbpsBefore = Math.round(kbps)
    figures.publisherRampMs = Date.now() - rampFrom
    figures.mediaWorkers = call.hub.mediaWorkers
    prepareDownlink(SLOW_RATE)
    await joinWithoutMedia(cy, invite, () => {
      // Her ports are shaped as each candidate appears, before ICE checks can use it.
      cyJoinedAt = Date.now()
      watch = watchPeerPorts(cy.page, cyJoinedAt, shapeDownlinkPort)
    })
    await pollUntil(async () => ((await appStatus(cy.page)) === 'connected' ? true : undefined), { timeoutMs: 20_000, description: 'Cy connected' }).catch(explain)
    // Their client ids, in the order they joined (without media they have no tile at Ada).
    const registered = () => call.hub.logs.filter((entry) => entry.msg === 'client registered').map((entry) => String(entry.fields?.clientId))
    const ids = await pollUntil(() => (registered().length >= 3 ? registered() : undefined), { timeoutMs: 5_000, description: 'three clients registered' }).catch(explain)
    boId = ids[1]!
    cyId = ids[2]!
  }, 90_000)

  afterAll(async () => {
    figures.slowQueue = await releaseSlowLink(watch)
    figures.portEvents = watch?.events
    figures.hubPauses = call.hub.logs.length ? hubPauses().map((entry) => `${entry.msg} ${JSON.stringify(entry.fields)}`) : []
    console.info(`[video-pause figures] load ${load()}:`, JSON.stringify(figures))
  })

  it("shapes every port of Cy's selected pair", async () => {
    await expectSelectedPairShaped(watch)
  })

  it("shows Cy that Ada's video is paused for her connection", async () => {
    await pollUntil(async () => ((await pausedForYou(cy.page)) === 'true' ? true : undefined), {
      timeoutMs: 40_000,
      intervalMs: 100,
      description: "Cy's tile of Ada marked data-paused-for-you",
    }).catch(explain)
    pausedAt = Date.now()
    figures.pausedAfterJoinS = (pausedAt - cyJoinedAt) / 1000
    figures.loadAtPause = load()
    const notice = cy.page.locator(tileSelector(adaId)).getByTestId('tile-paused-for-you')
    expect((await notice.textContent())?.trim()).toBe('Video paused — your connection is too slow')
    expect(await notice.getAttribute('role')).toBe('status')
    // The hub paused Cy, never Bo.
    const paused = hubPauses().filter((entry) => entry.msg === 'video paused')
    expect(paused.map((entry) => entry.fields?.clientId)).toContain(cyId)
    expect(paused.map((entry) => entry.fields?.clientId)).not.toContain(boId)
    expect(await pausedForYou(bo.page)).toBe('false')
    // Cy is offered Audio only (her link is short); Bo, whose link carries it, is not.
    await cy.page.getByTestId('audio-only-offer').waitFor({ timeout: 5_000 }).catch(explain)
    expect(await bo.page.getByTestId('audio-only-offer').count()).toBe(0)
  })

  it("keeps Ada's audio flowing to Cy while her video is paused, and Bo decoding it", async () => {
    const before = await readInbound(cy.page)
    const adaAtCy = remoteVideoSelector(adaId)
    const beforeFrames = await framesNow(cy.page, adaAtCy, "Ada's video at Cy (start)").catch(explain)
    // Two seconds of Opus (50 packets a second) received, counted by Cy's own stats; Ada's video frames
    // read at the halfway mark too: what was queued when the hub stopped (≤ 500 ms) may still decode in the first second.
    const audioPacketsBy = (count: number, what: string) =>
      pollUntil(async () => {
        const now = await readInbound(cy.page)
        return now.audioPackets - before.audioPackets >= count ? now : undefined
      }, { timeoutMs: 10_000, intervalMs: 200, description: `Cy receiving ${count} of Ada's audio packets while paused (${what})` }).catch(explain)
    await audioPacketsBy(50, 'first second')
    const midFrames = await framesNow(cy.page, adaAtCy, "Ada's video at Cy (halfway)").catch(explain)
    const after = await audioPacketsBy(100, 'second second')
    const afterFrames = await framesNow(cy.page, adaAtCy, "Ada's video at Cy (end)").catch(explain)
    const stillPaused = (await pausedForYou(cy.page)) === 'true'
    const resumedSince = hubPauses().some((entry) => entry.msg === 'video resumed' && entry.fields?.clientId === cyId)
    const bosVideo = await waitForDecodedVideo(bo.page, remoteVideoSelector(adaId), { minFramesGrowth: 20, timeoutMs: 10_000 }).catch(explain)
    const samples = after.audioSamples - before.audioSamples
    const concealed = after.concealedSamples - before.concealedSamples
    figures.whilePaused = {
      audioPackets: after.audioPackets - before.audioPackets,
      audioSamples: samples,
      concealedPercent: samples > 0 ? Number(((concealed * 100) / samples).toFixed(1)) : null,
      videoFramesDecoded: afterFrames - beforeFrames,
      videoFramesDecodedSecondHalf: afterFrames - midFrames,
      videoPackets: after.videoPackets - before.videoPackets,
      boFramesPerS: Number(((bosVideo.framesGrowth * 1000) / Math.max(1, bosVideo.msToGrowth)).toFixed(1)),
      load: load(),
    }
    expect(stillPaused, 'the window ended inside the pause').toBe(true)
    expect(resumedSince).toBe(false)
    expect(samples).toBeGreaterThan(48_000)
    expect(afterFrames - midFrames).toBe(0)
    expect(afterFrames - beforeFrames).toBeLessThanOrEqual(8)
  })

  it("brings Ada's video back to Cy once her link recovers", async () => {
    const queueAtUnshape = readQdiscCounters().get('40')
    unshapeDownlink()
    const unshapedAt = Date.now()
    const framesAtUnshape = (await sampleVideo(cy.page, remoteVideoSelector(adaId)))?.frames ?? 0
    await pollUntil(async () => ((await pausedForYou(cy.page)) === 'false' ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 100,
      description: "Cy's tile of Ada no longer marked data-paused-for-you",
    }).catch(explain)
    const badgeGoneAt = Date.now()
    const atResume = await readInbound(cy.page)
    const bufferDropsAtResume = udpReceiveBufferDrops()
    // 20 frames decoded from then on, and the hub's 4 s trial over (the badge goes as it starts) with no
    // second pause: the trial used to fail on the recovered link in 2 of 8 runs (stop 32), when the first
    // report after the resume counted the packets the slow queue had dropped just before the pause (fixed
    // at stop 33: hub README, "The slowest subscriber").
    const video = await waitForDecodedVideo(cy.page, remoteVideoSelector(adaId), { minFramesGrowth: 20, timeoutMs: 20_000 }).catch(explain)
    const framesBackAt = Date.now()
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, badgeGoneAt + TRIAL_WATCH_MS - Date.now())))
    const afterTrial = await readInbound(cy.page)
    figures.resume = {
      badgeGoneAfterUnshapeS: (badgeGoneAt - unshapedAt) / 1000,
      badgeGoneAfterPauseS: (badgeGoneAt - pausedAt) / 1000,
      framesBackAfterUnshapeS: (framesBackAt - unshapedAt) / 1000,
      framesSinceUnshape: video.framesAtEnd - framesAtUnshape,
      queueDroppedSinceUnshape: (readQdiscCounters().get('40')?.dropped ?? 0) - (queueAtUnshape?.dropped ?? 0),
      framesPerS: Number(((video.framesGrowth * 1000) / Math.max(1, video.msToGrowth)).toFixed(1)),
      // Over the trial and 2 s after: what Cy's receiver counted as lost of Ada's video, of what it received.
      trialVideoPacketsLost: afterTrial.videoPacketsLost - atResume.videoPacketsLost,
      trialVideoPackets: afterTrial.videoPackets - atResume.videoPackets,
      trialUdpReceiveBufferDrops: udpReceiveBufferDrops() - bufferDropsAtResume,
      load: load(),
    }
    const cyPauses = hubPauses().filter((entry) => entry.fields?.clientId === cyId)
    figures.pausesAfterResume = cyPauses.slice(2).filter((entry) => entry.msg === 'video paused').length
    // Paused, then resumed. A second pause (a failed trial: it logs its loss, printed here) is printed, not
    // asserted: the stop 32 failures were never reproduced, so the fix is shown by its unit tests and by 17
    // runs without one, not proven against the original cause; a flaky CI check would cost every landing.
    figures.pausesAfterResumeLog = cyPauses.slice(2).map((entry) => `${entry.msg} ${JSON.stringify(entry.fields)}`)
    expect(cyPauses.map((entry) => `${entry.msg} ${JSON.stringify(entry.fields)}`).slice(1, 2)).toEqual([expect.stringMatching(/^video resumed /)])
    expect(cyPauses[0]?.msg).toBe('video paused')
  })
})
