// The camera's simulcast when everyone publishes: the built app against the real hub (werift plane), three
// Chromium pages at 640x480 in one browser, Ada, Bo and Cy joining one after another, all with camera and
// microphone on. Every later join makes the hub re-offer the earlier publishers (each new publisher's
// tracks); those offers must keep each publisher's rids (a=simulcast:recv), or Chromium stops its `mid`
// layer for good (commit 52b6b9f). Afterwards everything the hub sends Cy crosses a 300 kbit/s class with
// a 500 ms drop-tail queue (testkit rate-link.ts and peer-ports.ts, as simulcast.spec.ts). Observed, never
// slept on:
//   1. after all three joined, each publisher still sends `high` 640 and `mid` 320 wide, both active,
//      both encoding frames (within one hold of the core's send-layers rule, which may keep only `high`
//      for a while when a publisher's estimate starts short);
//   2. each page decodes each of its two remotes 320 wide, the `mid` layer: each tile reports its size to
//      the hub (tile-size.spec.ts), and a 640x480 page's grid tile of three (298x168) is capped at `mid`
//      though the links are unlimited yet (a pinned, larger tile gets `high`: tile-size.spec.ts);
//   3. once Cy's downlink is shaped, Cy decodes both Ada's and Bo's video narrower than 640 and keeps
//      decoding them (20 frames each).
// Per-rid figures, Bo's widths while Cy is shaped and the hub's layer and pause lines are printed, not
// asserted (two `mid` layers and audio do not fit 300 kbit/s and there is no `low` at 640x480: the hub
// paused Cy's two videos and resumed them at `mid` twice or three times in every run; the 20 frames count
// across those pauses, so each wait is 60 s).
// Loopback-only namespace, root in it (tc on lo).
import { loadavg } from 'node:os'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pollUntil, prepareDownlink, recordPeerConnections, shapeDownlinkPort, watchPeerPorts, type PeerPortWatch } from '@parley/testkit'
import { appStatus, decodesAtWidth, openRoom, releaseSlowLink, REMOTE_TILE, useAppCall, type AppParticipant } from './web-app'

const SLOW_RATE = '300kbit'
const FULL_WIDTH = 640
/** The core's send-layers hold (LAYERS_OFF_MS in packages/core/src/sendLayers.ts): how long a short estimate keeps only `high`. */
const LAYERS_HOLD_MS = 10_000

const load = () => loadavg().map((value) => value.toFixed(2)).join(' ')

interface Layer {
  frameWidth: number
  framesEncoded: number
  active: boolean | null
}

/** In the page: its camera's layers by rid (stats plus the sender's encoding `active`), and each remote tile's decoded video by participant id. */
async function readVideo(page: Page) {
  return page.evaluate(async (tileSelector) => {
    const layers: Record<string, { frameWidth: number; framesEncoded: number; active: boolean | null }> = {}
    const remotes: Record<string, { frameWidth: number; framesDecoded: number }> = {}
    const trackOwner = new Map<string, string>()
    for (const tile of document.querySelectorAll(tileSelector)) {
      const video = tile.querySelector('video')
      const track = (video?.srcObject as MediaStream | null)?.getVideoTracks()[0]
      if (track) trackOwner.set(track.id, tile.getAttribute('data-participant') ?? '')
    }
    for (const pc of (globalThis as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []) {
      if (pc.connectionState === 'closed') continue
      const active = new Map<string, boolean>()
      for (const sender of pc.getSenders()) {
        if (sender.track?.kind !== 'video') continue
        for (const encoding of sender.getParameters().encodings) active.set(encoding.rid ?? '-', encoding.active !== false)
      }
      ;(await pc.getStats()).forEach((stat: Record<string, unknown>) => {
        if (stat.kind !== 'video') return
        if (stat.type === 'outbound-rtp') {
          const rid = String(stat.rid ?? '-')
          layers[rid] = { frameWidth: Number(stat.frameWidth ?? 0), framesEncoded: Number(stat.framesEncoded ?? 0), active: active.get(rid) ?? null }
        }
        if (stat.type === 'inbound-rtp') {
          const owner = trackOwner.get(String(stat.trackIdentifier ?? ''))
          if (owner) remotes[owner] = { frameWidth: Number(stat.frameWidth ?? 0), framesDecoded: Number(stat.framesDecoded ?? 0) }
        }
      })
    }
    return { layers, remotes }
  }, REMOTE_TILE)
}

/** Resolves once `page` shows remote tiles for exactly `names`: their participant ids by name. */
async function remoteIds(page: Page, names: readonly string[]): Promise<Record<string, string>> {
  return pollUntil(
    async () => {
      const tiles = await page.evaluate((selector) => [...document.querySelectorAll(selector)].map((tile) => ({ id: tile.getAttribute('data-participant') ?? '', name: tile.querySelector('[data-testid="tile-name"]')?.textContent?.trim() ?? '' })), REMOTE_TILE)
      if (tiles.length !== names.length || !names.every((name) => tiles.some((tile) => tile.name === name))) return undefined
      return Object.fromEntries(tiles.map((tile) => [tile.name, tile.id]))
    },
    { timeoutMs: 30_000, description: `remote tiles ${names.join(', ')}` },
  )
}

/** Resolves once `page` decoded `frames` more of `remote`'s video, every sample's width meeting `widthOk`. */
function decodes(page: Page, remote: string, frames: number, widthOk: (width: number) => boolean, description: string, timeoutMs: number) {
  return decodesAtWidth(async () => (await readVideo(page)).remotes[remote], frames, widthOk, description, timeoutMs)
}

/** Resolves once `page`'s layers `rids` are all active, at their widths, and each encoded `frames` more. */
async function sends(page: Page, widths: Record<string, number>, frames: number, description: string, timeoutMs: number) {
  let first: Record<string, number> | undefined
  return pollUntil(
    async () => {
      const { layers } = await readVideo(page)
      const ok = Object.entries(widths).every(([rid, width]) => layers[rid]?.active === true && layers[rid]?.frameWidth === width)
      if (!ok) {
        first = undefined
        return undefined
      }
      first ??= Object.fromEntries(Object.keys(widths).map((rid) => [rid, layers[rid]!.framesEncoded]))
      const grown = Object.keys(widths).every((rid) => layers[rid]!.framesEncoded - first![rid]! >= frames)
      return grown ? (layers as Record<string, Layer>) : undefined
    },
    { timeoutMs, intervalMs: 250, description },
  )
}

/** `participant` opens the invite with camera and microphone on (the prejoin's default, checked) and clicks Join. */
async function joinWithMedia(participant: AppParticipant, invite: string): Promise<void> {
  await participant.page.goto(invite)
  await participant.page.getByTestId('display-name').fill(participant.name)
  for (const toggle of ['prejoin-toggle-camera', 'prejoin-toggle-mic']) {
    const button = participant.page.getByTestId(toggle)
    await pollUntil(async () => ((await button.getAttribute('aria-pressed')) !== null ? true : undefined), { timeoutMs: 5_000, description: `${participant.name}'s ${toggle}` })
    if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click()
  }
  await participant.page.getByTestId('join-button').click()
  await pollUntil(async () => ((await appStatus(participant.page)) === 'connected' ? true : undefined), { timeoutMs: 20_000, description: `${participant.name} connected` })
}

describe("the camera's simulcast with three publishers: layers survive later joins, a slow subscriber gets narrower layers of both others (three Chromium pages, built app, real hub)", () => {
  const call = useAppCall(['Ada', 'Bo', 'Cy'], { pageOptions: () => ({ viewport: { width: 640, height: 480 } }) })
  const { explain } = call
  const names = ['Ada', 'Bo', 'Cy'] as const
  const ids: Record<string, Record<string, string>> = {}
  let watch: PeerPortWatch | undefined
  let shapedAt = 0
  const figures: Record<string, unknown> = {}
  const hubLines = () => call.hub.logs.filter((entry) => ['video paused', 'video resumed', 'simulcast layer switched', 'simulcast publication'].includes(entry.msg)).map((entry) => `${entry.msg} ${JSON.stringify(entry.fields)}`)
  const page = (name: string) => call.page(name).page

  beforeAll(async () => {
    for (const name of names) await call.page(name).context.addInitScript(recordPeerConnections)
    // Simulcast is the deployment's choice (config.json; on by default since stop 34): asked for here so the spec does not rest on the default.
    for (const name of names) await call.page(name).context.route('**/config.json', (route) => route.fulfill({ json: { simulcast: true } }))
    const invite = await openRoom(call.page('Ada'), call.hub.url, 'Simulcast publishers', explain)
    await joinWithMedia(call.page('Bo'), invite).catch(explain)
    await joinWithMedia(call.page('Cy'), invite).catch(explain)
    for (const name of names) ids[name] = await remoteIds(page(name), names.filter((other) => other !== name)).catch(explain)
  }, 90_000)

  afterAll(async () => {
    figures.slowQueue = await releaseSlowLink(watch)
    figures.hub = call.hub.logs.length ? hubLines() : []
    console.info(`[simulcast-publishers figures] load ${load()}:`, JSON.stringify(figures))
  })

  it('after all three joined, each publisher still sends high 640 and mid 320 wide, both active and encoding', async () => {
    // The bug this guards against stops `mid` for good. The core's own send-layers rule may stop it for a
    // while on purpose: a publisher whose estimate starts short (the third one on a loaded 2-core box, stop
    // 39's fresh clone C) keeps only `high` for LAYERS_HOLD_MS (10 s) and brings `mid` back after 12 roomy
    // samples (3 s). So each publisher gets one such hold and its recovery, all three watched at once.
    const startedAt = Date.now()
    await Promise.all(
      names.map(async (name) => {
        const layers = await sends(page(name), { high: FULL_WIDTH, mid: FULL_WIDTH / 2 }, 30, `${name} sending high 640 and mid 320, active, 30 frames each`, LAYERS_HOLD_MS + 25_000)
        figures[`${name}LayersAllIn`] = { ...layers, afterS: (Date.now() - startedAt) / 1000 }
      }),
    ).catch(explain)
  })

  it("each page decodes each of its two remotes 320 wide, the layer its grid tile asks for", async () => {
    for (const name of names) {
      for (const other of names.filter((candidate) => candidate !== name)) {
        figures[`${name}Decodes${other}`] = await decodes(page(name), ids[name]![other]!, 20, (width) => width === FULL_WIDTH / 2, `${name} decoding 20 frames of ${other}'s video 320 wide`, 20_000).catch(explain)
      }
    }
  })

  it("with Cy's downlink at 300 kbit/s, Cy decodes both Ada's and Bo's video narrower and keeps decoding them", async () => {
    prepareDownlink(SLOW_RATE)
    shapedAt = Date.now()
    watch = watchPeerPorts(page('Cy'), shapedAt, shapeDownlinkPort)
    await pollUntil(async () => (watch?.events.some((event) => event.includes('selected pair')) ? true : undefined), { timeoutMs: 10_000, intervalMs: 100, description: "the port watch seeing Cy's selected pair" }).catch(() => undefined)
    expect(watch.events.some((event) => event.includes('selected pair')), watch.events.join('; ')).toBe(true)
    expect(watch.unshapedSelected, watch.events.join('; ')).toBe(false)
    for (const other of ['Ada', 'Bo']) {
      const narrow = await decodes(page('Cy'), ids.Cy![other]!, 20, (width) => width > 0 && width < FULL_WIDTH, `Cy decoding 20 frames of ${other}'s video narrower than 640`, 60_000).catch(explain)
      figures[`CyShaped${other}`] = { ...narrow, afterShapeS: (Date.now() - shapedAt) / 1000, load: load() }
    }
    figures.boWhileCyShaped = (await readVideo(page('Bo'))).remotes
    for (const name of names) figures[`${name}LayersAtEnd`] = (await readVideo(page(name))).layers
  }, 150_000)
})
