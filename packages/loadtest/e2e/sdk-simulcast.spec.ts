// The official inLive SDK's own simulcast (`media.webcam.simulcast: true`, SDK 0.21.4 unchanged) on our hub's
// werift plane, in Chromium pages at 640x480: Ana publishes her camera through the SDK with simulcast on
// (and the SDK's default `svc: true`, which adds `scalabilityMode: L3T3_KEY` to each of its rids
// high/mid/low; the hub answers VP8 only). Bo (SDK) subscribes on a clean path and decodes the widest
// layer; Cy (SDK) subscribes through a 300 kbit/s downlink (testkit rate-link.ts, tc in the loopback-only
// namespace) and decodes a narrower layer, so the hub holds and forwards more than one of Ana's layers.
// Bo and Cy join with the microphone only, so the hub offers Ana their audio: her SDK answers those offers,
// which must keep her rids. Then Dee, Parley's web app (served by the same hub; camera and microphone
// off; its page at 1280x720, a tile large enough for the widest layer), decodes Ana's simulcast too. The SDK sends no simulcast request of its own over HTTP (no such
// endpoint in its dist): what it sends about layers goes over the `internal` data channel (hub README,
// "Clients served"). Observed, never slept on. Loopback-only namespace, root in it (tc on lo); the web app
// must be built (`node scripts/parley.mjs build`).
import { existsSync, rmSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { startTestHub, type TestHub } from '@parley/hub/testing'
import {
  assertLoopbackOnly,
  launchChromium,
  newParticipantPage,
  type ParticipantPage,
  type PeerPortWatch,
  pollUntil,
  prepareDownlink,
  readQdiscCounters,
  recordPeerConnections,
  removeLoopbackShaping,
  type RunningServer,
  shapeDownlinkPort,
  startStaticServer,
  watchPeerPorts,
} from '@parley/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sdkPageDir, WEB_DIST } from '../src/join-clients.js'
import { createRoom, decodesVideo, joinSdk, pageSdp, pageVideo } from './sdk-pages.js'

const SLOW_RATE = '300kbit'
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ')

describe("the official SDK's simulcast on the hub's werift plane (Chromium, 640x480)", () => {
  let hub: TestHub
  let sdkPages: RunningServer
  let browser: Browser
  let watch: PeerPortWatch | undefined
  let roomId = ''
  let ana: Page
  let widest = 0
  const sdkDir = sdkPageDir()
  const participants: { name: string; participant: ParticipantPage }[] = []
  const figures: Record<string, unknown> = {}
  const startedAt = Date.now()
  /** Every hub API answer the pages got, `METHOD /v1/<first segments> status` → count. */
  const answers = new Map<string, number>()

  const open = async (name: string, ignoreErrors: RegExp[] = [], viewport = { width: 640, height: 480 }) => {
    const participant = await newParticipantPage(browser, { viewport, ignoreErrors })
    await participant.context.addInitScript(recordPeerConnections)
    participant.page.on('response', (response) => {
      const url = new URL(response.url())
      if (url.origin !== hub.url || !url.pathname.startsWith('/v1/')) return
      // The route's name, without the room and client ids: /v1/rooms/<id>/negotiate/<id> → negotiate.
      const route = url.pathname.split('/')[4] ?? url.pathname.split('/')[2] ?? ''
      const key = `${name} ${response.request().method()} ${route} ${response.status()}`
      answers.set(key, (answers.get(key) ?? 0) + 1)
    })
    participants.push({ name, participant })
    return participant.page
  }
  const hubLines = (...messages: string[]) =>
    hub.logs.filter((entry) => messages.includes(entry.msg)).map((entry) => `${entry.msg} ${JSON.stringify(entry.fields)}`)

  beforeAll(async () => {
    assertLoopbackOnly()
    removeLoopbackShaping()
    if (!existsSync(join(WEB_DIST, 'index.html'))) throw new Error(`the web app is not built (${WEB_DIST}): node scripts/parley.mjs build`)
    hub = await startTestHub({ staticDir: WEB_DIST, mediaPlaneKind: 'werift' })
    sdkPages = await startStaticServer(sdkDir)
    browser = await launchChromium()
    roomId = await createRoom(hub, 'sdk simulcast')
  })

  afterAll(async () => {
    await watch?.stop()
    figures.slowQueue = readQdiscCounters().get('40') ?? null
    removeLoopbackShaping()
    figures.hub = hub ? hubLines('simulcast publication', 'simulcast layer switched', 'video paused', 'video resumed') : []
    figures.cyPauses = hub ? hub.logs.filter((entry) => entry.msg === 'video paused').length : 0
    figures.seconds = ((Date.now() - startedAt) / 1000).toFixed(1)
    figures.answers = Object.fromEntries(answers)
    console.info(`[sdk-simulcast figures] load ${load()}:`, JSON.stringify(figures))
    for (const { participant } of participants) await participant.close().catch(() => undefined)
    await browser?.close()
    await sdkPages?.close()
    await hub?.close()
    rmSync(sdkDir, { recursive: true, force: true })
  })

  it('the hub takes the SDK publisher\'s layers: a clean SDK subscriber decodes the widest, a 300 kbit/s one a narrower one', async () => {
    ana = await open('Ana')
    await joinSdk(ana, sdkPages.url, hub.url, roomId, 'Ana', { simulcast: true })
    const sdp = await pageSdp(ana)
    expect(sdp.local).toMatch(/a=simulcast:send high;mid;low/)
    expect(sdp.remote).toMatch(/a=simulcast:recv high;mid;low/)
    expect(sdp.remote).toMatch(/a=extmap:\d+ urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id/)

    // Ana sends at least two layers of distinct widths (Chromium makes two of a 640x480 camera).
    const layers = await pollUntil(
      async () => {
        const sent = Object.values((await pageVideo(ana)).sent).filter((layer) => layer.bytesSent > 20_000 && layer.frameWidth > 0)
        return new Set(sent.map((layer) => layer.frameWidth)).size >= 2 ? sent : undefined
      },
      { timeoutMs: 20_000, description: 'Ana sending two layers of distinct widths' },
    )
    widest = Math.max(...layers.map((layer) => layer.frameWidth))
    const layersAt = { at: Date.now(), sent: (await pageVideo(ana)).sent }
    figures.anaLayers = layersAt.sent
    // The hub took the rids as one simulcast publication.
    await pollUntil(() => hub.logs.some((entry) => entry.msg === 'simulcast publication'), { timeoutMs: 10_000, description: 'the hub logging the simulcast publication' })

    const bo = await open('Bo')
    await joinSdk(bo, sdkPages.url, hub.url, roomId, 'Bo', { audioOnly: true })
    figures.boWidest = await decodesVideo(bo, 30, (width) => width === widest, `Bo decoding ${widest}-wide frames`, 30_000)

    prepareDownlink(SLOW_RATE)
    const cy = await open('Cy')
    const cyJoinedAt = Date.now()
    watch = watchPeerPorts(cy, cyJoinedAt, shapeDownlinkPort)
    await joinSdk(cy, sdkPages.url, hub.url, roomId, 'Cy', { audioOnly: true })
    // Not asserted: whether the hub pauses her on the way. The SDK's `mid` (maxBitrate 300 kbit/s, ~220 measured)
    // with her audio fills the 300 kbit/s link, and Chromium sends no `low` of a 640x480 camera, so the hub
    // pauses her on the lowest layer it has and probes it again 10 s later (frames decoded stall, not reset).
    const narrower = await decodesVideo(cy, 20, (width) => width > 0 && width < widest, `Cy decoding frames narrower than ${widest}`, 45_000)
    figures.cyNarrower = { ...narrower, afterS: ((Date.now() - cyJoinedAt) / 1000).toFixed(1) }
    expect(watch.unshapedSelected, watch.events.join('; ')).toBe(false)
    // Bo keeps the widest; Ana's SDK answered the hub's offers (Bo's and Cy's audio) and kept her layers.
    figures.boAfter = await decodesVideo(bo, 30, (width) => width === widest, `Bo still decoding ${widest}-wide frames`, 20_000)
    expect((await pageSdp(ana)).local).toMatch(/a=simulcast:send high;mid;low/)
    const still = await pageVideo(ana)
    expect(Object.values(still.sent).filter((layer) => layer.bytesSent > 0).length).toBeGreaterThanOrEqual(2)
    figures.anaCodecs = still.codecs
    figures.anaAtEnd = Object.values(still.sent).map((layer) => `${layer.rid} ${layer.frameWidth} ${layer.framesPerSecond} fps ${layer.qualityLimitationReason}`)
    const seconds = (Date.now() - layersAt.at) / 1000
    figures.anaKbps = Object.fromEntries(Object.values(still.sent).map((layer) => [`${layer.rid} ${layer.frameWidth} ${layer.scalabilityMode}`, Math.round(((layer.bytesSent - (layersAt.sent[layer.rid]?.bytesSent ?? 0)) * 8) / seconds / 1000)]))
    // The SDK makes no simulcast request of its own over HTTP; whatever it asked, the hub knew the route.
    expect([...answers.keys()].filter((key) => / (404|5\d\d)$/.test(key))).toEqual([])
    for (const { name, participant } of participants) expect(participant.errors, name).toEqual([])
  }, 120_000)

  it("Parley's web app decodes the SDK's simulcast", async () => {
    // The core asks each participant's Parley media state (`getmeta parley.media.<id>`); the SDK publishes
    // none, so those lookups answer 404 (as in the cluster spec).
    // At 1280x720: Parley's web app tells the hub each tile's size (tile-size.spec.ts), and at 640x480 its
    // grid tile of Ana among the others is small enough for the hub to cap it at the narrower layer.
    const dee = await open('Dee', [/404 .*\/getmeta\/parley\.media\./], { width: 1280, height: 720 })
    await dee.goto(`${hub.url}/?roomId=${encodeURIComponent(roomId)}&roomName=sdk`)
    await dee.getByTestId('display-name').fill('Dee')
    for (const toggle of ['prejoin-toggle-camera', 'prejoin-toggle-mic']) {
      const button = dee.getByTestId(toggle)
      if ((await button.getAttribute('aria-pressed')) !== 'false') await button.click()
      await pollUntil(async () => ((await button.getAttribute('aria-pressed')) === 'false' ? true : undefined), { timeoutMs: 5_000, description: `Dee's ${toggle} off` })
    }
    await dee.getByTestId('join-button').click()
    figures.deeWidest = await decodesVideo(dee, 30, (width) => width === widest, `Dee decoding Ana's ${widest}-wide frames`, 30_000)
    expect([...answers.keys()].filter((key) => / 5\d\d$/.test(key))).toEqual([])
    for (const { name, participant } of participants) expect(participant.errors, name).toEqual([])
  }, 60_000)
})
