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
import { appStatus, decodesAtWidth, joinWithoutMedia, oneRemoteDecoding, openRoom, REMOTE_TILE, useAppCall, type AppParticipant } from './web-app'

const FULL_WIDTH = 640
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ')

/** In the page: its one inbound video (width, frames decoded). */
async function inboundVideo(page: Page) {
  return page.evaluate(async () => {
    const inbound = { frameWidth: 0, framesDecoded: 0 }
    for (const pc of (globalThis as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []) {
      if (pc.connectionState === 'closed') continue
      ;(await pc.getStats()).forEach((stat: Record<string, unknown>) => {
        if (stat.kind === 'video' && stat.type === 'inbound-rtp') Object.assign(inbound, { frameWidth: Number(stat.frameWidth ?? 0), framesDecoded: Number(stat.framesDecoded ?? 0) })
      })
    }
    return inbound
  })
}

/** The CSS size of the tile showing `participant`, as its ResizeObserver sees it. */
async function tileBox(page: Page, participant: string) {
  return page.evaluate((selector) => {
    const box = document.querySelector(selector)?.getBoundingClientRect()
    return box ? `${Math.round(box.width)}x${Math.round(box.height)}` : 'none'
  }, `${REMOTE_TILE}[data-participant="${participant}"]`)
}

/** Makes the page's document say it is hidden (or visible again), as a background tab's does. */
async function setHidden(page: Page, hidden: boolean) {
  await page.evaluate((value) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (value ? 'hidden' : 'visible') })
    document.dispatchEvent(new Event('visibilitychange'))
  }, hidden)
}

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
    // Stopped: no frame decoded over 2 s (polled, 10 samples 200 ms apart, each one the same count).
    let still: number[] = []
    await pollUntil(async () => {
      still = [...still, (await inboundVideo(cy.page)).framesDecoded].slice(-11)
      return still.length === 11 && still.every((count) => count === still[0]) ? true : undefined
    }, { timeoutMs: 15_000, intervalMs: 200, description: "Cy's decoding of Ada's video stopping while Cy's tab is hidden", seen: () => still }).catch(explain)
    figures.hiddenStoppedAt = still[0]
    await setHidden(cy.page, false)
    const back = await decodesAtWidth(() => inboundVideo(cy.page), 10, (width) => width > 0 && width <= FULL_WIDTH / 2, "Cy decoding Ada's video again once shown", 20_000).catch(explain)
    expect(back.framesDecoded).toBeGreaterThan(still[0]!)
    figures.shownAgain = back
  })
})
