// The node-datachannel media plane against two headless Chromium participants (fake camera/microphone),
// signalled directly from Node: Chromium's own SSRCs, header extensions, PLIs and decoder against
// libdatachannel's answer and the plane's forwarding. Run inside a loopback-only namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { assertLoopbackOnly, launchChromium, pollUntil, waitForDecodedVideo } from '@parley/testkit'
import { createNdcMediaPlane, type NdcMediaPlane } from '../src/media/ndc-plane.js'
import { type ChromeSide, hubNegotiates, joinChrome, type PageApi } from './support/chrome-side.js'

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
    const alice = await joinChrome(plane, browser, 'alice')
    sides.push(alice)
    const bob = await joinChrome(plane, browser, 'bob')
    sides.push(bob)
    await pollUntil(() => sides.every((s) => s.peer.connectionState === 'connected' && s.published.length === 2), {
      description: 'both pages connected and publishing audio+video',
    })
    // libdatachannel gathers on the bound address only: the hub's candidates are loopback ones.
    for (const side of sides) {
      const local = await side.page.page.evaluate(() => (globalThis as unknown as { pc: { remoteDescription: { sdp: string } | null } }).pc.remoteDescription?.sdp ?? '')
      const addresses = [...local.matchAll(/^a=candidate:\S+ \d+ \S+ \d+ (\S+) /gm)].map((m) => m[1])
      expect(addresses.length).toBeGreaterThan(0)
      expect(new Set(addresses)).toEqual(new Set(['127.0.0.1']))
    }

    const subscribed = Date.now()
    for (const track of bob.published) alice.peer.subscribe(track)
    for (const track of alice.published) bob.peer.subscribe(track)
    await pollUntil(() => alice.negotiationNeeded > 0 && bob.negotiationNeeded > 0, { description: 'negotiation needed' })
    for (const side of sides) await hubNegotiates(side)

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
    }
    const { packetsForwarded, keyframeRequestsSent } = plane.stats()
    Object.assign(figures, { packetsForwarded, keyframeRequestsSent })
    // Each subscription opening asks its publisher for a keyframe (coalesced per publisher track).
    expect(keyframeRequestsSent).toBeGreaterThan(0)

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
