// The werift media plane against two headless Chromium participants (fake camera/microphone), signalled
// directly from Node (no HTTP): Chrome's own header-extension IDs, SSRCs, PLIs and decoder are what the
// werift workarounds exist for, so this is where they are proven. Run inside a loopback-only namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import {
  assertLoopbackOnly,
  launchChromium,
  newParticipantPage,
  pollUntil,
  waitForDecodedVideo,
  type ParticipantPage,
} from '@parley/testkit'
import type { Answer, IceCandidate, Offer } from '@parley/protocol'
import { createWeriftMediaPlane, type WeriftMediaPlane } from '../src/media/werift.js'
import type { MediaPeer, PublishedTrack } from '../src/media/types.js'

/** What the page script below puts on `window`. */
interface PageApi {
  setup(): Promise<Offer>
  applyAnswer(answer: Answer): Promise<void>
  answerOffer(offer: Offer): Promise<Answer>
  addCandidate(candidate: IceCandidate): Promise<void>
  localStreamId: string
  remote: { kind: string; streamId: string | null; mid: string | null; ended: boolean }[]
}

// Plain JavaScript evaluated in the page (the hub's TypeScript has no DOM types). Functions passed to
// page.evaluate are serialised, so each reaches this API through globalThis itself.
const PAGE_SCRIPT = `
window.__pcs = [];
window.remote = [];
window.setup = async () => {
  const pc = new RTCPeerConnection({ iceServers: [] });
  window.__pcs.push(pc);
  window.pc = pc;
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
  window.localStreamId = stream.id;
  for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
  pc.onicecandidate = (event) => { if (event.candidate) window.toHubCandidate(event.candidate.toJSON()); };
  pc.ontrack = (event) => {
    const entry = { kind: event.track.kind, streamId: event.streams[0] ? event.streams[0].id : null, mid: event.transceiver.mid, ended: false };
    event.track.addEventListener('ended', () => { entry.ended = true; });
    window.remote.push(entry);
    if (event.track.kind === 'video') {
      const video = document.createElement('video');
      video.autoplay = true; video.muted = true; video.playsInline = true;
      video.srcObject = new MediaStream([event.track]);
      document.body.appendChild(video);
    }
  };
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  return { type: 'offer', sdp: pc.localDescription.sdp };
};
// Hub candidates can come before the answer is applied (they trickle during handleOffer): queue them,
// as the SDK does.
window.pendingCandidates = [];
window.applyAnswer = async (answer) => {
  await window.pc.setRemoteDescription(answer);
  for (const candidate of window.pendingCandidates.splice(0)) await window.pc.addIceCandidate(candidate);
};
window.answerOffer = async (offer) => {
  await window.pc.setRemoteDescription(offer);
  await window.pc.setLocalDescription(await window.pc.createAnswer());
  return { type: 'answer', sdp: window.pc.localDescription.sdp };
};
window.addCandidate = async (candidate) => {
  if (!window.pc.remoteDescription) window.pendingCandidates.push(candidate);
  else await window.pc.addIceCandidate(candidate);
};
`

const PAGE_URL = 'http://127.0.0.1/media-plane-chromium'

interface ChromeSide {
  readonly name: string
  readonly page: ParticipantPage
  readonly peer: MediaPeer
  readonly published: PublishedTrack[]
  readonly unpublished: PublishedTrack[]
  negotiationNeeded: number
  readonly errors: unknown[]
}

async function joinChrome(plane: WeriftMediaPlane, browser: Browser, name: string): Promise<ChromeSide> {
  const page = await newParticipantPage(browser)
  const side: ChromeSide = {
    name,
    page,
    peer: undefined as unknown as MediaPeer,
    published: [],
    unpublished: [],
    negotiationNeeded: 0,
    errors: [],
  }
  const peer = plane.createPeer({
    roomId: 'room-chromium',
    clientId: name,
    handlers: {
      onIceCandidate: (candidate) => {
        page.page.evaluate((c) => (globalThis as unknown as PageApi).addCandidate(c), candidate).catch((error: unknown) => side.errors.push(error))
      },
      onTrackPublished: (track) => side.published.push(track),
      onTrackUnpublished: (track) => side.unpublished.push(track),
      onConnectionStateChange: () => undefined,
      onNegotiationNeeded: () => {
        side.negotiationNeeded += 1
      },
      onDataChannelMessage: () => undefined,
    },
  })
  Object.assign(side, { peer })
  await page.page.exposeFunction('toHubCandidate', (candidate: IceCandidate) => {
    peer.addIceCandidate(candidate).catch((error: unknown) => side.errors.push(error))
  })
  // getUserMedia needs a secure context: serve an empty page on a loopback origin from Playwright itself.
  await page.page.route(PAGE_URL, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><body></body>' }))
  await page.page.goto(PAGE_URL)
  await page.page.evaluate(PAGE_SCRIPT)
  const offer = await page.page.evaluate(() => (globalThis as unknown as PageApi).setup())
  const answer = await peer.handleOffer(offer)
  await page.page.evaluate((a) => (globalThis as unknown as PageApi).applyAnswer(a), answer)
  return side
}

async function hubNegotiates(side: ChromeSide): Promise<string> {
  const offer = await side.peer.createOffer()
  const answer = await side.page.page.evaluate((o) => (globalThis as unknown as PageApi).answerOffer(o), offer)
  await side.peer.handleAnswer(answer)
  return offer.sdp
}

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
