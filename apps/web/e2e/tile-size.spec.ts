// Tile sizes end to end (core README "videoSize", hub-api-v1.md §5 `internal`): the built app against
// the real hub (werift plane), three Chromium pages at 640x480 in one browser. Ada publishes her camera
// as simulcast (Chromium's fake 640x480 device: `high` 640 wide, `mid` 320); Bo and Cy join with camera
// and microphone off. Bo pins Ada's tile (large), Cy keeps the grid (Ada's tile one of three, small).
// Each page's tiles report their size on the hub's `internal` channel (composables/useVideoSize.ts), and
// the hub caps each subscriber's layer by it. Observed, never slept on:
//   1. Bo decodes Ada's video 640 wide (20 frames);
//   2. Cy decodes the same video at most 320 wide (20 frames);
//   3. Cy's tab hidden (0×0 for every tile): Cy's decoding of Ada's video stops; shown again, it resumes.
// Loopback-only namespace.
import { loadavg } from 'node:os'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pollUntil, recordPeerConnections } from '@parley/testkit'
import { decodingStops, readBox, readInboundVideo, setDocumentHidden } from './tile-video'
import { appStatus, decodesAtWidth, joinWithoutMedia, oneRemoteDecoding, openRoom, REMOTE_TILE, useAppCall, type AppParticipant } from './web-app'

const FULL_WIDTH = 640
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ')

const inboundVideo = (page: Page) => page.evaluate(readInboundVideo)
const tileBox = (page: Page, participant: string) => page.evaluate(readBox, `${REMOTE_TILE}[data-participant="${participant}"]`)
const setHidden = (page: Page, hidden: boolean) => page.evaluate(setDocumentHidden, hidden)

describe('tile sizes: a large tile gets the full layer, a small one a narrow one, a hidden tab none (three Chromium pages, built app, real hub)', () => {
  const call = useAppCall(['Ada', 'Bo', 'Cy'], { pageOptions: () => ({ viewport: { width: 640, height: 480 } }) })
  const { explain } = call
  let ada: AppParticipant
  let bo: AppParticipant
  let cy: AppParticipant
  let adaId: string
  const figures: Record<string, unknown> = {}

  beforeAll(async () => {
    ada = call.page('Ada')
    bo = call.page('Bo')
    cy = call.page('Cy')
    for (const participant of [ada, bo, cy]) await participant.context.addInitScript(recordPeerConnections)
    await ada.context.route('**/config.json', (route) => route.fulfill({ json: { simulcast: true } }))
    const invite = await openRoom(ada, call.hub.url, 'Tile sizes', explain)
    await joinWithoutMedia(bo, invite)
    adaId = await oneRemoteDecoding(bo, 'Ada', explain)
    await joinWithoutMedia(cy, invite)
    await pollUntil(async () => ((await appStatus(cy.page)) === 'connected' ? true : undefined), { timeoutMs: 20_000, description: 'Cy connected' }).catch(explain)
    // Bo makes Ada's tile the large one; Cy leaves the grid as it is.
    await bo.page.locator(`${REMOTE_TILE}[data-participant="${adaId}"] [data-testid="pin-tile"]`).click()
  }, 90_000)

  afterAll(() => {
    figures.hub = call.hub.logs.filter((entry) => ['simulcast layer switched', 'video paused', 'video resumed'].includes(entry.msg)).map((entry) => `${entry.msg} ${JSON.stringify(entry.fields)}`)
    console.info(`[tile-size figures] load ${load()}:`, JSON.stringify(figures))
  })

  it("Bo, whose tile of Ada is large, decodes her video 640 wide; Cy, whose tile of her is small, at most 320", async () => {
    figures.boTile = await tileBox(bo.page, adaId)
    figures.cyTile = await tileBox(cy.page, adaId)
    const full = await decodesAtWidth(() => inboundVideo(bo.page), 20, (width) => width === FULL_WIDTH, "Bo decoding 20 frames of Ada's video 640 wide", 30_000).catch(explain)
    const narrow = await decodesAtWidth(() => inboundVideo(cy.page), 20, (width) => width > 0 && width <= FULL_WIDTH / 2, "Cy decoding 20 frames of Ada's video at most 320 wide", 30_000).catch(explain)
    figures.bo = full
    figures.cy = narrow
    figures.load = load()
  })

  it("Cy's tab hidden: the hub stops sending Cy Ada's video; shown again, it comes back", async () => {
    await setHidden(cy.page, true)
    const stoppedAt = await decodingStops(() => inboundVideo(cy.page), "Cy's decoding of Ada's video stopping while Cy's tab is hidden").catch(explain)
    figures.hiddenStoppedAt = stoppedAt
    await setHidden(cy.page, false)
    const back = await decodesAtWidth(() => inboundVideo(cy.page), 10, (width) => width > 0 && width <= FULL_WIDTH / 2, "Cy decoding Ada's video again once shown", 20_000).catch(explain)
    expect(back.framesDecoded).toBeGreaterThan(stoppedAt)
    figures.shownAgain = back
  })
})
