// The three clients of the join benchmark and the cluster spec, each in its own page, ready for a Join
// click: the Parley web app (as a hub serves it from apps/web/dist), the official inLive SDK
// (@inlivedev/inlive-js-sdk 0.21.4, a dev dependency, in a minimal page: join-clients/sdk.html, served
// with the SDK's own room.js next to it) and the seed tutorial's client (packages/hub/e2e/clients).
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
// `PARLEY_WEB_DIST=DIR`: another build of the web app in place of `apps/web/dist` (e.g. one built with `--outDir`).
export const WEB_DIST = process.env.PARLEY_WEB_DIST ?? join(here, '../../../apps/web/dist')
export const TUTORIAL_DIR = join(here, '../../hub/e2e/clients')
const SDK_PAGE_DIR = join(here, '../join-clients')

export const KIND_NAMES = ['parley', 'parley-e2ee', 'parley-blur', 'sdk', 'tutorial'] as const
/** The invite key of every `parley-e2ee` page (all in one call share it): what an end-to-end encrypted call's link carries. */
export const BENCH_E2EE_KEY = 'benchE2eeKey0123456789'
export type KindName = (typeof KIND_NAMES)[number]

export interface Kind {
  readonly label: string
  /** Opens the client's page for `roomId`, ready for the Join click. */
  open(page: Page, roomId: string, name: string): Promise<void>
  readonly joinSelector: string
  readonly remoteVideoSelector: string
  connected(page: Page): Promise<boolean>
}

/** The Parley web app opened by invite link (roomId and roomName, as a guest opens it), `fragment` after it. */
function parleyKind(hubUrl: string, label: string, fragment = '', remembered: Record<string, string> = {}): Kind {
  return {
    label,
    async open(page, roomId, name) {
      // What the app remembers from an earlier visit (localStorage), there before it starts.
      if (Object.keys(remembered).length > 0) await page.addInitScript((entries) => Object.entries(entries).forEach(([key, value]) => localStorage.setItem(key, value)), remembered)
      await page.goto(`${hubUrl}/?roomId=${encodeURIComponent(roomId)}&roomName=bench${fragment}`)
      await page.getByTestId('display-name').fill(name)
      await page.locator('[data-testid="prejoin"] [data-testid="tile"][data-video="on"]').waitFor({ timeout: 20_000 })
    },
    joinSelector: '[data-testid="join-button"]',
    remoteVideoSelector: '[data-testid="tile"][data-local="false"] video',
    connected: async (page) => (await page.getByTestId('app').getAttribute('data-state')) === 'connected',
  }
}

export function kinds(hubUrl: string, sdkUrl: string, tutorialUrl: string): Record<KindName, Kind> {
  return {
    parley: parleyKind(hubUrl, 'Parley web app'),
    // Every frame encrypted and decrypted in the page's worker (apps/web: the link's `#e2ee=` key).
    'parley-e2ee': parleyKind(hubUrl, 'Parley web app, end-to-end encrypted', `#e2ee=${BENCH_E2EE_KEY}`),
    // The camera's background blurred (apps/web: "Blur background" remembered on): MediaPipe's segmentation and a canvas each frame.
    'parley-blur': parleyKind(hubUrl, 'Parley web app, background blurred', '', { 'parley.blur': 'on' }),
    sdk: {
      label: 'official inLive SDK 0.21.4',
      async open(page, roomId, name) {
        await page.goto(`${sdkUrl}/sdk.html?hub=${encodeURIComponent(hubUrl)}&roomId=${encodeURIComponent(roomId)}&name=${encodeURIComponent(name)}`)
        await page.waitForFunction(() => 'Room' in globalThis || '__sdk' in globalThis)
      },
      joinSelector: '#join',
      remoteVideoSelector: 'video.remote',
      connected: (page) => page.evaluate(() => (globalThis as unknown as { __sdk: { connectionState: string | null } }).__sdk.connectionState === 'connected'),
    },
    tutorial: {
      label: 'tutorial client',
      async open(page, roomId) {
        await page.goto(`${tutorialUrl}/room.html?client=seed&hub=${encodeURIComponent(hubUrl)}&roomId=${encodeURIComponent(roomId)}`)
        await page.waitForFunction(() => '__seed' in globalThis)
      },
      joinSelector: '#togglejoin',
      remoteVideoSelector: 'video.remote',
      connected: (page) => page.evaluate(() => (globalThis as unknown as { __seed: { connectionState: string | null } }).__seed.connectionState === 'connected'),
    },
  }
}

/**
 * The join bench's floor (`--clients p2p`): two Chromium pages in a call straight between them, no hub
 * (join-clients/p2p.html, served beside the SDK's page), their descriptions through `relayUrl`
 * (src/p2p-relay.ts). The page named "Existing…" answers; the newcomer offers at its click.
 */
export function p2pKind(pagesUrl: string, relayUrl: string): Kind {
  return {
    label: 'peer to peer, no hub (the floor)',
    async open(page, roomId, name) {
      await page.goto(`${pagesUrl}/p2p.html?relay=${encodeURIComponent(relayUrl)}&roomId=${encodeURIComponent(roomId)}&name=${encodeURIComponent(name)}`)
      await page.locator('#join:not([disabled])').waitFor({ timeout: 20_000 })
    },
    joinSelector: '#join',
    remoteVideoSelector: 'video.remote',
    connected: (page) => page.evaluate(() => (globalThis as unknown as { __p2p: { connectionState: string | null } }).__p2p.connectionState === 'connected'),
  }
}

/** A temporary directory with the SDK page and the SDK's own room.js, served together. */
export function sdkPageDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-join-sdk-'))
  for (const file of readdirSync(SDK_PAGE_DIR)) copyFileSync(join(SDK_PAGE_DIR, file), join(dir, file))
  const require = createRequire(import.meta.url)
  const sdkEntry = require.resolve('@inlivedev/inlive-js-sdk')
  copyFileSync(join(dirname(sdkEntry), 'room.js'), join(dir, 'room.js'))
  return dir
}

