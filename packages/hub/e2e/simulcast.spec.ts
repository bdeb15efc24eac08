// Simulcast on the werift plane with real Chromium pages (signalled from Node, as media-plane-chromium):
// Alice publishes her camera at 960x540 in three layers (rids q/h/f, low first: the hub ranks them by
// the width of their keyframes, not by name); Bob subscribes on a clean link and decodes the widest
// layer; Cy subscribes through a 300 kbit/s downlink (testkit's rate-link on her ports, tc in the
// loopback-only namespace) and is moved to a narrower layer, her frames still decoded, while Bob keeps
// the widest. The node-datachannel plane declines simulcast (ndc-sdp.ts withoutSimulcast): the same
// publisher then sends one stream, which a subscriber decodes. Run inside a loopback-only namespace, as
// root (tc).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { type PeerPortWatch, assertLoopbackOnly, launchChromium, pollUntil, prepareDownlink, readQdiscCounters, removeLoopbackShaping, shapeDownlinkPort, watchPeerPorts } from '@parley/testkit'
import type { LogFields, LogLevel } from '../src/log.js'
import { createWeriftMediaPlane } from '../src/media/werift.js'
import { createNdcMediaPlane } from '../src/media/ndc-plane.js'
import type { MediaPlane } from '../src/media/types.js'
import { type ChromeSide, hubNegotiates, joinChrome, joinSimulcastPair } from './support/chrome-side.js'

const SLOW_RATE = '300kbit'
/** The camera's width (chrome-side.ts, simulcast): the widest layer's. */
const FULL_WIDTH = 960

interface ReceivedVideo {
  frameWidth: number
  framesDecoded: number
  bytesReceived: number
  audioConcealedPercent: number
}

/** The page's received video (its one inbound video stream) and audio concealment, from getStats(). */
async function receivedVideo(side: ChromeSide): Promise<ReceivedVideo> {
  return side.page.page.evaluate(async () => {
    interface Report { type: string; kind?: string; frameWidth?: number; framesDecoded?: number; bytesReceived?: number; concealedSamples?: number; totalSamplesReceived?: number }
    const pc = (globalThis as unknown as { pc: { getStats(): Promise<{ forEach(callback: (report: Report) => void): void }> } }).pc
    const result = { frameWidth: 0, framesDecoded: 0, bytesReceived: 0, audioConcealedPercent: 0 }
    ;(await pc.getStats()).forEach((report) => {
      if (report.type !== 'inbound-rtp') return
      if (report.kind === 'video') Object.assign(result, { frameWidth: report.frameWidth ?? 0, framesDecoded: report.framesDecoded ?? 0, bytesReceived: report.bytesReceived ?? 0 })
      if (report.kind === 'audio' && report.totalSamplesReceived) result.audioConcealedPercent = Math.round((1000 * (report.concealedSamples ?? 0)) / report.totalSamplesReceived) / 10
    })
    return result
  })
}

/** What Alice's simulcast sends per rid (width and bytes so far). */
async function sentLayers(side: ChromeSide): Promise<Record<string, { frameWidth: number; bytesSent: number }>> {
  return side.page.page.evaluate(async () => {
    interface Report { type: string; kind?: string; rid?: string; frameWidth?: number; bytesSent?: number }
    const pc = (globalThis as unknown as { pc: { getStats(): Promise<{ forEach(callback: (report: Report) => void): void }> } }).pc
    const layers: Record<string, { frameWidth: number; bytesSent: number }> = {}
    ;(await pc.getStats()).forEach((report) => {
      if (report.type === 'outbound-rtp' && report.kind === 'video' && report.rid) layers[report.rid] = { frameWidth: report.frameWidth ?? 0, bytesSent: report.bytesSent ?? 0 }
    })
    return layers
  })
}

/** Resolves once `side` decoded `frames` more frames, each sample meeting `widthOk`; returns the last sample. */
async function decodes(side: ChromeSide, frames: number, widthOk: (width: number) => boolean, description: string, timeoutMs: number): Promise<ReceivedVideo> {
  let first: ReceivedVideo | undefined
  return pollUntil(
    async () => {
      const now = await receivedVideo(side)
      if (!widthOk(now.frameWidth)) {
        first = undefined
        return undefined
      }
      first ??= now
      return now.framesDecoded - first.framesDecoded >= frames ? now : undefined
    },
    { timeoutMs, intervalMs: 200, description },
  )
}

describe('werift simulcast with Chromium on loopback', () => {
  let browser: Browser
  let plane: MediaPlane
  let watch: PeerPortWatch | undefined
  const sides: ChromeSide[] = []
  const logs: { level: LogLevel; msg: string; fields?: LogFields; at: number }[] = []
  const startedAt = Date.now()
  const figures: Record<string, unknown> = {}

  beforeAll(async () => {
    assertLoopbackOnly()
    removeLoopbackShaping()
    browser = await launchChromium()
    plane = createWeriftMediaPlane({ log: (level, msg, fields) => logs.push({ level, msg, fields, at: Date.now() }) })
  })

  afterAll(async () => {
    await watch?.stop()
    removeLoopbackShaping()
    for (const side of sides) await side.page.close()
    await browser?.close()
    await plane?.close()
    figures.switches = logs.filter((entry) => entry.msg === 'simulcast layer switched').map((entry) => `${((entry.at - startedAt) / 1000).toFixed(1)}s ${String(entry.fields?.clientId)}:${String(entry.fields?.rid)}/${String(entry.fields?.width)}@${String(entry.fields?.level)}`)
    figures.wanted = logs.filter((entry) => entry.msg === 'simulcast layer wanted').map((entry) => `${((entry.at - startedAt) / 1000).toFixed(1)}s ${String(entry.fields?.clientId)}→${String(entry.fields?.level)}`)
    figures.pauses = logs.filter((entry) => entry.msg === 'video paused' || entry.msg === 'video resumed').map((entry) => `${String(entry.fields?.clientId)}:${entry.msg}`)
    console.info('[simulcast figures]', JSON.stringify(figures))
  })

  it('answers with the rids; a clean subscriber decodes the widest layer, a 300 kbit/s one a narrower layer, not paused', async () => {
    const { alice, bob } = await joinSimulcastPair(plane, browser, sides)
    const answer = await alice.page.page.evaluate(() => (globalThis as unknown as { pc: { remoteDescription: { sdp: string } } }).pc.remoteDescription.sdp)
    expect(answer).toMatch(/a=simulcast:recv q;h;f/)
    expect(answer).toMatch(/a=extmap:\d+ urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id/)

    // Alice receives Bob's audio: the hub's offer to her keeps her rids (else Chromium, as answerer, drops
    // to its first encoding for good).
    for (const track of bob.published) alice.peer.subscribe(track)
    await pollUntil(() => alice.negotiationNeeded > 0, { description: 'alice negotiation needed' })
    expect(await hubNegotiates(alice)).toMatch(/a=simulcast:recv q;h;f/)

    for (const track of alice.published) bob.peer.subscribe(track)
    await pollUntil(() => bob.negotiationNeeded > 0, { description: 'bob negotiation needed' })
    await hubNegotiates(bob)
    // (a) the widest layer, decoded.
    const clean = await decodes(bob, 30, (width) => width === FULL_WIDTH, `bob decoding ${FULL_WIDTH}-wide frames`, 40_000)
    figures.bobClean = clean
    figures.aliceLayersAtStart = await sentLayers(alice)

    // (b) Cy behind 300 kbit/s: her ports are shaped as each candidate appears, before ICE can use it.
    prepareDownlink(SLOW_RATE)
    const cy = await joinChrome(plane, browser, 'cy', {
      audioOnly: true,
      beforeSetup: (page) => {
        watch = watchPeerPorts(page.page, Date.now(), shapeDownlinkPort)
      },
    })
    sides.push(cy)
    await pollUntil(() => cy.peer.connectionState === 'connected', { description: 'cy connected' })
    const subscribedAt = Date.now()
    for (const track of alice.published) cy.peer.subscribe(track)
    await pollUntil(() => cy.negotiationNeeded > 0, { description: 'cy negotiation needed' })
    await hubNegotiates(cy)
    const narrower = await decodes(cy, 30, (width) => width > 0 && width < FULL_WIDTH, 'cy decoding frames narrower than the widest layer', 90_000)
    const narrowerAfterS = (Date.now() - subscribedAt) / 1000
    figures.cyNarrowerAfterS = narrowerAfterS
    // Then she keeps decoding (more frames, still narrower), and Bob still has the widest layer.
    const before = await receivedVideo(cy)
    const settled = await decodes(cy, 60, (width) => width > 0 && width < FULL_WIDTH, 'cy still decoding narrower frames', 60_000)
    const settledS = (Date.now() - subscribedAt) / 1000
    Object.assign(figures, {
      cyNarrower: narrower,
      cySettled: settled,
      cyKbps: Math.round(((settled.bytesReceived - before.bytesReceived) * 8) / ((settledS - narrowerAfterS) * 1000)),
      queue: readQdiscCounters().get('40'),
      aliceLayersAtEnd: await sentLayers(alice),
    })
    expect(settled.framesDecoded).toBeGreaterThan(narrower.framesDecoded)
    const bobAfter = await decodes(bob, 30, (width) => width === FULL_WIDTH, `bob still decoding ${FULL_WIDTH}-wide frames`, 30_000)
    figures.bobAfter = bobAfter
    expect(watch?.unshapedSelected, watch?.events.join('; ')).toBe(false)
    for (const side of sides) expect(side.errors).toEqual([])
  }, 300_000)

  it('the node-datachannel plane answers without simulcast, and the publisher falls back to one stream', async () => {
    const ndc = createNdcMediaPlane({})
    // The hub tells the web app it serves to send one stream on this plane (server.ts, /config.json).
    expect(ndc.simulcast).toBe(false)
    // ... and to offer one receive slot of each kind: this plane fills none and keeps them.
    expect(ndc.fillsReceiveSlots).toBe(false)
    const pages: ChromeSide[] = []
    try {
      const { alice, bob } = await joinSimulcastPair(ndc, browser, pages, ' (ndc)')
      const answer = await alice.page.page.evaluate(() => (globalThis as unknown as { pc: { remoteDescription: { sdp: string } } }).pc.remoteDescription.sdp)
      expect(answer).not.toMatch(/a=simulcast|a=rid:|rtp-stream-id/)
      // Chromium sends its first encoding only (rid q), none of the others.
      const sent = await pollUntil(
        async () => {
          const layers = await sentLayers(alice)
          return (layers['q']?.bytesSent ?? 0) > 50_000 ? layers : undefined
        },
        { timeoutMs: 30_000, description: 'alice sending her first encoding' },
      )
      expect([sent['h']?.bytesSent ?? 0, sent['f']?.bytesSent ?? 0]).toEqual([0, 0])
      // Not asserted: libdatachannel routes incoming RTP by the SSRCs of the offer, and a rid offer has
      // none, so this video does not reach the plane's track (hub README, "Simulcast").
      for (const track of alice.published) bob.peer.subscribe(track)
      await pollUntil(() => bob.negotiationNeeded > 0, { description: 'bob negotiation needed (ndc)' })
      await hubNegotiates(bob)
      figures.ndcFallback = { sent, bobAfterSubscribing: await receivedVideo(bob), stats: ndc.stats() }
    } finally {
      for (const side of pages) await side.page.close()
      await ndc.close()
    }
  }, 120_000)
})
