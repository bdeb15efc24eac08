// The node-datachannel media plane against two headless Chromium participants (fake camera/microphone),
// signalled directly from Node: Chromium's own SSRCs, header extensions, PLIs and decoder against
// libdatachannel's answer and the plane's forwarding, sender reports to the subscribers, receiver reports
// and REMBs to the publishers. Run inside a loopback-only namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { assertLoopbackOnly, launchChromium, pollUntil } from '@parley/testkit'
import { createNdcMediaPlane, type NdcMediaPlane } from '../src/media/ndc-plane.js'
import { type ChromeSide, twoPagesDecodeEachOther, unsubscribeEndsTrack } from './support/chrome-side.js'

describe('node-datachannel media plane with two Chromium participants on loopback', () => {
  let browser: Browser
  let plane: NdcMediaPlane
  const sides: ChromeSide[] = []
  const figures: Record<string, number> = {}

  beforeAll(async () => {
    assertLoopbackOnly()
    browser = await launchChromium()
    plane = createNdcMediaPlane({})
  })

  afterAll(async () => {
    for (const side of sides) await side.page.close()
    await browser?.close()
    await plane?.close()
    console.info('[media-plane-chromium-ndc figures]', JSON.stringify(figures))
  })

  it('each page decodes the other under the publisher stream id; unsubscribe ends the track', async () => {
    const { alice, bob } = await twoPagesDecodeEachOther(plane, browser, sides, figures, (offer) => {
      // libdatachannel gathers on the bound address only: every hub candidate is a loopback one.
      const addresses = [...offer.matchAll(/^a=candidate:\S+ \d+ \S+ \d+ (\S+) /gm)].map((m) => m[1])
      expect(addresses.length).toBeGreaterThan(0)
      expect(new Set(addresses)).toEqual(new Set(['127.0.0.1']))
    })
    // Sender reports reach the subscriber (Chromium lists them as remote-outbound-rtp), for audio and video.
    await pollUntil(
      async () => {
        const kinds = await alice.page.page.evaluate(async () => {
          const pc = (globalThis as unknown as { pc: { getStats(): Promise<Map<string, { type: string; kind?: string }>> } }).pc
          return [...(await pc.getStats()).values()].filter((entry) => entry.type === 'remote-outbound-rtp').map((entry) => entry.kind)
        })
        return kinds.includes('audio') && kinds.includes('video')
      },
      { description: "alice's sender reports on bob's forwarded audio and video" },
    )
    // The publishers get receiver reports (answering their SRs) and REMBs from the estimate.
    await pollUntil(() => plane.stats().receiverReportsSent > 0 && plane.stats().rembSent > 1, { description: 'receiver reports and REMBs to the publishers' })
    const { packetsForwarded, keyframeRequestsSent, receiverReportsSent, rembSent, nacksSent } = plane.stats()
    Object.assign(figures, { packetsForwarded, keyframeRequestsSent, receiverReportsSent, rembSent, nacksSent })
    // Each subscription opening asks its publisher for a keyframe (coalesced per publisher track).
    expect(keyframeRequestsSent).toBeGreaterThan(0)
    await unsubscribeEndsTrack(alice, bob)
  })
})
