// The werift media plane against two headless Chromium participants (fake camera/microphone), signalled
// directly from Node (no HTTP): Chrome's own header-extension IDs, SSRCs, PLIs and decoder are what the
// werift workarounds exist for, so this is where they are proven. Run inside a loopback-only namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { assertLoopbackOnly, launchChromium } from '@parley/testkit'
import { createWeriftMediaPlane, type WeriftMediaPlane } from '../src/media/werift.js'
import { type ChromeSide, twoPagesDecodeEachOther, unsubscribeEndsTrack } from './support/chrome-side.js'

describe('werift media plane with two Chromium participants on loopback', () => {
  let browser: Browser
  let plane: WeriftMediaPlane
  const sides: ChromeSide[] = []
  const figures: Record<string, number> = {}

  beforeAll(async () => {
    assertLoopbackOnly()
    browser = await launchChromium()
    plane = createWeriftMediaPlane({})
  })

  afterAll(async () => {
    for (const side of sides) await side.page.close()
    await browser?.close()
    await plane?.close()
    console.info('[media-plane-chromium figures]', JSON.stringify(figures))
  })

  it('each page decodes the other under the publisher stream id; unsubscribe ends the track', async () => {
    const { alice, bob } = await twoPagesDecodeEachOther(plane, browser, sides, figures, (offer) => {
      // Workaround 3: the forwarded m-lines reuse the sdes:mid id Chrome chose, no second id for it.
      const midIds = new Set([...offer.matchAll(/a=extmap:(\d+) urn:ietf:params:rtp-hdrext:sdes:mid/g)].map((m) => m[1]))
      expect(midIds.size).toBe(1)
    })
    figures.keyframeRequestsSent = plane.stats().keyframeRequestsSent
    figures.subscriberKeyframeRequests = plane.stats().subscriberKeyframeRequests
    // Chromium's decoded frames above came through the fast send (werift-fast-send.ts), not werift's sendRtp.
    const { packetsForwarded, packetsForwardedByWerift } = plane.stats()
    Object.assign(figures, { packetsForwarded, packetsForwardedByWerift })
    expect(packetsForwardedByWerift).toBeLessThan(packetsForwarded / 10)
    await unsubscribeEndsTrack(alice, bob)
  })
})
