// One headless Chromium page as a client of a media plane, signalled directly from Node (no HTTP): the
// page publishes its fake camera and microphone, answers the plane's offers and shows what it receives
// in <video> elements. Shared by the Chromium specs of each plane.
import type { Browser } from 'playwright-core'
import { expect } from 'vitest'
import { newParticipantPage, pollUntil, waitForDecodedVideo, type ParticipantPage } from '@parley/testkit'
import type { Answer, IceCandidate, Offer } from '@parley/protocol'
import type { MediaPeer, MediaPlane, PublishedTrack } from '../../src/media/types.js'

/** What the page script below puts on `window`. */
export interface PageApi {
  setup(options?: SetupOptions): Promise<Offer>
  applyAnswer(answer: Answer): Promise<void>
  answerOffer(offer: Offer): Promise<Answer>
  addCandidate(candidate: IceCandidate): Promise<void>
  localStreamId: string
  remote: { kind: string; streamId: string | null; mid: string | null; ended: boolean }[]
}

/**
 * What a page publishes: its camera and microphone (default), or `audio` only (a subscriber that sends no
 * video); `simulcast`: the camera at 960x540 in three layers (sendEncodings with rids, low first and not
 * named high/mid/low: the hub ranks them by resolution).
 */
export interface SetupOptions {
  audioOnly?: boolean
  simulcast?: boolean
}

// Plain JavaScript evaluated in the page (the hub's TypeScript has no DOM types). Functions passed to
// page.evaluate are serialised, so each reaches this API through globalThis itself.
const PAGE_SCRIPT = `
window.__pcs = [];
window.remote = [];
window.setup = async (options = {}) => {
  const pc = new RTCPeerConnection({ iceServers: [] });
  window.__pcs.push(pc);
  window.pc = pc;
  const video = options.audioOnly ? false : options.simulcast ? { width: 960, height: 540 } : { width: 320, height: 240 };
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video });
  window.localStreamId = stream.id;
  const layers = [
    { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 100000 },
    { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 300000 },
    { rid: 'f', maxBitrate: 900000 },
  ];
  for (const track of stream.getTracks()) {
    const init = { direction: 'sendonly', streams: [stream] };
    if (track.kind === 'video' && options.simulcast) init.sendEncodings = layers;
    pc.addTransceiver(track, init);
  }
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

export interface ChromeSide {
  readonly name: string
  readonly page: ParticipantPage
  readonly peer: MediaPeer
  readonly published: PublishedTrack[]
  readonly unpublished: PublishedTrack[]
  negotiationNeeded: number
  readonly errors: unknown[]
}

export async function joinChrome(plane: MediaPlane, browser: Browser, name: string, options: SetupOptions & { beforeSetup?: (page: ParticipantPage) => void } = {}): Promise<ChromeSide> {
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
      onVideoPaused: () => undefined,
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
  options.beforeSetup?.(page)
  const setupOptions: SetupOptions = { audioOnly: options.audioOnly, simulcast: options.simulcast }
  const offer = await page.page.evaluate((o) => (globalThis as unknown as PageApi).setup(o), setupOptions)
  const answer = await peer.handleOffer(offer)
  await page.page.evaluate((a) => (globalThis as unknown as PageApi).applyAnswer(a), answer)
  return side
}

/**
 * alice publishes her camera in simulcast layers and bob joins audio-only (a subscriber that costs no
 * video); resolves once both are connected and alice's two tracks are published. Both go into `sides`.
 */
export async function joinSimulcastPair(plane: MediaPlane, browser: Browser, sides: ChromeSide[], what = ''): Promise<{ alice: ChromeSide; bob: ChromeSide }> {
  const alice = await joinChrome(plane, browser, 'alice', { simulcast: true })
  sides.push(alice)
  const bob = await joinChrome(plane, browser, 'bob', { audioOnly: true })
  sides.push(bob)
  await pollUntil(() => alice.peer.connectionState === 'connected' && bob.peer.connectionState === 'connected' && alice.published.length === 2, {
    description: `alice publishing, bob connected${what}`,
  })
  return { alice, bob }
}

export async function hubNegotiates(side: ChromeSide): Promise<string> {
  const offer = await side.peer.createOffer()
  const answer = await side.page.page.evaluate((o) => (globalThis as unknown as PageApi).answerOffer(o), offer)
  await side.peer.handleAnswer(answer)
  return offer.sdp
}

/**
 * alice and bob join `plane`, connect, publish, and subscribe to each other through one server offer each
 * (`offered` sees its SDP); resolves once each page decodes the other's video under the publisher's stream
 * id, with the time from subscribing to decoded in `figures` (sequential waits: the second includes the first).
 */
export async function twoPagesDecodeEachOther(
  plane: MediaPlane,
  browser: Browser,
  sides: ChromeSide[],
  figures: Record<string, number>,
  offered: (sdp: string) => void = () => undefined,
): Promise<{ alice: ChromeSide; bob: ChromeSide }> {
  const alice = await joinChrome(plane, browser, 'alice')
  sides.push(alice)
  const bob = await joinChrome(plane, browser, 'bob')
  sides.push(bob)
  await pollUntil(() => [alice, bob].every((s) => s.peer.connectionState === 'connected' && s.published.length === 2), {
    description: 'both pages connected and publishing audio+video',
  })
  const subscribed = Date.now()
  for (const track of bob.published) alice.peer.subscribe(track)
  for (const track of alice.published) bob.peer.subscribe(track)
  await pollUntil(() => alice.negotiationNeeded > 0 && bob.negotiationNeeded > 0, { description: 'negotiation needed' })
  for (const side of [alice, bob]) offered(await hubNegotiates(side))
  for (const [subscriber, publisher] of [
    [alice, bob],
    [bob, alice],
  ] as const) {
    const decoded = await waitForDecodedVideo(subscriber.page.page, 'video', { minFramesGrowth: 10, timeoutMs: 30_000 })
    expect(decoded.videoWidth).toBeGreaterThan(0)
    figures[`${subscriber.name}SubscribeToDecodedMs`] = Date.now() - subscribed
    const publisherStreamId = await publisher.page.page.evaluate(() => (globalThis as unknown as PageApi).localStreamId)
    const remote = await subscriber.page.page.evaluate(() => (globalThis as unknown as PageApi).remote)
    expect(remote.map((r) => r.kind).sort()).toEqual(['audio', 'video'])
    for (const entry of remote) expect(entry.streamId).toBe(publisherStreamId)
    for (const track of publisher.published) expect(track.streamId).toBe(publisherStreamId)
  }
  return { alice, bob }
}

/** alice unsubscribes from bob's video; resolves once the track ended in her page, with no error on either side. */
export async function unsubscribeEndsTrack(alice: ChromeSide, bob: ChromeSide): Promise<void> {
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
}
