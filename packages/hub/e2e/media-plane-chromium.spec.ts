// Each real media plane (werift, node-datachannel) against two headless Chromium participants (fake
// camera/microphone), signalled directly from Node (no HTTP): Chromium's own header-extension IDs, SSRCs,
// PLIs and decoder against the plane's answer and forwarding. werift's workarounds are proven here, and
// the ndc plane's sender reports to the subscribers and receiver reports and REMBs to the publishers.
// Run inside a loopback-only namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { assertLoopbackOnly, launchChromium, pollUntil } from '@parley/testkit'
import type { MediaPlane } from '../src/media/types.js'
import { createNdcMediaPlane } from '../src/media/ndc-plane.js'
import { createWeriftMediaPlane } from '../src/media/werift.js'
import { type ChromeSide, twoPagesDecodeEachOther, unsubscribeEndsTrack } from './support/chrome-side.js'

/** One plane under test: what its offers must hold, and what it must have done once both pages decode. */
interface PlaneCase {
  readonly plane: MediaPlane
  offered(sdp: string): void
  decoded(alice: ChromeSide, figures: Record<string, number>): Promise<void>
}

function werift(): PlaneCase {
  const plane = createWeriftMediaPlane({})
  return {
    plane,
    offered: (offer) => {
      // Workaround 3: the forwarded m-lines reuse the sdes:mid id Chrome chose, no second id for it.
      const midIds = new Set([...offer.matchAll(/a=extmap:(\d+) urn:ietf:params:rtp-hdrext:sdes:mid/g)].map((m) => m[1]))
      expect(midIds.size).toBe(1)
      // Subscribers get sdes:mid only: no transport-cc on the forwarded m-lines (the publishers' have it).
      const forwarded = offer.split(/\r\nm=/).filter((section) => /a=sendonly/.test(section))
      expect(forwarded.length).toBeGreaterThan(0)
      for (const section of forwarded) expect(section).not.toMatch(/transport-wide-cc|transport-cc/)
    },
    decoded: async (alice, figures) => {
      // Chromium's decoded frames came through the fast send (werift-fast-send.ts), not werift's sendRtp.
      const { keyframeRequestsSent, subscriberKeyframeRequests, packetsForwarded, packetsForwardedByWerift } = plane.stats()
      Object.assign(figures, { keyframeRequestsSent, subscriberKeyframeRequests, packetsForwarded, packetsForwardedByWerift })
      expect(packetsForwardedByWerift).toBeLessThan(packetsForwarded / 10)
      // Chromium negotiated transport-cc with the hub: the hub's transport-wide feedback reaches it, and its
      // own send-side estimate is in its stats.
      await pollUntil(() => plane.stats().transportCcFeedbackSent > 10, { description: 'transport-wide feedback to the publishers' })
      // The estimate is on the selected candidate pair (the first succeeded one may be another), and only
      // once Chromium has one: polled, then asserted as it stands.
      const readAvailable = () =>
        alice.page.page.evaluate(async () => {
          type Entry = { type: string; selectedCandidatePairId?: string; availableOutgoingBitrate?: number }
          const pc = (globalThis as unknown as { pc: { getStats(): Promise<Map<string, Entry>> } }).pc
          const stats = await pc.getStats()
          const selected = [...stats.values()].find((entry) => entry.type === 'transport' && entry.selectedCandidatePairId)?.selectedCandidatePairId
          return (selected ? stats.get(selected)?.availableOutgoingBitrate : undefined) ?? 0
        })
      let last = 0
      const available = await pollUntil(
        async () => {
          last = await readAvailable()
          return last > 0 ? last : undefined
        },
        {
          timeoutMs: 10_000,
          description: "alice's own outgoing bitrate estimate on her selected candidate pair",
          seen: () => `${last} bit/s, ${plane.stats().transportCcFeedbackSent} feedback packets sent`,
        },
      )
      Object.assign(figures, { transportCcFeedbackSent: plane.stats().transportCcFeedbackSent, availableOutgoingBitrate: available })
      expect(available).toBeGreaterThan(0)
    },
  }
}

function nodeDatachannel(): PlaneCase {
  const plane = createNdcMediaPlane({})
  return {
    plane,
    offered: (offer) => {
      // libdatachannel gathers on the bound address only: every hub candidate is a loopback one.
      const addresses = [...offer.matchAll(/^a=candidate:\S+ \d+ \S+ \d+ (\S+) /gm)].map((m) => m[1])
      expect(addresses.length).toBeGreaterThan(0)
      expect(new Set(addresses)).toEqual(new Set(['127.0.0.1']))
    },
    decoded: async (alice, figures) => {
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
    },
  }
}

describe.each([
  ['werift', werift],
  ['node-datachannel', nodeDatachannel],
])('%s media plane with two Chromium participants on loopback', (name, createCase) => {
  let browser: Browser
  let planeCase: PlaneCase
  const sides: ChromeSide[] = []
  const figures: Record<string, number> = {}

  beforeAll(async () => {
    assertLoopbackOnly()
    browser = await launchChromium()
    planeCase = createCase()
  })

  afterAll(async () => {
    for (const side of sides) await side.page.close()
    await browser?.close()
    await planeCase?.plane.close()
    console.info(`[media-plane-chromium ${name} figures]`, JSON.stringify(figures))
  })

  it('each page decodes the other under the publisher stream id; unsubscribe ends the track', async () => {
    const { alice, bob } = await twoPagesDecodeEachOther(planeCase.plane, browser, sides, figures, planeCase.offered)
    await planeCase.decoded(alice, figures)
    await unsubscribeEndsTrack(alice, bob)
  })
})
