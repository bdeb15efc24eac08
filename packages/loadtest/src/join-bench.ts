// Join benchmark (issue 10): the time from a Join click to the first decoded remote frame, for three
// clients on the same hub, trials alternating between them: the Parley web app (apps/web/dist, as the
// hub serves it), the official inLive SDK (@inlivedev/inlive-js-sdk 0.21.4, a dev dependency, in a
// minimal page: join-clients/sdk.html) and the seed tutorial's client (packages/hub/e2e/clients).
// Each trial: a fresh room, one participant of that client joins and connects, then a second one
// clicks Join; the figure is, in the newcomer's page, performance.now() at the click (capture phase)
// to the first remote <video> with videoWidth > 0 (checked every 5 ms and on `resize`, which fires
// with the first decoded frame). Prints one table; asserts nothing about speed.
//
//   flock /tmp/parley-e2e.lock unshare -n sh -c 'ip link set lo up && PARLEY_NETNS=lo \
//     npm run pnpm -- --filter @parley/loadtest run join -- --trials 9'
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { startTestHub, type TestHub } from '@parley/hub/testing'
import { assertLoopbackOnly, launchChromium, newParticipantPage, pollUntil, startStaticServer, type ParticipantPage } from '@parley/testkit'
import { median } from './join-stats.js'

const here = dirname(fileURLToPath(import.meta.url))
const WEB_DIST = join(here, '../../../apps/web/dist')
const TUTORIAL_DIR = join(here, '../../hub/e2e/clients')
const SDK_PAGE_DIR = join(here, '../join-clients')

type KindName = 'parley' | 'sdk' | 'tutorial'

interface Kind {
  readonly label: string
  /** Opens the client's page for `roomId`, ready for the Join click. */
  open(page: Page, roomId: string, name: string): Promise<void>
  readonly joinSelector: string
  readonly remoteVideoSelector: string
  connected(page: Page): Promise<boolean>
}

function kinds(hubUrl: string, sdkUrl: string, tutorialUrl: string): Record<KindName, Kind> {
  return {
    parley: {
      label: 'Parley web app',
      async open(page, roomId, name) {
        // The invite link's form (roomId and roomName), as a guest opens it.
        await page.goto(`${hubUrl}/?roomId=${encodeURIComponent(roomId)}&roomName=bench`)
        await page.getByTestId('display-name').fill(name)
        await page.locator('[data-testid="prejoin"] [data-testid="tile"][data-video="on"]').waitFor({ timeout: 20_000 })
      },
      joinSelector: '[data-testid="join-button"]',
      remoteVideoSelector: '[data-testid="tile"][data-local="false"] video',
      connected: async (page) => (await page.getByTestId('app').getAttribute('data-state')) === 'connected',
    },
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

/** In the page: the Join click's time and the first decoded remote frame's. */
async function armProbe(page: Page, joinSelector: string, remoteVideoSelector: string): Promise<void> {
  await page.evaluate(
    ({ joinSelector, remoteVideoSelector }) => {
      const probe: { clickedAt?: number; frameAt?: number } = {}
      ;(globalThis as { __joinProbe?: typeof probe }).__joinProbe = probe
      document.addEventListener(
        'click',
        (event) => {
          if (probe.clickedAt === undefined && event.target instanceof Element && event.target.closest(joinSelector)) probe.clickedAt = performance.now()
        },
        { capture: true },
      )
      const check = () => {
        if (probe.frameAt !== undefined) return
        for (const video of document.querySelectorAll<HTMLVideoElement>(remoteVideoSelector)) {
          if (video.videoWidth > 0) {
            probe.frameAt = performance.now()
            clearInterval(timer)
            return
          }
          video.addEventListener('resize', check)
        }
      }
      const timer = setInterval(check, 5)
    },
    { joinSelector, remoteVideoSelector },
  )
}

async function readProbe(page: Page): Promise<{ clickedAt?: number; frameAt?: number }> {
  return page.evaluate(() => ({ ...(globalThis as { __joinProbe?: { clickedAt?: number; frameAt?: number } }).__joinProbe }))
}

async function createRoom(hubUrl: string): Promise<string> {
  const response = await fetch(`${hubUrl}/v1/rooms/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"bench"}' })
  const body = (await response.json()) as { data: { id: string } }
  return body.data.id
}

async function trial(browser: Browser, kind: Kind, hubUrl: string): Promise<number> {
  const roomId = await createRoom(hubUrl)
  const open: ParticipantPage[] = []
  try {
    const existing = await newParticipantPage(browser, { viewport: { width: 800, height: 600 } })
    open.push(existing)
    await kind.open(existing.page, roomId, 'Existing')
    await existing.page.click(kind.joinSelector)
    await pollUntil(async () => ((await kind.connected(existing.page)) ? true : undefined), { timeoutMs: 20_000, description: 'the existing participant to connect' })
    const newcomer = await newParticipantPage(browser, { viewport: { width: 800, height: 600 } })
    open.push(newcomer)
    await kind.open(newcomer.page, roomId, 'Newcomer')
    await armProbe(newcomer.page, kind.joinSelector, kind.remoteVideoSelector)
    await newcomer.page.click(kind.joinSelector)
    const probe = await pollUntil(
      async () => {
        const read = await readProbe(newcomer.page)
        return read.clickedAt !== undefined && read.frameAt !== undefined ? read : undefined
      },
      { timeoutMs: 30_000, intervalMs: 20, description: "the newcomer's first remote frame" },
    )
    return probe.frameAt! - probe.clickedAt!
  } finally {
    for (const participant of open) await participant.close().catch(() => undefined)
  }
}

function parseArgs(argv: string[]): { trials: number; warmup: number } {
  const options = { trials: 9, warmup: 1 }
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index]
    const value = Number(argv[index + 1])
    if (flag === '--trials' && Number.isInteger(value) && value > 0) options.trials = value
    else if (flag === '--warmup' && Number.isInteger(value) && value >= 0) options.warmup = value
    else if (flag === '--') continue
    else throw new Error(`unknown or bad option ${flag} (use --trials N --warmup N)`)
    index++
  }
  return options
}

/** A temporary directory with the SDK page and the SDK's own room.js, served together. */
function sdkPageDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-join-sdk-'))
  for (const file of readdirSync(SDK_PAGE_DIR)) copyFileSync(join(SDK_PAGE_DIR, file), join(dir, file))
  const require = createRequire(import.meta.url)
  const sdkEntry = require.resolve('@inlivedev/inlive-js-sdk')
  copyFileSync(join(dirname(sdkEntry), 'room.js'), join(dir, 'room.js'))
  return dir
}

const options = parseArgs(process.argv.slice(2))
assertLoopbackOnly()
const sdkDir = sdkPageDir()
let hub: TestHub | undefined
const servers: { close(): Promise<void> }[] = []
let browser: Browser | undefined
try {
  hub = await startTestHub({ staticDir: WEB_DIST })
  const sdkServer = await startStaticServer(sdkDir)
  const tutorialServer = await startStaticServer(TUTORIAL_DIR)
  servers.push(sdkServer, tutorialServer)
  browser = await launchChromium()
  const all = kinds(hub.url, sdkServer.url, tutorialServer.url)
  const order: KindName[] = ['parley', 'sdk', 'tutorial']
  const results: Record<KindName, number[]> = { parley: [], sdk: [], tutorial: [] }
  const loads: number[] = []
  for (let round = 0; round < options.warmup + options.trials; round++) {
    for (const name of order) {
      const ms = await trial(browser, all[name], hub.url)
      const counted = round >= options.warmup
      if (counted) results[name].push(ms)
      console.error(`[join] round ${round + 1}${counted ? '' : ' (warm-up)'} ${name}: ${ms.toFixed(0)} ms, load ${loadavg()[0]!.toFixed(2)}`)
    }
    loads.push(loadavg()[0]!)
  }
  const sdkMedian = median(results.sdk)
  console.log(`\nJoin click → first decoded remote frame, 2 participants, same hub, ${options.trials} trials each (alternating), load avg ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}\n`)
  console.log('| client | median ms | min | max | ÷ official SDK median |')
  console.log('|---|---|---|---|---|')
  for (const name of order) {
    const values = results[name]
    const row = [all[name].label, median(values).toFixed(0), Math.min(...values).toFixed(0), Math.max(...values).toFixed(0), (median(values) / sdkMedian).toFixed(2)]
    console.log(`| ${row.join(' | ')} |`)
  }
  console.log(`\nall figures ms: ${order.map((name) => `${name} ${results[name].map((value) => value.toFixed(0)).join(',')}`).join('; ')}`)
} finally {
  await browser?.close()
  for (const server of servers) await server.close()
  await hub?.close()
  rmSync(sdkDir, { recursive: true, force: true })
}
