// The node-datachannel media plane against two headless Chromium participants (fake camera/microphone),
// signalled directly from Node: Chromium's own SSRCs, header extensions, PLIs and decoder against
// libdatachannel's answer and the plane's forwarding. Run inside a loopback-only namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { assertLoopbackOnly, launchChromium } from '@parley/testkit'
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
    const { packetsForwarded, keyframeRequestsSent } = plane.stats()
    Object.assign(figures, { packetsForwarded, keyframeRequestsSent })
    // Each subscription opening asks its publisher for a keyframe (coalesced per publisher track).
    expect(keyframeRequestsSent).toBeGreaterThan(0)
    await unsubscribeEndsTrack(alice, bob)
  })
})
