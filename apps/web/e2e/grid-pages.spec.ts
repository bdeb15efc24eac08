// Pages of tiles in a big room (web README, "Big rooms: pages of tiles"), end to end: the built app
// against the real hub (werift plane), one Chromium page with a small window (VIEWPORT: the room's ten
// tiles need pages there) and PEOPLE Node participants through the public core with synthetic media
// (node-members.ts; their VP8 is no picture, so the page's getStats bytes and packets per inbound track are
// read, never decoded frames). The page joins with camera and microphone off. Observed, never slept on:
//   1. the page controls: "1 / N" ("Page 1 of N"), Previous disabled, Next enabled; a page's tiles shown,
//      the others hidden but mounted, their elements still playing;
//   2. the video of the tiles on the page keeps arriving; that of the hidden ones stops (each tile reports
//      0×0 and the hub pauses it); Next shows the next page, whose video then arrives and the first page's stops;
//      Previous brings the first page's video back;
//   3. sound keeps arriving from every participant throughout;
//   4. the speaker layout's strip, too long for the window, scrolls from its first tile (it was centred out of
//      reach before), and the tiles scrolled out of it get no video;
//   5. at 1280×720 everyone fits on one page: the controls go, every video arrives.
// Loopback-only namespace.
import { loadavg } from 'node:os'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pollUntil, recordPeerConnections } from '@parley/testkit'
import { createNodeMember, type NodeMember } from './node-members'
import { appStatus, artifactPath, joinWithoutMedia, useAppCall, type AppParticipant } from './web-app'

const PEOPLE = 8
/** Small enough that the page's stage holds fewer than the room's PEOPLE + 1 tiles at MIN_TILE_WIDTH. */
const VIEWPORT = { width: 560, height: 400 }
/** How long off-page video must not grow (and on-page video must) for a page to count as settled. */
const WINDOW_MS = 1_500
/**
 * Opus packets a second that must arrive from each participant over the window: they send 50, but a
 * loaded box slows their Node timers (load 10: 20–26 arrived a second from every one of them alike).
 */
const AUDIO_PACKETS_PER_S = 10
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ')

interface TrackFlow {
  participant: string
  kind: 'audio' | 'video'
  /** The tile is displayed (on the page shown). */
  shown: boolean
  /** Its media element is paused (it must not be: the sound plays through it). */
  paused: boolean
  bytes: number
  packets: number
}

/** In the page: each remote tile's audio and video tracks, whether the tile is shown, and what arrived of each. */
async function readFlows(): Promise<TrackFlow[]> {
  const flows = new Map<string, TrackFlow>()
  // Displayed, and within the speaker layout's strip when in it (edge-adjacent counts, as for an IntersectionObserver).
  const isShown = (tile: HTMLElement) => {
    const strip = tile.closest('[data-testid="stage-strip"]')?.getBoundingClientRect()
    const box = tile.getBoundingClientRect()
    return tile.checkVisibility() && (!strip || (box.right >= strip.left && box.left <= strip.right))
  }
  for (const tile of document.querySelectorAll<HTMLElement>('[data-testid="tile"][data-local="false"]')) {
    const element = tile.querySelector('video')
    for (const track of (element?.srcObject as MediaStream | null)?.getTracks() ?? []) {
      flows.set(track.id, {
        participant: tile.getAttribute('data-participant') ?? '',
        kind: track.kind as 'audio' | 'video',
        shown: isShown(tile),
        paused: element?.paused ?? true,
        bytes: 0,
        packets: 0,
      })
    }
  }
  for (const pc of (globalThis as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []) {
    if (pc.connectionState === 'closed') continue
    ;(await pc.getStats()).forEach((stat: Record<string, unknown>) => {
      const flow = stat.type === 'inbound-rtp' ? flows.get(String(stat.trackIdentifier)) : undefined
      if (!flow) return
      flow.bytes += Number(stat.bytesReceived ?? 0)
      flow.packets += Number(stat.packetsReceived ?? 0)
    })
  }
  return [...flows.values()]
}

interface Sample {
  at: number
  flows: TrackFlow[]
}

interface Settled {
  shown: string[]
  hidden: string[]
  /** Bytes of video each shown participant sent in the window; packets of sound from each. */
  shownVideoBytes: number[]
  hiddenVideoBytes: number[]
  audioPackets: number[]
  windowMs: number
}

/**
 * Polls the page until, over the last WINDOW_MS at least, the video of every shown tile grew and that of
 * every hidden one did not, and sound arrived from everyone (PEOPLE tiles, both tracks each): the figures.
 */
function settles(page: Page, description: string, timeoutMs = 30_000): Promise<Settled> {
  const samples: Sample[] = []
  let seen: unknown
  return pollUntil(
    async () => {
      const now: Sample = { at: Date.now(), flows: await page.evaluate(readFlows) }
      samples.push(now)
      const start = samples.findLast((sample) => now.at - sample.at >= WINDOW_MS)
      if (!start) return undefined
      const grew = (flow: TrackFlow, field: 'bytes' | 'packets') => flow[field] - (start.flows.find((old) => old.participant === flow.participant && old.kind === flow.kind)?.[field] ?? 0)
      const video = now.flows.filter((flow) => flow.kind === 'video')
      const audio = now.flows.filter((flow) => flow.kind === 'audio')
      const shown = video.filter((flow) => flow.shown)
      const hidden = video.filter((flow) => !flow.shown)
      const settled: Settled = {
        shown: shown.map((flow) => flow.participant),
        hidden: hidden.map((flow) => flow.participant),
        shownVideoBytes: shown.map((flow) => grew(flow, 'bytes')),
        hiddenVideoBytes: hidden.map((flow) => grew(flow, 'bytes')),
        audioPackets: audio.map((flow) => grew(flow, 'packets')),
        windowMs: now.at - start.at,
      }
      seen = settled
      const whole = video.length === PEOPLE && audio.length === PEOPLE
      const layoutSame = start.flows.every((old) => now.flows.find((flow) => flow.participant === old.participant && flow.kind === old.kind)?.shown === old.shown)
      const ok =
        whole &&
        layoutSame &&
        settled.shownVideoBytes.every((bytes) => bytes > 0) &&
        settled.hiddenVideoBytes.every((bytes) => bytes === 0) &&
        settled.audioPackets.every((packets) => (packets * 1000) / settled.windowMs >= AUDIO_PACKETS_PER_S)
      return ok ? settled : undefined
    },
    { timeoutMs, intervalMs: 250, description, seen: () => seen },
  )
}

describe('pages of tiles in a big room: off-page video paused by the hub, sound from everyone (one Chromium page, Node participants, built app, real hub)', () => {
  const call = useAppCall(['Ada'], { pageOptions: () => ({ viewport: VIEWPORT }) })
  const { explain } = call
  const members: NodeMember[] = []
  let ada: AppParticipant
  const figures: Record<string, unknown> = {}
  const grid = () => ada.page.getByTestId('video-grid')
  const label = () => ada.page.getByTestId('page-label')
  let pages = 0

  beforeAll(async () => {
    ada = call.page('Ada')
    await ada.context.addInitScript(recordPeerConnections)
    const host = createNodeMember('Person 1', call.hub.url)
    members.push(host)
    host.conference.join({ roomName: 'Big room', displayName: host.name, media: { audio: true, video: true } })
    const roomId = (await host.until('the room created', (view) => view.status === 'connected' && view.room !== undefined).catch(explain)).room!.id
    for (let index = 2; index <= PEOPLE; index++) {
      const member = createNodeMember(`Person ${index}`, call.hub.url)
      members.push(member)
      member.conference.join({ roomId, displayName: member.name, media: { audio: true, video: true } })
    }
    for (const member of members) await member.until('connected', (view) => view.status === 'connected').catch(explain)
    await joinWithoutMedia(ada, `${call.hub.url}/?roomId=${encodeURIComponent(roomId)}`)
    await pollUntil(async () => ((await appStatus(ada.page)) === 'connected' ? true : undefined), { timeoutMs: 20_000, description: 'Ada connected' }).catch(explain)
    await pollUntil(async () => ((await grid().getAttribute('data-count')) === String(PEOPLE + 1) ? true : undefined), {
      timeoutMs: 30_000,
      description: `Ada's grid holding ${PEOPLE + 1} tiles`,
    }).catch(explain)
  }, 120_000)

  afterAll(() => {
    for (const member of members) member.close()
    console.info(`[grid-pages figures] load ${load()}:`, JSON.stringify(figures))
  })

  it('shows the first page with its controls: "1 / N", Previous disabled, Next enabled, the other tiles hidden but playing', async () => {
    const nav = ada.page.getByTestId('grid-pages')
    await nav.waitFor({ timeout: 10_000 }).catch(explain)
    pages = Number(await grid().getAttribute('data-pages'))
    const pageSize = Number(await grid().getAttribute('data-shown'))
    figures.viewport = VIEWPORT
    figures.stage = await ada.page.locator('.paged').evaluate((element) => ({ width: element.clientWidth, height: element.clientHeight }))
    figures.tile = await ada.page.locator('[data-testid="tile"]').first().evaluate((element) => ({ width: Math.round(element.getBoundingClientRect().width), height: Math.round(element.getBoundingClientRect().height) }))
    figures.paging = { pages, pageSize }
    expect(pages).toBeGreaterThanOrEqual(2)
    expect(pages).toBe(Math.ceil((PEOPLE + 1) / pageSize))
    expect(await nav.getAttribute('aria-label')).toBe('Pages of participants')
    expect((await label().innerText()).replace(/\s+/g, ' ')).toContain(`1 / ${pages}`)
    expect(await label().locator('.visually-hidden').textContent()).toBe(`Page 1 of ${pages}`)
    expect(await ada.page.getByRole('button', { name: 'Previous page' }).getAttribute('aria-disabled')).toBe('true')
    expect(await ada.page.getByRole('button', { name: 'Next page' }).getAttribute('aria-disabled')).toBe('false')
    const flows = await ada.page.evaluate(readFlows)
    const shownTiles = await ada.page.locator('[data-testid="tile"]').evaluateAll((tiles) => tiles.filter((tile) => tile.checkVisibility()).length)
    expect(shownTiles).toBe(pageSize)
    // Every tile mounted, the hidden ones' elements still playing (their sound).
    expect(flows.filter((flow) => flow.kind === 'audio')).toHaveLength(PEOPLE)
    expect(flows.filter((flow) => flow.paused).map((flow) => flow.participant)).toEqual([])
    await ada.page.screenshot({ path: artifactPath('grid-pages-560x400.png') })
  })

  it("page 1: the shown tiles' video arrives, the hidden ones' stops; sound from everyone", async () => {
    const settled = await settles(ada.page, 'page 1 settled: shown video growing, hidden video still, sound from all').catch(explain)
    figures.page1 = { ...settled, load: load() }
    expect(settled.hidden.length).toBeGreaterThan(0)
  })

  it('Next shows the next page: its video arrives, the first page\'s stops', async () => {
    const before = await ada.page.evaluate(readFlows)
    const clickedAt = Date.now()
    await ada.page.getByRole('button', { name: 'Next page' }).click()
    await pollUntil(async () => ((await grid().getAttribute('data-page')) === '2' ? true : undefined), { timeoutMs: 5_000, description: 'page 2 shown' }).catch(explain)
    // How soon the hub forwards the video of every tile the page shows now (paused until the click).
    await pollUntil(
      async () => {
        const now = await ada.page.evaluate(readFlows)
        const resumed = now.filter((flow) => flow.kind === 'video' && flow.shown).every((flow) => flow.bytes > (before.find((old) => old.participant === flow.participant && old.kind === 'video')?.bytes ?? 0))
        return resumed || undefined
      },
      { timeoutMs: 10_000, intervalMs: 50, description: "page 2's video arriving" },
    ).catch(explain)
    figures.page2VideoAfterMs = Date.now() - clickedAt
    expect((await label().innerText()).replace(/\s+/g, ' ')).toContain(`2 / ${pages}`)
    expect(await ada.page.getByRole('button', { name: 'Previous page' }).getAttribute('aria-disabled')).toBe('false')
    expect(await ada.page.getByRole('button', { name: 'Next page' }).getAttribute('aria-disabled')).toBe(pages === 2 ? 'true' : 'false')
    const settled = await settles(ada.page, 'page 2 settled').catch(explain)
    figures.page2 = { ...settled, load: load() }
    const shownBefore = before.filter((flow) => flow.kind === 'video' && flow.shown).map((flow) => flow.participant)
    // Someone on page 2 now was hidden before, and nobody shown on page 1 is still shown.
    expect(settled.shown.length).toBeGreaterThan(0)
    expect(settled.shown.filter((participant) => shownBefore.includes(participant))).toEqual([])
  })

  it("Previous goes back: the first page's video arrives again", async () => {
    await ada.page.getByRole('button', { name: 'Previous page' }).focus()
    await ada.page.keyboard.press('Enter')
    await pollUntil(async () => ((await grid().getAttribute('data-page')) === '1' ? true : undefined), { timeoutMs: 5_000, description: 'page 1 shown again' }).catch(explain)
    const settled = await settles(ada.page, 'page 1 settled again').catch(explain)
    figures.page1Again = { ...settled, load: load() }
    expect(settled.shown.sort()).toEqual((figures.page1 as Settled).shown.sort())
  })

  it("the speaker layout's strip, overflowing, starts at its first tile; tiles scrolled out of it get no video", async () => {
    await ada.page.getByTestId('layout-speaker').click()
    const strip = ada.page.getByTestId('stage-strip')
    await strip.waitFor({ timeout: 5_000 }).catch(explain)
    const reach = await strip.evaluate((element) => {
      element.scrollLeft = 0
      const first = element.querySelector('[data-testid="tile"]')!.getBoundingClientRect()
      return { overflow: element.scrollWidth - element.clientWidth, firstLeft: Math.round(first.left - element.getBoundingClientRect().left) }
    })
    figures.strip = reach
    expect(reach.overflow).toBeGreaterThan(0)
    expect(reach.firstLeft).toBeGreaterThanOrEqual(0)
    const settled = await settles(ada.page, 'the speaker layout settled: the strip\'s visible tiles and the main one growing, the others still').catch(explain)
    figures.speakerLayout = { ...settled, load: load() }
    expect(settled.hidden.length).toBeGreaterThan(0)
    await ada.page.getByTestId('layout-grid').click()
    await ada.page.getByTestId('grid-pages').waitFor({ timeout: 5_000 }).catch(explain)
  })

  it('follows the window: at 1280×720 everyone fits on one page, the controls go and every video arrives', async () => {
    await ada.page.setViewportSize({ width: 1280, height: 720 })
    await ada.page.getByTestId('grid-pages').waitFor({ state: 'detached', timeout: 5_000 }).catch(explain)
    expect(await grid().getAttribute('data-shown')).toBe(String(PEOPLE + 1))
    figures.stage1280 = await ada.page.locator('.paged').evaluate((element) => ({ width: element.clientWidth, height: element.clientHeight }))
    const settled = await settles(ada.page, 'one page settled: every video growing').catch(explain)
    expect(settled.hidden).toEqual([])
    figures.onePage = { shownVideoBytes: settled.shownVideoBytes, windowMs: settled.windowMs, load: load() }
  })
})
