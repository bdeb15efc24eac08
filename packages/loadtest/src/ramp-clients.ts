// The ramp benchmark's measured publisher (ramp-bench.ts, `--clients`): the seed tutorial's page (as before
// `--clients` existed) or Parley's own web app, as the hub serves it from apps/web/dist (build it first:
// `node scripts/parley.mjs build`). Both are driven through the BenchPage calls only (goto, click,
// evaluate), so the same code drives a Chromium (Playwright) and a Firefox (puppeteer) page.
// The subscriber stays the tutorial's Chromium page: it is what paints the frames counted as freezes.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { launchFirefox, newFirefoxParticipantPage, newParticipantPage, recordPeerConnections } from '@parley/testkit'
import type { PublisherBrowser, RampClient } from './ramp-args.js'
import type { BenchPage } from './ramp-stats.js'
import { WEB_DIST } from './join-clients.js'

export interface RampClientKind {
  readonly label: string
  /** Scripts the publisher's page needs before its own (Chromium: addInitScript; Firefox: evaluateOnNewDocument). */
  readonly initScripts: readonly (() => void)[]
  /** Opens the client's page for the room, ready for the Join click. */
  open(page: BenchPage, urls: { hub: string; tutorial: string }, roomId: string): Promise<void>
  readonly joinSelector: string
  connected(page: BenchPage): Promise<boolean>
  /** The hub's client id of the page once registered (to find the hub's estimate for it), else null. */
  clientId(page: BenchPage): Promise<string | null>
}

/** The tutorial page's URL, the subscriber's too. */
export function tutorialUrl(tutorialBase: string, hubUrl: string, roomId: string): string {
  return `${tutorialBase}/room.html?client=seed&hub=${encodeURIComponent(hubUrl)}&roomId=${encodeURIComponent(roomId)}`
}

/** Parley's page as a guest opens an invite link (the join bench's form). */
export function parleyUrl(hubUrl: string, roomId: string): string {
  return `${hubUrl}/?roomId=${encodeURIComponent(roomId)}&roomName=ramp`
}

/**
 * Runs in the page before its scripts: keeps the client id from the register answer (`data.client_id`) in
 * `window.__rampClientId`. Parley's app does not show its id, and the hub's estimate is logged by id.
 */
export function recordClientId(): void {
  const scope = globalThis as unknown as { fetch: typeof fetch; __rampClientId?: string; location: { href: string } }
  const original = scope.fetch.bind(globalThis)
  scope.fetch = async (input, init) => {
    const response = await original(input, init)
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    if (response.ok && /\/rooms\/[^/]+\/register$/.test(new URL(url, scope.location.href).pathname)) {
      response
        .clone()
        .json()
        .then((body: { data?: { client_id?: unknown } }) => {
          if (typeof body.data?.client_id === 'string') scope.__rampClientId = body.data.client_id
        })
        .catch(() => undefined)
    }
    return response
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const RAMP_CLIENT_KINDS: Record<RampClient, RampClientKind> = {
  tutorial: {
    label: 'tutorial client',
    initScripts: [],
    async open(page, urls, roomId) {
      await page.goto(tutorialUrl(urls.tutorial, urls.hub, roomId))
    },
    joinSelector: '#togglejoin',
    connected: (page) => page.evaluate(() => (globalThis as unknown as { __seed: { connectionState: string | null } }).__seed.connectionState === 'connected'),
    clientId: (page) => page.evaluate(() => (globalThis as unknown as { __seed: { client: { id: string } | null } }).__seed.client?.id ?? null),
  },
  parley: {
    label: 'Parley web app',
    initScripts: [recordPeerConnections, recordClientId],
    async open(page, urls, roomId) {
      if (!existsSync(join(WEB_DIST, 'index.html'))) throw new Error(`--clients parley: no ${WEB_DIST}/index.html; build it first (node scripts/parley.mjs build)`)
      await page.goto(parleyUrl(urls.hub, roomId))
      // The pre-join: a name (set as typing would, so Vue's v-model sees it), then the camera's preview.
      const deadline = Date.now() + 20_000
      for (;;) {
        const ready = await page.evaluate(() => {
          const input = document.querySelector<HTMLInputElement>('[data-testid="display-name"]')
          if (!input) return false
          if (input.value !== 'Ramp publisher') {
            input.value = 'Ramp publisher'
            input.dispatchEvent(new Event('input', { bubbles: true }))
          }
          return document.querySelector('[data-testid="prejoin"] [data-testid="tile"][data-video="on"]') !== null
        })
        if (ready) return
        if (Date.now() > deadline) throw new Error("Parley's pre-join did not show the camera within 20 s")
        await sleep(50) // polling the page
      }
    },
    joinSelector: '[data-testid="join-button"]',
    connected: (page) => page.evaluate(() => document.querySelector('[data-testid="app"]')?.getAttribute('data-state') === 'connected'),
    clientId: (page) => page.evaluate(() => (globalThis as unknown as { __rampClientId?: string }).__rampClientId ?? null),
  },
}

export interface OpenPage {
  page: BenchPage
  close(): Promise<void>
}

/**
 * A publisher page with the client's init scripts: a Chromium page, or one Firefox process of its own (its
 * permission file names every origin a client page may come from: the tutorial's server and each hub, which serves Parley's app).
 */
export async function openPublisher(kind: PublisherBrowser, chromium: Browser, origins: string[], initScripts: readonly (() => void)[]): Promise<OpenPage> {
  if (kind === 'chromium') {
    const participant = await newParticipantPage(chromium, { viewport: { width: 800, height: 600 } })
    for (const script of initScripts) await participant.context.addInitScript(script)
    return participant
  }
  const firefox = await launchFirefox({ origins })
  const participant = await newFirefoxParticipantPage(firefox, { viewport: { width: 800, height: 600 } })
  for (const script of initScripts) await participant.page.evaluateOnNewDocument(script)
  return { page: participant.page, close: () => firefox.close() }
}

/**
 * Runs in the publisher's page before its client's script (`--simulcast`): its camera at 960x540 and its
 * video sent as three simulcast layers (the official SDK's: rids high/mid/low at 1, 1/2, 1/4 of the size,
 * 900/300/100 kbit/s), for a client that adds its tracks with addTrack (the tutorial's does).
 */
export function simulcastCamera(): void {
  const devices = navigator.mediaDevices
  const original = devices.getUserMedia.bind(devices)
  devices.getUserMedia = (constraints) => original({ ...constraints, video: constraints?.video ? { width: 960, height: 540 } : false })
  const addTrack = RTCPeerConnection.prototype.addTrack
  RTCPeerConnection.prototype.addTrack = function (this: RTCPeerConnection, track: MediaStreamTrack, ...streams: MediaStream[]) {
    if (track.kind !== 'video') return addTrack.call(this, track, ...streams)
    const sendEncodings = [
      { rid: 'high', maxBitrate: 900_000 },
      { rid: 'mid', scaleResolutionDownBy: 2, maxBitrate: 300_000 },
      { rid: 'low', scaleResolutionDownBy: 4, maxBitrate: 100_000 },
    ]
    return this.addTransceiver(track, { direction: 'sendrecv', streams, sendEncodings }).sender
  }
}

/**
 * Runs in a subscriber's page before the tutorial's script: its getUserMedia asks for audio only, so the
 * page publishes no video of its own (no second video on the slow subscriber's link, no encoder in its
 * process) and its inbound video is the measured publisher's alone.
 */
export function audioOnlyCamera(): void {
  const devices = navigator.mediaDevices
  const original = devices.getUserMedia.bind(devices)
  devices.getUserMedia = (constraints) => original({ ...constraints, video: false })
}
