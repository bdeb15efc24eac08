// The werift media plane against two headless Chromium participants (fake camera/microphone), signalled
// directly from Node (no HTTP): Chrome's own header-extension IDs, SSRCs, PLIs and decoder are what the
// werift workarounds exist for, so this is where they are proven. Run inside a loopback-only namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { assertLoopbackOnly, launchChromium, pollUntil, waitForDecodedVideo } from '@parley/testkit'
import { createWeriftMediaPlane, type WeriftMediaPlane } from '../src/media/werift.js'
import { type ChromeSide, hubNegotiates, joinChrome, type PageApi } from './support/chrome-side.js'

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
    const alice = await joinChrome(plane, browser, 'alice')
    sides.push(alice)
    const bob = await joinChrome(plane, browser, 'bob')
    sides.push(bob)
    await pollUntil(() => sides.every((s) => s.peer.connectionState === 'connected' && s.published.length === 2), {
      description: 'both pages connected and publishing audio+video',
    })

    const subscribed = Date.now()
    for (const track of bob.published) alice.peer.subscribe(track)
    for (const track of alice.published) bob.peer.subscribe(track)
    await pollUntil(() => alice.negotiationNeeded > 0 && bob.negotiationNeeded > 0, { description: 'negotiation needed' })
    for (const side of sides) {
      const offer = await hubNegotiates(side)
      // Workaround 3: the forwarded m-lines reuse the sdes:mid id Chrome chose, no second id for it.
      const midIds = new Set([...offer.matchAll(/a=extmap:(\d+) urn:ietf:params:rtp-hdrext:sdes:mid/g)].map((m) => m[1]))
      expect(midIds.size).toBe(1)
    }

    for (const [subscriber, publisher] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      const decoded = await waitForDecodedVideo(subscriber.page.page, 'video', { minFramesGrowth: 10, timeoutMs: 30_000 })
      expect(decoded.videoWidth).toBeGreaterThan(0)
      // Sequential waits: the second figure includes the first wait.
      figures[`${subscriber.name}SubscribeToDecodedMs`] = Date.now() - subscribed
      const publisherStreamId = await publisher.page.page.evaluate(() => (globalThis as unknown as PageApi).localStreamId)
      const remote = await subscriber.page.page.evaluate(() => (globalThis as unknown as PageApi).remote)
      expect(remote.map((r) => r.kind).sort()).toEqual(['audio', 'video'])
      for (const entry of remote) expect(entry.streamId).toBe(publisherStreamId)
      for (const track of publisher.published) expect(track.streamId).toBe(publisherStreamId)
    }
    figures.keyframeRequestsSent = plane.stats().keyframeRequestsSent
    figures.subscriberKeyframeRequests = plane.stats().subscriberKeyframeRequests
    // Chromium's decoded frames above came through the fast send (werift-fast-send.ts), not werift's sendRtp.
    const { packetsForwarded, packetsForwardedByWerift } = plane.stats()
    Object.assign(figures, { packetsForwarded, packetsForwardedByWerift })
    expect(packetsForwardedByWerift).toBeLessThan(packetsForwarded / 10)

    const bobsVideo = bob.published.find((t) => t.kind === 'video')
    if (!bobsVideo) throw new Error('bob publishes no video')
    alice.peer.unsubscribe(bobsVideo)
    await hubNegotiates(alice)
    await pollUntil(async () => (await alice.page.page.evaluate(() => (globalThis as unknown as PageApi).remote)).some((r) => r.kind === 'video' && r.ended), {
      description: "bob's video track ended in alice's page",
    })
    expect(alice.errors).toEqual([])
    expect(bob.errors).toEqual([])
    expect(alice.page.errors).toEqual([])
    expect(bob.page.errors).toEqual([])
  })
})
