// Three kinds of client in one call across a cluster of three hub processes (werift media planes) on
// one real redis-server, each client entering through a different node: the seed tutorial's client
// through node 1, the official inLive SDK (0.21.4, in a browser) through node 2, and our core in the
// Parley web app (served by node 3, so it talks to node 3) through node 3. Their HTTP and event streams
// go through their node to the room's node; their media goes straight to the room's node. Each one
// decodes the video of the other two (frame counters growing in the browser). Three Chromium
// participants at 640x480. It lives with the load tools because this package has all three clients
// (the hub cannot depend on the core or on the SDK). Loopback-only namespace, under the e2e flock;
// the web app must be built (`npm run pnpm -- --filter @parley/web run build`).
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { loadavg } from 'node:os'
import type { Browser, Page } from 'playwright-core'
import { pathFor } from '@parley/protocol'
import {
  assertLoopbackOnly,
  type HubProcess,
  launchChromium,
  newParticipantPage,
  type ParticipantPage,
  pollUntil,
  type RedisServer,
  type RunningServer,
  startHubProcess,
  startRedisServer,
  startStaticServer,
  waitForDecodedVideo,
} from '@parley/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Kind, type KindName, kinds, sdkPageDir, TUTORIAL_DIR, WEB_DIST } from '../src/join-clients.js'

// The cluster is what this spec is about: each node forwards media in its main thread (--media-workers 0)
// rather than the command's default of one worker per core, which from TypeScript source costs three
// nodes about 600 MB and seconds of start on CI's two cores.
const MEDIA_IN_MAIN_THREAD = ['--media-workers', '0']

interface ClusterStatus {
  nodes: { id: string; participants: number }[]
  rooms: Record<string, string>
}

async function call(url: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: response.status, body: (await response.json()) as { code: number; data: unknown } }
}

/** Every remote video the page shows: `count` of them, each decoding (20 more frames), of distinct tracks. */
async function decodesRemotes(page: Page, kind: Kind, count: number) {
  await pollUntil(async () => (await page.$$(kind.remoteVideoSelector)).length >= count, { timeoutMs: 40_000, description: `${count} remote videos in the page` })
  const figures = []
  for (let index = 1; index <= count; index++) {
    figures.push(await waitForDecodedVideo(page, `:nth-match(${kind.remoteVideoSelector}, ${index})`, { minFramesGrowth: 20, timeoutMs: 40_000 }))
  }
  const tracks = await page.$$eval(kind.remoteVideoSelector, (videos) => videos.map((video) => ((video as HTMLVideoElement).srcObject as MediaStream | null)?.getVideoTracks()[0]?.id ?? null))
  return { figures, tracks }
}

describe('the tutorial client, the official SDK and the core in one call across three hub nodes', () => {
  let redis: RedisServer
  const nodes: HubProcess[] = []
  let pages: RunningServer[] = []
  let browser: Browser | undefined
  const participants: ParticipantPage[] = []
  const sdkDir = sdkPageDir()

  beforeAll(async () => {
    assertLoopbackOnly()
    if (!existsSync(join(WEB_DIST, 'index.html'))) throw new Error(`the web app is not built (${WEB_DIST}): npm run pnpm -- --filter @parley/web run build`)
    redis = await startRedisServer()
    // Started side by side (each transpiles the hub's source as it loads); `nodes` keeps the order n1, n2, n3.
    // Node 3 serves the web app: the app talks to the hub it was loaded from.
    nodes.push(...(await Promise.all(['n1', 'n2', 'n3'].map((id) =>
      startHubProcess({ args: [...MEDIA_IN_MAIN_THREAD, '--redis', redis.url, '--node-id', id], staticDir: id === 'n3' ? WEB_DIST : undefined })))))
    pages = [await startStaticServer(TUTORIAL_DIR), await startStaticServer(sdkDir)]
    browser = await launchChromium()
  })

  afterAll(async () => {
    for (const participant of participants) await participant.close().catch(() => undefined)
    await browser?.close()
    for (const server of pages) await server.close()
    await Promise.all(nodes.map((node) => node.close()))
    await redis?.close()
    rmSync(sdkDir, { recursive: true, force: true })
  })

  it('each decodes the other two', async () => {
    const status = async () => (await call(nodes[0]!.url, 'GET', '/v1/parley/cluster')).body.data as ClusterStatus
    await pollUntil(async () => (await status()).nodes.length === 3, { description: 'three nodes in the directory' })
    const created = await call(nodes[0]!.url, 'POST', pathFor('createRoom', {}), { name: 'three clients' })
    expect(created.status).toBe(201)
    const roomId = (created.body.data as { id: string }).id
    const holder = (await status()).rooms[roomId]
    expect(holder).toMatch(/^n[123]$/)

    const [tutorialPages, sdkPages] = pages
    const entries: { name: string; kind: KindName; via: HubProcess }[] = [
      { name: 'Tutorial', kind: 'tutorial', via: nodes[0]! },
      { name: 'Sdk', kind: 'sdk', via: nodes[1]! },
      { name: 'Core', kind: 'parley', via: nodes[2]! },
    ]
    const joined: { name: string; kind: Kind; page: Page; participant: ParticipantPage }[] = []
    for (const entry of entries) {
      const kind = kinds(entry.via.url, sdkPages!.url, tutorialPages!.url)[entry.kind]
      // The core asks each participant's Parley media state (`getmeta parley.media.<id>`); the tutorial's
      // client and the SDK publish none, so those lookups answer 404, as they do on a single hub.
      const ignoreErrors = entry.kind === 'parley' ? [/404 .*\/getmeta\/parley\.media\./] : []
      const participant = await newParticipantPage(browser!, { viewport: { width: 640, height: 480 }, ignoreErrors })
      participants.push(participant)
      await kind.open(participant.page, roomId, entry.name)
      await participant.page.click(kind.joinSelector)
      await pollUntil(() => kind.connected(participant.page), { timeoutMs: 30_000, description: `${entry.name} (through ${entry.via.url}) to connect` })
      joined.push({ name: entry.name, kind, page: participant.page, participant })
    }

    // The room's node holds all three, whichever node each entered through.
    await pollUntil(async () => (await status()).nodes.find((node) => node.id === holder)?.participants === 3, { description: 'the room node to count 3 participants' })
    const figures: Record<string, unknown> = { holder }
    for (const { name, kind, page } of joined) {
      const { figures: decoded, tracks } = await decodesRemotes(page, kind, 2)
      for (const video of decoded) {
        expect(video.videoWidth).toBeGreaterThan(0)
        expect(video.framesGrowth).toBeGreaterThanOrEqual(20)
      }
      // The two others, not one of them twice.
      expect(new Set(tracks.slice(0, 2)).size).toBe(2)
      figures[name] = decoded.map((video) => ({ counter: video.counter, width: video.videoWidth, msToFirstFrame: video.msToFirstFrame }))
    }
    figures.loadavg1m = +loadavg()[0]!.toFixed(2)
    console.info('[cluster-clients figures]', JSON.stringify(figures))
    for (const { name, participant } of joined) expect(participant.errors, name).toEqual([])
  })
})
