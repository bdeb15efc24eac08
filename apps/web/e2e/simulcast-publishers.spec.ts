// The camera's simulcast when everyone publishes: the built app against the real hub (werift plane), three
// Chromium pages at 640x480 in one browser, Ada, Bo and Cy joining one after another, all with camera and
// microphone on. Every later join makes the hub re-offer the earlier publishers (each new publisher's
// tracks); those offers must keep each publisher's rids (a=simulcast:recv), or Chromium stops its `mid`
// layer for good (commit 52b6b9f). Afterwards everything the hub sends Cy crosses a 300 kbit/s class with
// a 500 ms drop-tail queue (testkit rate-link.ts and peer-ports.ts, as simulcast.spec.ts). Observed, never
// slept on:
//   1. after all three joined, each publisher's camera keeps its rids (the sender's encodings and the
//      hub's a=simulcast:recv name high, mid and low) and sends as the core's send-layers rule says (what
//      the rule last told the hub, recorded in the page): `high` 640 and `mid` 320 wide, both active and
//      encoding, while it says every layer; `high` alone with `mid` inactive while it holds the lower
//      layers off. Under CPU load the loopback estimate collapses for all three at once (the hub starved)
//      and stays under 250 kbit/s for 35 s and more, so the rule legitimately keeps them off (stop 42: 3 of
//      3 runs failed waiting for both layers at load 4.4–7.1); `mid` inactive or silent while the rule says
//      every layer, or a rid gone, is the bug and fails. The per-second estimate and layers are printed;
//   2. each page decodes each of its two remotes 320 wide, the `mid` layer: each tile reports its size to
//      the hub (tile-size.spec.ts), and a 640x480 page's grid tile of three (298x168) is capped at `mid`
//      though the links are unlimited yet (a pinned, larger tile gets `high`: tile-size.spec.ts; while a
//      publisher's rule holds, its `high` alone runs 320 wide under `maintain-framerate`);
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
import { LAYERS_OFF_MS } from '@parley/core'
import { pollUntil, prepareDownlink, recordPeerConnections, shapeDownlinkPort, watchPeerPorts, type PeerPortWatch } from '@parley/testkit'
import { readCameraLayers, type CameraLayer } from './tile-video'
import { appStatus, decodesAtWidth, openRoom, releaseSlowLink, REMOTE_TILE, useAppCall, type AppParticipant } from './web-app'

const SLOW_RATE = '300kbit'
const FULL_WIDTH = 640

const load = () => loadavg().map((value) => value.toFixed(2)).join(' ')

/**
 * Runs in the page before its own scripts (an init script): every `simulcast_layers` frame the core's
 * send-layers rule tells the hub on its `internal` channel (sendLayersActors.ts) is kept in
 * `window.__layersTold` with its time: `["high"]` as the rule stops the lower layers, every rid as it restarts them.
 */
function recordLayersTold(): void {
  const scope = globalThis as unknown as { RTCDataChannel?: { prototype: { send(data: unknown): void; label: string } }; __layersTold?: { at: number; active: string[] }[] }
  const proto = scope.RTCDataChannel?.prototype
  if (!proto || scope.__layersTold) return
  const told: { at: number; active: string[] }[] = (scope.__layersTold = [])
  const send = proto.send
  proto.send = function (this: { label: string }, data: unknown) {
    if (this.label === 'internal' && typeof data === 'string' && data.includes('"simulcast_layers"')) {
      try {
        told.push({ at: Date.now(), active: (JSON.parse(data) as { data: { active: string[] } }).data.active })
      } catch {
        // not ours to judge: the frame goes out as it is
      }
    }
    return send.call(this, data)
  }
}

/** In the page: its camera's layers and each remote tile's decoded video by participant id (tile-video.ts, one getStats per connection), and the rule's last word to the hub. */
async function readVideo(page: Page) {
  const [camera, seen] = await Promise.all([
    page.evaluate(readCameraLayers, REMOTE_TILE),
    page.evaluate(() => {
      const told = (globalThis as unknown as { __layersTold?: { at: number; active: string[] }[] }).__layersTold ?? []
      return { told: told.at(-1)?.active ?? null, toldCount: told.length }
    }),
  ])
  return { ...camera, ...seen }
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

const CAMERA_RIDS = ['high', 'mid', 'low']

/** Every camera rid named (paused `~` or not) in one of the hub's `a=simulcast:recv` lines. */
const recvKeepsRids = (recv: readonly string[]) => recv.some((line) => CAMERA_RIDS.every((rid) => line.split(/[;, ]/).some((named) => named.replace(/^~/, '') === rid)))

/**
 * Resolves once `page`'s camera keeps its rids (the sender's encodings and the hub's a=simulcast:recv
 * both name high, mid and low) and then either sends `high` 640 and `mid` 320 wide, both active, each
 * encoding `frames` more, while the send-layers rule last told the hub every layer (or nothing: it never
 * stopped them) — `allLayers`; or the rule holds the lower layers off: it last told the hub `["high"]`,
 * `mid` is inactive and `high` encodes `frames` more — `heldByRule`. Anything else (`mid` inactive or
 * silent while the rule says every layer, `mid` sending while the rule says `high` alone, a rid gone)
 * matches neither and times out.
 */
async function layersAsTheRuleSays(page: Page, frames: number, description: string, timeoutMs: number) {
  let state: 'allLayers' | 'heldByRule' | undefined
  let first: Record<string, number> | undefined
  let last: unknown
  return pollUntil(
    async () => {
      const { layers, rids, recv, told } = await readVideo(page)
      last = { rids, recv, told, high: layers.high, mid: layers.mid }
      const ridsKept = rids.join() === CAMERA_RIDS.join() && recvKeepsRids(recv)
      const { high, mid } = layers
      const ruleAll = told === null || CAMERA_RIDS.every((rid) => told.includes(rid))
      const ruleHigh = told?.join() === 'high'
      const now = !ridsKept || !high?.active ? undefined : ruleAll && mid?.active === true && high.frameWidth === FULL_WIDTH && mid.frameWidth === FULL_WIDTH / 2 ? 'allLayers' : ruleHigh && mid?.active === false ? 'heldByRule' : undefined
      const counted = now === 'allLayers' ? ['high', 'mid'] : ['high']
      if (now !== state || !now) {
        state = now
        first = now ? Object.fromEntries(counted.map((rid) => [rid, layers[rid]!.framesEncoded])) : undefined
        return undefined
      }
      const grown = counted.every((rid) => layers[rid]!.framesEncoded - first![rid]! >= frames)
      return grown ? { state: now, layers: layers as Record<string, CameraLayer> } : undefined
    },
    { timeoutMs, intervalMs: 250, description, seen: () => last },
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
  const hubLines = () => call.hub.logs.filter((entry) => ['video paused', 'video resumed', 'simulcast layer switched', 'simulcast publication', 'simulcast publisher layers'].includes(entry.msg)).map((entry) => `${entry.msg} ${JSON.stringify(entry.fields)}`)
  const page = (name: string) => call.page(name).page

  beforeAll(async () => {
    for (const name of names) await call.page(name).context.addInitScript(recordPeerConnections)
    for (const name of names) await call.page(name).context.addInitScript(recordLayersTold)
    // Simulcast is the deployment's choice (config.json; on by default since stop 34): asked for here so the spec does not rest on the default.
    for (const name of names) await call.page(name).context.route('**/config.json', (route) => route.fulfill({ json: { simulcast: true } }))
    const invite = await openRoom(call.page('Ada'), call.hub.url, 'Simulcast publishers', explain)
    await joinWithMedia(call.page('Bo'), invite).catch(explain)
    await joinWithMedia(call.page('Cy'), invite).catch(explain)
    for (const name of names) ids[name] = await remoteIds(page(name), names.filter((other) => other !== name)).catch(explain)
    figures.mediaWorkers = call.hub.mediaWorkers
  }, 90_000)

  afterAll(async () => {
    figures.slowQueue = await releaseSlowLink(watch)
    figures.hub = call.hub.logs.length ? hubLines() : []
    for (const name of names) figures[`${name}Told`] = await page(name).evaluate(() => (globalThis as unknown as { __layersTold?: unknown }).__layersTold).catch(() => null)
    const { timeline, ...rest } = figures
    for (const [name, lines] of Object.entries((timeline ?? {}) as Record<string, string[]>)) console.info(`[simulcast-publishers ${name} each second]\n${lines.join('\n')}`)
    console.info(`[simulcast-publishers figures] load ${load()}:`, JSON.stringify(rest))
  })

  it('after all three joined, each publisher keeps its rids and sends as its send-layers rule says: high 640 and mid 320 both encoding, or high alone while the rule holds mid off', async () => {
    // The bug this guards against stops `mid` for good: the rids go from the sender's parameters, or `mid`
    // stays inactive behind the rule's back. The core's own send-layers rule stops it on purpose while the
    // estimate is short, for LAYERS_OFF_MS at least and as long as the estimate stays short (doubled after
    // a failed trial): on a loaded box that is the whole watch, so a hold the rule told the hub counts too.
    const startedAt = Date.now()
    const timeline: Record<string, string[]> = { Ada: [], Bo: [], Cy: [] }
    let sampling = true
    const sample = async () => {
      while (sampling) {
        for (const name of names) {
          const { layers, estimateKbps, told } = await readVideo(page(name)).catch(() => ({ layers: {} as Record<string, CameraLayer>, estimateKbps: undefined, told: null }))
          const rid = (r: string) => (layers[r] ? `${r}:${layers[r].active ? 'on' : 'off'}/${layers[r].frameWidth}/${layers[r].fps}fps/${layers[r].targetKbps}k/${layers[r].limit}` : `${r}:-`)
          timeline[name]!.push(`${((Date.now() - startedAt) / 1000).toFixed(1)}s est ${estimateKbps ?? '?'}k ${rid('high')} ${rid('mid')} told ${told?.join('+') ?? '-'} load ${loadavg()[0]!.toFixed(1)}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 1_000))
      }
    }
    const sampled = sample()
    figures.timeline = timeline
    figures.startedAt = startedAt
    await Promise.all(
      names.map(async (name) => {
        const { state, layers } = await layersAsTheRuleSays(page(name), 30, `${name}'s camera keeping its rids and sending as its send-layers rule says (high 640 and mid 320, 30 frames each; or high alone, 30 frames, mid inactive, while the rule holds it off)`, LAYERS_OFF_MS + 25_000)
        figures[`${name}Layers`] = { state, high: layers.high, mid: layers.mid, afterS: (Date.now() - startedAt) / 1000 }
      }),
    )
      .catch(explain)
      .finally(() => {
        sampling = false
        return sampled
      })
  })

  it("each page decodes each of its two remotes 320 wide, the layer its grid tile asks for", async () => {
    // The three pages are watched at once (one poll per page at a time, as before); each wait is the same.
    await Promise.all(
      names.map(async (name) => {
        for (const other of names.filter((candidate) => candidate !== name)) {
          figures[`${name}Decodes${other}`] = await decodes(page(name), ids[name]![other]!, 20, (width) => width === FULL_WIDTH / 2, `${name} decoding 20 frames of ${other}'s video 320 wide`, 20_000)
        }
      }),
    ).catch(explain)
  })

  it("with Cy's downlink at 300 kbit/s, Cy decodes both Ada's and Bo's video narrower and keeps decoding them", async () => {
    prepareDownlink(SLOW_RATE)
    shapedAt = Date.now()
    watch = watchPeerPorts(page('Cy'), shapedAt, shapeDownlinkPort)
    await pollUntil(async () => (watch?.events.some((event) => event.includes('selected pair')) ? true : undefined), { timeoutMs: 10_000, intervalMs: 100, description: "the port watch seeing Cy's selected pair" }).catch(() => undefined)
    expect(watch.events.some((event) => event.includes('selected pair')), watch.events.join('; ')).toBe(true)
    expect(watch.unshapedSelected, watch.events.join('; ')).toBe(false)
    // Both remotes watched at once, each with its own count and 60 s wait: one after the other, Bo's count
    // started only once Ada's had sat through the hub's pauses of Cy's one link (this test took 30 s in a
    // full run, stop 53), though both videos cross that link and the same pauses at the same time.
    await Promise.all(
      ['Ada', 'Bo'].map(async (other) => {
        const narrow = await decodes(page('Cy'), ids.Cy![other]!, 20, (width) => width > 0 && width < FULL_WIDTH, `Cy decoding 20 frames of ${other}'s video narrower than 640`, 60_000)
        figures[`CyShaped${other}`] = { ...narrow, afterShapeS: (Date.now() - shapedAt) / 1000, load: load() }
      }),
    ).catch(explain)
    figures.boWhileCyShaped = (await readVideo(page('Bo'))).remotes
    for (const name of names) figures[`${name}LayersAtEnd`] = (await readVideo(page(name))).layers
  }, 150_000)
})
